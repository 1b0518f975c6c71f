/**
 * The platform dashboard, rendered with the Grafana foundation SDK from the dashboard model
 * (model/dashboard.ts), which decides panels, queries and thresholds: every threshold is an alert's
 * resolved threshold in the panel's unit (the report's latency panel put nanosecond numbers on a
 * microsecond panel, a factor-1000 mistake). Pure.
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
import type { Platform } from "../schemas/platform.ts";
import { dashboardSpec, type PanelQuery, type PanelSpec } from "../model/dashboard.ts";

/** The uid Grafana's provisioned Prometheus data source gets; panels refer to it. */
export const PROMETHEUS_DATASOURCE = { type: "prometheus", uid: "prometheus" } as const;

export interface DashboardFile {
  file: string;
  uid: string;
  dashboard: Dashboard;
}

function query(q: PanelQuery) {
  const b = new DataqueryBuilder().datasource(PROMETHEUS_DATASOURCE).expr(q.expr).legendFormat(q.legend).refId(q.refId);
  return q.table ? b.instant().format(PromQueryFormat.Table) : b;
}

function panel(spec: PanelSpec): cog.Builder<unknown> {
  // Grafana's base step has value null ("from minus infinity"); the SDK types it as a number.
  const steps = (spec.thresholds ?? []).map((t) => ({ ...t, value: t.value as number })) as Threshold[];
  const thresholds = () => new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps(steps);
  if (spec.kind === "stat") {
    const p = new StatPanelBuilder()
      .id(spec.id)
      .title(spec.title)
      .datasource(PROMETHEUS_DATASOURCE)
      .unit(spec.unit ?? "")
      .thresholds(thresholds())
      .reduceOptions(new ReduceDataOptionsBuilder().calcs(["lastNotNull"]).values(false))
      .height(8)
      .span(12);
    for (const q of spec.targets) p.withTarget(query(q));
    return p;
  }
  if (spec.kind === "table") {
    const p = new TablePanelBuilder().id(spec.id).title(spec.title).datasource(PROMETHEUS_DATASOURCE);
    for (const q of spec.targets) p.withTarget(query(q));
    return p.height(8).span(12);
  }
  const p = new TimeseriesPanelBuilder()
    .id(spec.id)
    .title(spec.title)
    .datasource(PROMETHEUS_DATASOURCE)
    .unit(spec.unit ?? "")
    .height(8)
    .span(6);
  if (spec.thresholds) p.thresholds(thresholds());
  for (const q of spec.targets) p.withTarget(query(q));
  return p;
}

export function dashboards(platform: Platform): DashboardFile[] {
  const spec = dashboardSpec(platform);
  const d = new DashboardBuilder(spec.title)
    .uid(spec.uid)
    .tags(spec.tags)
    .refresh("5s")
    .time({ from: "now-1h", to: "now" })
    .timezone("utc")
    .readonly();
  for (const p of spec.panels) d.withPanel(panel(p) as cog.Builder<never>);
  for (const row of spec.rows) {
    d.withRow(new RowBuilder(row.title).id(row.id));
    for (const p of row.panels) d.withPanel(panel(p) as cog.Builder<never>);
  }
  return [{ file: `${spec.uid}.json`, uid: spec.uid, dashboard: d.build() }];
}
