/**
 * The "Nautilus Trading Platform" dashboard, built with the Grafana foundation SDK. Every threshold
 * comes from the same typed alert thresholds the rules use, rendered in the panel's unit: the
 * report's latency panel put 2000/2750 on a microsecond panel (nanosecond numbers, a factor-1000
 * mistake); ours shows 2.75 on a µs panel and 2.75e-06 on a seconds panel. Panel ids and uids are
 * fixed by position in the config (a tier's row is 100 × its index), so they survive regeneration. Pure.
 */
import type * as cog from "@grafana/grafana-foundation-sdk/cog";
import { ReduceDataOptionsBuilder } from "@grafana/grafana-foundation-sdk/common";
import {
  DashboardBuilder,
  RowBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  type Dashboard,
  type Threshold,
} from "@grafana/grafana-foundation-sdk/dashboard";
import { DataqueryBuilder, PromQueryFormat } from "@grafana/grafana-foundation-sdk/prometheus";
import { PanelBuilder as StatPanelBuilder } from "@grafana/grafana-foundation-sdk/stat";
import { PanelBuilder as TablePanelBuilder } from "@grafana/grafana-foundation-sdk/table";
import { PanelBuilder as TimeseriesPanelBuilder } from "@grafana/grafana-foundation-sdk/timeseries";
import type { Alert, MetricUnit, RatioAlert, ThresholdAlert } from "../schemas/observability.ts";
import type { Platform } from "../schemas/platform.ts";
import { formatDuration } from "../schemas/units.ts";
import {
  alertThreshold,
  alertUnit,
  alertValueExpr,
  GRAFANA_UNIT,
  jobName,
  jobPattern,
  tierServices,
} from "../model/monitoring.ts";

/** The uid Grafana's provisioned Prometheus data source gets; panels refer to it. */
export const PROMETHEUS_DATASOURCE = { type: "prometheus", uid: "prometheus" } as const;

const SEVERITY_COLOR = { critical: "red", warning: "orange" } as const;
const LATENCY_UNITS: readonly MetricUnit[] = ["microseconds", "seconds"];

export interface DashboardFile {
  file: string;
  uid: string;
  dashboard: Dashboard;
}

type Named<A> = [string, A];

function query(expr: string, legend: string, refId: string, table = false) {
  const q = new DataqueryBuilder().datasource(PROMETHEUS_DATASOURCE).expr(expr).legendFormat(legend).refId(refId);
  return table ? q.instant().format(PromQueryFormat.Table) : q;
}

const refId = (i: number) => String.fromCharCode(65 + (i % 26)) + (i >= 26 ? String(Math.floor(i / 26)) : "");

/**
 * Threshold steps from alerts on the same value: above a ">" threshold is the alert's colour,
 * below a "<" threshold is; the healthy side is green.
 */
export function thresholdSteps(platform: Platform, alerts: readonly Alert[]): Threshold[] {
  const m = platform.monitoring;
  const byValue = new Map<string, { value: number; color: string; below: boolean }>();
  for (const a of alerts) {
    if (a.kind === "down") continue;
    const point = { value: alertThreshold(m, a), color: SEVERITY_COLOR[a.severity], below: a.comparison === "<" };
    const key = `${point.below}/${point.value}`;
    // Two alerts at one value (a warning and a critical) show the more severe colour.
    if (!byValue.has(key) || point.color === SEVERITY_COLOR.critical) byValue.set(key, point);
  }
  const points = [...byValue.values()];
  const above = points.filter((p) => !p.below).sort((a, b) => a.value - b.value);
  const below = points.filter((p) => p.below).sort((a, b) => a.value - b.value);
  // Grafana's base step has value null ("from minus infinity"); the SDK types it as a number.
  const base = null as unknown as number;
  if (below.length > 0 && above.length === 0) {
    return [
      { value: base, color: below[0]!.color },
      ...below.slice(1).map((p, i) => ({ value: below[i]!.value, color: p.color })),
      { value: below[below.length - 1]!.value, color: "green" },
    ];
  }
  return [{ value: base, color: "green" }, ...above.map((p) => ({ value: p.value, color: p.color }))];
}

const thresholds = (platform: Platform, alerts: readonly Alert[]) =>
  new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps(thresholdSteps(platform, alerts));

/** Latency alerts (duration thresholds on a gauge or histogram), grouped by the metric's unit. */
function latencyAlerts(platform: Platform, services?: readonly string[]): Map<MetricUnit, Named<ThresholdAlert>[]> {
  const m = platform.monitoring;
  const byUnit = new Map<MetricUnit, Named<ThresholdAlert>[]>();
  for (const [name, a] of Object.entries(m.alerts)) {
    if (a.kind !== "threshold") continue;
    const def = m.metrics[a.metric];
    if (!def || !LATENCY_UNITS.includes(def.unit)) continue;
    if (services && !def.services.some((s) => services.includes(s)) && !(a.service && services.includes(a.service)))
      continue;
    byUnit.set(def.unit, [...(byUnit.get(def.unit) ?? []), [name, a]]);
  }
  return byUnit;
}

function latencyStat(platform: Platform) {
  const panels: cog.Builder<unknown>[] = [];
  for (const [unit, alerts] of latencyAlerts(platform)) {
    const p = new StatPanelBuilder()
      .id(1 + LATENCY_UNITS.indexOf(unit) * 10)
      .title(`Ultra-low latency p99 (${GRAFANA_UNIT[unit]})`)
      .datasource(PROMETHEUS_DATASOURCE)
      .unit(GRAFANA_UNIT[unit])
      .thresholds(
        thresholds(
          platform,
          alerts.map(([, a]) => a),
        ),
      )
      .reduceOptions(new ReduceDataOptionsBuilder().calcs(["lastNotNull"]).values(false))
      .height(8)
      .span(12);
    for (const [i, [name, a]] of alerts.entries()) {
      p.withTarget(query(alertValueExpr(platform, a), `${name} (${a.service ?? a.metric})`, refId(i)));
    }
    panels.push(p);
  }
  return panels;
}

function podStatus(platform: Platform) {
  return new TablePanelBuilder()
    .id(2)
    .title("Kubernetes pod status")
    .datasource(PROMETHEUS_DATASOURCE)
    .withTarget(query(`up{job=~"${jobPattern(platform)}"}`, "{{job}} - {{pod}}", "A", true))
    .height(8)
    .span(12);
}

const regexAlt = (xs: readonly string[]) => (xs.length === 1 ? xs[0]! : `(${xs.join("|")})`);

function tierRow(platform: Platform, tier: string, index: number) {
  const m = platform.monitoring;
  const services = tierServices(platform, tier);
  const base = 100 * (index + 1);
  const jobs = regexAlt(services.map((s) => jobName(platform, s)));
  const panels: cog.Builder<unknown>[] = [];
  const panel = (id: number, title: string, unit: string) =>
    new TimeseriesPanelBuilder().id(id).title(title).datasource(PROMETHEUS_DATASOURCE).unit(unit).height(8).span(6);

  for (const [unit, alerts] of latencyAlerts(platform, services)) {
    const p = panel(
      base + 1 + LATENCY_UNITS.indexOf(unit) * 10,
      `Latency p99 (${GRAFANA_UNIT[unit]})`,
      GRAFANA_UNIT[unit],
    ).thresholds(
      thresholds(
        platform,
        alerts.map(([, a]) => a),
      ),
    );
    for (const [i, [name, a]] of alerts.entries()) p.withTarget(query(alertValueExpr(platform, a), name, refId(i)));
    panels.push(p);
  }

  const ratios = Object.entries(m.alerts).filter(
    (e): e is Named<RatioAlert> =>
      e[1].kind === "ratio" && (m.metrics[e[1].metric]?.services.some((s) => services.includes(s)) ?? false),
  );
  if (ratios.length > 0) {
    const p = panel(base + 2, "Error rate", GRAFANA_UNIT.ratio).thresholds(
      thresholds(
        platform,
        ratios.map(([, a]) => a),
      ),
    );
    ratios.forEach(([, a], i) => {
      const sel = `{${a.by}=~"${regexAlt(services)}"}`;
      const w = formatDuration(a.window);
      p.withTarget(
        query(
          `sum by (${a.by}) (rate(${a.metric}${sel}[${w}])) / sum by (${a.by}) (rate(${a.per}${sel}[${w}]))`,
          `{{${a.by}}}`,
          refId(i),
        ),
      );
    });
    panels.push(p);
  }

  const gauges = Object.entries(m.alerts).filter(
    (e): e is Named<ThresholdAlert> =>
      e[1].kind === "threshold" &&
      alertUnit(m, e[1]) === "ratio" &&
      (m.metrics[e[1].metric]?.services.some((s) => services.includes(s)) ?? false),
  );
  gauges.forEach(([, a], i) => {
    const title = a.metric
      .replace(new RegExp(`^${platform.name}_`), "")
      .replace(/_ratio$/, "")
      .replace(/_/g, " ");
    const p = panel(base + 3 + i * 10, title.charAt(0).toUpperCase() + title.slice(1), GRAFANA_UNIT.ratio).thresholds(
      thresholds(platform, [a]),
    );
    panels.push(p.withTarget(query(`${a.metric}{job=~"${jobs}"}`, "{{job}} {{pod}}", "A")));
  });

  const replicas = panel(base + 4, "Replicas vs HPA bounds", GRAFANA_UNIT.count).withTarget(
    query(`count by (job) (up{job=~"${jobs}"} == 1)`, "{{job}} ready targets", "A"),
  );
  let n = 1;
  for (const s of services) {
    const scaling = platform.services[s]!.scaling;
    if (!scaling) continue;
    replicas.withTarget(query(`vector(${scaling.minReplicas})`, `${s} minReplicas`, refId(n++)));
    replicas.withTarget(query(`vector(${scaling.maxReplicas})`, `${s} maxReplicas`, refId(n++)));
  }
  panels.push(replicas);
  return { row: new RowBuilder(`Tier: ${tier}`).id(base), panels };
}

function tradingPlatform(platform: Platform): DashboardFile {
  const uid = `${platform.name}-trading-platform`;
  const title = `${platform.name.charAt(0).toUpperCase()}${platform.name.slice(1)} Trading Platform`;
  const d = new DashboardBuilder(title)
    .uid(uid)
    .tags([platform.name, "generated"])
    .refresh("5s")
    .time({ from: "now-1h", to: "now" })
    .timezone("utc")
    .readonly();
  for (const p of latencyStat(platform)) d.withPanel(p as cog.Builder<never>);
  d.withPanel(podStatus(platform));
  Object.keys(platform.tiers).forEach((tier, i) => {
    const { row, panels } = tierRow(platform, tier, i);
    d.withRow(row);
    for (const p of panels) d.withPanel(p as cog.Builder<never>);
  });
  return { file: `${uid}.json`, uid, dashboard: d.build() };
}

export function dashboards(platform: Platform): DashboardFile[] {
  return [tradingPlatform(platform)];
}
