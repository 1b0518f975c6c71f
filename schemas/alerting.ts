/**
 * `monitoring.alerting`: where alerts go. Receivers (PagerDuty, Opsgenie, Slack, e-mail, webhooks) with every
 * credential read from a key of a Secret the Alertmanager pods mount (never written in the config or in out/),
 * routes by severity, service and alert name, grouping and repeat intervals, inhibition, and the
 * dead-man's switch: an always-firing alert that must reach its own receiver, so silence means the alert
 * path is broken. The routing is resolved here once (`resolveReceiver`, Alertmanager's first-match rule) and
 * held to its intent: a critical alert reaches a pager, a warning a chat channel, the heartbeat its receiver.
 */
import { z } from "zod";
import { pinnedImage } from "./image-reference.ts";
import { bytes, cpu, duration, FLOOR } from "./units.ts";

/** A Secret's name (DNS subdomain) and one of its keys (the file name it becomes when mounted). */
const secretRef = z
  .strictObject({
    secret: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, {
        error: (iss) =>
          `a Secret name is a lower-case DNS name like "alertmanager-pagerduty", got ${String(iss.input)}`,
      })
      .max(253)
      .describe("Name of a Secret in the platform namespace; created outside this tool (it holds a credential)."),
    key: z
      .string()
      .regex(/^[-._a-zA-Z0-9]+$/, { error: "a Secret key is made of letters, digits, '-', '_' and '.'" })
      .describe("The key of the Secret holding the credential; Alertmanager reads it as a file."),
  })
  .describe("A credential by Secret reference: the Alertmanager pods mount the Secret and read the key as a file.");

/** An https URL without user info: a URL carrying a password would be a credential written inline. */
const HTTPS_URL = /^https:\/\/[^\s/?#@]+(?:[/?#]\S*)?$/;

const pagerduty = z
  .strictObject({
    kind: z.literal("pagerduty").describe("PagerDuty Events API v2: pages the on-call person."),
    routingKey: secretRef.describe("The integration's routing key (Alertmanager `routing_key_file`)."),
  })
  .describe("A PagerDuty service: a pager receiver.");
const slack = z
  .strictObject({
    kind: z.literal("slack").describe("A Slack channel: a chat receiver."),
    apiUrl: secretRef.describe("The incoming-webhook URL, a credential (Alertmanager `api_url_file`)."),
    channel: z
      .string()
      .regex(/^[#@][^\s]+$/, { error: 'a Slack channel like "#trading-alerts"' })
      .describe('The channel, like "#trading-alerts".'),
  })
  .describe("A Slack channel: a chat receiver.");
const webhook = z
  .strictObject({
    kind: z.literal("webhook").describe("An HTTP POST of the alert group (a heartbeat service, a ticket system)."),
    url: z
      .string()
      .regex(HTTPS_URL, {
        error: (iss) =>
          `expected an https URL without user info (credentials go in \`token\`), got ${JSON.stringify(iss.input)}`,
      })
      .refine((s) => URL.canParse(s), { error: "expected an https URL" })
      .describe(
        "Where alerts are posted. Alertmanager 0.25 cannot read a webhook URL from a file, so the URL is no " +
          "secret: put the credential in `token`.",
      ),
    token: secretRef
      .optional()
      .describe("A bearer token sent with each request (Alertmanager `authorization.credentials_file`)."),
  })
  .describe("A webhook receiver.");

const opsgenie = z
  .strictObject({
    kind: z.literal("opsgenie").describe("Opsgenie Alert API: pages the on-call person."),
    apiKey: secretRef.describe("The API integration's key (Alertmanager `api_key_file`)."),
    apiUrl: z
      .string()
      .regex(HTTPS_URL, { error: (iss) => `expected an https URL without user info, got ${JSON.stringify(iss.input)}` })
      .refine((s) => URL.canParse(s), { error: "expected an https URL" })
      .optional()
      .describe(
        'The Opsgenie API, for an EU account "https://api.eu.opsgenie.com/"; Alertmanager\'s default if left out.',
      ),
    priority: z
      .enum(["P1", "P2", "P3", "P4", "P5"])
      .optional()
      .describe("The Opsgenie priority of the alerts (P1 highest); Opsgenie's default (P3) if left out."),
    teams: z
      .array(z.string().min(1).describe("An Opsgenie team name."))
      .min(1)
      .optional()
      .describe("Opsgenie teams the alert is assigned to (responders of type team)."),
  })
  .describe("An Opsgenie integration: a pager receiver.");

/** An e-mail address as SMTP takes it: one address, no display name (Alertmanager's `to` is a comma list). */
const EMAIL = /^[^\s@,<>"]+@[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?(\.[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?)+$/;
const emailAddress = z.string().regex(EMAIL, {
  error: (iss) => `expected an e-mail address like "oncall@example.com", got ${JSON.stringify(iss.input)}`,
});
const HOSTNAME = /^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?(\.[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?)*$/;

const smtp = z
  .strictObject({
    host: z
      .string()
      .regex(HOSTNAME, {
        error: (iss) => `expected a host name like "smtp.example.com", got ${JSON.stringify(iss.input)}`,
      })
      .describe("The SMTP server (Alertmanager `smarthost` host)."),
    port: z
      .number()
      .int()
      .min(1)
      .max(65535)
      .default(587)
      .describe("The SMTP port: 587 (submission with STARTTLS) by default, 465 for implicit TLS."),
    requireTls: z
      .boolean()
      .default(true)
      .describe("Refuse to send unless the server offers STARTTLS (Alertmanager `require_tls`)."),
    username: z.string().min(1).optional().describe("The SMTP login (Alertmanager `auth_username`)."),
    password: secretRef.optional().describe("The SMTP password (Alertmanager `auth_password_file`)."),
  })
  .refine((s) => (s.username === undefined) === (s.password === undefined), {
    error: "give both username and password, or neither (a server without authentication)",
    path: ["password"],
  })
  .describe("How Alertmanager reaches the mail server.");

const email = z
  .strictObject({
    kind: z.literal("email").describe("E-mail to a team's mailbox or list: a chat-like, non-paging receiver."),
    to: z.array(emailAddress.describe("A recipient.")).min(1).describe("Recipients."),
    from: emailAddress.describe("The sender address the mail server accepts for Alertmanager."),
    smtp: smtp.describe("The SMTP server, port, TLS and login."),
  })
  .describe("An e-mail receiver.");

const receiver = z
  .discriminatedUnion("kind", [pagerduty, opsgenie, slack, email, webhook])
  .describe("A receiver: PagerDuty or Opsgenie (a pager), Slack or e-mail (a chat channel) or a webhook.");
export type Receiver = z.output<typeof receiver>;
export type SecretRef = z.output<typeof secretRef>;

/** What a receiver is for, by kind: the routing intent is checked against it. */
export const RECEIVER_CLASS = {
  pagerduty: "pager",
  opsgenie: "pager",
  slack: "chat",
  email: "chat",
  webhook: "webhook",
} as const;

/** The receiver kinds of a class, for messages: "pagerduty or opsgenie". */
export const kindsOf = (cls: (typeof RECEIVER_CLASS)[keyof typeof RECEIVER_CLASS]) =>
  Object.entries(RECEIVER_CLASS)
    .filter(([, c]) => c === cls)
    .map(([k]) => k)
    .join(" or ");

export const ROUTED_SEVERITIES = ["critical", "warning", "none"] as const;
export type RoutedSeverity = (typeof ROUTED_SEVERITIES)[number];

const IDENT = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const receiverName = z
  .string()
  .regex(/^[a-z][a-z0-9-]*$/, { error: (iss) => `receiver names are kebab-case, got ${JSON.stringify(iss.input)}` });
const alertNameRef = z.string().regex(/^[A-Z][A-Za-z0-9]*$/, { error: "alert names are UpperCamelCase" });
/** Repeat and group intervals: Alertmanager refuses zero. */
const interval = () => duration(FLOOR.prometheus);

const timing = {
  groupWait: interval().optional().describe("How long the first alert of a new group waits for others to join."),
  groupInterval: interval().optional().describe("How long a group waits before notifying about new alerts in it."),
  repeatInterval: interval().optional().describe("How long before a still-firing group is notified again."),
};

const route = z
  .strictObject({
    receiver: z.string().describe("A key of `receivers`."),
    severity: z.enum(ROUTED_SEVERITIES).optional().describe("Only alerts with this `severity` label."),
    services: z
      .array(z.string().describe("A key of `services`."))
      .min(1)
      .optional()
      .describe("Only alerts whose `service` label is one of these."),
    alerts: z
      .array(alertNameRef.describe("An alert name."))
      .min(1)
      .optional()
      .describe("Only these alerts (by `alertname`)."),
    ...timing,
  })
  .describe("A route: alerts matching every condition given go to `receiver`; the first matching route wins.");
export type Route = z.output<typeof route>;

const inhibition = z
  .strictObject({
    source: z
      .array(alertNameRef.describe("An alert name."))
      .min(1)
      .describe("Alerts that, while firing, silence the targets."),
    target: z.array(alertNameRef.describe("An alert name.")).min(1).describe("Alerts silenced."),
    equal: z
      .array(z.string().regex(IDENT).describe("A label name."))
      .min(1)
      .default(["service"])
      .describe("Labels source and target must share: by default the same service."),
  })
  .describe("An inhibition: a service that is down does not also page for its latency.");

export const alertingSchema = z
  .strictObject({
    alertmanager: z
      .strictObject({
        image: pinnedImage().describe("Alertmanager image pinned by tag or digest (0.25 or later)."),
        cpu: cpu(FLOOR.container).describe('CPU request ("100m").'),
        memory: bytes(FLOOR.container).describe('Memory request and limit ("128Mi").'),
        replicas: z
          .number()
          .int()
          .min(2, { error: "run at least 2 Alertmanager replicas: one pod restarting must not drop notifications" })
          .max(3)
          .default(2)
          .describe("Replicas forming one Alertmanager cluster (2 or 3); Prometheus sends every alert to each."),
      })
      .describe("The Alertmanager workload (standalone mode): a StatefulSet whose pods form one cluster."),
    receivers: z
      .record(receiverName, receiver)
      .refine((r) => Object.keys(r).length > 0, { error: "declare at least one receiver" })
      .describe("Receivers by name (kebab-case)."),
    defaultReceiver: z.string().describe("A key of `receivers`: where an alert no route matches goes."),
    groupBy: z
      .array(z.string().regex(IDENT).describe("A label name."))
      .default(["alertname", "service"])
      .describe("Labels that split alerts into notification groups."),
    groupWait: interval().prefault("30s").describe("Default of the routes' `groupWait`."),
    groupInterval: interval().prefault("5m").describe("Default of the routes' `groupInterval`."),
    repeatInterval: interval().prefault("4h").describe("Default of the routes' `repeatInterval`."),
    routes: z.array(route).default([]).describe("Routes, in order: the first that matches an alert wins."),
    inhibit: z.array(inhibition).default([]).describe("Inhibitions: alerts that silence others while they fire."),
    heartbeat: z
      .strictObject({
        alert: alertNameRef.default("Watchdog").describe("Name of the always-firing alert."),
        receiver: z.string().describe("A key of `receivers`, a webhook: a dead-man's-switch service."),
        repeatInterval: interval()
          .prefault("1m")
          .describe("How often the heartbeat is sent; the dead-man's-switch service alarms when it stops."),
        summary: z.string().min(1).describe("The alert's summary annotation."),
      })
      .describe("The dead-man's switch: an always-firing alert (severity `none`) routed only to its receiver."),
  })
  .describe("Alert routing: receivers, routes, grouping, inhibitions, the dead-man's switch and Alertmanager.");

export type Alerting = z.output<typeof alertingSchema>;

/** Labels Alertmanager routes on: the alert's name, severity and service. */
export interface RouteLabels {
  alertname: string;
  severity: RoutedSeverity;
  service?: string;
}

export function routeMatches(r: Route, labels: RouteLabels): boolean {
  return (
    (r.severity === undefined || r.severity === labels.severity) &&
    (r.services === undefined || (labels.service !== undefined && r.services.includes(labels.service))) &&
    (r.alerts === undefined || r.alerts.includes(labels.alertname))
  );
}

/**
 * The receiver an alert reaches, as Alertmanager decides it: the heartbeat's own route first, then the first
 * matching route (none continues), else the default receiver.
 */
export function resolveReceiver(a: Alerting, labels: RouteLabels): { receiver: string; route?: number } {
  if (labels.alertname === a.heartbeat.alert) return { receiver: a.heartbeat.receiver };
  const i = a.routes.findIndex((r) => routeMatches(r, labels));
  return i >= 0 ? { receiver: a.routes[i]!.receiver, route: i } : { receiver: a.defaultReceiver };
}

/** The receiver class each severity must reach: critical pages, warnings go to chat. */
export const SEVERITY_CLASS: Record<
  Exclude<RoutedSeverity, "none">,
  (typeof RECEIVER_CLASS)[keyof typeof RECEIVER_CLASS]
> = { critical: "pager", warning: "chat" };

/** "a pagerduty receiver", "an email receiver" */
const article = (kind: string) => `${/^[aeiou]/.test(kind) ? "an" : "a"} ${kind} receiver`;

/**
 * The meta-monitoring alerts (model/meta-monitoring.ts) and their severities: alerts on Prometheus, Alertmanager,
 * the custom metrics API and Jaeger, with no `service` label. They are routed like the configured alerts, so the
 * same intent holds: critical ones page, warnings go to chat.
 */
export const META_ALERTS = {
  PrometheusRuleFailures: "critical",
  PrometheusErrorSendingAlerts: "critical",
  PrometheusNotificationsDropped: "warning",
  PrometheusAlertmanagersMissing: "warning",
  PrometheusConfigReloadFailed: "critical",
  PrometheusTSDBCompactionsFailing: "warning",
  PrometheusTSDBHeadTruncationsFailing: "warning",
  PrometheusTSDBReloadsFailing: "warning",
  AlertmanagerFailedToSendAlerts: "critical",
  AlertmanagerClusterMembersMismatch: "warning",
  AlertmanagerConfigReloadFailed: "critical",
  CustomMetricsAPIUnavailable: "critical",
  JaegerDown: "warning",
  JaegerSpansDropped: "warning",
  KubeStateMetricsDown: "warning",
} as const satisfies Record<string, "critical" | "warning">;
export type MetaAlertName = keyof typeof META_ALERTS;

type Issue = { path: (string | number)[]; message: string };

/**
 * Cross-references and routing intent. `alerts` are the configured alerts (name, severity, service); paths are
 * relative to `monitoring.alerting`.
 */
export function alertingIssues(
  a: Alerting,
  alerts: { name: string; severity: "critical" | "warning"; service?: string | undefined }[],
  services: string[],
): Issue[] {
  const issues: Issue[] = [];
  const receivers = Object.keys(a.receivers);
  const known = (name: string, path: (string | number)[]) => {
    if (!(name in a.receivers))
      issues.push({ path, message: `unknown receiver ${JSON.stringify(name)}; declared: ${receivers.join(", ")}` });
  };
  known(a.defaultReceiver, ["defaultReceiver"]);
  known(a.heartbeat.receiver, ["heartbeat", "receiver"]);
  const alertNames = new Set([...alerts.map((x) => x.name), ...Object.keys(META_ALERTS), a.heartbeat.alert]);
  const knownAlert = (name: string, path: (string | number)[]) => {
    if (!alertNames.has(name))
      issues.push({
        path,
        message: `unknown alert ${JSON.stringify(name)}; declared: ${[...alertNames].join(", ")}`,
      });
  };
  if (alerts.some((x) => x.name === a.heartbeat.alert))
    issues.push({
      path: ["heartbeat", "alert"],
      message: `${a.heartbeat.alert} is also a key of monitoring.alerts; the heartbeat needs a name of its own`,
    });
  a.routes.forEach((r, i) => {
    known(r.receiver, ["routes", i, "receiver"]);
    r.services?.forEach((s, j) => {
      if (!services.includes(s))
        issues.push({
          path: ["routes", i, "services", j],
          message: `unknown service ${JSON.stringify(s)}; declared: ${services.join(", ")}`,
        });
    });
    r.alerts?.forEach((n, j) => {
      knownAlert(n, ["routes", i, "alerts", j]);
    });
  });
  a.inhibit.forEach((inh, i) => {
    for (const side of ["source", "target"] as const)
      inh[side].forEach((n, j) => {
        knownAlert(n, ["inhibit", i, side, j]);
      });
    const both = inh.source.filter((n) => inh.target.includes(n));
    if (both.length > 0)
      issues.push({
        path: ["inhibit", i, "target"],
        message: `${both.join(", ")} would inhibit itself: an alert is either a source or a target`,
      });
  });
  if (issues.length > 0) return issues;
  const hb = a.receivers[a.heartbeat.receiver]!;
  if (hb.kind !== "webhook")
    issues.push({
      path: ["heartbeat", "receiver"],
      message:
        `the heartbeat receiver ${a.heartbeat.receiver} is ${article(hb.kind)}: an always-firing alert there ` +
        `would page or post every ${a.heartbeat.repeatInterval}s; use a webhook to a dead-man's-switch service`,
    });
  // One issue per route (or the default) that sends alerts to the wrong kind of receiver, naming them all.
  const wrong = new Map<string, { path: (string | number)[]; receiver: string; severity: string; names: string[] }>();
  const meta = Object.entries(META_ALERTS).map(([name, severity]) => ({
    name,
    severity,
    service: undefined,
    meta: true,
  }));
  for (const alert of [...alerts, ...meta]) {
    const want = SEVERITY_CLASS[alert.severity];
    const labels = {
      alertname: alert.name,
      severity: alert.severity,
      ...(alert.service ? { service: alert.service } : {}),
    };
    // A service-less alert is routed per service at run time (ServiceDown takes it from the job): try each.
    const cases =
      alert.service !== undefined || "meta" in alert ? [labels] : services.map((service) => ({ ...labels, service }));
    for (const l of cases) {
      const got = resolveReceiver(a, l);
      const kind = a.receivers[got.receiver]!.kind;
      if (RECEIVER_CLASS[kind] === want) continue;
      const path = got.route !== undefined ? ["routes", got.route, "receiver"] : ["defaultReceiver"];
      const key = `${path.join(".")}/${alert.severity}`;
      const entry = wrong.get(key) ?? { path, receiver: got.receiver, severity: alert.severity, names: [] };
      entry.names.push(`${alert.name}${l.service ? ` (service ${l.service})` : ""}`);
      wrong.set(key, entry);
      break;
    }
  }
  for (const w of wrong.values()) {
    const want = SEVERITY_CLASS[w.severity as "critical" | "warning"];
    issues.push({
      path: w.path,
      message:
        `${w.severity} alerts ${w.names.join(", ")} reach ${w.receiver}, ${article(a.receivers[w.receiver]!.kind)}; ` +
        `${w.severity} alerts must reach a ${want} receiver (${kindsOf(want)})`,
    });
  }
  return issues;
}
