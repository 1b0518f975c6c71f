/**
 * kube-state-metrics in standalone mode, so the series the dashboard reads about HPAs (model/kube-state-metrics.ts)
 * exist: one Deployment shaped like the rest of the stack (./monitoring-workload.ts), exporting only those series
 * (`--resources`, `--metric-allowlist`) of only our namespaces (`--namespaces`), and its scrape job.
 *
 * Least privilege: with `--namespaces` kube-state-metrics lists and watches each namespace on its own, so a Role
 * per namespace granting list and watch of exactly the watched resources is enough (its README, "Limited
 * privileges environment"; without `--namespaces` it lists cluster-wide and, holding only Roles, exports nothing:
 * kubernetes/kube-state-metrics#2400). Only namespaced resources are enabled, so nothing needs a ClusterRole (a
 * `namespaces` resource would: prometheus-community/helm-charts#4643). With prometheus-operator, kube-prometheus ships
 * kube-state-metrics and its scrape: a prerequisite, nothing here. Pure.
 */
import type { Deployment } from "kubernetes-types/apps/v1.js";
import type { Container, ServiceAccount } from "kubernetes-types/core/v1.js";
import type { Role, RoleBinding } from "kubernetes-types/rbac/v1.js";
import type { KubeObject } from "../core/finding.ts";
import { LABEL } from "../core/conventions.ts";
import type { Platform } from "../schemas/platform.ts";
import { formatDuration } from "../schemas/units.ts";
import { KUBE_STATE_METRICS, watchedResources } from "../model/kube-state-metrics.ts";
import { META_JOBS } from "../model/meta-monitoring.ts";
import { platformNamespaces } from "../model/namespaces.ts";
import { objectName } from "../model/names.ts";
import { MONITORING } from "../model/network.ts";
import { metadata } from "./meta.ts";
import { workload } from "./monitoring-workload.ts";
// A cycle with prometheus-config.ts, which lists this job: harmless, both only call each other at run time.
import { podLabelMeta } from "./prometheus-config.ts";

const KSM = MONITORING.kubeStateMetrics;
const PORT = { metrics: 8080, telemetry: 8081 } as const;
/** The image's non-root user (nobody). */
const USER = 65534;

export function kubeStateMetricsObjects(platform: Platform): KubeObject[] {
  if (platform.monitoring.mode !== "standalone") return [];
  const namespaces = platformNamespaces(platform);
  const resources = watchedResources(KUBE_STATE_METRICS);
  const meta = (namespace: string) => {
    // Names differ per namespace: out/base/ files are named by kind and name.
    const suffix = namespace === platform.namespace ? "" : `-${namespace}`;
    return {
      ...metadata(platform, `${KSM.name}${suffix}`, { component: "monitoring", labelName: KSM.name }),
      namespace,
    };
  };
  const serviceAccount: ServiceAccount = {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: meta(platform.namespace),
    automountServiceAccountToken: true,
  };
  const groups = [...new Set(resources.map((r) => r.apiGroup))].sort();
  const rbac = namespaces.flatMap((namespace): (Role | RoleBinding)[] => [
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: meta(namespace),
      rules: groups.map((g) => ({
        apiGroups: [g],
        resources: resources.filter((r) => r.apiGroup === g).map((r) => r.resource),
        verbs: ["list", "watch"],
      })),
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: meta(namespace),
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: meta(namespace).name! },
      subjects: [{ kind: "ServiceAccount", name: objectName(platform, KSM.name), namespace: platform.namespace }],
    },
  ]);
  const deployment = workload(platform, {
    name: KSM.name,
    component: platform.monitoring.components.kubeStateMetrics,
    user: USER,
    ports: [
      { name: KSM.metrics, port: PORT.metrics },
      { name: KSM.telemetry, port: PORT.telemetry },
    ],
    health: { port: KSM.metrics, liveness: "/livez", readiness: "/readyz" },
    args: [
      `--port=${PORT.metrics}`,
      `--telemetry-port=${PORT.telemetry}`,
      `--resources=${resources.map((r) => r.resource).join(",")}`,
      `--namespaces=${namespaces.join(",")}`,
      `--metric-allowlist=${KUBE_STATE_METRICS.join(",")}`,
    ],
    serviceAccount: true,
  });
  return [serviceAccount, ...rbac, readyOnTelemetry(deployment)] as KubeObject[];
}

/**
 * kube-state-metrics answers /livez on its metrics port and /readyz on its telemetry port (its own example
 * manifests): the shared workload probes one port, so readiness and startup move to the telemetry one.
 */
function readyOnTelemetry(d: Deployment): Deployment {
  const onTelemetry = (probe: Container["readinessProbe"]) =>
    probe?.httpGet ? { ...probe, httpGet: { ...probe.httpGet, port: KSM.telemetry } } : probe;
  const containers = d.spec!.template.spec!.containers.map((c) => ({
    ...c,
    readinessProbe: onTelemetry(c.readinessProbe),
    startupProbe: onTelemetry(c.startupProbe),
  }));
  return {
    ...d,
    spec: { ...d.spec!, template: { ...d.spec!.template, spec: { ...d.spec!.template.spec!, containers } } },
  };
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * The scrape job of the meta-monitoring alert KubeStateMetricsDown and the dashboard. `honor_labels`: a series'
 * `namespace` is the HPA's, which kube-state-metrics exports; without it Prometheus would overwrite it with the
 * target's and keep the HPA's as `exported_namespace`.
 */
export function kubeStateMetricsScrapeJobs(platform: Platform): Record<string, unknown>[] {
  if (platform.monitoring.mode !== "standalone") return [];
  return [
    {
      job_name: META_JOBS.kubeStateMetrics,
      scrape_interval: formatDuration(platform.monitoring.scrapeInterval),
      honor_labels: true,
      metrics_path: "/metrics",
      kubernetes_sd_configs: [{ role: "pod", namespaces: { names: [platform.namespace] } }],
      relabel_configs: [
        { action: "keep", source_labels: [podLabelMeta(LABEL.name)], regex: escapeRegex(KSM.name) },
        { action: "keep", source_labels: [podLabelMeta(LABEL.partOf)], regex: escapeRegex(platform.name) },
        { action: "keep", source_labels: ["__meta_kubernetes_pod_container_port_name"], regex: KSM.metrics },
        { action: "replace", source_labels: ["__meta_kubernetes_pod_name"], target_label: "instance" },
      ],
    },
  ];
}
