/**
 * Opsgenie and e-mail receivers: typed in the config with every credential a Secret reference, rendered for
 * Alertmanager in both modes, and proven by the real amtool: alertmanager.yml (standalone) directly, the
 * AlertmanagerConfig (prometheus-operator mode) after the operator's own translation (camelCase fields to
 * alertmanager.yml's snake_case, Secret keys to their values).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { observabilityFiles } from "../generators/observability-files.ts";
import { monitoringObjects } from "../generators/monitoring-stack.ts";
import { platformObjects } from "../generators/objects.ts";
import { runAmtool } from "../engines/amtool.ts";
import { validateSchemas } from "../engines/schema.ts";
import { parseYamlDocuments, yamlFile } from "../core/yaml.ts";
import type { KubeObject } from "../core/finding.ts";
import type { PlatformInput } from "../schemas/platform.ts";
import { changedConfigErrors, changedPlatform } from "./support/config.ts";

type Doc = Record<string, unknown>;
type Receivers = PlatformInput["monitoring"]["alerting"]["receivers"];

/** The real config with an Opsgenie pager in place of PagerDuty and warnings going to a team mailbox. */
function withOpsgenieAndEmail(c: PlatformInput, smtp: Doc = {}): void {
  const a = c.monitoring.alerting;
  const receivers: Receivers = {
    ...a.receivers,
    "trading-pager": {
      kind: "opsgenie",
      apiKey: { secret: "alertmanager-opsgenie", key: "api-key" },
      apiUrl: "https://api.eu.opsgenie.com/",
      priority: "P1",
      teams: ["trading-support"],
    },
    "trading-mail": {
      kind: "email",
      to: ["trading-oncall@nautilus.io", "risk@nautilus.io"],
      from: "alertmanager@nautilus.io",
      smtp: {
        host: "smtp.nautilus.io",
        username: "alertmanager",
        password: { secret: "alertmanager-smtp", key: "password" },
        ...smtp,
      },
    },
  };
  a.receivers = receivers;
  a.defaultReceiver = "trading-mail";
  a.routes = [
    { receiver: "trading-pager", severity: "critical" },
    { receiver: "trading-mail", severity: "warning" },
  ];
}

const standalone = changedPlatform((c) => withOpsgenieAndEmail(c));
const files = observabilityFiles(standalone);
const config = parseYamlDocuments(files.get("alertmanager/alertmanager.yml")!)[0] as {
  receivers: Doc[];
};
const receiverNamed = (name: string) => config.receivers.find((r) => r.name === name) as Doc;

test("Opsgenie and e-mail receivers pass amtool check-config and every route case, credentials read from files", () => {
  const findings = runAmtool(files);
  assert.equal(findings, [], findings.map((f) => f.message).join("\n"));
  assert.equal(receiverNamed("trading-pager").opsgenie_configs, [
    {
      api_key_file: "/etc/alertmanager/secrets/alertmanager-opsgenie/api-key",
      api_url: "https://api.eu.opsgenie.com/",
      description: "{{ range .Alerts }}{{ .Annotations.summary }} {{ .Annotations.runbook_url }}\n{{ end }}",
      message: "{{ .Status | toUpper }}: {{ .CommonLabels.alertname }} {{ .CommonLabels.service }}",
      priority: "P1",
      responders: [{ name: "trading-support", type: "team" }],
      send_resolved: true,
    },
  ]);
  const [mail] = receiverNamed("trading-mail").email_configs as Doc[];
  assert.equal(
    {
      to: mail!.to,
      smarthost: mail!.smarthost,
      require_tls: mail!.require_tls,
      auth_username: mail!.auth_username,
      auth_password_file: mail!.auth_password_file,
    },
    {
      to: "trading-oncall@nautilus.io, risk@nautilus.io",
      smarthost: "smtp.nautilus.io:587",
      require_tls: true,
      auth_username: "alertmanager",
      auth_password_file: "/etc/alertmanager/secrets/alertmanager-smtp/password",
    },
  );
  // Every critical alert reaches Opsgenie, every warning the mailbox.
  const cases = (parseYamlDocuments(files.get("alertmanager/tests/routes.yaml")!)[0] as { cases: Doc[] }).cases as {
    labels: Record<string, string>;
    receivers: string[];
  }[];
  for (const c of cases.filter((x) => x.labels.severity === "critical")) assert.equal(c.receivers, ["trading-pager"]);
  for (const c of cases.filter((x) => x.labels.severity === "warning")) assert.equal(c.receivers, ["trading-mail"]);
});

test("standalone: the pods mount the Opsgenie and SMTP Secrets, and may reach the SMTP port", () => {
  const objects = monitoringObjects(standalone);
  const sts = objects.find((o) => o.kind === "StatefulSet" && o.metadata.name.includes("alertmanager")) as unknown as {
    spec: { template: { spec: { volumes: { secret?: { secretName: string } }[] } } };
  };
  const secrets = sts.spec.template.spec.volumes.flatMap((v) => (v.secret ? [v.secret.secretName] : []));
  assert.equal(secrets, ["alertmanager-heartbeat", "alertmanager-opsgenie", "alertmanager-slack", "alertmanager-smtp"]);
  // The receivers' addresses (network.alertmanagerReaches) on HTTPS and on the mail server's SMTP port.
  const externalPorts = (p: typeof standalone) => {
    const egress = platformObjects(p).find(
      (o) => o.kind === "NetworkPolicy" && o.metadata.name.endsWith("alertmanager-egress"),
    );
    const rules = (
      egress as unknown as { spec: { egress: { to: { ipBlock?: unknown }[]; ports: { port: number }[] }[] } }
    ).spec.egress;
    return rules
      .filter((r) => r.to.some((t) => t.ipBlock))
      .flatMap((r) => r.ports.map((x) => x.port))
      .sort((a, b) => a - b);
  };
  assert.equal(externalPorts(standalone), [443, 587]);
  assert.equal(externalPorts(changedPlatform((c) => withOpsgenieAndEmail(c, { port: 465 }))), [443, 465]);
});

/** prometheus-operator's translation of AlertmanagerConfig fields into alertmanager.yml's names. */
const OPERATOR_NAMES: Record<string, string> = {
  apiURL: "api_url",
  requireTLS: "require_tls",
  sourceMatch: "source_matchers",
  targetMatch: "target_matchers",
};
const snake = (k: string) => OPERATOR_NAMES[k] ?? k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const isSecretRef = (v: unknown): boolean =>
  typeof v === "object" && v !== null && Object.keys(v).sort().join() === "key,name";
const isMatcher = (v: unknown): v is { name: string; value: string; matchType?: string } =>
  typeof v === "object" && v !== null && "name" in v && "value" in v && Object.keys(v).length <= 3;

/**
 * An AlertmanagerConfig's spec as the operator renders it for Alertmanager: snake_case names, matcher objects as
 * matcher strings, each Secret key as its value (a placeholder here; a URL where Alertmanager wants one).
 */
function asAlertmanagerYaml(value: unknown, key = ""): unknown {
  if (isSecretRef(value)) return key === "apiURL" ? "https://secret.invalid/" : "secret-value";
  if (Array.isArray(value)) {
    if (["matchers", "sourceMatch", "targetMatch"].includes(key) && value.every(isMatcher))
      return value.map((m) => `${m.name}${m.matchType ?? "="}${JSON.stringify(m.value)}`);
    return value.map((v) => asAlertmanagerYaml(v, key));
  }
  if (typeof value === "object" && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [snake(k), asAlertmanagerYaml(v, k)]));
  return value;
}

function amtoolCheck(doc: unknown): { ok: boolean; output: string } {
  const dir = mkdtempSync(join(tmpdir(), "nautilus-receivers-"));
  try {
    const path = join(dir, "alertmanager.yml");
    writeFileSync(path, yamlFile([doc]));
    const r = spawnSync("amtool", ["check-config", path], { encoding: "utf8" });
    return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("operator mode: the AlertmanagerConfig Opsgenie and e-mail receivers pass amtool as rendered", async () => {
  const operator = changedPlatform((c) => {
    withOpsgenieAndEmail(c);
    c.monitoring.mode = "prometheus-operator";
  });
  const objects = monitoringObjects(operator);
  const amc = objects.find((o) => o.kind === "AlertmanagerConfig") as unknown as { spec: Doc };
  const receivers = amc.spec.receivers as Doc[];
  const pager = receivers.find((r) => r.name === "trading-pager")!;
  assert.equal(pager.opsgenieConfigs, [
    {
      apiKey: { name: "alertmanager-opsgenie", key: "api-key" },
      apiURL: "https://api.eu.opsgenie.com/",
      priority: "P1",
      responders: [{ name: "trading-support", type: "team" }],
      sendResolved: true,
    },
  ]);
  const mail = (receivers.find((r) => r.name === "trading-mail")!.emailConfigs as Doc[])[0]!;
  assert.equal(mail.authPassword, { name: "alertmanager-smtp", key: "password" });
  // The custom resources are valid by prometheus-operator's own schemas, strictly.
  const mine = objects.filter((o) => o.kind === "AlertmanagerConfig" || o.kind === "Alertmanager") as KubeObject[];
  assert.equal(await validateSchemas([{ environment: "prod", objects: mine }]), []);
  // And what the operator hands Alertmanager loads.
  const rendered = asAlertmanagerYaml(amc.spec);
  const checked = amtoolCheck(rendered);
  assert.ok(checked.ok, checked.output);
  // The proof can fail: without its smarthost an e-mail receiver does not load.
  const broken = structuredClone(rendered) as { receivers: { email_configs?: Doc[] }[] };
  for (const r of broken.receivers) for (const e of r.email_configs ?? []) delete e.smarthost;
  const refused = amtoolCheck(broken);
  assert.not.ok(refused.ok);
  assert.match(refused.output, /smarthost/);
});

test("credentials stay Secret references; SMTP login is both or neither; addresses are checked", () => {
  const found = changedConfigErrors((c) => {
    withOpsgenieAndEmail(c);
    const r = c.monitoring.alerting.receivers as unknown as Record<string, Record<string, unknown>>;
    r["trading-pager"]!.apiKey = "0123-inline-key";
    const mail = r["trading-mail"]!;
    mail.to = ["not-an-address"];
    (mail.smtp as Doc).password = undefined;
  }).join("\n");
  assert.match(found, /receivers\.trading-pager\.apiKey/);
  assert.match(found, /receivers\.trading-mail\.to\[0\]: expected an e-mail address like "oncall@example\.com"/);
  assert.match(found, /receivers\.trading-mail\.smtp\.password: give both username and password, or neither/);
});

test("critical alerts routed to e-mail are a config error: a mailbox is not a pager", () => {
  const found = changedConfigErrors((c) => {
    withOpsgenieAndEmail(c);
    c.monitoring.alerting.routes![0]!.receiver = "trading-mail";
  }).join("\n");
  assert.match(
    found,
    new RegExp(
      "routes\\[0\\]\\.receiver: critical alerts .* reach trading-mail, an email receiver; " +
        "critical alerts must reach a pager receiver \\(pagerduty or opsgenie\\)",
    ),
  );
});

test.run();
