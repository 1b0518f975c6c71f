/**
 * Which kinds are cluster-scoped, as the API server serves them (`kubectl api-resources --namespaced=false`),
 * for the kinds this project generates or judges. A kind not listed is namespaced; an object of an unknown kind
 * without a namespace is taken as cluster-scoped, which is how a generator writes a cluster-scoped custom resource.
 */
import type { KubeObject } from "../finding.ts";

export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  "Namespace",
  "Node",
  "PersistentVolume",
  "ClusterRole",
  "ClusterRoleBinding",
  "PriorityClass",
  "StorageClass",
  "CSIDriver",
  "VolumeAttachment",
  "CustomResourceDefinition",
  "APIService",
  "ValidatingAdmissionPolicy",
  "ValidatingAdmissionPolicyBinding",
  "ValidatingWebhookConfiguration",
  "MutatingWebhookConfiguration",
  "IngressClass",
  "GatewayClass",
  "RuntimeClass",
  "ClusterSecretStore",
  "ClusterExternalSecret",
]);

export function isClusterScoped(o: Pick<KubeObject, "kind" | "metadata">): boolean {
  return CLUSTER_SCOPED_KINDS.has(o.kind) || !o.metadata?.namespace;
}
