/**
 * What the platform dashboard shows, as data: each panel's id, title, unit, threshold steps and PromQL
 * targets, decided from the monitoring model. The Grafana generator only renders it with the SDK, and the
 * promql check reads the same queries, so no check has to parse the dashboard's JSON back. Thresholds are
 * the alerts' resolved thresholds (the latency budget where an alert leaves it out) in the panel's unit.
 * Panel ids are fixed by position in the config (a tier's row is 100 × its index), so they survive
 * regeneration. Pure.
 */
import type { MetricUnit } from "../schemas/observability.ts";
import type { Platform } from "../schemas/platform.ts";
import {
  GRAFANA_UNIT,
  jobName,
  jobPattern,
  monitoringModel,
  ratioExpr,
  tierServices,
  type ModelAlert,
} from "./monitoring.ts";

const SEVERITY_COLOR = { critical: "red", warning: "orange" } as const;
const LATENCY_UNITS: readonly MetricUnit[] = ["microseconds", "seconds"];

/** A threshold step; `null` is Grafana's base step ("from minus infinity"). */
export interface ThresholdStep {
  value: number | null;
  color: string;
}

export interface PanelQuery {
  expr: string;
  legend: string;
  refId: string;
  /** An instant query shown as a table. */
  table?: boolean;
}

export interface PanelSpec {
  kind: "stat" | "table" | "timeseries";
  id: number;
  title: string;
  /** Grafana unit id. */
  unit?: string;
  thresholds?: ThresholdStep[];
  targets: PanelQuery[];
}

export interface DashboardSpec {
  uid: string;
  title: string;
  tags: string[];
  /** Panels above the rows. */
  panels: PanelSpec[];
  rows: { id: number; title: string; panels: PanelSpec[] }[];
}

export const refId = (i: number) => String.fromCharCode(65 + (i % 26)) + (i >= 26 ? String(Math.floor(i / 26)) : "");

/**
 * Threshold steps from alerts on the same value: above a ">" threshold is the alert's colour, below a "<"
 * threshold is; the healthy side is green.
 */
export function thresholdSteps(alerts: readonly ModelAlert[]): ThresholdStep[] {
  const byValue = new Map<string, { value: number; color: string; below: boolean }>();
  for (const a of alerts) {
    if (a.comparison === "==") continue;
    const point = { value: a.value, color: SEVERITY_COLOR[a.severity], below: a.comparison === "<" };
    const key = `${point.below}/${point.value}`;
    // Two alerts at one value (a warning and a critical) show the more severe colour.
    if (!byValue.has(key) || point.color === SEVERITY_COLOR.critical) byValue.set(key, point);
  }
  const points = [...byValue.values()];
  const above = points.filter((p) => !p.below).sort((a, b) => a.value - b.value);
  const below = points.filter((p) => p.below).sort((a, b) => a.value - b.value);
  if (below.length > 0 && above.length === 0) {
    return [
      { value: null, color: below[0]!.color },
      ...below.slice(1).map((p, i) => ({ value: below[i]!.value, color: p.color })),
      { value: below[below.length - 1]!.value, color: "green" },
    ];
  }
  return [{ value: null, color: "green" }, ...above.map((p) => ({ value: p.value, color: p.color }))];
}

/** Latency alerts (on a metric in seconds or microseconds), grouped by the metric's unit. */
function latencyAlerts(platform: Platform, services?: readonly string[]): Map<MetricUnit, ModelAlert[]> {
  const model = monitoringModel(platform);
  const byUnit = new Map<MetricUnit, ModelAlert[]>();
  for (const a of model.alerts) {
    if (a.config.kind !== "threshold" || !LATENCY_UNITS.includes(a.unit)) continue;
    const def = model.metrics[a.metric!]!;
    if (services && !def.services.some((s) => services.includes(s)) && !(a.service && services.includes(a.service)))
      continue;
    byUnit.set(a.unit, [...(byUnit.get(a.unit) ?? []), a]);
  }
  return byUnit;
}

const regexAlt = (xs: readonly string[]) => (xs.length === 1 ? xs[0]! : `(${xs.join("|")})`);

function tierRow(platform: Platform, tier: string, index: number) {
  const model = monitoringModel(platform);
  const services = tierServices(platform, tier);
  const base = 100 * (index + 1);
  const jobs = regexAlt(services.map((s) => jobName(platform, s)));
  const panels: PanelSpec[] = [];
  const exposedHere = (a: ModelAlert) => model.metrics[a.metric!]?.services.some((s) => services.includes(s)) ?? false;

  for (const [unit, alerts] of latencyAlerts(platform, services)) {
    panels.push({
      kind: "timeseries",
      id: base + 1 + LATENCY_UNITS.indexOf(unit) * 10,
      title: `Latency p99 (${GRAFANA_UNIT[unit]})`,
      unit: GRAFANA_UNIT[unit],
      thresholds: thresholdSteps(alerts),
      targets: alerts.map((a, i) => ({ expr: a.valueExpr, legend: a.name, refId: refId(i) })),
    });
  }

  const ratios = model.alerts.filter((a) => a.config.kind === "ratio" && exposedHere(a));
  if (ratios.length > 0)
    panels.push({
      kind: "timeseries",
      id: base + 2,
      title: "Error rate",
      unit: GRAFANA_UNIT.ratio,
      thresholds: thresholdSteps(ratios),
      targets: ratios.map((a, i) => {
        const c = a.config as Extract<ModelAlert["config"], { kind: "ratio" }>;
        return { expr: ratioExpr(c, `{${c.by}=~"${regexAlt(services)}"}`), legend: `{{${c.by}}}`, refId: refId(i) };
      }),
    });

  const gauges = model.alerts.filter((a) => a.config.kind === "threshold" && a.unit === "ratio" && exposedHere(a));
  gauges.forEach((a, i) => {
    const title = a
      .metric!.replace(new RegExp(`^${platform.name}_`), "")
      .replace(/_ratio$/, "")
      .replace(/_/g, " ");
    panels.push({
      kind: "timeseries",
      id: base + 3 + i * 10,
      title: title.charAt(0).toUpperCase() + title.slice(1),
      unit: GRAFANA_UNIT.ratio,
      thresholds: thresholdSteps([a]),
      targets: [{ expr: `${a.metric}{job=~"${jobs}"}`, legend: "{{job}} {{pod}}", refId: "A" }],
    });
  });

  const replicas: PanelQuery[] = [
    { expr: `count by (job) (up{job=~"${jobs}"} == 1)`, legend: "{{job}} ready targets", refId: "A" },
  ];
  for (const s of services) {
    const scaling = platform.services[s]!.scaling;
    if (!scaling) continue;
    const n = replicas.length;
    replicas.push({ expr: `vector(${scaling.minReplicas})`, legend: `${s} minReplicas`, refId: refId(n) });
    replicas.push({ expr: `vector(${scaling.maxReplicas})`, legend: `${s} maxReplicas`, refId: refId(n + 1) });
  }
  panels.push({
    kind: "timeseries",
    id: base + 4,
    title: "Replicas vs HPA bounds",
    unit: GRAFANA_UNIT.count,
    targets: replicas,
  });
  return { id: base, title: `Tier: ${tier}`, panels };
}

/** The "<Name> Trading Platform" dashboard. */
export function dashboardSpec(platform: Platform): DashboardSpec {
  const uid = `${platform.name}-trading-platform`;
  const panels: PanelSpec[] = [];
  for (const [unit, alerts] of latencyAlerts(platform)) {
    panels.push({
      kind: "stat",
      id: 1 + LATENCY_UNITS.indexOf(unit) * 10,
      title: `Ultra-low latency p99 (${GRAFANA_UNIT[unit]})`,
      unit: GRAFANA_UNIT[unit],
      thresholds: thresholdSteps(alerts),
      targets: alerts.map((a, i) => ({
        expr: a.valueExpr,
        legend: `${a.name} (${a.service ?? a.metric})`,
        refId: refId(i),
      })),
    });
  }
  panels.push({
    kind: "table",
    id: 2,
    title: "Kubernetes pod status",
    targets: [{ expr: `up{job=~"${jobPattern(platform)}"}`, legend: "{{job}} - {{pod}}", refId: "A", table: true }],
  });
  return {
    uid,
    title: `${platform.name.charAt(0).toUpperCase()}${platform.name.slice(1)} Trading Platform`,
    tags: [platform.name, "generated"],
    panels,
    rows: Object.keys(platform.tiers).map((tier, i) => tierRow(platform, tier, i)),
  };
}
