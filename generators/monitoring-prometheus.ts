/**
 * Standalone Prometheus: its identity with least-privilege RBAC (./prometheus-rbac.ts: Roles for the
 * discovery its scrape config does, GET /metrics cluster-wide), prometheus.yml and the rule files as
 * ConfigMaps projected into one directory (so the config's relative `rules/...` paths hold in the
 * pod as in out/prometheus/), and its time series on the config's `metrics` storage claim. Pure.
 */
import type { ConfigMap, ServiceAccount } from "kubernetes-types/core/v1.js";
import type { KubeObject } from "../core/finding.ts";
import type { Platform } from "../schemas/platform.ts";
import { RETENTION_SHARE_OF_VOLUME } from "../schemas/stack.ts";
import { formatDuration } from "../schemas/units.ts";
import { metadata } from "./meta.ts";
import { objectName } from "../model/names.ts";
import { prometheusConfig } from "./prometheus-config.ts";
import { prometheusRbac } from "./prometheus-rbac.ts";
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
    ...prometheusRbac(platform, NAME),
    config,
    rules,
    deployment,
    workloadService(platform, NAME, NAME, [{ name: "web", port: PORT }]),
  ] as KubeObject[];
}
