/**
 * prometheus-adapter as an aggregated API server for `custom.metrics.k8s.io`, so the HPAs' Pods
 * metrics (WebSocket connections, message throughput) exist: without it an HPA with custom
 * metrics reports FailedGetPodsMetric and, missing a metric, never scales down. Standalone mode
 * only; with the Prometheus operator the cluster's own adapter reads our rules ConfigMap. Pure.
 */
// kubernetes-types has no apiregistration group; kubernetes-models' interface is generated from the same OpenAPI.
import type { IAPIService as APIService } from "kubernetes-models/apiregistration.k8s.io/v1/APIService";
import type { Service as KubeService, ServiceAccount } from "kubernetes-types/core/v1.js";
import type { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from "kubernetes-types/rbac/v1.js";
import type { KubeObject } from "../core/finding.ts";
import type { Platform } from "../schemas/platform.ts";
import { metadata, selectorLabels } from "./meta.ts";
import { objectName } from "../model/names.ts";
import { prometheusUrl } from "./monitoring-prometheus.ts";
import { workload } from "./monitoring-workload.ts";
import { prometheusAdapterConfigMap } from "./prometheus-adapter.ts";
import { adapterPodDisruptionBudget } from "./pod-disruption-budget.ts";

const NAME = "prometheus-adapter";
const PORT = 6443;
/** The adapter image's non-root user. */
const USER = 65534;

export function adapterObjects(platform: Platform): KubeObject[] {
  const usesCustomMetrics = Object.values(platform.services).some((s) => (s.scaling?.custom.length ?? 0) > 0);
  if (platform.monitoring.mode !== "standalone" || !usesCustomMetrics) return [];
  const name = objectName(platform, NAME);
  const meta = (suffix = "", namespace: string | null = platform.namespace) => {
    const m = metadata(platform, `${NAME}${suffix}`, {
      component: "monitoring",
      labelName: NAME,
      namespaced: namespace !== null,
    });
    return namespace && namespace !== platform.namespace ? { ...m, namespace } : m;
  };
  const subject = [{ kind: "ServiceAccount", name, namespace: platform.namespace }];
  const config = prometheusAdapterConfigMap(platform);

  const serviceAccount: ServiceAccount = {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: meta(),
    automountServiceAccountToken: true,
  };
  const deployment = workload(platform, {
    name: NAME,
    component: platform.monitoring.components.adapter,
    user: USER,
    ports: [{ name: "https", port: PORT }],
    health: { port: "https", liveness: "/healthz", readiness: "/readyz", scheme: "HTTPS" },
    // The serving certificate is self-signed at start into the writable /tmp.
    args: [
      `--secure-port=${PORT}`,
      "--cert-dir=/tmp/cert",
      `--prometheus-url=${prometheusUrl(platform)}`,
      "--metrics-relist-interval=1m",
      "--config=/etc/adapter/config.yaml",
    ],
    mounts: [{ name: "config", mountPath: "/etc/adapter", readOnly: true }],
    volumes: [{ name: "config", configMap: { name: config.metadata!.name! } }],
    serviceAccount: true,
    // Spread over nodes and kept through drains: one adapter is one crash away from HPAs without custom metrics.
    replicas: platform.monitoring.components.adapter.replicas,
  });
  const service: KubeService = {
    apiVersion: "v1",
    kind: "Service",
    metadata: meta(),
    spec: {
      type: "ClusterIP",
      selector: selectorLabels(platform, NAME),
      ports: [{ name: "https", port: 443, targetPort: "https", protocol: "TCP" }],
    },
  };
  const apiService: APIService = {
    apiVersion: "apiregistration.k8s.io/v1",
    kind: "APIService",
    metadata: { name: "v1beta1.custom.metrics.k8s.io", labels: meta().labels! },
    spec: {
      group: "custom.metrics.k8s.io",
      version: "v1beta1",
      service: { name, namespace: platform.namespace, port: 443 },
      groupPriorityMinimum: 100,
      versionPriority: 100,
      // The adapter's certificate is self-signed at start; a cluster with cert-manager should
      // inject a caBundle instead.
      insecureSkipTLSVerify: true,
    },
  };
  // The adapter lists the pods (and services) an HPA's selector names, in the platform's namespace only: a Role.
  // Namespaces are cluster-scoped, so reading them needs the one ClusterRole. The HPA controller's own
  // system:controller:horizontal-pod-autoscaler role already reads custom.metrics.k8s.io: no binding of ours.
  const readResources: Role = {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "Role",
    metadata: meta("-resource-reader"),
    rules: [{ apiGroups: [""], resources: ["pods", "services"], verbs: ["get", "list", "watch"] }],
  };
  const readResourcesBinding: RoleBinding = {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "RoleBinding",
    metadata: meta("-resource-reader"),
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: readResources.metadata!.name! },
    subjects: subject,
  };
  const readNamespaces: ClusterRole = {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: meta("-namespace-reader", null),
    rules: [{ apiGroups: [""], resources: ["namespaces"], verbs: ["get", "list", "watch"] }],
  };
  const bind = (suffix: string, role: string): ClusterRoleBinding => ({
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    metadata: meta(suffix, null),
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role },
    subjects: subject,
  });
  // Aggregated API servers delegate authentication and authorization to the kube-apiserver.
  const authReader: RoleBinding = {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "RoleBinding",
    metadata: meta("-auth-reader", "kube-system"),
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "extension-apiserver-authentication-reader" },
    subjects: subject,
  };
  return [
    serviceAccount,
    readResources,
    readResourcesBinding,
    readNamespaces,
    bind("-namespace-reader", readNamespaces.metadata!.name!),
    bind("-auth-delegator", "system:auth-delegator"),
    authReader,
    deployment,
    adapterPodDisruptionBudget(platform, NAME),
    service,
    apiService,
  ] as KubeObject[];
}
