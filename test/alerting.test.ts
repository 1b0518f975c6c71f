import { test } from "uvu";
import * as assert from "uvu/assert";
import config from "../platform.config.ts";
import { generateBundle } from "../generators/bundle.ts";
import { monitoringObjects } from "../generators/monitoring-stack.ts";
import { prometheusConfig } from "../generators/prometheus-config.ts";
import { runAmtool } from "../engines/amtool.ts";
import { validateSchemas } from "../engines/schema.ts";
import { parseYamlDocuments } from "../core/yaml.ts";
import { findingLine, type Finding, type KubeObject } from "../core/finding.ts";
import type { Platform } from "../schemas/platform.ts";
import { changedConfigErrors, changedInput, changedPlatform } from "./support/config.ts";

const _input = changedInput;
const platform = changedPlatform;
const errors = changedConfigErrors;

function files(p: Platform): Map<string, string> {
  const result = generateBundle(p);
  if (!result.ok) throw new Error(result.errors.map(findingLine).join("\n"));
  return new Map([...result.bundle.files].filter(([path]) => path.startsWith("alertmanager/")));
}

const show = (findings: Finding[]) => findings.map((f) => `${f.rule} ${f.file}: ${f.message}`).join("\n");
const CONFIG = "alertmanager/alertmanager.yml";
const ROUTES = "alertmanager/tests/routes.yaml";
const real = files(platform());

type Doc = Record<string, unknown>;
const yamlOf = (text: string) => parseYamlDocuments(text)[0] as Doc;
const amConfig = yamlOf(real.get(CONFIG)!) as {
  route: { receiver: string; routes: { receiver: string; matchers: string[]; repeat_interval?: string }[] };
  receivers: Record<string, unknown>[];
  inhibit_rules: { source_matchers: string[]; target_matchers: string[]; equal: string[] }[];
};
const cases = (yamlOf(real.get(ROUTES)!) as { cases: { labels: Record<string, string>; receivers: string[] }[] }).cases;

test("real amtool check-config and every generated route case pass on the generated configuration", () => {
  const findings = runAmtool(real);
  assert.equal(findings, [], show(findings));
});

test("route cases: every critical alert reaches the pager, every warning the chat, the Watchdog the heartbeat", () => {
  const bySeverity = (s: string) => cases.filter((c) => c.labels.severity === s);
  assert.ok(bySeverity("critical").length >= 5);
  for (const c of bySeverity("critical")) assert.equal(c.receivers, ["trading-pager"], c.labels.alertname);
  for (const c of bySeverity("warning")) assert.equal(c.receivers, ["trading-chat"], c.labels.alertname);
  const watchdog = cases.filter((c) => c.labels.alertname === "Watchdog");
  assert.equal(
    watchdog.map((c) => ({ labels: c.labels, receivers: c.receivers })),
    [{ labels: { alertname: "Watchdog", severity: "none" }, receivers: ["heartbeat"] }],
  );
  // Every configured alert is covered; a service-less one once per service that can raise it.
  for (const name of Object.keys(config.monitoring.alerts))
    assert.ok(
      cases.some((c) => c.labels.alertname === name),
      name,
    );
  assert.is(cases.filter((c) => c.labels.alertname === "ServiceDown").length, Object.keys(config.services).length);
});

test("a critical alert routed to chat in alertmanager.yml is a routes-test finding naming the case", () => {
  const broken = new Map(real);
  broken.set(CONFIG, real.get(CONFIG)!.replace("receiver: trading-pager", "receiver: trading-chat"));
  const findings = runAmtool(broken);
  assert.ok(findings.length >= 5, show(findings));
  assert.ok(findings.every((f) => f.engine === "amtool" && f.rule === "routes-test" && f.severity === "error"));
  const risk = findings.find((f) => f.message.includes("RiskEngineP99LatencyHigh"));
  assert.ok(risk, show(findings));
  assert.is(risk.file, "out/alertmanager/tests/routes.yaml");
  assert.match(
    risk.message,
    /should reach trading-pager, but out\/alertmanager\/alertmanager\.yml routes it to trading-chat/,
  );
});

test("a Watchdog case that expects the wrong receiver fails, so the cases are really verified", () => {
  const broken = new Map(real);
  broken.set(
    ROUTES,
    real.get(ROUTES)!.replace(/(alertname: Watchdog[\s\S]*?receivers:\n\s+- )heartbeat/, "$1trading-chat"),
  );
  assert.not.equal(broken.get(ROUTES), real.get(ROUTES));
  const findings = runAmtool(broken);
  assert.is(findings.length, 1, show(findings));
  assert.match(findings[0]!.message, /Watchdog/);
});

test("a configuration amtool cannot load is one check-config finding naming the file, not one per case", () => {
  const broken = new Map(real);
  broken.set(CONFIG, real.get(CONFIG)!.replace("routing_key_file:", "routing_key_fil:"));
  const findings = runAmtool(broken);
  assert.is(findings.length, 1, show(findings));
  assert.is(findings[0]!.rule, "check-config");
  assert.is(findings[0]!.file, "out/alertmanager/alertmanager.yml");
  assert.match(findings[0]!.message, /routing_key_fil/);
  assert.not.match(findings[0]!.message, /nautilus-amtool-/);
});

test("a route case file that is not a list of cases is a finding, not a crash", () => {
  const broken = new Map(real);
  broken.set(ROUTES, "cases: 3\n");
  const findings = runAmtool(broken);
  assert.is(findings.length, 1, show(findings));
  assert.match(findings[0]!.message, /cases/);
});

test("without amtool on the PATH the engine reports one error with the install command, not a pass", () => {
  const path = process.env.PATH;
  process.env.PATH = "/nonexistent";
  try {
    const findings = runAmtool(real);
    assert.is(findings.length, 1, show(findings));
    assert.is(findings[0]!.rule, "unavailable");
    assert.ok(findings[0]!.hint?.includes("apt-get install -y prometheus-alertmanager"));
  } finally {
    process.env.PATH = path;
  }
});

test("routing critical alerts to a chat receiver in the config is a config error naming the route", () => {
  const found = errors((c) => {
    c.monitoring.alerting.routes![0]!.receiver = "trading-chat";
  });
  assert.is(found.length, 1, found.join("\n"));
  assert.match(found[0]!, /^monitoring\.alerting\.routes\[0\]\.receiver: critical alerts RiskEngineP99LatencyHigh/);
  assert.match(found[0]!, /must reach a pager receiver/);
});

test("a warning that falls through to a PagerDuty default receiver is a config error naming defaultReceiver", () => {
  const found = errors((c) => {
    c.monitoring.alerting.routes = [c.monitoring.alerting.routes![0]!];
    c.monitoring.alerting.defaultReceiver = "trading-pager";
  });
  assert.is(found.length, 1, found.join("\n"));
  assert.match(found[0]!, /^monitoring\.alerting\.defaultReceiver: warning alerts MemoryPoolEfficiencyLow/);
});

test("receivers, alerts and services the routing names must exist; the heartbeat must go to a webhook", () => {
  const found = errors((c) => {
    const a = c.monitoring.alerting;
    a.routes!.push({ receiver: "ops-pager", services: ["risk-engin"] });
    a.inhibit![0]!.target.push("ServiceDwn");
    a.heartbeat.receiver = "trading-pager";
  });
  const text = found.join("\n");
  assert.match(text, /monitoring\.alerting\.routes\[2\]\.receiver: unknown receiver "ops-pager"/);
  assert.match(text, /monitoring\.alerting\.routes\[2\]\.services\[0\]: unknown service "risk-engin"/);
  assert.match(text, /monitoring\.alerting\.inhibit\[0\]\.target\[5\]: unknown alert "ServiceDwn"/);
  const heartbeat = errors((c) => {
    c.monitoring.alerting.heartbeat.receiver = "trading-pager";
  });
  assert.match(heartbeat.join("\n"), /heartbeat\.receiver: the heartbeat receiver trading-pager is a pagerduty/);
});

test("credentials are Secret references only: no inline key, no URL with user info", () => {
  const found = errors((c) => {
    const r = c.monitoring.alerting.receivers;
    (r["trading-pager"] as unknown as Record<string, unknown>).routingKey = "R0UT1NGKEY";
    r.heartbeat = { kind: "webhook", url: "https://user:secret@hooks.example.com/x" };
  });
  const text = found.join("\n");
  assert.match(text, /receivers\.trading-pager\.routingKey/);
  assert.match(text, /receivers\.heartbeat\.url: expected an https URL without user info/);
  // The generated config reads each credential from a file under the Secret mounts.
  assert.match(
    real.get(CONFIG)!,
    /routing_key_file: \/etc\/alertmanager\/secrets\/alertmanager-pagerduty\/routing-key/,
  );
  assert.match(real.get(CONFIG)!, /api_url_file: \/etc\/alertmanager\/secrets\/alertmanager-slack\/webhook-url/);
  assert.match(real.get(CONFIG)!, /credentials_file: \/etc\/alertmanager\/secrets\/alertmanager-heartbeat\/token/);
});

test("the heartbeat route comes first and repeats every minute; ServiceDown inhibits latency alerts", () => {
  const first = amConfig.route.routes[0]!;
  assert.equal(first.matchers, ['alertname="Watchdog"']);
  assert.is(first.receiver, "heartbeat");
  assert.is(first.repeat_interval, "1m");
  assert.is(amConfig.route.receiver, "trading-chat");
  assert.equal(amConfig.inhibit_rules, [
    {
      source_matchers: ['alertname="ServiceDown"'],
      target_matchers: [
        'alertname=~"RiskEngineP99LatencyHigh|IntegrationE2ELatencyHigh|PositionKeeperP99LatencyHigh|' +
          'OrderManagerP99LatencyHigh|HighErrorRate"',
      ],
      equal: ["service"],
    },
  ]);
});

const byKind = (objects: KubeObject[], kind: string) => objects.filter((o) => o.kind === kind);
const alertmanagerOf = (objects: KubeObject[]) =>
  objects.filter((o) => o.metadata.name.includes("alertmanager") || o.metadata.name.endsWith("-monitoring"));

test("standalone: a clustered StatefulSet whose peers and Prometheus' targets are every replica", () => {
  for (const replicas of [2, 3]) {
    const p = platform((c) => {
      c.monitoring.alerting.alertmanager.replicas = replicas;
    });
    const objects = alertmanagerOf(monitoringObjects(p));
    const [sts] = byKind(objects, "StatefulSet") as unknown as {
      spec: {
        replicas: number;
        serviceName: string;
        template: {
          spec: {
            priorityClassName: string;
            containers: { args: string[]; volumeMounts: { mountPath: string }[] }[];
            volumes: { secret?: { secretName: string } }[];
          };
        };
      };
    }[];
    assert.ok(sts);
    assert.is(sts.spec.replicas, replicas);
    const headless = objects.find(
      (o) => o.kind === "Service" && o.metadata.name === sts.spec.serviceName,
    ) as unknown as {
      spec: { clusterIP: string; publishNotReadyAddresses: boolean };
    };
    assert.is(headless.spec.clusterIP, "None");
    assert.is(headless.spec.publishNotReadyAddresses, true);
    const args = sts.spec.template.spec.containers[0]!.args;
    const peers = args.filter((a) => a.startsWith("--cluster.peer="));
    assert.is(peers.length, replicas);
    assert.match(
      peers[0]!,
      /^--cluster\.peer=nautilus-alertmanager-0\.nautilus-alertmanager-cluster\.nautilus-trading\.svc:9094$/,
    );
    const targets = (prometheusConfig(p).alerting as { alertmanagers: { static_configs: { targets: string[] }[] }[] })
      .alertmanagers[0]!.static_configs[0]!.targets;
    assert.equal(
      targets,
      peers.map((x) => x.replace("--cluster.peer=", "").replace(":9094", ":9093")),
    );
    // Every Secret the config reads is mounted where the config reads it.
    const mounts = sts.spec.template.spec.containers[0]!.volumeMounts.map((m) => m.mountPath);
    const secrets = sts.spec.template.spec.volumes.flatMap((v) => (v.secret ? [v.secret.secretName] : []));
    assert.equal(secrets, ["alertmanager-heartbeat", "alertmanager-pagerduty", "alertmanager-slack"]);
    for (const s of secrets) assert.ok(mounts.includes(`/etc/alertmanager/secrets/${s}`), s);
    assert.is(sts.spec.template.spec.priorityClassName, "nautilus-monitoring");
  }
});

test("standalone: PDB keeps all but one pod, PriorityClass sits above every tier and preempts nothing", () => {
  const p = platform();
  const objects = alertmanagerOf(monitoringObjects(p));
  const [pdb] = byKind(objects, "PodDisruptionBudget") as unknown as { spec: { maxUnavailable: number } }[];
  assert.is(pdb!.spec.maxUnavailable, 1);
  const [pc] = byKind(objects, "PriorityClass") as unknown as { value: number; preemptionPolicy: string }[];
  assert.ok(Object.values(p.tiers).every((t) => pc!.value > t.priority));
  assert.is(pc!.preemptionPolicy, "Never");
  // Its egress (receivers on 443) is an edge of the communication graph, generated with every other policy.
  assert.equal(byKind(objects, "NetworkPolicy"), []);
  assert.is(byKind(objects, "ServiceAccount").length, 1);
});

test("replicas outside 2..3 are refused by name", () => {
  const found = errors((c) => {
    c.monitoring.alerting.alertmanager.replicas = 1;
  });
  assert.match(found.join("\n"), /monitoring\.alerting\.alertmanager\.replicas: run at least 2 Alertmanager replicas/);
});

test("prometheus-operator mode: an Alertmanager whose whole configuration is the AlertmanagerConfig", async () => {
  const p = platform((c) => {
    c.monitoring.mode = "prometheus-operator";
  });
  const objects = monitoringObjects(p);
  assert.equal(byKind(objects, "StatefulSet"), []);
  const [am] = byKind(objects, "Alertmanager") as unknown as {
    spec: { replicas: number; alertmanagerConfiguration: { name: string }; priorityClassName: string };
  }[];
  const [amc] = byKind(objects, "AlertmanagerConfig") as unknown as {
    metadata: { name: string };
    spec: {
      route: { receiver: string; routes: { receiver: string; matchers: { name: string; value: string }[] }[] };
      receivers: { name: string; pagerdutyConfigs?: { routingKey: { name: string; key: string } }[] }[];
    };
  }[];
  assert.ok(am && amc);
  assert.is(am.spec.alertmanagerConfiguration.name, amc.metadata.name);
  assert.is(am.spec.replicas, 2);
  assert.is(byKind(objects, "PriorityClass")[0]?.metadata.name, am.spec.priorityClassName);
  assert.equal(amc.spec.route.routes[0]!.matchers, [{ name: "alertname", value: "Watchdog", matchType: "=" }]);
  assert.is(amc.spec.route.routes[1]!.receiver, "trading-pager");
  assert.equal(amc.spec.receivers[0]!.pagerdutyConfigs![0]!.routingKey, {
    name: "alertmanager-pagerduty",
    key: "routing-key",
  });
  // The schema engine judges both custom resources with prometheus-operator's schemas, strictly.
  const mine = [am, amc] as unknown as KubeObject[];
  assert.equal(await validateSchemas([{ environment: "prod", objects: mine }]), []);
  const typo = structuredClone(amc) as unknown as { spec: { route: Record<string, unknown> } };
  typo.spec.route.repeatIntervall = "1h";
  const found = await validateSchemas([{ environment: "prod", objects: [typo as unknown as KubeObject] }]);
  assert.ok(
    found.some((f) => f.rule === "unknown-field" && f.message.includes("repeatIntervall")),
    found.map((f) => f.message).join("\n"),
  );
  // The Watchdog is in the PrometheusRule the operator's Prometheus evaluates.
  const rule = objects.find((o) => o.kind === "PrometheusRule") as unknown as {
    spec: { groups: { rules: { alert?: string; expr: string }[] }[] };
  };
  const watchdog = rule.spec.groups.flatMap((g) => g.rules).find((r) => r.alert === "Watchdog");
  assert.is(watchdog?.expr, "vector(1)");
});

test.run();
