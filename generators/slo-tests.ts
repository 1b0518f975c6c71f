/**
 * promtool unit tests of an SLO alert (model/slo.ts), fed with the service's own counters at a steady error ratio:
 * a fast burn (past the page's fastest factor) pages and tickets, a slow burn (past the ticket's factors, under the
 * page's) only tickets, and an error ratio inside the budget fires nothing. The ratios are the burn-rate table's,
 * for this SLO's objective and period, so a factor or a window written wrong fails here. Pure.
 */
import type { Platform } from "../schemas/platform.ts";
import { formatDuration } from "../schemas/units.ts";
import { expandSummary, jobName, promNumber, type AlertRule, type ModelAlert } from "../model/monitoring.ts";
import { SLO_SEVERITY_NAME } from "../schemas/slo.ts";
import type { SloModel } from "../model/slo.ts";

/** Requests per sample: large enough that a ratio inside the budget is still a whole number of errors. */
const REQUESTS_PER_SAMPLE = 100_000;
/** Counters are sampled each minute; every window holds at least five samples once the test has run 10m. */
const SAMPLE_INTERVAL = 60;
const EVAL_AT = 600;

const round = (n: number) => Number(n.toPrecision(12));

/** The three error ratios tested, from the SLO's table: each stays clear of every factor's edge. */
export function sloTestRatios(slo: SloModel): { fast: number; slow: number; under: number } {
  const ratios = (severity: "critical" | "warning") =>
    slo.windows.filter((w) => w.severity === severity).map((w) => w.errorRatio);
  const page = ratios("critical");
  const ticket = ratios("warning");
  return {
    // Past every factor (capped at every request failing, which the schema keeps past them too).
    fast: round(Math.min(1, 1.25 * Math.max(...page))),
    // Past every ticket factor, under every page factor (the table's factors are ordered so).
    slow: round((Math.max(...ticket) + Math.min(...page)) / 2),
    // Half the slowest ticket's: the budget lasts, nothing fires.
    under: round(Math.min(...ticket) / 2),
  };
}

export function sloTests(platform: Platform, alert: ModelAlert, slo: SloModel): Record<string, unknown>[] {
  const { name } = alert;
  const job = jobName(platform, slo.service);
  const config = alert.config as { metric: string; per: string; summary: string };
  const samples = EVAL_AT / SAMPLE_INTERVAL + 2;
  const series = (ratio: number) => [
    {
      series: `${config.metric}{job="${job}"}`,
      values: `0+${promNumber(round(ratio * REQUESTS_PER_SAMPLE))}x${samples}`,
    },
    { series: `${config.per}{job="${job}"}`, values: `0+${REQUESTS_PER_SAMPLE}x${samples}` },
  ];
  const labels = { service: slo.service, slo: slo.name };
  const expected = (rule: AlertRule) => ({
    exp_labels: { ...labels, ...rule.labels },
    exp_annotations: { ...rule.annotations, summary: expandSummary(config.summary, labels) },
  });
  const [page, ticket] = slo.alerts;
  const { fast, slow, under } = sloTestRatios(slo);
  const pct = (r: number) => `${round(r * 100)}%`;
  const burn = (r: number) => `${round(r / slo.budget)}x`;
  const test = (what: string, ratio: number, fire: AlertRule[]) => ({
    name:
      `${name}: ${pct(ratio)} of requests failing (burn rate ${burn(ratio)} of a ${pct(slo.budget)} budget) ` + what,
    interval: formatDuration(SAMPLE_INTERVAL),
    input_series: series(ratio),
    alert_rule_test: [{ eval_time: formatDuration(EVAL_AT), alertname: name, exp_alerts: fire.map(expected) }],
  });
  return [
    test(`is a fast burn: it ${SLO_SEVERITY_NAME.critical}s (and ${SLO_SEVERITY_NAME.warning}s)`, fast, [page, ticket]),
    test(`is a slow burn: it ${SLO_SEVERITY_NAME.warning}s, and does not ${SLO_SEVERITY_NAME.critical}`, slow, [
      ticket,
    ]),
    test("is inside the budget: nothing fires", under, []),
  ];
}
