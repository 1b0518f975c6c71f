/**
 * Standalone Alertmanager: a StatefulSet of 2 or 3 pods that form one cluster (gossip on 9094 through a headless
 * Service, so a notification is sent once although Prometheus sends every alert to each pod), its config as a
 * ConfigMap, the receivers' Secrets mounted read-only (created outside this tool: they hold credentials), a PDB
 * keeping all but one pod through drains, the monitoring stack's PriorityClass (./priority-class.ts: the alert
 * path must survive the moment the trading tiers scale, without taking their place), and an egress policy to the
 * receivers' HTTPS endpoints and SMTP servers. Silences and the notification log live on emptyDir: the peers
 * replicate them. Pure.
 */
import type { StatefulSet } from "kubernetes-types/apps/v1.js";
import type { ConfigMap, Service as KubeService, ServiceAccount } from "kubernetes-types/core/v1.js";
import type { PodDisruptionBudget } from "kubernetes-types/policy/v1.js";
import type { KubeObject } from "../core/finding.ts";
import type { Platform } from "../schemas/platform.ts";
import { objectName } from "../model/names.ts";
import { yamlFile } from "../core/yaml.ts";
import { metadata, selectorLabels } from "./meta.ts";
import { UNHEALTHY_POD_EVICTION_POLICY } from "./pod-disruption-budget.ts";
import { workload, workloadService } from "./monitoring-workload.ts";
import { alertmanagerConfig, alertmanagerSecrets, SECRETS_DIR } from "./alertmanager-config.ts";

const NAME = "alertmanager";
const WEB_PORT = 9093;
const CLUSTER_PORT = 9094;
/** The `nobody` user the Alertmanager image runs as. */
const USER = 65534;

const clusterService = (platform: Platform) => objectName(platform, `${NAME}-cluster`);

/** Each pod's stable name under the headless Service: Prometheus sends to every one, peers gossip with every one. */
export function alertmanagerPeers(platform: Platform, port: number): string[] {
  const { replicas } = platform.monitoring.alerting.alertmanager;
  const pod = objectName(platform, NAME);
  return Array.from(
    { length: replicas },
    (_, i) => `${pod}-${i}.${clusterService(platform)}.${platform.namespace}.svc:${port}`,
  );
}

/** Where Prometheus sends alerts: every Alertmanager pod, which deduplicate among themselves. */
export function alertmanagerTargets(platform: Platform): string[] {
  return alertmanagerPeers(platform, WEB_PORT);
}

export function alertmanagerObjects(platform: Platform): KubeObject[] {
  const a = platform.monitoring.alerting;
  const meta = (name: string, namespaced = true) =>
    metadata(platform, name, { component: "monitoring", labelName: NAME, namespaced });
  const secrets = alertmanagerSecrets(platform);
  const serviceAccount: ServiceAccount = {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: meta(NAME),
    automountServiceAccountToken: false,
  };
  const config: ConfigMap = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: meta(`${NAME}-config`),
    data: { "alertmanager.yml": yamlFile([alertmanagerConfig(platform)]) },
  };
  const deployment = workload(platform, {
    name: NAME,
    component: a.alertmanager,
    user: USER,
    ports: [
      { name: "web", port: WEB_PORT },
      { name: "cluster", port: CLUSTER_PORT },
    ],
    health: { port: "web", liveness: "/-/healthy", readiness: "/-/ready" },
    args: [
      "--config.file=/etc/alertmanager/config/alertmanager.yml",
      "--storage.path=/alertmanager",
      `--web.listen-address=:${WEB_PORT}`,
      `--cluster.listen-address=0.0.0.0:${CLUSTER_PORT}`,
      // Pod addresses need not be private ranges, which is all Alertmanager advertises by itself; brackets for IPv6.
      `--cluster.advertise-address=[$(POD_IP)]:${CLUSTER_PORT}`,
      ...alertmanagerPeers(platform, CLUSTER_PORT).map((p) => `--cluster.peer=${p}`),
    ],
    mounts: [
      // Beside the Secrets, not above them: a mount inside a ConfigMap volume is lost when the ConfigMap changes.
      { name: "config", mountPath: "/etc/alertmanager/config", readOnly: true },
      { name: "data", mountPath: "/alertmanager" },
      ...secrets.map((s) => ({ name: `secret-${s}`, mountPath: `${SECRETS_DIR}/${s}`, readOnly: true })),
    ],
    volumes: [
      { name: "config", configMap: { name: objectName(platform, `${NAME}-config`) } },
      { name: "data", emptyDir: { sizeLimit: "256Mi" } },
      ...secrets.map((s) => ({ name: `secret-${s}`, secret: { secretName: s, defaultMode: 0o440 } })),
    ],
  });
  const template = deployment.spec!.template;
  const pod = template.spec!;
  const container = pod.containers[0]!;
  container.env = [{ name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } }];
  container.ports!.push({ name: "cluster-udp", containerPort: CLUSTER_PORT, protocol: "UDP" });
  pod.serviceAccountName = objectName(platform, NAME);
  // Two peers on one node are one failure: spread them when the nodes allow it.
  pod.affinity = {
    podAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [
        {
          weight: 100,
          podAffinityTerm: {
            topologyKey: "kubernetes.io/hostname",
            labelSelector: { matchLabels: selectorLabels(platform, NAME) },
          },
        },
      ],
    },
  };
  const statefulSet: StatefulSet = {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: deployment.metadata!,
    spec: {
      replicas: a.alertmanager.replicas,
      serviceName: clusterService(platform),
      // Peers find each other by name: start them together, not one after another's readiness.
      podManagementPolicy: "Parallel",
      revisionHistoryLimit: 5,
      selector: deployment.spec!.selector,
      updateStrategy: { type: "RollingUpdate" },
      template,
    },
  };
  const headless: KubeService = {
    apiVersion: "v1",
    kind: "Service",
    metadata: meta(`${NAME}-cluster`),
    spec: {
      clusterIP: "None",
      // Peers must resolve each other before they are ready: readiness waits for the cluster to settle.
      publishNotReadyAddresses: true,
      selector: selectorLabels(platform, NAME),
      ports: [
        { name: "cluster", port: CLUSTER_PORT, targetPort: "cluster", protocol: "TCP" },
        { name: "cluster-udp", port: CLUSTER_PORT, targetPort: "cluster-udp", protocol: "UDP" },
        { name: "web", port: WEB_PORT, targetPort: "web", protocol: "TCP" },
      ],
    },
  };
  const pdb: PodDisruptionBudget = {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: meta(NAME),
    spec: {
      maxUnavailable: 1,
      unhealthyPodEvictionPolicy: UNHEALTHY_POD_EVICTION_POLICY,
      selector: { matchLabels: selectorLabels(platform, NAME) },
    },
  };
  return [
    serviceAccount,
    config,
    statefulSet,
    workloadService(platform, NAME, NAME, [{ name: "web", port: WEB_PORT }]),
    headless,
    pdb,
  ] as KubeObject[];
}
