/**
 * Runbooks: one Markdown page per alert, rendered with Handlebars from the config, at the path each alert's
 * runbook_url names, and the check that holds every link to a runbook of that alert.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runbookLinks } from "../checks/platform/runbook-links.ts";
import type { Finding } from "../core/finding.ts";
import { runbookFiles } from "../generators/runbooks.ts";
import { monitoringModel, type AlertRule } from "../model/monitoring.ts";
import type { Platform } from "../schemas/platform.ts";
import { bundleOf, platformOf } from "./support/config.ts";

const real = bundleOf();
const realPlatform = real.environments[0]!.platform;

const alertRules = (p: Platform): AlertRule[] =>
  monitoringModel(p).ruleFiles.flatMap((f) => f.group.rules.filter((r): r is AlertRule => "alert" in r));

function links(files: ReadonlyMap<string, string>, p: Platform = realPlatform): Finding[] {
  return runbookLinks.run({ environments: real.environments, platform: p, out: { dir: "out", files } });
}

const runbook = (alert: string, p = platformOf()) => runbookFiles(p).get(`${alert}.md`)!;

test("every alert rule, the heartbeat included, has a runbook in out/runbooks/ and the index lists each", () => {
  const rules = alertRules(realPlatform);
  assert.ok(rules.length >= 8);
  const index = real.files.get("runbooks/README.md")!;
  for (const r of rules) {
    assert.ok(real.files.has(`runbooks/${r.alert}.md`), r.alert);
    assert.ok(index.includes(`| [${r.alert}](${r.alert}.md) |`), `${r.alert} is in the index`);
  }
});

test("each alert's runbook_url is the base URL, '/' and its runbook's file name", () => {
  for (const r of alertRules(realPlatform))
    assert.is(r.annotations.runbook_url, `https://runbooks.nautilus.io/alerts/${r.alert}.md`);
  // Left out, the base is the repository path of the runbooks, which a Git host renders.
  const p = platformOf({ monitoring: { runbookBaseUrl: null } });
  assert.is(alertRules(p)[0]!.annotations.runbook_url, `out/runbooks/${alertRules(p)[0]!.alert}.md`);
  const slash = platformOf({ monitoring: { runbookBaseUrl: "https://git.example.com/repo/blob/main/out/runbooks/" } });
  assert.is(
    alertRules(slash).find((r) => r.alert === "ServiceDown")!.annotations.runbook_url,
    "https://git.example.com/repo/blob/main/out/runbooks/ServiceDown.md",
  );
});

test("a latency runbook says what the alert means, its threshold in µs, its panel, first checks and its pager", () => {
  const text = runbook("RiskEngineP99LatencyHigh");
  for (const part of [
    "# RiskEngineP99LatencyHigh",
    "| **critical** | `risk-engine` | 30s | `trading-pager` |",
    "`nautilus_risk_check_latency_microseconds_p99` (p99 of pre-trade risk check latency over the last second)",
    "the latency budget of the `ultra-low-latency` tier",
    "max_over_time(nautilus_risk_check_latency_microseconds_p99[10s]) > 2.75\n```",
    "**above 2.75 µs** for 30s",
    "panel **Latency p99 (µs)** (id 101)",
    "uid `nautilus-trading-platform`",
    "/d/nautilus-trading-platform/?viewPanel=101",
    "kubectl -n nautilus-trading get pods -l app.kubernetes.io/name=risk-engine -o wide",
    "rollout history deployment/nautilus-risk-engine",
    "`trading-pager` (PagerDuty: pages the on-call engineer), repeated every 1h",
    "Silenced while `ServiceDown` fires with the same `service`",
  ])
    assert.ok(text.includes(part), `missing ${JSON.stringify(part)} in:\n${text}`);
});

test("a runbook is Markdown, not HTML-escaped: quotes and comparisons are as Prometheus reads them", () => {
  const text = runbook("HighErrorRate");
  assert.ok(text.includes('"service", "$1", "job", "nautilus-(.*)")) > 0.01'), text);
  assert.not.match(text, /&gt;|&quot;|&#x3D;/);
  assert.ok(text.includes("**above 1%** for 2m"), text);
  assert.ok(text.includes("`trading-chat` (Slack channel #trading-alerts), repeated every 4h"), text);
  // `{{ $labels.service }}` would vanish as an HTML tag if written <service> bare.
  assert.ok(text.includes("> `<service>` fails more than 1% of requests"), text);
});

test("the routing decides the escalation: a service routed to its own receiver is named with it", () => {
  const p = platformOf({
    monitoring: {
      alerting: {
        receivers: {
          "market-data-chat": {
            kind: "slack",
            apiUrl: { secret: "alertmanager-slack", key: "webhook-url" },
            channel: "#market-data",
          },
        },
        routes: [
          { receiver: "market-data-chat", severity: "warning", services: ["market-data"] },
          { receiver: "trading-pager", severity: "critical", groupWait: "10s", repeatInterval: "1h" },
          { receiver: "trading-chat", severity: "warning" },
        ],
      },
    },
  });
  const text = runbook("HighErrorRate", p);
  assert.ok(
    text.includes("- For `market-data`: Alertmanager sends it to `market-data-chat` (Slack channel #market-data)"),
    text,
  );
  assert.match(text, /- For `risk-engine`, `position-keeper`, .*: Alertmanager sends it to `trading-chat`/);
});

test("the heartbeat's runbook explains the dead-man's switch and points at the firing-alerts panel", () => {
  const text = runbook("Watchdog");
  assert.ok(text.includes("it is the dead-man's switch"), text);
  assert.ok(text.includes("panel **Firing alerts** (id 3)"), text);
  assert.ok(text.includes("`heartbeat` (a webhook, https://deadmanssnitch.example.com/nautilus-prod)"), text);
});

test("a threshold change in the config changes the runbook with the rule", () => {
  const p = platformOf({ monitoring: { alerts: { HighErrorRate: { threshold: "2.5%" } } } });
  assert.ok(runbook("HighErrorRate", p).includes("**above 2.5%** for 2m"));
  assert.ok(runbook("HighErrorRate", p).includes("> 0.025\n```"));
});

test("platform/runbook-links finds nothing on the real bundle", () => {
  assert.equal(links(real.files), []);
});

test("platform/runbook-links refuses a runbook_url naming a runbook that is missing", () => {
  const files = new Map(real.files);
  files.delete("runbooks/ServiceDown.md");
  const found = links(files);
  assert.is(found.length, 1);
  assert.is(found[0]!.rule, "runbook-links");
  assert.is(found[0]!.path, "monitoring.alerts.ServiceDown");
  assert.match(found[0]!.message, /no runbook runbooks\/ServiceDown\.md is generated/);
});

test("platform/runbook-links refuses an alert named like the index, whose runbook the index replaces", () => {
  const readme = {
    monitoring: {
      alerts: { README: { kind: "down", severity: "critical", for: "90s", summary: "{{ $labels.service }} down" } },
    },
  };
  const b = bundleOf(readme);
  const found = links(b.files, b.environments[0]!.platform);
  assert.equal(
    found.map((f) => f.path),
    ["monitoring.alerts.README"],
  );
  assert.match(found[0]!.message, /runbooks\/README\.md is not its runbook/);
});

test("platform/runbook-links refuses two runbooks whose names differ only in case", () => {
  const down = { kind: "down", severity: "critical", for: "90s", summary: "{{ $labels.service }} down" };
  const b = bundleOf({ monitoring: { alerts: { Servicedown: down } } });
  const found = links(b.files, b.environments[0]!.platform);
  assert.is(found.length, 1, JSON.stringify(found));
  assert.match(found[0]!.message, /runbooks\/ServiceDown\.md and runbooks\/Servicedown\.md differ only in case/);
});

test.run();
