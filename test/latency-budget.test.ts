/**
 * The latency budget is declared once, on the ultra-low-latency tier, and everything that holds alerts to it
 * reads it from there: changing it on a copy of the real config moves the alert thresholds, the dashboard
 * thresholds, the promtool test boundaries, the coverage check and the admission policy's parameter together.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse } from "yaml";
import { readPolicySources } from "../bin/policies.ts";
import { latencyAlertCoverage } from "../checks/platform/latency-alert-coverage.ts";
import type { Finding, KubeObject } from "../core/finding.ts";
import { compilePolicies, evaluatePolicies } from "../engines/cel.ts";
import { runPromtool } from "../engines/promtool.ts";
import type { Bundle } from "../generators/bundle.ts";
import { bundleOf, platformOf } from "./support/config.ts";

const TIER = "ultra-low-latency";
const withBudget = (budget: string, overrides: Record<string, unknown> = {}) => ({
  tiers: { [TIER]: { latencyBudget: budget } },
  ...overrides,
});

const moved = bundleOf(withBudget("3us"));
const real = bundleOf();

/** The alert rules of a bundle's rule file, by alert name. */
function rules(b: Bundle): Map<string, string> {
  const doc = parse(b.files.get("prometheus/rules/nautilus-alerts.yaml")!) as {
    groups: { rules: { alert: string; expr: string }[] }[];
  };
  return new Map(doc.groups[0]!.rules.map((r) => [r.alert, r.expr]));
}

type Panel = {
  type: string;
  fieldConfig?: { defaults?: { unit?: string; thresholds?: { steps: { value: number | null }[] } } };
};
function statThresholds(b: Bundle, unit: string): (number | null)[] {
  const d = JSON.parse(b.files.get("grafana/dashboards/nautilus-trading-platform.json")!) as { panels: Panel[] };
  const stat = d.panels.find((p) => p.type === "stat" && p.fieldConfig?.defaults?.unit === unit)!;
  return stat.fieldConfig!.defaults!.thresholds!.steps.map((s) => s.value);
}

const promtoolTest = (b: Bundle, alert: string) => b.files.get(`prometheus/tests/${alert}.yaml`)!;
const budgetParam = (objects: readonly KubeObject[]) =>
  objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "nautilus-latency-budget") as
    | (KubeObject & { data: Record<string, string> })
    | undefined;
const coverage = (b: Bundle): Finding[] =>
  latencyAlertCoverage.run({
    environments: b.environments,
    platform: b.environments[0]!.platform,
    out: { dir: "out", files: b.files },
  });

test("the budget moves the thresholds of the alerts that leave theirs out, in each metric's unit", () => {
  assert.is(
    rules(real).get("RiskEngineP99LatencyHigh"),
    "max_over_time(nautilus_risk_check_latency_microseconds_p99[10s]) > 2.75",
  );
  assert.is(
    rules(moved).get("RiskEngineP99LatencyHigh"),
    "max_over_time(nautilus_risk_check_latency_microseconds_p99[10s]) > 3",
  );
  assert.is(
    rules(moved).get("OrderManagerP99LatencyHigh"),
    "histogram_quantile(0.99, sum by (le) (rate(nautilus_order_processing_duration_seconds_bucket[1m]))) > 3e-06",
  );
  // Alerts that are not about latency keep their own thresholds.
  assert.is(rules(moved).get("MemoryPoolEfficiencyLow"), rules(real).get("MemoryPoolEfficiencyLow"));
});

test("the budget moves the dashboard's latency thresholds, in each panel's unit", () => {
  assert.equal(statThresholds(real, "µs"), [null, 2.75]);
  assert.equal(statThresholds(moved, "µs"), [null, 3]);
  assert.equal(statThresholds(moved, "s"), [null, 3e-6]);
});

test("the budget moves the promtool test boundaries, and the real promtool passes them", () => {
  const gauge = promtoolTest(moved, "RiskEngineP99LatencyHigh");
  assert.ok(gauge.includes("values: 2.97x"), gauge);
  assert.ok(gauge.includes("values: 3.03x"), gauge);
  // The histogram's series are shaped by its declared buckets; the observations sit 1% either side of the budget.
  const histogram = promtoolTest(moved, "OrderManagerP99LatencyHigh");
  assert.ok(histogram.includes('le="3e-06"'), histogram);
  assert.ok(histogram.includes("every observation at 2.97e-06, just on the quiet side"), histogram);
  assert.ok(histogram.includes("2% at 3.03e-06, just past the threshold"), histogram);
  const findings = runPromtool(moved.files).filter((f) => f.severity === "error");
  assert.equal(findings, [], findings.map((f) => `${f.file}: ${f.message}`).join("\n"));
});

test("the coverage check holds explicit thresholds to the configured budget, not to a constant", () => {
  const explicit = (threshold: string) => ({
    monitoring: { alerts: { RiskEngineP99LatencyHigh: { threshold } } },
  });
  assert.equal(coverage(moved), []);
  // 3 µs is over the real budget, and within a 3 µs one.
  assert.ok(coverage(bundleOf(explicit("3us"))).length > 0);
  assert.equal(coverage(bundleOf(withBudget("3us", explicit("3us")))), []);
  const over = coverage(bundleOf(withBudget("3us", explicit("3.5us"))));
  assert.equal(
    over.map((f) => `${f.environment} ${f.path}: ${f.message}`),
    ["dev", "staging", "prod"].map(
      (env) =>
        `${env} monitoring.alerts.RiskEngineP99LatencyHigh.threshold: critical alert RiskEngineP99LatencyHigh fires ` +
        `only above 3.5 µs of nautilus_risk_check_latency_microseconds_p99; the ultra-low-latency budget for ` +
        `risk-engine is 3 µs`,
    ),
  );
});

test("the budget moves the latency-alert policy's parameter, and admission follows it", () => {
  for (const env of moved.environments) {
    const param = budgetParam(env.objects);
    assert.ok(param, `${env.environment}: no param object`);
    assert.is(Number(param!.data["budget-seconds"]), 3e-6);
    assert.is(param!.data["unit.nautilus_risk_check_latency_microseconds_p99"], "microseconds");
    assert.is(param!.data["unit.nautilus_order_processing_duration_seconds"], "seconds");
    const binding = env.objects.find(
      (o) => o.kind === "ValidatingAdmissionPolicyBinding" && o.metadata.name === "nautilus-latency-alert",
    ) as KubeObject & { spec: { paramRef: { name: string; namespace: string } } };
    assert.equal(binding.spec.paramRef, {
      name: "nautilus-latency-budget",
      namespace: "nautilus-trading",
      parameterNotFoundAction: "Deny",
    });
  }
  // With the operator, the PrometheusRule holding a 3 µs alert passes admission under the 3 µs budget and is
  // denied under the real one: the policy reads the param, not a literal.
  const operator = { monitoring: { mode: "prometheus-operator" } };
  const { policies } = compilePolicies(readPolicySources());
  const latency = policies.filter((p) => p.name === "latency-alert");
  const prod = (b: Bundle) => b.environments.find((e) => e.environment === "prod")!;
  const threeMicro = prod(bundleOf(withBudget("3us", operator)));
  const rule = threeMicro.objects.find((o) => o.kind === "PrometheusRule")!;
  assert.equal(evaluatePolicies(latency, [threeMicro]), []);
  const realParams = prod(bundleOf(operator)).objects.filter((o) => o.kind !== "PrometheusRule");
  const denied = evaluatePolicies(latency, [{ environment: "prod", objects: [rule, ...realParams] }]);
  assert.is(denied.length, 1);
  assert.match(denied[0]!.message, /RiskEngineP99LatencyHigh .*> 3\)/);
});

test("a latency alert may leave its threshold out only where a budget applies", () => {
  assert.throws(
    () => platformOf({ monitoring: { alerts: { MemoryPoolEfficiencyLow: { threshold: null } } } }),
    /monitoring\.alerts\.MemoryPoolEfficiencyLow\.threshold: required: only a latency alert/,
  );
  assert.throws(
    () => platformOf({ tiers: { [TIER]: { latencyBudget: null } } }),
    /tiers\.ultra-low-latency\.latencyBudget: required/,
  );
});

test.run();
