/**
 * `prometheus-operator` mode: an `Alertmanager` (the operator runs it as a clustered StatefulSet) whose whole
 * configuration is our `AlertmanagerConfig`, named by `spec.alertmanagerConfiguration`: used that way the operator
 * adds no `namespace` matcher, so our service-wide alerts (which aggregate the namespace label away) and the
 * Watchdog route as in alertmanager.yml. Credentials stay Secret references (the operator copies the keys into
 * the configuration it generates). The operator's existing Prometheus must list this Alertmanager in its
 * `spec.alerting.alertmanagers` (service `alertmanager-operated`, port `web`): we do not own that object. Pure.
 */
import type { IAlertmanager } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/Alertmanager";
import type {
  IAlertmanagerConfig,
  IMatcher,
  IReceiver,
} from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1alpha1";
import type { KubeObject } from "../core/finding.ts";
import type { Platform } from "../schemas/platform.ts";
import type { Receiver, SecretRef } from "../schemas/alerting.ts";
import { formatBytes, formatCpu, formatDuration } from "../schemas/units.ts";
import { objectName } from "../model/names.ts";
import { metadata } from "./meta.ts";
import { monitoringPriorityClassName } from "./priority-class.ts";
import { containerSecurityContext, lockedDown, podSecurityContext } from "./security-context.ts";

const NAME = "alertmanager";
/** The `nobody` user the Alertmanager image runs as. */
const USER = 65534;

const selector = (ref: SecretRef) => ({ name: ref.secret, key: ref.key });
const oneOf = (name: string, values: readonly string[]): IMatcher =>
  values.length === 1
    ? { name, value: values[0]!, matchType: "=" }
    : { name, value: values.map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), matchType: "=~" };

function receiver(name: string, r: Receiver): IReceiver {
  if (r.kind === "pagerduty")
    return { name, pagerdutyConfigs: [{ routingKey: selector(r.routingKey), sendResolved: true }] };
  if (r.kind === "opsgenie")
    return {
      name,
      opsgenieConfigs: [
        {
          apiKey: selector(r.apiKey),
          ...(r.apiUrl !== undefined ? { apiURL: r.apiUrl } : {}),
          ...(r.priority !== undefined ? { priority: r.priority } : {}),
          ...(r.teams !== undefined ? { responders: r.teams.map((team) => ({ name: team, type: "team" })) } : {}),
          sendResolved: true,
        },
      ],
    };
  if (r.kind === "slack")
    return { name, slackConfigs: [{ apiURL: selector(r.apiUrl), channel: r.channel, sendResolved: true }] };
  if (r.kind === "email")
    return {
      name,
      emailConfigs: [
        {
          to: r.to.join(", "),
          from: r.from,
          smarthost: `${r.smtp.host}:${r.smtp.port}`,
          requireTLS: r.smtp.requireTls,
          ...(r.smtp.username !== undefined ? { authUsername: r.smtp.username } : {}),
          ...(r.smtp.password !== undefined ? { authPassword: selector(r.smtp.password) } : {}),
          sendResolved: true,
        },
      ],
    };
  return {
    name,
    webhookConfigs: [
      {
        url: r.url,
        sendResolved: false,
        ...(r.token ? { httpConfig: { authorization: { type: "Bearer", credentials: selector(r.token) } } } : {}),
      },
    ],
  };
}

type Spec = NonNullable<IAlertmanager["spec"]>;
type Container = NonNullable<Spec["containers"]>[number];

const d = (seconds: number | undefined) => (seconds !== undefined ? formatDuration(seconds) : undefined);

export function alertmanagerOperatorObjects(platform: Platform): KubeObject[] {
  const a = platform.monitoring.alerting;
  const hb = a.heartbeat;
  const name = objectName(platform, NAME);
  const meta = metadata(platform, NAME, { component: "monitoring" });
  const routes = a.routes.map((r) => ({
    receiver: r.receiver,
    matchers: [
      ...(r.severity !== undefined ? [{ name: "severity", value: r.severity, matchType: "=" as const }] : []),
      ...(r.services !== undefined ? [oneOf("service", r.services)] : []),
      ...(r.alerts !== undefined ? [oneOf("alertname", r.alerts)] : []),
    ],
    ...(r.groupWait !== undefined ? { groupWait: d(r.groupWait) } : {}),
    ...(r.groupInterval !== undefined ? { groupInterval: d(r.groupInterval) } : {}),
    ...(r.repeatInterval !== undefined ? { repeatInterval: d(r.repeatInterval) } : {}),
  }));
  const config: IAlertmanagerConfig = {
    apiVersion: "monitoring.coreos.com/v1alpha1",
    kind: "AlertmanagerConfig",
    metadata: meta,
    spec: {
      route: {
        receiver: a.defaultReceiver,
        groupBy: a.groupBy,
        groupWait: formatDuration(a.groupWait),
        groupInterval: formatDuration(a.groupInterval),
        repeatInterval: formatDuration(a.repeatInterval),
        routes: [
          {
            receiver: hb.receiver,
            matchers: [{ name: "alertname", value: hb.alert, matchType: "=" }],
            groupBy: ["alertname"],
            groupWait: "0s",
            groupInterval: formatDuration(hb.repeatInterval),
            repeatInterval: formatDuration(hb.repeatInterval),
          },
          ...routes,
        ],
      },
      inhibitRules: a.inhibit.map((i) => ({
        sourceMatch: [oneOf("alertname", i.source)],
        targetMatch: [oneOf("alertname", i.target)],
        equal: i.equal,
      })),
      receivers: Object.entries(a.receivers).map(([n, r]) => receiver(n, r)),
    },
  };
  const am = a.alertmanager;
  const alertmanager: IAlertmanager = {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "Alertmanager",
    metadata: meta,
    spec: {
      image: am.image,
      replicas: am.replicas,
      alertmanagerConfiguration: { name },
      // The same class as standalone mode: above the service tiers, preempting nothing.
      priorityClassName: monitoringPriorityClassName(platform),
      resources: {
        requests: { cpu: formatCpu(am.cpu), memory: formatBytes(am.memory) },
        limits: { memory: formatBytes(am.memory) },
      },
      // The secure defaults of ./security-context.ts (kubernetes-types' string enums, the same values).
      securityContext: podSecurityContext(lockedDown(USER)) as Spec["securityContext"],
      containers: [
        {
          name: "alertmanager",
          securityContext: containerSecurityContext(lockedDown(USER)) as Container["securityContext"],
        },
      ],
      podMetadata: { labels: { ...meta.labels } },
    },
  };
  return [alertmanager, config] as unknown as KubeObject[];
}
