/**
 * promtool unit tests, one file per alert, at the boundary: a value just on the quiet side of the
 * threshold (1% away) fires nothing; a value just past it is pending before its `for` and firing
 * after it, with the alert's labels and expanded annotations. Values are the same typed thresholds
 * the rules use, in the metric's unit, so a unit mistake fails here. A histogram's series are shaped by
 * its declared buckets (each observation counted in every bucket whose bound it does not exceed), and its
 * file also holds a real latency well under the threshold that must not fire: with buckets too coarse to
 * resolve the threshold, histogram_quantile reads it above the threshold and that test fails. Pure.
 */
import type { RatioAlert, ThresholdAlert } from "../schemas/observability.ts";
import type { Platform } from "../schemas/platform.ts";
import { formatDuration } from "../schemas/units.ts";
import {
  bucketsIn,
  expandSummary,
  jobName,
  monitoringModel,
  ownAlertServices,
  promNumber,
  type ModelAlert,
  WELL_UNDER,
} from "../model/monitoring.ts";
import { serviceDownTests } from "./service-down-tests.ts";
import { sloTests } from "./slo-tests.ts";
import { metaTestFiles } from "./meta-monitoring-tests.ts";

interface Series {
  series: string;
  values: string;
}

interface Scenario {
  series: Series[];
  /** Labels of the expression's result: what `$labels` sees and what the alert carries before rule labels. */
  resultLabels: Record<string, string>;
  /** The compared value, in the metric's unit. */
  value: number;
  /** What the input is, for the test's name: the value, or how a histogram's observations are spread. */
  description: string;
}

/** Where a histogram's observations lie, in its unit, and what share of them lies there. */
interface Observation {
  value: number;
  share: number;
}

/** The alerts compared with a threshold; `down` alerts have their own tests (service-down-tests.ts). */
type Compared = ThresholdAlert | RatioAlert;

/** Which input a test feeds: just on the quiet side, just past the threshold, or far on the quiet side. */
type Case = "quiet" | "loud" | "far";

const SAMPLES_PER_BUCKET_STEP = 100;

const labelText = (labels: Record<string, string>) =>
  `{${Object.keys(labels)
    .sort()
    .map((k) => `${k}="${labels[k]}"`)
    .join(",")}}`;

/** 1% past the threshold on either side, so the tests sit at the boundary without float ties. */
function boundaryValue(a: ModelAlert, c: Compared["comparison"], firing: boolean): number {
  const t = a.value;
  const delta = t !== 0 ? Math.abs(t) * 0.01 : 1;
  const above = (c === ">") === firing;
  return Number((above ? t + delta : t - delta).toPrecision(12));
}

const round = (n: number) => Number(n.toPrecision(12));

/**
 * The observations of a histogram case. Far: every observation well on the quiet side. Quiet: every observation
 * just on it, in the threshold's own bucket. Loud, comparing ">": the bulk well under and a tail of twice the
 * quantile's complement (2% for a p99) just past the threshold, so the quantile itself, not the bulk, crosses it.
 */
function observations(a: ModelAlert, c: Compared["comparison"], quantile: number, which: Case): Observation[] {
  const t = a.value;
  if (which === "far") return [{ value: round(c === "<" ? t / WELL_UNDER : t * WELL_UNDER), share: 1 }];
  const edge = boundaryValue(a, c, which === "loud");
  if (which === "quiet" || c !== ">") return [{ value: edge, share: 1 }];
  const tail = Math.min(1, round(2 * (1 - quantile)));
  return [
    { value: round(t * WELL_UNDER), share: round(1 - tail) },
    { value: edge, share: tail },
  ];
}

function describeObservations(obs: Observation[]): string {
  if (obs.length === 1) return `every observation at ${promNumber(obs[0]!.value)}`;
  return obs.map((o) => `${round(o.share * 100)}% at ${promNumber(o.value)}`).join(" and ");
}

function scenario(platform: Platform, alert: ModelAlert, a: Compared, which: Case, samples: number): Scenario {
  const m = platform.monitoring;
  const value = boundaryValue(alert, a.comparison, which === "loud");
  // A service-less alert leaves out the services with their own alert on the same value: test one it covers.
  const excluded = ownAlertServices(platform, a);
  const services = m.metrics[a.metric]!.services;
  const service = a.service ?? services.find((s) => !excluded.includes(s)) ?? services[0]!;
  const job = jobName(platform, service);
  if (a.kind === "ratio") {
    const labels = { [a.by]: service, job };
    const errorsPerStep = promNumber(round(value * SAMPLES_PER_BUCKET_STEP));
    return {
      series: [
        { series: `${a.metric}${labelText(labels)}`, values: `0+${errorsPerStep}x${samples}` },
        { series: `${a.per}${labelText(labels)}`, values: `0+${SAMPLES_PER_BUCKET_STEP}x${samples}` },
      ],
      resultLabels: { [a.by]: service },
      value,
      description: `at ${promNumber(value)}`,
    };
  }
  const def = m.metrics[a.metric]!;
  if (def.type === "histogram") {
    // Cumulative buckets as a client library exports them: an observation counts in every bucket whose upper
    // bound it does not exceed, and always in +Inf.
    const obs = observations(alert, a.comparison, a.quantile, which);
    const bounds = [...bucketsIn(def), Number.POSITIVE_INFINITY];
    return {
      series: bounds.map((le) => {
        const perStep = round(obs.reduce((n, o) => n + (o.value <= le ? o.share : 0), 0) * SAMPLES_PER_BUCKET_STEP);
        const bound = le === Number.POSITIVE_INFINITY ? "+Inf" : promNumber(le);
        return {
          series: `${a.metric}_bucket${labelText({ job, le: bound })}`,
          values: `0+${promNumber(perStep)}x${samples}`,
        };
      }),
      resultLabels: {},
      value,
      description: describeObservations(obs),
    };
  }
  const labels = { job };
  return {
    series: [{ series: `${a.metric}${labelText(labels)}`, values: `${promNumber(value)}x${samples}` }],
    // A gauge several services expose gets its `service` label from the job (serviceFromJob).
    resultLabels: a.service === undefined && def.services.length > 1 ? { ...labels, service } : labels,
    value,
    description: `at ${promNumber(value)}`,
  };
}

export interface AlertTestFile {
  file: string;
  content: Record<string, unknown>;
}

export function alertTestFiles(platform: Platform): AlertTestFile[] {
  const model = monitoringModel(platform);
  const step = platform.monitoring.evaluationInterval;
  const rules = model.alertTestRuleFiles.map((f) => `../rules/${f.file}`);
  const configured = model.alerts.map((alert) => {
    const { name, config: a, rule } = alert;
    const content = (tests: Record<string, unknown>[]) => ({
      file: `${name}.yaml`,
      content: { rule_files: rules, evaluation_interval: formatDuration(step), tests },
    });
    if (a.kind === "down") return content(serviceDownTests(platform, alert));
    if (a.kind === "slo") return content(sloTests(platform, alert, alert.slo!));
    // Rates need two samples, so a rate alert turns pending one step late; checks leave room for that.
    const fireAt = a.for + 2 * step;
    const pendingAt = a.for - step;
    const samples = Math.ceil(fireAt / step) + 2;
    const quiet = scenario(platform, alert, a, "quiet", samples);
    const loud = scenario(platform, alert, a, "loud", samples);
    const expLabels = { ...loud.resultLabels, ...rule.labels };
    const expAnnotations = { ...rule.annotations, summary: expandSummary(a.summary, loud.resultLabels) };
    const interval = formatDuration(step);
    const silent = (s: Scenario, what: string) => ({
      name: `${name}: ${s.description}, ${what} of ${rule.expr}, nothing fires`,
      interval,
      input_series: s.series,
      alert_rule_test: [{ eval_time: formatDuration(fireAt), alertname: name, exp_alerts: [] }],
    });
    const histogram = a.kind === "threshold" && platform.monitoring.metrics[a.metric]?.type === "histogram";
    const tests: Record<string, unknown>[] = [
      ...(histogram ? [silent(scenario(platform, alert, a, "far", samples), "well on the quiet side")] : []),
      silent(quiet, "just on the quiet side"),
      {
        name: `${name}: ${loud.description}, just past the threshold, it fires after its for (${rule.for})`,
        interval,
        input_series: loud.series,
        alert_rule_test: [
          ...(pendingAt > 0 ? [{ eval_time: formatDuration(pendingAt), alertname: name, exp_alerts: [] }] : []),
          {
            eval_time: formatDuration(fireAt),
            alertname: name,
            exp_alerts: [{ exp_labels: expLabels, exp_annotations: expAnnotations }],
          },
        ],
      },
      ...(a.kind === "threshold" && platform.monitoring.metrics[a.metric]?.type === "gauge"
        ? [intermittent(alert, a, quiet, loud, { interval, fireAt, expLabels, expAnnotations })]
        : []),
    ];
    return content(tests);
  });
  return [...configured, ...metaTestFiles(platform)];
}

/**
 * A gauge that breaches at every other evaluation. Compared as the latest sample (no `over`), each good sample resets
 * `for` and the alert never fires; compared as the worst over `over`, the breach is in every window and it fires.
 * Both are tested, so the config's choice is what Prometheus does.
 */
function intermittent(
  alert: ModelAlert,
  a: ThresholdAlert,
  quiet: Scenario,
  loud: Scenario,
  at: { interval: string; fireAt: number; expLabels: Record<string, string>; expAnnotations: Record<string, string> },
): Record<string, unknown> {
  const samples = (loud.series[0]!.values.match(/x(\d+)$/)?.[1] ?? "0") as string;
  const values = Array.from({ length: Number(samples) + 1 }, (_, i) =>
    promNumber(i % 2 === 0 ? loud.value : quiet.value),
  ).join(" ");
  const series = [{ series: loud.series[0]!.series, values }];
  const worst = a.over !== undefined;
  return {
    name:
      `${alert.name}: a breach at every other evaluation (${promNumber(loud.value)} and ${promNumber(quiet.value)}) ` +
      (worst
        ? `is in every ${formatDuration(a.over!)} window, so it fires after its for (${alert.rule.for})`
        : "resets for at each good sample, so the latest-sample comparison never fires"),
    interval: at.interval,
    input_series: series,
    alert_rule_test: [
      {
        eval_time: formatDuration(at.fireAt),
        alertname: alert.name,
        exp_alerts: worst ? [{ exp_labels: at.expLabels, exp_annotations: at.expAnnotations }] : [],
      },
    ],
  };
}
