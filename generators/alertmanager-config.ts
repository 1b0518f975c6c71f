/**
 * alertmanager.yml from `monitoring.alerting`, and the route cases amtool runs on it. Every credential is a
 * `*_file` path into the Secrets the Alertmanager pods mount (SECRETS_DIR/<secret>/<key>), so neither the config
 * nor out/ ever holds one. Routes are Alertmanager's first-match list: the heartbeat first, then the configured
 * routes in order, none continuing, so an alert reaches exactly one receiver. Pure.
 */
import type { Platform } from "../schemas/platform.ts";
import type { Receiver, Route, SecretRef } from "../schemas/alerting.ts";
import { formatDuration } from "../schemas/units.ts";
import { alertRouteCases } from "../model/monitoring.ts";
import { GENERATED_HEADER } from "../core/conventions.ts";

/** Where the pods mount each referenced Secret: one folder per Secret, one file per key. */
export const SECRETS_DIR = "/etc/alertmanager/secrets";

export const secretFile = (ref: SecretRef) => `${SECRETS_DIR}/${ref.secret}/${ref.key}`;

/** Every Secret the receivers read, sorted: what the pods mount. */
export function alertmanagerSecrets(platform: Platform): string[] {
  const refs = Object.values(platform.monitoring.alerting.receivers).flatMap(receiverSecrets);
  return [...new Set(refs.map((r) => r.secret))].sort();
}

/** The credentials one receiver reads. */
export function receiverSecrets(r: Receiver): SecretRef[] {
  switch (r.kind) {
    case "pagerduty":
      return [r.routingKey];
    case "opsgenie":
      return [r.apiKey];
    case "slack":
      return [r.apiUrl];
    case "email":
      return r.smtp.password ? [r.smtp.password] : [];
    case "webhook":
      return r.token ? [r.token] : [];
  }
}

/** The summary and runbook of each alert of a notification: what a person reads in chat or mail. */
const ALERT_LINES = "{{ range .Alerts }}{{ .Annotations.summary }} {{ .Annotations.runbook_url }}\n{{ end }}";
const TITLE = "{{ .Status | toUpper }}: {{ .CommonLabels.alertname }} {{ .CommonLabels.service }}";

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const oneOf = (label: string, values: readonly string[]) =>
  values.length === 1 ? `${label}="${values[0]}"` : `${label}=~"${values.map(escapeRegex).join("|")}"`;

function receiverConfig(name: string, r: Receiver): Record<string, unknown> {
  if (r.kind === "pagerduty")
    return { name, pagerduty_configs: [{ routing_key_file: secretFile(r.routingKey), send_resolved: true }] };
  if (r.kind === "opsgenie")
    return {
      name,
      opsgenie_configs: [
        {
          api_key_file: secretFile(r.apiKey),
          ...(r.apiUrl !== undefined ? { api_url: r.apiUrl } : {}),
          ...(r.priority !== undefined ? { priority: r.priority } : {}),
          ...(r.teams !== undefined ? { responders: r.teams.map((team) => ({ name: team, type: "team" })) } : {}),
          message: TITLE,
          description: ALERT_LINES,
          send_resolved: true,
        },
      ],
    };
  if (r.kind === "slack")
    return {
      name,
      slack_configs: [
        {
          api_url_file: secretFile(r.apiUrl),
          channel: r.channel,
          send_resolved: true,
          title: TITLE,
          text: ALERT_LINES,
        },
      ],
    };
  if (r.kind === "email")
    return {
      name,
      email_configs: [
        {
          to: r.to.join(", "),
          from: r.from,
          smarthost: `${r.smtp.host}:${r.smtp.port}`,
          require_tls: r.smtp.requireTls,
          ...(r.smtp.username !== undefined ? { auth_username: r.smtp.username } : {}),
          ...(r.smtp.password !== undefined ? { auth_password_file: secretFile(r.smtp.password) } : {}),
          headers: { Subject: TITLE },
          send_resolved: true,
        },
      ],
    };
  return {
    name,
    webhook_configs: [
      {
        url: r.url,
        send_resolved: false,
        ...(r.token ? { http_config: { authorization: { credentials_file: secretFile(r.token) } } } : {}),
      },
    ],
  };
}

const timing = (r: Pick<Route, "groupWait" | "groupInterval" | "repeatInterval">) => ({
  ...(r.groupWait !== undefined ? { group_wait: formatDuration(r.groupWait) } : {}),
  ...(r.groupInterval !== undefined ? { group_interval: formatDuration(r.groupInterval) } : {}),
  ...(r.repeatInterval !== undefined ? { repeat_interval: formatDuration(r.repeatInterval) } : {}),
});

export function alertmanagerConfig(platform: Platform): Record<string, unknown> {
  const a = platform.monitoring.alerting;
  const hb = a.heartbeat;
  const routes = a.routes.map((r) => ({
    receiver: r.receiver,
    matchers: [
      ...(r.severity !== undefined ? [`severity="${r.severity}"`] : []),
      ...(r.services !== undefined ? [oneOf("service", r.services)] : []),
      ...(r.alerts !== undefined ? [oneOf("alertname", r.alerts)] : []),
    ],
    ...timing(r),
  }));
  return {
    route: {
      receiver: a.defaultReceiver,
      group_by: a.groupBy,
      group_wait: formatDuration(a.groupWait),
      group_interval: formatDuration(a.groupInterval),
      repeat_interval: formatDuration(a.repeatInterval),
      routes: [
        {
          // Sent at once and then every repeatInterval: the dead-man's-switch service alarms when it stops.
          receiver: hb.receiver,
          matchers: [`alertname="${hb.alert}"`],
          group_by: ["alertname"],
          group_wait: "0s",
          group_interval: formatDuration(hb.repeatInterval),
          repeat_interval: formatDuration(hb.repeatInterval),
        },
        ...routes,
      ],
    },
    inhibit_rules: a.inhibit.map((i) => ({
      source_matchers: [oneOf("alertname", i.source)],
      target_matchers: [oneOf("alertname", i.target)],
      equal: i.equal,
    })),
    receivers: Object.entries(a.receivers).map(([name, r]) => receiverConfig(name, r)),
  };
}

/** The route cases file of out/alertmanager/tests/: each case's labels and the receivers it must reach. */
export function alertmanagerRouteTests(platform: Platform): Record<string, unknown> {
  return {
    cases: alertRouteCases(platform).map((c) => ({
      name:
        `${c.alert} (${c.labels.severity}${c.labels.service ? `, ${c.labels.service}` : ""}) reaches ` +
        `${c.receivers.join(", ")}, a ${c.purpose} receiver`,
      labels: { ...c.labels },
      receivers: c.receivers,
    })),
  };
}

/** The header of the route cases file (after `# `): how to run one case by hand. */
export const ROUTE_TESTS_HEADER =
  `${GENERATED_HEADER}\n` +
  "# Each case is one `amtool config routes test` (`check` verifies every case, in one amtool run per group of\n" +
  "# cases the routes and inhibit rules treat alike), for example:\n" +
  "#   amtool config routes test --config.file=out/alertmanager/alertmanager.yml \\\n" +
  "#     --verify.receivers=<receivers, comma-separated> alertname=<..> severity=<..> service=<..>";
