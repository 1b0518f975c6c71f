/**
 * promtool unit tests, one file per alert, at the boundary: a value just on the quiet side of the
 * threshold (1% away) fires nothing; a value just past it is pending before its `for` and firing
 * after it, with the alert's labels and expanded annotations. Values are the same typed thresholds
 * the rules use, in the metric's unit, so a unit mistake fails here. Pure.
 */
import type { Platform } from "../schemas/platform.ts";
import { formatDuration } from "../schemas/units.ts";
import { expandSummary, jobName, monitoringModel, promNumber, type ModelAlert } from "../model/monitoring.ts";

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
}

const SAMPLES_PER_BUCKET_STEP = 100;

const labelText = (labels: Record<string, string>) =>
  `{${Object.keys(labels)
    .sort()
    .map((k) => `${k}="${labels[k]}"`)
    .join(",")}}`;

/** 1% past the threshold on either side, so the tests sit at the boundary without float ties. */
function boundaryValue(a: ModelAlert, firing: boolean): number {
  const c = a.comparison;
  if (c === "==") return firing ? 0 : 1;
  const t = a.value;
  const delta = t !== 0 ? Math.abs(t) * 0.01 : 1;
  const above = (c === ">") === firing;
  return Number((above ? t + delta : t - delta).toPrecision(12));
}

function scenario(platform: Platform, alert: ModelAlert, firing: boolean, samples: number): Scenario {
  const m = platform.monitoring;
  const a = alert.config;
  const value = boundaryValue(alert, firing);
  if (a.kind === "down") {
    const service = Object.keys(platform.services)[0]!;
    const labels = { job: jobName(platform, service) };
    return {
      series: [{ series: `up${labelText(labels)}`, values: `${value}x${samples}` }],
      resultLabels: { ...labels, service },
      value,
    };
  }
  const service = a.service ?? m.metrics[a.metric]!.services[0]!;
  const job = jobName(platform, service);
  if (a.kind === "ratio") {
    const labels = { [a.by]: service, job };
    const errorsPerStep = promNumber(Number((value * SAMPLES_PER_BUCKET_STEP).toPrecision(12)));
    return {
      series: [
        { series: `${a.metric}${labelText(labels)}`, values: `0+${errorsPerStep}x${samples}` },
        { series: `${a.per}${labelText(labels)}`, values: `0+${SAMPLES_PER_BUCKET_STEP}x${samples}` },
      ],
      resultLabels: { [a.by]: service },
      value,
    };
  }
  if (m.metrics[a.metric]!.type === "histogram") {
    // Every observation in one bucket: the quantile q interpolates to q × the bucket's upper bound.
    const le = promNumber(Number((value / a.quantile).toPrecision(12)));
    const counts = `0+${SAMPLES_PER_BUCKET_STEP}x${samples}`;
    return {
      series: [
        { series: `${a.metric}_bucket${labelText({ job, le })}`, values: counts },
        { series: `${a.metric}_bucket${labelText({ job, le: "+Inf" })}`, values: counts },
      ],
      resultLabels: {},
      value,
    };
  }
  const labels = { job };
  return {
    series: [{ series: `${a.metric}${labelText(labels)}`, values: `${promNumber(value)}x${samples}` }],
    resultLabels: labels,
    value,
  };
}

export interface AlertTestFile {
  file: string;
  content: Record<string, unknown>;
}

export function alertTestFiles(platform: Platform): AlertTestFile[] {
  const model = monitoringModel(platform);
  const step = platform.monitoring.evaluationInterval;
  const rules = model.ruleFiles.map((f) => `../rules/${f.file}`);
  return model.alerts.map((alert) => {
    const { name, config: a, rule } = alert;
    // Rates need two samples, so a rate alert turns pending one step late; checks leave room for that.
    const fireAt = a.for + 2 * step;
    const pendingAt = a.for - step;
    const samples = Math.ceil(fireAt / step) + 2;
    const quiet = scenario(platform, alert, false, samples);
    const loud = scenario(platform, alert, true, samples);
    const expLabels = { ...loud.resultLabels, ...rule.labels };
    const expAnnotations = { ...rule.annotations, summary: expandSummary(a.summary, loud.resultLabels) };
    const tests: Record<string, unknown>[] = [
      {
        name: `${name}: at ${promNumber(quiet.value)}, just on the quiet side of ${rule.expr}, nothing fires`,
        interval: formatDuration(step),
        input_series: quiet.series,
        alert_rule_test: [{ eval_time: formatDuration(fireAt), alertname: name, exp_alerts: [] }],
      },
      {
        name: `${name}: at ${promNumber(loud.value)}, just past the threshold, it fires after its for (${rule.for})`,
        interval: formatDuration(step),
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
    ];
    return { file: `${name}.yaml`, content: { rule_files: rules, evaluation_interval: formatDuration(step), tests } };
  });
}
