/**
 * Meta-monitoring alerts: generated from the model in standalone mode with the routing contract's severities, each
 * with a promtool test that passes and can fail, routed like the configured alerts (critical pages, warnings go to
 * chat), scraped from the stack's own pods, and absent in prometheus-operator mode.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { observabilityFiles } from "../generators/observability-files.ts";
import { prometheusConfig } from "../generators/prometheus-config.ts";
import { runPromtool } from "../engines/promtool.ts";
import { META_ALERTS } from "../schemas/alerting.ts";
import { META_JOBS, metaAlerts } from "../model/meta-monitoring.ts";
import { parseYamlDocuments } from "../core/yaml.ts";
import type { Finding } from "../core/finding.ts";
import { changedConfigErrors, changedPlatform } from "./support/config.ts";

type Doc = Record<string, unknown>;
const platform = changedPlatform();
const files = observabilityFiles(platform);
const META_FILE = "prometheus/rules/nautilus-meta.yaml";
/** The rule files and the promtool tests of these alerts: what promtool needs to run them. */
const promtoolFiles = (alerts: string[]) =>
  new Map(
    [...files].filter(
      ([p]) => p.startsWith("prometheus/rules/") || alerts.some((a) => p === `prometheus/tests/${a}.yaml`),
    ),
  );
const show = (findings: Finding[]) => findings.map((f) => `${f.rule} ${f.file}: ${f.message}`).join("\n");

test("standalone: one rule file holds every meta alert with its contract severity, summary and runbook", () => {
  const doc = parseYamlDocuments(files.get(META_FILE)!)[0] as {
    groups: { name: string; interval: string; rules: Doc[] }[];
  };
  assert.is(doc.groups.length, 1);
  assert.is(doc.groups[0]!.interval, "5s");
  const rules = doc.groups[0]!.rules as {
    alert: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
  }[];
  assert.equal(
    rules.map((r) => [r.alert, r.labels.severity]),
    Object.entries(META_ALERTS),
  );
  for (const r of rules) {
    assert.ok(r.annotations.summary, r.alert);
    assert.is(r.annotations.runbook_url, `https://runbooks.nautilus.io/alerts/${r.alert}.md`);
  }
  // Prometheus loads it: prometheus.yml names the file.
  assert.ok((prometheusConfig(platform).rule_files as string[]).includes("rules/nautilus-meta.yaml"));
});

test("every meta-monitoring alert has a promtool test: healthy stays quiet, each failure fires after its for", () => {
  for (const a of metaAlerts(platform)) {
    const t = parseYamlDocuments(files.get(`prometheus/tests/${a.rule.alert}.yaml`)!)[0] as {
      tests: { name: string; alert_rule_test: { exp_alerts: unknown[] }[] }[];
    };
    assert.ok(t.tests[0]!.name.includes("healthy"), a.rule.alert);
    assert.is(t.tests.length, 1 + a.failing.length, a.rule.alert);
    for (const failing of t.tests.slice(1))
      assert.equal(
        failing.alert_rule_test.map((x) => x.exp_alerts.length),
        [0, 1],
        failing.name,
      );
  }
  const findings = runPromtool(promtoolFiles(Object.keys(META_ALERTS)));
  assert.equal(
    findings.filter((f) => f.severity === "error"),
    [],
    show(findings),
  );
});

test("the meta tests can fail: a threshold changed in the rule file fails its test, naming it", () => {
  const broken = promtoolFiles(["JaegerSpansDropped"]);
  const rules = broken.get(META_FILE)!;
  assert.match(rules, /\) > 0\.01\n/);
  broken.set(META_FILE, rules.replace(/(JaegerSpansDropped[\s\S]*?)> 0\.01/, "$1> 0.5"));
  const findings = runPromtool(broken).filter((f) => f.severity === "error");
  assert.ok(
    findings.some((f) => f.file === "out/prometheus/tests/JaegerSpansDropped.yaml"),
    show(findings),
  );
});

test("route cases: critical meta alerts reach the pager, warnings the chat, each once", () => {
  const cases = (parseYamlDocuments(files.get("alertmanager/tests/routes.yaml")!)[0] as { cases: Doc[] }).cases as {
    labels: Record<string, string>;
    receivers: string[];
  }[];
  for (const [name, severity] of Object.entries(META_ALERTS)) {
    const mine = cases.filter((c) => c.labels.alertname === name);
    assert.equal(
      mine.map((c) => [c.labels, c.receivers]),
      [[{ alertname: name, severity }, [severity === "critical" ? "trading-pager" : "trading-chat"]]],
    );
  }
});

test("routing that sends critical meta alerts to chat is a config error naming them", () => {
  const found = changedConfigErrors((c) => {
    const services = Object.keys(c.services);
    // Pages only for the trading services: the stack's own critical alerts fall through to chat.
    c.monitoring.alerting.routes = [
      { receiver: "trading-pager", severity: "critical", services },
      { receiver: "trading-chat", severity: "warning" },
    ];
  }).join("\n");
  assert.match(found, /defaultReceiver: critical alerts .*PrometheusRuleFailures.* reach trading-chat/);
  assert.match(found, /CustomMetricsAPIUnavailable/);
  assert.not.match(found, /JaegerDown/);
});

test("standalone scrapes Prometheus, Alertmanager and Jaeger by their pods' labels and metrics port names", () => {
  const jobs = prometheusConfig(platform).scrape_configs as {
    job_name: string;
    relabel_configs: { action: string; regex?: string; source_labels: string[] }[];
  }[];
  const keep = (job: string) =>
    jobs
      .find((j) => j.job_name === job)
      ?.relabel_configs.filter((r) => r.action === "keep")
      .map((r) => r.regex);
  assert.equal(keep(META_JOBS.prometheus), ["prometheus", "nautilus", "web"]);
  assert.equal(keep(META_JOBS.alertmanager), ["alertmanager", "nautilus", "web"]);
  assert.equal(keep(META_JOBS.jaeger), ["jaeger", "nautilus", "admin"]);
  // The service jobs stay the only `nautilus-*` jobs.
  assert.ok(Object.values(META_JOBS).every((j) => !j.startsWith("nautilus-")));
});

test("prometheus-operator mode: no meta rules or scrape jobs (the operator's stack brings its mixins)", () => {
  const operator = changedPlatform((c) => {
    c.monitoring.mode = "prometheus-operator";
  });
  assert.equal(metaAlerts(operator), []);
  const names = (prometheusConfig(operator).scrape_configs as { job_name: string }[]).map((j) => j.job_name);
  assert.not.ok(names.includes(META_JOBS.prometheus));
  assert.not.ok([...observabilityFiles(operator).keys()].includes(META_FILE));
});

test.run();
