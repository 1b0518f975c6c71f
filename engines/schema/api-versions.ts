/**
 * Which Kubernetes minor versions serve which group-version(-kind).
 *
 * Source: the Kubernetes "Deprecated API Migration Guide"
 * (https://kubernetes.io/docs/reference/using-api/deprecation-guide/) for removals, and the
 * release notes / API reference for the version in which each GA (or beta) version appeared.
 * Only APIs a platform like ours emits, or that old manifests commonly carry, are listed;
 * a group-version that is not listed is assumed to be served.
 */
export interface ServedRange {
  /** "group/version" as written in `apiVersion` ("v1" for core). */
  apiVersion: string;
  /** Kinds the row is about; absent means every kind of the group-version. */
  kinds?: readonly string[];
  /** First minor version that serves it (enabled by default, or per the brief for beta). */
  since?: number;
  /** First minor version that no longer serves it. */
  removedIn?: number;
  /** What to use instead. */
  replacement?: string;
}

export const SERVED: readonly ServedRange[] = [
  {
    apiVersion: "extensions/v1beta1",
    kinds: ["Deployment", "DaemonSet", "ReplicaSet", "NetworkPolicy", "PodSecurityPolicy"],
    removedIn: 16,
    replacement: "apps/v1 (networking.k8s.io/v1 for NetworkPolicy)",
  },
  { apiVersion: "extensions/v1beta1", kinds: ["Ingress"], removedIn: 22, replacement: "networking.k8s.io/v1" },
  { apiVersion: "apps/v1beta1", removedIn: 16, replacement: "apps/v1" },
  { apiVersion: "apps/v1beta2", removedIn: 16, replacement: "apps/v1" },
  {
    apiVersion: "networking.k8s.io/v1beta1",
    kinds: ["Ingress", "IngressClass"],
    removedIn: 22,
    replacement: "networking.k8s.io/v1",
  },
  { apiVersion: "networking.k8s.io/v1", kinds: ["Ingress", "IngressClass"], since: 19 },
  {
    apiVersion: "admissionregistration.k8s.io/v1beta1",
    kinds: ["ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"],
    removedIn: 22,
    replacement: "admissionregistration.k8s.io/v1",
  },
  {
    apiVersion: "admissionregistration.k8s.io/v1",
    kinds: ["ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"],
    since: 30,
  },
  {
    apiVersion: "admissionregistration.k8s.io/v1beta1",
    kinds: ["ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"],
    since: 28,
    replacement: "admissionregistration.k8s.io/v1 (from 1.30)",
  },
  { apiVersion: "apiextensions.k8s.io/v1beta1", removedIn: 22, replacement: "apiextensions.k8s.io/v1" },
  { apiVersion: "apiregistration.k8s.io/v1beta1", removedIn: 22, replacement: "apiregistration.k8s.io/v1" },
  {
    apiVersion: "authentication.k8s.io/v1beta1",
    kinds: ["TokenReview"],
    removedIn: 22,
    replacement: "authentication.k8s.io/v1",
  },
  { apiVersion: "authorization.k8s.io/v1beta1", removedIn: 22, replacement: "authorization.k8s.io/v1" },
  {
    apiVersion: "certificates.k8s.io/v1beta1",
    kinds: ["CertificateSigningRequest"],
    removedIn: 22,
    replacement: "certificates.k8s.io/v1",
  },
  { apiVersion: "coordination.k8s.io/v1beta1", kinds: ["Lease"], removedIn: 22, replacement: "coordination.k8s.io/v1" },
  { apiVersion: "rbac.authorization.k8s.io/v1beta1", removedIn: 22, replacement: "rbac.authorization.k8s.io/v1" },
  {
    apiVersion: "scheduling.k8s.io/v1beta1",
    kinds: ["PriorityClass"],
    removedIn: 22,
    replacement: "scheduling.k8s.io/v1",
  },
  {
    apiVersion: "storage.k8s.io/v1beta1",
    kinds: ["CSIDriver", "CSINode", "StorageClass", "VolumeAttachment"],
    removedIn: 22,
    replacement: "storage.k8s.io/v1",
  },
  { apiVersion: "batch/v1beta1", kinds: ["CronJob"], removedIn: 25, replacement: "batch/v1" },
  { apiVersion: "batch/v1", kinds: ["CronJob"], since: 21 },
  {
    apiVersion: "discovery.k8s.io/v1beta1",
    kinds: ["EndpointSlice"],
    removedIn: 25,
    replacement: "discovery.k8s.io/v1",
  },
  { apiVersion: "discovery.k8s.io/v1", kinds: ["EndpointSlice"], since: 21 },
  { apiVersion: "events.k8s.io/v1beta1", kinds: ["Event"], removedIn: 25, replacement: "events.k8s.io/v1" },
  {
    apiVersion: "autoscaling/v2beta1",
    kinds: ["HorizontalPodAutoscaler"],
    removedIn: 25,
    replacement: "autoscaling/v2",
  },
  {
    apiVersion: "autoscaling/v2beta2",
    kinds: ["HorizontalPodAutoscaler"],
    removedIn: 26,
    replacement: "autoscaling/v2",
  },
  { apiVersion: "autoscaling/v2", kinds: ["HorizontalPodAutoscaler"], since: 23 },
  { apiVersion: "policy/v1beta1", kinds: ["PodDisruptionBudget"], removedIn: 25, replacement: "policy/v1" },
  {
    apiVersion: "policy/v1beta1",
    kinds: ["PodSecurityPolicy"],
    removedIn: 25,
    replacement: "Pod Security Admission (PodSecurityPolicy has no successor API)",
  },
  { apiVersion: "policy/v1", kinds: ["PodDisruptionBudget"], since: 21 },
  { apiVersion: "node.k8s.io/v1beta1", kinds: ["RuntimeClass"], removedIn: 25, replacement: "node.k8s.io/v1" },
  { apiVersion: "node.k8s.io/v1", kinds: ["RuntimeClass"], since: 20 },
  { apiVersion: "flowcontrol.apiserver.k8s.io/v1beta1", removedIn: 26, replacement: "flowcontrol.apiserver.k8s.io/v1" },
  { apiVersion: "flowcontrol.apiserver.k8s.io/v1beta2", removedIn: 29, replacement: "flowcontrol.apiserver.k8s.io/v1" },
  {
    apiVersion: "flowcontrol.apiserver.k8s.io/v1beta3",
    since: 26,
    removedIn: 32,
    replacement: "flowcontrol.apiserver.k8s.io/v1",
  },
  { apiVersion: "flowcontrol.apiserver.k8s.io/v1", since: 29 },
  {
    apiVersion: "storage.k8s.io/v1beta1",
    kinds: ["CSIStorageCapacity"],
    removedIn: 27,
    replacement: "storage.k8s.io/v1",
  },
  { apiVersion: "storage.k8s.io/v1", kinds: ["CSIStorageCapacity"], since: 24 },
];

/** "1.30" → 30; `undefined` for anything that is not `1.<minor>`. */
export function parseMinor(version: string): number | undefined {
  const m = /^v?1\.(\d+)(?:\.\d+)?$/.exec(version.trim());
  return m ? Number(m[1]) : undefined;
}

/** Why `apiVersion`/`kind` is not served by Kubernetes 1.`minor`, or `undefined` when it is. */
export function notServedReason(apiVersion: string, kind: string, minor: number): string | undefined {
  for (const row of SERVED) {
    if (row.apiVersion !== apiVersion || (row.kinds && !row.kinds.includes(kind))) continue;
    const instead = row.replacement ? `; use ${row.replacement}` : "";
    if (row.removedIn !== undefined && minor >= row.removedIn) {
      return `${apiVersion} ${kind} is not served by Kubernetes 1.${minor} (removed in 1.${row.removedIn})${instead}`;
    }
    if (row.since !== undefined && minor < row.since) {
      return `${apiVersion} ${kind} is not served by Kubernetes 1.${minor} (served from 1.${row.since})${instead}`;
    }
  }
  return undefined;
}
