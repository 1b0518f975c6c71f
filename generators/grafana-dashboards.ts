/**
 * The platform dashboard, rendered with the Grafana foundation SDK from the dashboard model
 * (model/dashboard.ts), which decides panels, queries and thresholds: every threshold is an alert's
 * resolved threshold in the panel's unit (the report's latency panel put nanosecond numbers on a
 * microsecond panel, a factor-1000 mistake). Panels read their data source through a dashboard variable,
 * so the dashboard works against any Prometheus a Grafana has, not only the one we provision. Pure.
 */
import type * as cog from "@grafana/grafana-foundation-sdk/cog";
import { ReduceDataOptionsBuilder } from "@grafana/grafana-foundation-sdk/common";
import {
  DashboardBuilder,
  DatasourceVariableBuilder,
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
import { dashboardSpec, type PanelQuery, type PanelSpec, type ThresholdStep } from "../model/dashboard.ts";

/** The uid Grafana's provisioned Prometheus data source gets: the dashboard variable's default. */
export const PROMETHEUS_DATASOURCE = { type: "prometheus", uid: "prometheus" } as const;

/** The dashboard variable choosing the Prometheus data source; every panel and query reads it. */
const DATASOURCE_VARIABLE = "datasource";
const PANEL_DATASOURCE = { type: PROMETHEUS_DATASOURCE.type, uid: `\${${DATASOURCE_VARIABLE}}` };

export interface DashboardFile {
  file: string;
  uid: string;
  dashboard: Dashboard;
}

function query(q: PanelQuery) {
  const b = new DataqueryBuilder().datasource(PANEL_DATASOURCE).expr(q.expr).legendFormat(q.legend).refId(q.refId);
  return q.table ? b.instant().format(PromQueryFormat.Table) : b;
}

function panel(spec: PanelSpec): cog.Builder<unknown> {
  // Grafana's base step has value null ("from minus infinity"); the SDK types it as a number.
  const thresholds = (steps: readonly ThresholdStep[]) =>
    new ThresholdsConfigBuilder()
      .mode(ThresholdsMode.Absolute)
      .steps(steps.map((t) => ({ ...t, value: t.value as number })) as Threshold[]);
  const common = <P extends PanelLike>(p: P): P => {
    p.id(spec.id).title(spec.title).description(spec.description).datasource(PANEL_DATASOURCE);
    if (spec.unit !== undefined) p.unit(spec.unit);
    if (spec.thresholds) p.thresholds(thresholds(spec.thresholds));
    for (const o of spec.overrides ?? []) {
      const properties = [{ id: "thresholds", value: thresholds(o.thresholds).build() }];
      if ("query" in o.match) p.overrideByQuery(o.match.query, properties);
      else p.overrideByName(o.match.name, properties);
    }
    for (const q of spec.targets) p.withTarget(query(q));
    return p;
  };
  if (spec.kind === "stat")
    return common(new StatPanelBuilder())
      .reduceOptions(new ReduceDataOptionsBuilder().calcs(["lastNotNull"]).values(false))
      .height(8)
      .span(12);
  if (spec.kind === "table") return common(new TablePanelBuilder()).height(8).span(12);
  return common(new TimeseriesPanelBuilder()).height(8).span(6);
}

/** What the three panel builders share, as `panel` uses it. */
type PanelLike = StatPanelBuilder | TablePanelBuilder | TimeseriesPanelBuilder;

export function dashboards(platform: Platform): DashboardFile[] {
  const spec = dashboardSpec(platform);
  const d = new DashboardBuilder(spec.title)
    .uid(spec.uid)
    .tags(spec.tags)
    .refresh("5s")
    .time({ from: "now-1h", to: "now" })
    .timezone("utc")
    .readonly()
    .withVariable(
      new DatasourceVariableBuilder(DATASOURCE_VARIABLE)
        .label("Data source")
        .type(PROMETHEUS_DATASOURCE.type)
        .current({ text: "Prometheus", value: PROMETHEUS_DATASOURCE.uid }),
    );
  for (const p of spec.panels) d.withPanel(panel(p) as cog.Builder<never>);
  for (const row of spec.rows) {
    d.withRow(new RowBuilder(row.title).id(row.id));
    for (const p of row.panels) d.withPanel(panel(p) as cog.Builder<never>);
  }
  return [{ file: `${spec.uid}.json`, uid: spec.uid, dashboard: d.build() }];
}
