/**
 * promtool unit tests of a `down` alert, which fires when a service has no healthy scrape target at all. Quiet:
 * a rolling restart (a new pod scraped as down for its whole startup budget while the old one serves), and every
 * pod replaced at once (no healthy target for the startup budget, which `for` outlasts). Loud: every pod gone
 * (its targets end with stale markers, as when discovery drops them, and `up` has no series left), and every
 * target down. Every other service keeps one healthy target throughout, so only the service under test may fire.
 * Pure.
 */
import type { Platform } from "../schemas/platform.ts";
import { formatDuration } from "../schemas/units.ts";
import { expandSummary, jobName, type ModelAlert } from "../model/monitoring.ts";

/** `n` samples of `v` in promtool's series notation (`1x3` is four samples, `_x3` three). */
function run(v: string, n: number): string[] {
  if (n <= 0) return [];
  if (v === "_") return [`_x${n}`];
  return [n === 1 ? v : `${v}x${n - 1}`];
}

const up = (platform: Platform, service: string, pod: string, values: string[]) => ({
  series: `up{instance="${pod}",job="${jobName(platform, service)}"}`,
  values: values.join(" "),
});

export function serviceDownTests(platform: Platform, alert: ModelAlert): Record<string, unknown>[] {
  const { name, config: a, rule } = alert;
  // Only a `down` alert has these tests (and a `for`: an SLO alert has none).
  if (a.kind !== "down") return [];
  const step = platform.monitoring.evaluationInterval;
  const services = Object.keys(platform.services);
  const service = services[0]!;
  const startupSteps = Math.ceil(platform.services[service]!.probes.startup.budget / step);
  const forSteps = Math.ceil(a.for / step);
  // Long enough for the alert to fire after the last change, whatever is longer: `for` or the startup budget.
  const samples = 4 + Math.max(forSteps, startupSteps) + 4;
  const evalAt = formatDuration((samples - 1) * step);
  const gapEnd = formatDuration((1 + startupSteps) * step);
  const others = services.filter((s) => s !== service).map((s) => up(platform, s, `${s}-0`, run("1", samples)));
  const interval = formatDuration(step);
  const labels = { service };
  const quiet = (what: string, series: ReturnType<typeof up>[]) => ({
    name: `${name}: ${what}, nothing fires`,
    interval,
    input_series: [...series, ...others],
    // At the last step the new pod is still starting, and once it serves.
    alert_rule_test: [gapEnd, evalAt].map((eval_time) => ({ eval_time, alertname: name, exp_alerts: [] })),
  });
  /** Gone or down from step 2 on: pending at once, firing once `for` has passed. */
  const loud = (what: string, series: ReturnType<typeof up>[]) => ({
    name: `${name}: ${what}, it fires after its for (${rule.for})`,
    interval,
    input_series: [...series, ...others],
    alert_rule_test: [
      { eval_time: formatDuration(2 * step + a.for - step), alertname: name, exp_alerts: [] },
      {
        eval_time: formatDuration(2 * step + a.for),
        alertname: name,
        exp_alerts: [
          {
            exp_labels: { ...labels, ...rule.labels },
            exp_annotations: { ...rule.annotations, summary: expandSummary(a.summary, labels) },
          },
        ],
      },
    ],
  });
  const budget = formatDuration(platform.services[service]!.probes.startup.budget);
  return [
    quiet(`${service} restarts its pods one by one, each new pod down for its ${budget} startup budget`, [
      up(platform, service, `${service}-old`, [...run("1", 2 + startupSteps + 1), "stale"]),
      up(platform, service, `${service}-new`, [...run("_", 2), ...run("0", startupSteps), ...run("1", samples)]),
    ]),
    quiet(`${service} replaces every pod at once, with no healthy target for its ${budget} startup budget`, [
      up(platform, service, `${service}-old`, [...run("1", 2), "stale"]),
      up(platform, service, `${service}-new`, [...run("_", 2), ...run("0", startupSteps), ...run("1", samples)]),
    ]),
    loud(`every pod of ${service} is gone and up has no series for it`, [
      up(platform, service, `${service}-0`, [...run("1", 2), "stale"]),
      up(platform, service, `${service}-1`, [...run("1", 2), "stale"]),
    ]),
    loud(`every target of ${service} is down`, [
      up(platform, service, `${service}-0`, [...run("1", 2), ...run("0", samples)]),
    ]),
  ];
}
