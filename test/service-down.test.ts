/**
 * ServiceDown fires when a service has no healthy scrape target at all, including when every pod is gone and `up`
 * has no series for it, and stays quiet while pods start within their startup budget; platform/down-alert-startup
 * holds its `for` to the longest startup budget. The generated promtool tests prove both ways with the real
 * promtool, and fail for the report's `up == 0` rule, for a count of `up` without the service inventory and for a
 * `for` under the startup budget. At 200 services the expression, and the series its tests feed, are those of 7.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse } from "yaml";
import { downAlertStartup } from "../checks/platform/down-alert-startup.ts";
import type { Finding } from "../core/finding.ts";
import { runPromtool } from "../engines/promtool.ts";
import type { Bundle } from "../generators/bundle.ts";
import { checkPromql } from "../checks/promql.ts";
import { observabilityFiles } from "../generators/observability-files.ts";
import { monitoringModel } from "../model/monitoring.ts";
import { inventoryRuleFile } from "../model/service-inventory.ts";
import { INVENTORY_RECORD } from "../schemas/observability.ts";
import type { Platform } from "../schemas/platform.ts";
import { bundleOf, changedConfigErrors, platformOf, withSyntheticServices } from "./support/config.ts";

const RULES = "prometheus/rules/nautilus-alerts.yaml";
const INVENTORY = "prometheus/rules/nautilus-services.yaml";
const TESTS = "prometheus/tests/ServiceDown.yaml";
const real = bundleOf();

const check = (overrides: unknown): Finding[] =>
  downAlertStartup.run({ environments: [], platform: platformOf(overrides), out: { dir: "out", files: new Map() } });
const errors = (files: ReadonlyMap<string, string>) => runPromtool(files).filter((f) => f.severity === "error");
const show = (findings: Finding[]) => findings.map((f) => `${f.rule} ${f.file}: ${f.message}`).join("\n");
const onlyPrometheus = (b: Bundle) => new Map([...b.files].filter(([p]) => p.startsWith("prometheus/")));
/** The generated files with the ServiceDown rule edited. */
function withRule(edit: (rule: string) => string): Map<string, string> {
  const files = onlyPrometheus(real);
  const doc = files.get(RULES)!;
  const start = doc.indexOf("      - alert: ServiceDown\n");
  const end = doc.indexOf("      - alert: ", start + 1);
  files.set(
    RULES,
    doc.slice(0, start) + edit(doc.slice(start, end < 0 ? undefined : end)) + (end < 0 ? "" : doc.slice(end)),
  );
  return files;
}

interface TestFile {
  rule_files: string[];
  tests: { name: string; input_series: { series: string }[]; alert_rule_test: { exp_alerts: unknown[] }[] }[];
}
const testFile = (files: ReadonlyMap<string, string>) => parse(files.get(TESTS)!) as TestFile;

test("ServiceDown tests: rolling restart, whole restart, one pod serving, gone, never there, all down", () => {
  const names = testFile(real.files).tests.map((t) => t.name);
  assert.equal(names, [
    "ServiceDown: risk-engine restarts its pods one by one, each new pod down for its 1m startup budget, nothing fires",
    "ServiceDown: risk-engine replaces every pod at once, with no healthy target for its 1m startup budget, nothing " +
      "fires",
    "ServiceDown: one pod of risk-engine serves while the other is down throughout, nothing fires",
    "ServiceDown: every pod of risk-engine is gone and up has no series for it, it fires after its for (90s)",
    "ServiceDown: no pod of risk-engine was ever scheduled, so up never had a series for it, it fires after its for " +
      "(90s)",
    "ServiceDown: every target of risk-engine is down, it fires after its for (90s)",
  ]);
  assert.ok(real.files.get(TESTS)!.includes("stale"), "pods that are gone end with stale markers");
});

test("the service inventory records one series per declared service; alert tests feed it instead of loading it", () => {
  const p = platformOf();
  const inventory = parse(real.files.get(INVENTORY)!) as {
    groups: { name: string; interval: string; rules: { record: string; expr: string; labels: unknown }[] }[];
  };
  assert.equal(inventory.groups, [inventoryRuleFile(p).group]);
  assert.equal(
    inventory.groups[0]!.rules.map((r) => [r.record, r.expr, r.labels]),
    Object.entries(p.services).map(([s, svc]) => [
      INVENTORY_RECORD,
      "vector(1)",
      { platform: "nautilus", service: s, tier: svc.tier },
    ]),
  );
  // Prometheus loads it with the other rule files; promtool alert tests load all but it.
  assert.ok(real.files.get("prometheus/prometheus.yml")!.includes("- rules/nautilus-services.yaml\n"));
  const loaded = testFile(real.files).rule_files;
  assert.ok(loaded.length > 0 && !loaded.includes("../rules/nautilus-services.yaml"), loaded.join(", "));
  // The two services of the test, the one under test and a healthy neighbour, are declared by the test itself.
  const declared = testFile(real.files).tests[0]!.input_series.filter((s) => s.series.startsWith(INVENTORY_RECORD));
  assert.equal(
    declared.map((s) => s.series),
    [
      'service:expected:info{platform="nautilus",service="risk-engine",tier="ultra-low-latency"}',
      'service:expected:info{platform="nautilus",service="position-keeper",tier="ultra-low-latency"}',
    ],
  );
});

test("the config may not record a generated series: the inventory's or one at the SLO alerts' level", () => {
  const found = changedConfigErrors((c) => {
    const rules = c.monitoring.recordingRules as Record<string, { expr: string; help: string }>;
    const help = "a series of the test";
    rules[INVENTORY_RECORD] = { expr: "vector(1)", help };
    rules["slo:sli_error:ratio_rate5m"] = { expr: "vector(0)", help };
    rules["service:nautilus_requests:rate5m"] = { expr: "vector(0)", help };
  });
  assert.equal(found.length, 2, found.join("\n"));
  assert.match(found[0]!, /monitoring\.recordingRules\.service:expected:info.*the service inventory .* records it/);
  assert.match(found[1]!, /monitoring\.recordingRules\.slo:sli_error:ratio_rate5m.*"slo:" is the SLO alerts' own/);
});

test("the real promtool passes the generated ServiceDown tests", () => {
  const findings = errors(onlyPrometheus(real));
  assert.equal(findings, [], show(findings));
});

test("the report's up == 0 rule fails where every pod is gone (no up, no alert) and where one pod still serves", () => {
  const files = withRule((r) =>
    r.replace(
      /expr: .*\n/,
      'expr: label_replace(up{job=~"nautilus-.*"}, "service", "$1", "job", "nautilus-(.*)") == 0\n',
    ),
  );
  const findings = errors(files);
  for (const failing of ["every pod of risk-engine is gone", "one pod of risk-engine serves"])
    assert.ok(
      findings.some((f) => f.file === `out/${TESTS}` && f.message.includes(failing)),
      show(findings),
    );
});

test("a count of up per service without the inventory loses a service with no target: the tests fail", () => {
  const files = withRule((r) =>
    r.replace(
      /expr: .*\n/,
      'expr: sum by (service) (label_replace(up{job=~"nautilus-.*"}, "service", "$1", "job", "nautilus-(.*)")) == 0\n',
    ),
  );
  const findings = errors(files);
  for (const failing of ["every pod of risk-engine is gone", "no pod of risk-engine was ever scheduled"])
    assert.ok(
      findings.some((f) => f.file === `out/${TESTS}` && f.message.includes(failing)),
      show(findings),
    );
});

test("a for under the startup budget fails the whole-restart test: a healthy start pages", () => {
  const findings = errors(withRule((r) => r.replace("for: 90s", "for: 30s")));
  assert.ok(
    findings.some((f) => f.file === `out/${TESTS}` && f.message.includes("replaces every pod at once")),
    show(findings),
  );
});

test("platform/down-alert-startup: the real config passes", () => {
  assert.equal(check({}), []);
});

test("platform/down-alert-startup: a for shorter than the longest startup budget is refused at the alert's for", () => {
  const findings = check({ monitoring: { alerts: { ServiceDown: { for: "30s" } } } });
  assert.equal(
    findings.map((f) => `${f.engine}/${f.rule} ${f.path}: ${f.message}`),
    [
      "platform/down-alert-startup monitoring.alerts.ServiceDown.for: down alert ServiceDown fires after 30s " +
        "without a healthy target, but risk-engine, position-keeper, order-manager, integration-engine, " +
        "market-data, strategy-engine, smart-order-router may take up to 1m to start " +
        "(services.risk-engine.probes.startup.budget): a healthy start of every pod at once pages",
    ],
  );
});

test("platform/down-alert-startup: a for equal to the budget passes; one slower service is named alone", () => {
  assert.equal(check({ monitoring: { alerts: { ServiceDown: { for: "60s" } } } }), []);
  const findings = check({
    monitoring: { alerts: { ServiceDown: { for: "45s" } } },
    services: {
      "risk-engine": { probes: { startup: { budget: "40s" } } },
      "position-keeper": { probes: { startup: { budget: "40s" } } },
      "order-manager": { probes: { startup: { budget: "40s" } } },
      "integration-engine": { probes: { startup: { budget: "40s" } } },
      "market-data": { probes: { startup: { budget: "40s" } } },
      "strategy-engine": { probes: { startup: { budget: "40s" } } },
    },
  });
  assert.is(findings.length, 1);
  assert.ok(
    findings[0]!.message.includes(
      "but smart-order-router may take up to 1m to start " + "(services.smart-order-router.probes.startup.budget)",
    ),
    findings[0]!.message,
  );
});

/** The real config with synthetic services added, `total` in all. */
const withServices = (total: number): Platform =>
  platformOf(withSyntheticServices(total - Object.keys(platformOf().services).length));

test("at 200 services: the expression and test series of 7 services, no promql finding, promtool passes", () => {
  const small = platformOf();
  const big = withServices(200);
  assert.is(Object.keys(big.services).length, 200);
  const expr = (p: Platform) => monitoringModel(p).alerts.find((a) => a.name === "ServiceDown")!.rule.expr;
  assert.is(expr(big).length, expr(small).length);
  assert.is(expr(big), expr(small));
  // The long `or` of one term per service was reported as not parsing at 200 services (a false finding).
  assert.equal(checkPromql(big), []);
  const files = observabilityFiles(big);
  const series = (f: ReadonlyMap<string, string>) => testFile(f).tests.map((t) => t.input_series.length);
  assert.equal(series(files), series(real.files));
  // The inventory is the one thing that grows: a rule per service, constant each.
  assert.is((parse(files.get(INVENTORY)!) as { groups: { rules: unknown[] }[] }).groups[0]!.rules.length, 200);
  const promtoolFiles = new Map(
    [...files].filter(
      ([p]) => p.startsWith("prometheus/rules/") || p === TESTS || p === "prometheus/tests/Watchdog.yaml",
    ),
  );
  const findings = errors(promtoolFiles);
  assert.equal(findings, [], show(findings));
});

test.run();
