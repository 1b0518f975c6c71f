/**
 * ServiceDown fires when a service has no healthy scrape target at all, including when every pod is gone and `up`
 * has no series for it, and stays quiet while pods start within their startup budget; platform/down-alert-startup
 * holds its `for` to the longest startup budget. The generated promtool tests prove both ways with the real
 * promtool, and fail for the report's `up == 0` rule and for a `for` under the startup budget.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parse } from "yaml";
import { downAlertStartup } from "../checks/platform/down-alert-startup.ts";
import type { Finding } from "../core/finding.ts";
import { runPromtool } from "../engines/promtool.ts";
import type { Bundle } from "../generators/bundle.ts";
import { bundleOf, platformOf } from "./support/config.ts";

const RULES = "prometheus/rules/nautilus-alerts.yaml";
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

test("the generated ServiceDown tests cover a rolling restart, a whole restart, all pods gone and all down", () => {
  const doc = parse(real.files.get(TESTS)!) as {
    tests: { name: string; alert_rule_test: { exp_alerts: unknown[] }[] }[];
  };
  const names = doc.tests.map((t) => t.name);
  assert.equal(names, [
    "ServiceDown: risk-engine restarts its pods one by one, each new pod down for its 1m startup budget, nothing fires",
    "ServiceDown: risk-engine replaces every pod at once, with no healthy target for its 1m startup budget, nothing " +
      "fires",
    "ServiceDown: every pod of risk-engine is gone and up has no series for it, it fires after its for (90s)",
    "ServiceDown: every target of risk-engine is down, it fires after its for (90s)",
  ]);
  assert.ok(real.files.get(TESTS)!.includes("stale"), "pods that are gone end with stale markers");
});

test("the real promtool passes the generated ServiceDown tests", () => {
  const findings = errors(onlyPrometheus(real));
  assert.equal(findings, [], show(findings));
});

test("the report's up == 0 rule fails the test where every pod is gone: no target, no up, no alert", () => {
  const files = withRule((r) =>
    r.replace(
      /expr: .*\n/,
      'expr: label_replace(up{job=~"nautilus-.*"}, "service", "$1", "job", "nautilus-(.*)") == 0\n',
    ),
  );
  const findings = errors(files);
  assert.ok(
    findings.some((f) => f.file === `out/${TESTS}` && f.message.includes("every pod of risk-engine is gone")),
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

test.run();
