/**
 * Standalone Prometheus: its identity with the report's least-privilege ClusterRole (read nodes,
 * services, endpoints and pods for discovery; GET /metrics), prometheus.yml and the rule files as
 * ConfigMaps projected into one directory (so the config's relative `rules/...` paths hold in the
 * pod as in out/prometheus/), and its time series on the config's `metrics` storage claim. Pure.
 */
import type { ClusterRole, ClusterRoleBinding } from "kubernetes-types/rbac/v1.js";
import type { ConfigMap, ServiceAccount } from "kubernetes-types/core/v1.js";
import type { NetworkPolicy } from "kubernetes-types/networking/v1.js";
import type { KubeObject } from "../core/finding.ts";
import type { Platform } from "../schemas/platform.ts";
import { RETENTION_SHARE_OF_VOLUME } from "../schemas/stack.ts";
import { formatDuration } from "../schemas/units.ts";
import { metadata, selectorLabels } from "./meta.ts";
import { objectName } from "../model/names.ts";
import { prometheusConfig } from "./prometheus-config.ts";
import { ruleFiles } from "./prometheus-rules.ts";
import { workload, workloadService } from "./monitoring-workload.ts";
import { yamlFile } from "../core/yaml.ts";

const NAME = "prometheus";
const PORT = 9090;

/** Where in-cluster clients (Grafana, prometheus-adapter) query Prometheus. */
export function prometheusUrl(platform: Platform): string {
  return `http://${objectName(platform, NAME)}.${platform.namespace}.svc:${PORT}`;
}
/**
 * `--storage.tsdb.retention.size` in bytes: the configured size, or a share of the claim in this environment, so
 * the oldest blocks go before the volume fills (the WAL and compaction need the rest).
 */
export function prometheusRetentionBytes(platform: Platform): number {
  const p = platform.monitoring.components.prometheus;
  const volume = platform.storage[p.claim]?.size ?? 0;
  return p.retentionSize ?? Math.floor(volume * RETENTION_SHARE_OF_VOLUME);
}

/** Prometheus reads sizes in base-2 units ("MB" is 2^20 bytes): whole MiB, rounded down, never above the bytes. */
function prometheusSize(bytes: number): string {
  return `${Math.floor(bytes / 2 ** 20)}MB`;
}

/** The `nobody` user the Prometheus image runs as. */
const USER = 65534;

export function prometheusObjects(platform: Platform): KubeObject[] {
  const m = platform.monitoring;
  const meta = (name: string, namespaced = true) =>
    metadata(platform, name, { component: "monitoring", labelName: NAME, namespaced });
  const files = ruleFiles(platform);
  const serviceAccount: ServiceAccount = {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: meta(NAME),
    automountServiceAccountToken: true,
  };
  const clusterRole: ClusterRole = {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: meta(NAME, false),
    rules: [
      { apiGroups: [""], resources: ["nodes", "services", "endpoints", "pods"], verbs: ["get", "list", "watch"] },
      { nonResourceURLs: ["/metrics"], verbs: ["get"] },
    ],
  };
  const binding: ClusterRoleBinding = {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    metadata: meta(NAME, false),
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: objectName(platform, NAME) },
    subjects: [{ kind: "ServiceAccount", name: objectName(platform, NAME), namespace: platform.namespace }],
  };
  const config: ConfigMap = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: meta(`${NAME}-config`),
    data: { "prometheus.yml": yamlFile([prometheusConfig(platform)]) },
  };
  const rules: ConfigMap = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: meta(`${NAME}-rules`),
    data: Object.fromEntries(files.map((f) => [f.file, yamlFile([{ groups: [f.group] }])])),
  };
  const deployment = workload(platform, {
    name: NAME,
    component: m.components.prometheus,
    user: USER,
    ports: [{ name: "web", port: PORT }],
    health: { port: "web", liveness: "/-/healthy", readiness: "/-/ready" },
    args: [
      "--config.file=/etc/prometheus/prometheus.yml",
      "--storage.tsdb.path=/prometheus",
      `--storage.tsdb.retention.time=${formatDuration(m.components.prometheus.retention)}`,
      `--storage.tsdb.retention.size=${prometheusSize(prometheusRetentionBytes(platform))}`,
      `--web.listen-address=:${PORT}`,
    ],
    mounts: [
      { name: "config", mountPath: "/etc/prometheus", readOnly: true },
      { name: "data", mountPath: "/prometheus" },
    ],
    volumes: [
      {
        name: "config",
        projected: {
          sources: [
            { configMap: { name: objectName(platform, `${NAME}-config`) } },
            {
              configMap: {
                name: objectName(platform, `${NAME}-rules`),
                items: files.map((f) => ({ key: f.file, path: `rules/${f.file}` })),
              },
            },
          ],
        },
      },
      { name: "data", persistentVolumeClaim: { claimName: objectName(platform, m.components.prometheus.claim) } },
    ],
    serviceAccount: true,
    recreate: true,
    // /-/ready answers 503 until the WAL is replayed: the budget is the replay's, not a quick start's.
    startupBudget: m.components.prometheus.startupBudget,
  });
  return [
    serviceAccount,
    clusterRole,
    binding,
    config,
    rules,
    deployment,
    workloadService(platform, NAME, NAME, [{ name: "web", port: PORT }]),
    egressPolicy(platform),
  ] as KubeObject[];
}

/**
 * The namespace's default-deny allows egress only inside it. Prometheus must also reach the API
 * server (discovery, the cluster job) and the host-network engines, whose metrics ports are node
 * ports outside any namespace selector.
 */
function egressPolicy(platform: Platform): NetworkPolicy {
  const hostPorts = Object.values(platform.services)
    .filter((s) => platform.tiers[s.tier]!.hostNetwork)
    .map((s) => s.ports.containerMetrics ?? s.ports.metrics);
  const ports = [...new Set([443, 6443, ...hostPorts])].sort((a, b) => a - b);
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: metadata(platform, `${NAME}-egress`, { component: "monitoring", labelName: NAME }),
    spec: {
      podSelector: { matchLabels: selectorLabels(platform, NAME) },
      policyTypes: ["Egress"],
      egress: [{ ports: ports.map((port) => ({ protocol: "TCP", port })) }],
    },
  };
}
