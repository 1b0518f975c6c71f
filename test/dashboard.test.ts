/**
 * The platform dashboard as a new user meets it: a data source variable, a panel for every alert and every
 * catalogued metric, runbook links in the descriptions, legends that tell pods apart, no HPA panel without an HPA,
 * and config changes that stay small: a service's own alert adds no duplicate query or step, and an environment's
 * HPA bound is no dashboard at all.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { analyse } from "../checks/promql.ts";
import { dashboards } from "../generators/grafana-dashboards.ts";
import { alertPanels, dashboardSpec, type PanelSpec } from "../model/dashboard.ts";
import { monitoringModel, runbookUrl } from "../model/monitoring.ts";
import type { Platform } from "../schemas/platform.ts";
import { bundleOf, ownErrorRatioAlert, platformOf } from "./support/config.ts";
import { runPromtool } from "../engines/promtool.ts";
import { ensurePromtool } from "./support/tools.ts";

type Json = Record<string, unknown>;
type Panel = {
  id: number;
  type: string;
  title: string;
  description?: string;
  datasource?: { uid: string };
  targets?: { expr: string; refId: string; legendFormat: string; datasource: { uid: string } }[];
  fieldConfig?: {
    defaults?: { thresholds?: { steps: { value: number | null }[] } };
    overrides?: { matcher: { id: string; options: string }; properties: { id: string; value: Json }[] }[];
  };
};

const json = (p: Platform) => dashboards(p)[0]!.dashboard as unknown as { panels: Panel[]; templating: Json };
const panelsOf = (p: Platform) => json(p).panels.filter((x) => x.type !== "row");
const specPanels = (p: Platform): PanelSpec[] => {
  const s = dashboardSpec(p);
  return [...s.panels, ...s.rows.flatMap((r) => r.panels)];
};
const real = platformOf();

/** A service's own 2% error-ratio alert, as a new user would add it. */
const ownErrorAlert = { monitoring: { alerts: { SmartOrderRouterErrorRate: ownErrorRatioAlert("2%") } } };

test("panels read their data source from a dashboard variable, not a hard-coded uid", () => {
  const d = json(real);
  assert.equal(
    (d.templating as { list: Json[] }).list.map((v) => [v.name, v.type, v.query]),
    [["datasource", "datasource", "prometheus"]],
  );
  // Grafana's variable syntax, `${datasource}`.
  const variable = `$\{datasource}`;
  for (const p of panelsOf(real)) {
    assert.is(p.datasource?.uid, variable, p.title);
    for (const t of p.targets ?? []) assert.is(t.datasource.uid, variable, `${p.title} ${t.refId}`);
  }
});

test("every alert has a panel whose description links its runbook", () => {
  const panels = alertPanels(dashboardSpec(real));
  const rules = monitoringModel(real).ruleFiles.flatMap((f) => f.group.rules.filter((r) => "alert" in r));
  for (const r of rules) {
    const alert = (r as { alert: string }).alert;
    const panel = panels.get(alert);
    assert.ok(panel, `${alert} has a panel`);
    const rendered = panelsOf(real).find((p) => p.id === panel!.id)!;
    assert.ok(rendered.description?.includes(`[${alert}](${runbookUrl(real, alert)})`), rendered.description);
  }
});

test("every configured alert's panel draws the value the alert compares", () => {
  const panels = alertPanels(dashboardSpec(real));
  for (const a of monitoringModel(real).alerts) {
    const panel = panels.get(a.name)!;
    const read = new Set(panel.targets.flatMap((t) => analyse(t.expr).metrics));
    for (const m of analyse(a.valueExpr).metrics) assert.ok(read.has(m), `${a.name}: panel ${panel.title} reads ${m}`);
  }
});

test("every catalogued metric and recording rule is on some panel; a service's new metric gets one", () => {
  const shown = (p: Platform) =>
    new Set(specPanels(p).flatMap((x) => x.targets.flatMap((t) => analyse(t.expr).metrics)));
  const seen = shown(real);
  for (const [name, def] of Object.entries(real.monitoring.metrics))
    assert.ok(seen.has(def.type === "histogram" ? `${name}_bucket` : name), name);
  for (const record of Object.keys(real.monitoring.recordingRules)) assert.ok(seen.has(record), record);

  const p = platformOf({
    monitoring: {
      metrics: {
        nautilus_pnl_updates_total: {
          type: "counter",
          unit: "count",
          services: ["strategy-engine"],
          help: "Profit-and-loss updates published.",
        },
      },
    },
  });
  const panel = specPanels(p).find((x) => x.targets.some((t) => t.expr.includes("nautilus_pnl_updates_total")))!;
  assert.ok(panel, "the new metric is drawn");
  assert.is(
    panel.targets[0]!.expr,
    'sum by (job) (rate(nautilus_pnl_updates_total{job=~"(nautilus-market-data|' +
      'nautilus-strategy-engine|nautilus-smart-order-router)"}[1m]))',
  );
  assert.ok(panel.description.startsWith("Profit-and-loss updates published."));
});

test("per-pod values have legends naming the pod, and no panel repeats a legend", () => {
  for (const p of panelsOf(real)) {
    const legends = (p.targets ?? []).map((t) => t.legendFormat);
    assert.is(new Set(legends).size, legends.length, `${p.title}: ${legends.join(", ")}`);
  }
  const stat = panelsOf(real).find((p) => p.type === "stat" && p.title.endsWith("(µs)"))!;
  // The microsecond gauges are exported per pod: without the pod each of a service's pods reads the same name.
  assert.equal(
    stat.targets!.map((t) => t.legendFormat),
    ["risk-engine {{pod}}", "integration-engine {{pod}}"],
  );
});

test("only a tier with an autoscaled service has a replicas vs HPA bounds panel, for the scaled services only", () => {
  const rows = dashboardSpec(real).rows;
  const hpa = (r: (typeof rows)[number]) => r.panels.find((p) => p.title === "Replicas vs HPA bounds");
  assert.is(hpa(rows.find((r) => r.title === "Tier: ultra-low-latency")!), undefined);
  const panel = hpa(rows.find((r) => r.title === "Tier: high-performance")!)!;
  assert.ok(
    panel.targets.every((t) => !t.expr.includes("smart-order-router")),
    "smart-order-router has no HPA",
  );
  assert.ok(panel.targets[2]!.expr.includes("nautilus-market-data|nautilus-strategy-engine"));
});

test("a service's own 2% error alert adds no duplicate query or threshold step, and colours its own series", () => {
  const p = platformOf(ownErrorAlert);
  for (const x of panelsOf(p)) {
    const refs = (x.targets ?? []).map((t) => t.refId);
    const exprs = (x.targets ?? []).map((t) => t.expr);
    assert.is(new Set(refs).size, refs.length, `${x.title}: ${refs.join(", ")}`);
    assert.is(new Set(exprs).size, exprs.length, `${x.title}: duplicate query`);
    const steps = (x.fieldConfig?.defaults?.thresholds?.steps ?? []).map((s) => s.value);
    assert.is(new Set(steps).size, steps.length, `${x.title}: ${steps.join(", ")}`);
  }
  const errorPanels = panelsOf(p).filter((x) => x.title === "Error rate");
  assert.is(errorPanels.length, 2);
  for (const x of errorPanels) assert.is(x.targets!.length, 1);
  const hp = errorPanels.find((x) => x.id === 202)!;
  assert.equal(
    hp.fieldConfig!.defaults!.thresholds!.steps.map((s) => s.value),
    [null, 0.01],
  );
  const own = hp.fieldConfig!.overrides!.find((o) => o.matcher.options === "smart-order-router")!;
  assert.is(own.matcher.id, "byName");
  assert.equal(
    (own.properties[0]!.value as { steps: { value: number | null }[] }).steps.map((s) => s.value),
    [null, 0.02],
  );
  // The ultra-low-latency row has no smart-order-router series to colour.
  assert.is(errorPanels.find((x) => x.id === 102)!.fieldConfig!.overrides!.length, 0);
});

test("raising prod's market-data maxReplicas changes no dashboard: the overlay patches only the HPA", () => {
  const base = bundleOf();
  const raised = bundleOf({
    environments: { prod: { services: { "market-data": { scaling: { maxReplicas: 20 } } } } },
  });
  const changed = [...raised.files].filter(([path, text]) => base.files.get(path) !== text).map(([path]) => path);
  const patches = changed.filter((f) => f.startsWith("overlays/prod/patches/"));
  assert.equal(patches, ["overlays/prod/patches/horizontalpodautoscaler-nautilus-market-data.yaml"]);
  assert.ok(raised.files.get(patches[0]!)!.split("\n").length < 10, raised.files.get(patches[0]!));
  assert.ok(!changed.some((f) => f.includes("dashboard")), changed.join("\n"));
  // No environment replaces the dashboard.
  assert.ok(![...base.files.keys()].some((f) => f.startsWith("overlays/") && f.includes("grafana-dashboards")));
});

test("the generated promtool tests pass with a service's own alert, which the global alert leaves out", () => {
  const tools = ensurePromtool();
  assert.ok(tools.ok, tools.message);
  const b = bundleOf(ownErrorAlert);
  const rules = b.files.get("prometheus/rules/nautilus-alerts.yaml")!;
  assert.ok(rules.includes('rate(nautilus_errors_total{job!~"nautilus-smart-order-router"}[5m])'), rules);
  assert.ok(rules.includes('rate(nautilus_errors_total{job="nautilus-smart-order-router"}[5m])'), rules);
  const files = new Map([...b.files].filter(([path]) => path.startsWith("prometheus/")));
  const errors = runPromtool(files).filter((f) => f.severity === "error");
  assert.equal(
    errors.map((f) => f.message),
    [],
  );
});

test.run();
