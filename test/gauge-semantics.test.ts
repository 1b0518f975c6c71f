/**
 * A microsecond gauge alert says how it reads the gauge: the latest sample, or the worst over `over`. Both are
 * proven by real promtool on a breach at every other evaluation (issue 11, point 4).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { findingLine } from "../core/finding.ts";
import { runPromtool } from "../engines/promtool.ts";
import { parseYamlDocuments } from "../core/yaml.ts";
import { parsePlatform } from "../schemas/parse.ts";
import { bundleOf, configInput } from "./support/config.ts";

const RISK = "RiskEngineP99LatencyHigh";
const prometheusFiles = (overrides: unknown = {}) =>
  new Map([...bundleOf(overrides).files].filter(([path]) => path.startsWith("prometheus/")));

interface AlertTest {
  name: string;
  input_series: { values: string }[];
  alert_rule_test: { exp_alerts: unknown[] }[];
}
const intermittentCase = (files: Map<string, string>, alert: string): AlertTest => {
  const tests = (parseYamlDocuments(files.get(`prometheus/tests/${alert}.yaml`)!)[0] as { tests: AlertTest[] }).tests;
  const found = tests.find((t) => t.name.includes("every other evaluation"));
  if (!found) throw new Error(`no intermittent case for ${alert}`);
  return found;
};

test("the worst over a window fires on a breach at every other evaluation, and promtool agrees", () => {
  const files = prometheusFiles();
  assert.match(
    files.get("prometheus/rules/nautilus-alerts.yaml")!,
    /max_over_time\(nautilus_risk_check_[a-z0-9_]+\[10s\]\) > 2\.75/,
  );
  const risk = intermittentCase(files, RISK);
  assert.match(risk.input_series[0]!.values, /^2\.7775 2\.7225 2\.7775 2\.7225 /);
  assert.is(risk.alert_rule_test[0]!.exp_alerts.length, 1);
  assert.equal(
    runPromtool(files)
      .filter((f) => f.severity === "error")
      .map(findingLine),
    [],
  );
});

test("the latest sample never fires on the same breach: one good sample resets for", () => {
  const files = prometheusFiles({ monitoring: { alerts: { [RISK]: { over: null } } } });
  assert.match(files.get("prometheus/rules/nautilus-alerts.yaml")!, /expr: nautilus_risk_check_[a-z0-9_]+ > 2\.75/);
  assert.equal(intermittentCase(files, RISK).alert_rule_test[0]!.exp_alerts, []);
  assert.equal(
    runPromtool(files)
      .filter((f) => f.severity === "error")
      .map(findingLine),
    [],
  );
});

test("a test that expects the wrong reading fails under promtool, so the cases can fail", () => {
  const worst = prometheusFiles();
  const instant = prometheusFiles({ monitoring: { alerts: { [RISK]: { over: null } } } });
  // The rule reads the latest sample, the test expects the worst-over-window outcome.
  const swapped = new Map(instant);
  swapped.set(`prometheus/tests/${RISK}.yaml`, worst.get(`prometheus/tests/${RISK}.yaml`)!);
  const errors = runPromtool(swapped).filter((f) => f.severity === "error");
  assert.ok(
    errors.some((f) => f.message.includes(RISK)),
    errors.map(findingLine).join("\n"),
  );
});

test("the config refuses a window on a histogram and a window shorter than two evaluations", () => {
  const errors = (overrides: unknown) => {
    const r = parsePlatform(configInput(overrides));
    return r.ok ? [] : r.errors.map(findingLine);
  };
  assert.ok(
    errors({ monitoring: { alerts: { PositionKeeperP99LatencyHigh: { over: "10s" } } } }).some((e) =>
      e.includes("monitoring.alerts.PositionKeeperP99LatencyHigh.over: over applies to gauges"),
    ),
  );
  assert.ok(
    errors({ monitoring: { alerts: { [RISK]: { over: "5s" } } } }).some((e) =>
      e.includes("over must be at least two evaluation intervals (10s)"),
    ),
  );
});

test.run();
