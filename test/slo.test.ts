/**
 * SLO alerts (`kind: "slo"`): an objective over a period becomes recorded error ratios and a page and a ticket on
 * the burn-rate table, tested by the real promtool and amtool, explained in a runbook, drawn on two panels, and
 * replacing the global error-ratio alert for its service.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runPromtool } from "../engines/promtool.ts";
import { runAmtool } from "../engines/amtool.ts";
import { alertShadowing } from "../checks/platform/alert-shadowing.ts";
import { runbookLinks } from "../checks/platform/runbook-links.ts";
import { checkPromql } from "../checks/promql.ts";
import { monitoringModel } from "../model/monitoring.ts";
import { alertPanels, dashboardSpec } from "../model/dashboard.ts";
import { BURN_RATE_WINDOWS, burnFactor, SLO_WINDOWS } from "../schemas/slo.ts";
import { parseYamlDocuments } from "../core/yaml.ts";
import type { Finding } from "../core/finding.ts";
import { bundleOf, changedConfigErrors, cli, platformOf, ROOT } from "./support/config.ts";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";

const NAME = "SmartOrderRouterErrorBudget";
const slo = (overrides: Record<string, unknown> = {}) => ({
  kind: "slo",
  service: "smart-order-router",
  objective: "99.9%",
  metric: "nautilus_errors_total",
  per: "nautilus_requests_total",
  summary: "{{ $labels.service }} burns its error budget",
  ...overrides,
});
const WITH_SLO = { monitoring: { alerts: { [NAME]: slo() } } };
const show = (findings: Finding[]) =>
  findings.map((f) => `${f.rule} ${f.file} ${f.path ?? ""}: ${f.message}`).join("\n");

const bundle = bundleOf(WITH_SLO);
const platform = bundle.environments[0]!.platform;
const model = monitoringModel(platform);
const observability = (prefix: string) => new Map([...bundle.files].filter(([p]) => p.startsWith(prefix)));

test("the burn-rate table over 30 days is the SRE workbook's: 14.4x, 6x, 3x and 1x over 1h, 6h, 1d and 3d", () => {
  assert.equal(
    BURN_RATE_WINDOWS.map((w) => burnFactor(w, 30 * 86400)),
    [14.4, 6, 3, 1],
  );
  assert.equal(SLO_WINDOWS, [300, 1800, 3600, 7200, 21600, 86400, 259200]);
  // Over 28 days every factor scales with the period.
  assert.equal(
    BURN_RATE_WINDOWS.map((w) => burnFactor(w, 28 * 86400)),
    [13.44, 5.6, 2.8, 0.933333333333],
  );
});

test("an SLO records its error ratio over every window and the period, labelled service and slo", () => {
  const file = model.ruleFiles.find((f) => f.file === "nautilus-slo.yaml")!;
  assert.ok(file, "the SLO recording rules have a file of their own");
  const records = file.group.rules.map((r) => ("record" in r ? r.record : ""));
  assert.equal(records, [
    "slo:sli_error:ratio_rate5m",
    "slo:sli_error:ratio_rate30m",
    "slo:sli_error:ratio_rate1h",
    "slo:sli_error:ratio_rate2h",
    "slo:sli_error:ratio_rate6h",
    "slo:sli_error:ratio_rate1d",
    "slo:sli_error:ratio_rate3d",
    "slo:sli_error:ratio_rate30d",
  ]);
  const first = file.group.rules[0]!;
  assert.equal("labels" in first && first.labels, { service: "smart-order-router", slo: NAME });
  assert.is(
    first.expr,
    'sum(rate(nautilus_errors_total{job="nautilus-smart-order-router"}[5m])) / ' +
      'sum(rate(nautilus_requests_total{job="nautilus-smart-order-router"}[5m]))',
  );
  // The recordings are evaluated before the alerts that read them.
  const order = model.ruleFiles.map((f) => f.file);
  assert.ok(order.indexOf("nautilus-slo.yaml") < order.indexOf("nautilus-alerts.yaml"), order.join(", "));
});

test("an SLO is two alerts of one name: a critical page on 1h/5m and 6h/30m, a warning ticket on 1d/2h, 3d/6h", () => {
  const rules = model.ruleFiles.flatMap((f) => f.group.rules).filter((r) => "alert" in r && r.alert === NAME);
  assert.is(rules.length, 2);
  const [page, ticket] = rules as { expr: string; for: string; labels: Record<string, string> }[];
  assert.equal(page!.labels, { severity: "critical", service: "smart-order-router", slo: NAME });
  assert.equal(ticket!.labels, { severity: "warning", service: "smart-order-router", slo: NAME });
  const sel = `{slo="${NAME}"}`;
  assert.is(
    page!.expr,
    `(slo:sli_error:ratio_rate1h${sel} > (14.4 * 0.001) and slo:sli_error:ratio_rate5m${sel} > (14.4 * 0.001)) or ` +
      `(slo:sli_error:ratio_rate6h${sel} > (6 * 0.001) and slo:sli_error:ratio_rate30m${sel} > (6 * 0.001))`,
  );
  assert.match(ticket!.expr, /ratio_rate1d\{.*\} > \(3 \* 0\.001\) and .*ratio_rate2h/);
  assert.match(ticket!.expr, /ratio_rate3d\{.*\} > \(1 \* 0\.001\) and .*ratio_rate6h/);
  assert.is(page!.for, "0s");
});

test("real promtool passes the SLO tests: a fast burn pages, a slow one tickets, under budget is quiet", () => {
  const files = observability("prometheus/");
  const tests = parseYamlDocuments(files.get(`prometheus/tests/${NAME}.yaml`)!)[0] as {
    tests: { name: string; alert_rule_test: { exp_alerts: { exp_labels: { severity: string } }[] }[] }[];
  };
  assert.equal(
    tests.tests.map((t) => t.alert_rule_test[0]!.exp_alerts.map((a) => a.exp_labels.severity)),
    [["critical", "warning"], ["warning"], []],
  );
  assert.match(tests.tests[0]!.name, /1\.8% of requests failing \(burn rate 18x of a 0\.1% budget\)/);
  const findings = runPromtool(files);
  assert.equal(
    findings.filter((f) => f.severity === "error"),
    [],
    show(findings),
  );
});

test("the generated SLO tests fail under the real promtool when a factor is wrong", () => {
  const files = observability("prometheus/");
  const rules = "prometheus/rules/nautilus-alerts.yaml";
  // A page at 4x instead of 6x over 6h and 30m pages on the slow burn (4.5x), which must only ticket.
  files.set(rules, files.get(rules)!.replaceAll("(6 * 0.001)", "(4 * 0.001)"));
  const findings = runPromtool(files);
  assert.ok(
    findings.some((f) => f.severity === "error" && /SmartOrderRouterErrorBudget/.test(f.message)),
    show(findings),
  );
});

test("amtool routes the page to the pager and the ticket to the chat", () => {
  const routes = parseYamlDocuments(bundle.files.get("alertmanager/tests/routes.yaml")!)[0] as {
    cases: { labels: Record<string, string>; receivers: string[] }[];
  };
  const mine = routes.cases.filter((c) => c.labels.alertname === NAME);
  assert.equal(
    mine.map((c) => [c.labels.severity, c.receivers]),
    [
      ["critical", ["trading-pager"]],
      ["warning", ["trading-chat"]],
    ],
  );
  const findings = runAmtool(observability("alertmanager/"));
  assert.equal(findings, [], show(findings));
});

test("the SLO replaces the global error-ratio alert for its service", () => {
  const global = model.alerts.find((a) => a.name === "HighErrorRate")!;
  assert.match(global.rule.expr, /job!~"nautilus-smart-order-router"/);
  const plain = monitoringModel(platformOf()).alerts.find((a) => a.name === "HighErrorRate")!;
  assert.not.match(plain.rule.expr, /job!~/);
  const runbook = bundle.files.get(`runbooks/${NAME}.md`)!;
  assert.match(runbook, /For `smart-order-router` this alert replaces `HighErrorRate`/);
  // Kept on purpose, the global alert still judges the service: platform/alert-shadowing says so.
  const kept = bundleOf({ monitoring: { alerts: { [NAME]: slo(), HighErrorRate: { shadowing: "keep" } } } });
  const findings = alertShadowing.run({
    environments: kept.environments,
    platform: kept.environments[0]!.platform,
    out: { dir: "out", files: kept.files },
  });
  assert.equal(
    findings.map((f) => f.path),
    ["monitoring.alerts.HighErrorRate.shadowing"],
  );
  assert.match(
    findings[0]!.message,
    /also covers smart-order-router, which has its own SLO SmartOrderRouterErrorBudget \(99\.9% over 30 days/,
  );
  assert.match(findings[0]!.hint!, /judged by its objective alone/);
});

test("the runbook explains the budget, the burn rate and the windows, with the table for this SLO", () => {
  const runbook = bundle.files.get(`runbooks/${NAME}.md`)!;
  assert.match(runbook, /promises that 99\.9% of its requests succeed over any 30 days/);
  assert.match(runbook, /\*\*error budget\*\*/);
  assert.match(runbook, /\*\*burn rate\*\*/);
  assert.match(runbook, /\| page \| critical \| 14\.4x \| > 1\.44% \| 1h \| 5m \| 2% \| 50h \|/);
  assert.match(runbook, /\| ticket \| warning \| 1x \| > 0\.1% \| 3 days \| 6h \| 10% \| 30 days \|/);
  assert.match(runbook, /The page \(critical\): Alertmanager sends it to `trading-pager`/);
  assert.match(runbook, /The ticket \(warning\): Alertmanager sends it to `trading-chat`/);
  assert.match(runbook, /# page \(critical\)\n\(slo:sli_error:ratio_rate1h/);
  // One runbook for both rules, listed once in the index.
  const index = bundle.files.get("runbooks/README.md")!;
  assert.is(index.split(`[${NAME}]`).length - 1, 1);
  const links = runbookLinks.run({
    environments: bundle.environments,
    platform,
    out: { dir: "out", files: bundle.files },
  });
  assert.equal(links, [], show(links));
});

test("the dashboard draws the SLO's burn rate per window and its error budget remaining", () => {
  const spec = dashboardSpec(platform);
  const panels = spec.rows.flatMap((r) => r.panels).filter((p) => p.alerts.includes(NAME));
  assert.equal(
    panels.map((p) => p.title),
    [`${NAME}: burn rate`, `${NAME}: error budget remaining`],
  );
  assert.equal(
    panels[0]!.targets.map((t) => t.legend),
    ["5m", "30m", "1h", "2h", "6h", "1d", "3d"],
  );
  assert.equal(
    panels[0]!.thresholds!.map((t) => t.value),
    [null, 1, 6],
  );
  assert.is(panels[1]!.targets[0]!.expr, `1 - slo:sli_error:ratio_rate30d{slo="${NAME}"} / 0.001`);
  assert.is(alertPanels(spec).get(NAME)!.title, `${NAME}: burn rate`);
  // Every query reads a recorded series the rules write.
  assert.equal(checkPromql(platform), []);
});

test("the Error rate panel colours the SLO's service at its burn rates, the other services at the global ratio", () => {
  const errorRate = dashboardSpec(platform)
    .rows.flatMap((r) => r.panels)
    .find((p) => p.title === "Error rate" && p.alerts.includes("HighErrorRate"))!;
  const router = errorRate.overrides!.find((o) => "name" in o.match && o.match.name === "smart-order-router");
  // 99.9%: a ticket from 1× the 0.1% budget, a page from 6× (the lowest page factor of the table).
  assert.equal(router?.thresholds, [
    { value: null, color: "green" },
    { value: 0.001, color: "orange" },
    { value: 0.006, color: "red" },
  ]);
  assert.equal(
    errorRate.thresholds!.map((t) => t.value),
    [null, 0.01],
  );
});

test("bad SLOs are config errors naming the field", () => {
  const errors = (o: Record<string, unknown>) =>
    changedConfigErrors((c) => {
      (c.monitoring.alerts as Record<string, unknown>)[NAME] = slo(o);
    });
  assert.match(
    errors({ objective: "100%" }).join("\n"),
    /monitoring\.alerts\.SmartOrderRouterErrorBudget\.objective: an objective is above 0% and below 100%/,
  );
  assert.match(
    errors({ objective: "90%" }).join("\n"),
    /objective: 90% leaves a 10% error budget: burning it 14\.4 times too fast .* could never fire; .* above 93\.06%/,
  );
  assert.match(errors({ period: "2d" }).join("\n"), /period: a period is longer than the slowest burn-rate window/);
  assert.match(
    errors({ metric: "nautilus_pnl" }).join("\n"),
    /\.metric: an SLO reads metric "nautilus_pnl", which is not in the metric catalogue/,
  );
  const narrowed = changedConfigErrors((c) => {
    (c.monitoring.alerts as Record<string, unknown>)[NAME] = slo();
    c.monitoring.metrics.nautilus_errors_total!.services = ["order-manager"];
  });
  assert.match(narrowed.join("\n"), /is about smart-order-router, which does not expose nautilus_errors_total/);
  assert.match(errors({ per: "nautilus_errors_total" }).join("\n"), /\.per: the request counter is another metric/);
  assert.match(errors({ severity: "critical" }).join("\n"), /SmartOrderRouterErrorBudget.*severity/);
  assert.equal(errors({ period: "28d" }), []);
});

test("check passes on the real config with an SLO declared on smart-order-router", () => {
  const dir = mkdtempSync(join(tmpdir(), "nautilus-slo-"));
  try {
    const config = join(dir, "platform.config.ts");
    writeFileSync(
      config,
      `import base from ${JSON.stringify(join(ROOT, "platform.config.ts"))};\n` +
        `const c = structuredClone(base);\n` +
        `Object.assign(c.monitoring.alerts, ${JSON.stringify({ [NAME]: slo() })});\n` +
        "export default c;\n",
    );
    const out = join(dir, "out");
    const gen = cli(["generate", "--config", config, "--out", out]);
    assert.is(gen.code, 0, gen.stdout + gen.stderr);
    const run = cli(["check", "--config", config, "--out", out]);
    assert.is(run.code, 0, run.stdout + run.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
