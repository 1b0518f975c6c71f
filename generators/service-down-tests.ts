/**
 * promtool unit tests of a `down` alert, which fires when a service has no healthy scrape target at all. Quiet:
 * a rolling restart (a new pod scraped as down for its whole startup budget while the old one serves), every pod
 * replaced at once (no healthy target for the startup budget, which `for` outlasts), and one healthy pod beside a
 * failing one. Loud: every pod gone (its targets end with stale markers, as when discovery drops them, and `up` has
 * no series left), no pod ever scheduled, and every target down.
 *
 * Each test is about two services, whatever the config declares: the first one, under test, and a neighbour with one
 * healthy pod throughout, so only the service under test may fire. The tests load every rule file but the service
 * inventory and feed the inventory series of these two themselves (model/monitoring.ts `alertTestRuleFiles`): the
 * series, and promtool's time, stay the same at 7 services and at 1,000. Pure.
 */
import type { Platform } from "../schemas/platform.ts";
import { formatDuration } from "../schemas/units.ts";
import { expandSummary, jobName, type ModelAlert } from "../model/monitoring.ts";
import { inventoryLabels } from "../model/service-inventory.ts";
import { INVENTORY_RECORD } from "../schemas/observability.ts";

interface Series {
  series: string;
  values: string;
}

/** `n` samples of `v` in promtool's series notation (`1x3` is four samples, `_x3` three). */
function run(v: string, n: number): string[] {
  if (n <= 0) return [];
  if (v === "_") return [`_x${n}`];
  return [n === 1 ? v : `${v}x${n - 1}`];
}

const labelText = (labels: Record<string, string>) =>
  Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(",");

const up = (platform: Platform, service: string, pod: string, values: string[]): Series => ({
  series: `up{instance="${pod}",job="${jobName(platform, service)}"}`,
  values: values.join(" "),
});

/** A declared service, as the inventory rule file records it, for `samples` samples. */
const expected = (platform: Platform, service: string, samples: number): Series => ({
  series: `${INVENTORY_RECORD}{${labelText(inventoryLabels(platform, service))}}`,
  values: run("1", samples).join(" "),
});

export function serviceDownTests(platform: Platform, alert: ModelAlert): Record<string, unknown>[] {
  const { name, config: a, rule } = alert;
  // Only a `down` alert has these tests (and a `for`: an SLO alert has none).
  if (a.kind !== "down") return [];
  const step = platform.monitoring.evaluationInterval;
  const [service, neighbour] = Object.keys(platform.services) as [string, string | undefined];
  const startupSteps = Math.ceil(platform.services[service]!.probes.startup.budget / step);
  const forSteps = Math.ceil(a.for / step);
  // Long enough for the alert to fire after the last change, whatever is longer: `for` or the startup budget.
  const samples = 4 + Math.max(forSteps, startupSteps) + 4;
  const evalAt = formatDuration((samples - 1) * step);
  const gapEnd = formatDuration((1 + startupSteps) * step);
  const declared = [service, ...(neighbour !== undefined ? [neighbour] : [])].map((s) =>
    expected(platform, s, samples),
  );
  const others = [
    ...declared,
    ...(neighbour !== undefined ? [up(platform, neighbour, `${neighbour}-0`, run("1", samples))] : []),
  ];
  const interval = formatDuration(step);
  const labels = { service };
  const quiet = (what: string, series: Series[]) => ({
    name: `${name}: ${what}, nothing fires`,
    interval,
    input_series: [...series, ...others],
    // At the last step the new pod is still starting, and once it serves.
    alert_rule_test: [gapEnd, evalAt].map((eval_time) => ({ eval_time, alertname: name, exp_alerts: [] })),
  });
  /** Gone or down from step `from` on (2 unless said): pending at once, firing once `for` has passed. */
  const loud = (what: string, series: Series[], from = 2) => ({
    name: `${name}: ${what}, it fires after its for (${rule.for})`,
    interval,
    input_series: [...series, ...others],
    alert_rule_test: [
      { eval_time: formatDuration(from * step + a.for - step), alertname: name, exp_alerts: [] },
      {
        eval_time: formatDuration(from * step + a.for),
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
    quiet(`one pod of ${service} serves while the other is down throughout`, [
      up(platform, service, `${service}-0`, run("1", samples)),
      up(platform, service, `${service}-1`, run("0", samples)),
    ]),
    loud(`every pod of ${service} is gone and up has no series for it`, [
      up(platform, service, `${service}-0`, [...run("1", 2), "stale"]),
      up(platform, service, `${service}-1`, [...run("1", 2), "stale"]),
    ]),
    // Declared but never scraped (pods pending, a quota): the inventory alone names it, from the first evaluation.
    loud(`no pod of ${service} was ever scheduled, so up never had a series for it`, [], 0),
    loud(`every target of ${service} is down`, [
      up(platform, service, `${service}-0`, [...run("1", 2), ...run("0", samples)]),
    ]),
  ];
}
