/**
 * What rules, unit tests and dashboards share, so they cannot disagree: scrape job names, the
 * threshold of an alert in its metric's own unit, and the PromQL of each alert. Pure.
 */
import type { Alert, MetricDef, MetricUnit, Monitoring, Threshold } from "../schemas/observability.ts";
import type { Platform } from "../schemas/platform.ts";
import { formatDuration } from "../schemas/units.ts";
import { objectName } from "./names.ts";

/** Scrape jobs are named like the service's objects: `nautilus-risk-engine`. */
export function jobName(platform: Platform, service: string): string {
  return objectName(platform, service);
}

/** Matches every service job and nothing else (`nautilus-.*`). */
export function jobPattern(platform: Platform): string {
  return `${platform.name}-.*`;
}

/** Grafana's unit ids for our metric units. */
export const GRAFANA_UNIT: Record<MetricUnit, string> = {
  microseconds: "µs",
  seconds: "s",
  ratio: "percentunit",
  count: "short",
  bytes: "bytes",
};

/** A threshold in the metric's unit: 2.75us is 2.75 on a microsecond gauge and 2.75e-06 on a seconds histogram. */
export function thresholdIn(unit: MetricUnit, t: Threshold): number {
  const v =
    t.kind === "duration"
      ? unit === "microseconds"
        ? t.seconds * 1e6
        : t.seconds
      : t.kind === "percent"
        ? t.ratio
        : t.value;
  // Unit conversion in binary floating point leaves noise (2.7500000000000004); the config has at most 12 digits.
  return Number(v.toPrecision(12));
}

/** A PromQL number literal as Prometheus prints it: 2.75, 0.95, 2.75e-06. */
export function promNumber(n: number): string {
  if (n !== 0 && Math.abs(n) < 1e-4) {
    const [mantissa, exp] = n.toExponential().split("e");
    const sign = exp!.startsWith("-") ? "-" : "+";
    return `${mantissa}e${sign}${exp!.replace(/^[-+]/, "").padStart(2, "0")}`;
  }
  return String(n);
}

export interface AlertRule {
  alert: string;
  expr: string;
  for: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** `{job="nautilus-risk-engine"}` when a metric several services expose must be narrowed to the alert's service. */
function selector(platform: Platform, metric: MetricDef | undefined, service: string | undefined): string {
  return service !== undefined && metric !== undefined && metric.services.length > 1
    ? `{job="${jobName(platform, service)}"}`
    : "";
}

/** The left-hand side of an alert: the value compared with the threshold, in the metric's unit. */
export function alertValueExpr(platform: Platform, a: Alert): string {
  const m = platform.monitoring;
  if (a.kind === "down")
    return `label_replace(up{job=~"${jobPattern(platform)}"}, "service", "$1", "job", "${platform.name}-(.*)")`;
  if (a.kind === "ratio") {
    const sel = a.service !== undefined ? `{${a.by}="${a.service}"}` : "";
    const w = formatDuration(a.window);
    return `sum by (${a.by}) (rate(${a.metric}${sel}[${w}])) / sum by (${a.by}) (rate(${a.per}${sel}[${w}]))`;
  }
  const def = m.metrics[a.metric];
  const sel = selector(platform, def, a.service);
  if (def?.type === "histogram")
    return (
      `histogram_quantile(${a.quantile}, sum by (le) ` +
      `(rate(${a.metric}_bucket${sel}[${formatDuration(a.window)}])))`
    );
  return `${a.metric}${sel}`;
}

/** Unit of the value an alert compares: the metric's unit, a ratio for ratio alerts, a count for `up`. */
export function alertUnit(m: Monitoring, a: Alert): MetricUnit {
  if (a.kind === "down") return "count";
  if (a.kind === "ratio") return "ratio";
  return m.metrics[a.metric]?.unit ?? "count";
}

/** The threshold in the compared value's unit; `up == 0` for down alerts. */
export function alertThreshold(m: Monitoring, a: Alert): number {
  return a.kind === "down" ? 0 : thresholdIn(alertUnit(m, a), a.threshold);
}

export function alertComparison(a: Alert): ">" | "<" | "==" {
  return a.kind === "down" ? "==" : a.comparison;
}

export function alertRule(platform: Platform, name: string, a: Alert): AlertRule {
  const m = platform.monitoring;
  const labels: Record<string, string> = { severity: a.severity };
  if (a.kind !== "down" && a.service !== undefined) labels.service = a.service;
  return {
    alert: name,
    expr: `${alertValueExpr(platform, a)} ${alertComparison(a)} ${promNumber(alertThreshold(m, a))}`,
    for: formatDuration(a.for),
    labels,
    annotations: { summary: a.summary, runbook_url: `${m.runbookBaseUrl.replace(/\/+$/, "")}/${name}` },
  };
}

/** Expands the `{{ $labels.x }}` templates a summary may use (the only ones the schema allows). */
export function expandSummary(summary: string, labels: Record<string, string>): string {
  return summary.replace(/\{\{\s*\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}/g, (_, k: string) => labels[k] ?? "");
}

/** Services of a tier, in config order. */
export function tierServices(platform: Platform, tier: string): string[] {
  return Object.entries(platform.services)
    .filter(([, s]) => s.tier === tier)
    .map(([n]) => n);
}
