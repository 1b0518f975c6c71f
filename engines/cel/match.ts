/**
 * Which objects a ValidatingAdmissionPolicy's matchConstraints select, for a CREATE request,
 * following the API server's rules (admissionregistration.k8s.io/v1 MatchResources).
 */
import type { KubeObject } from "../../core/finding.ts";
import { CLUSTER_SCOPED_KINDS } from "../../core/k8s/scope.ts";
import { matchesLabelSelector } from "../../core/k8s/selectors.ts";

/** Plural resource names of the kinds we generate or vet; anything else falls back to lower-case + "s". */
const RESOURCE_OF_KIND: Record<string, string> = {
  Pod: "pods",
  Deployment: "deployments",
  StatefulSet: "statefulsets",
  DaemonSet: "daemonsets",
  ReplicaSet: "replicasets",
  Job: "jobs",
  CronJob: "cronjobs",
  Service: "services",
  ConfigMap: "configmaps",
  Secret: "secrets",
  Namespace: "namespaces",
  ServiceAccount: "serviceaccounts",
  PersistentVolumeClaim: "persistentvolumeclaims",
  HorizontalPodAutoscaler: "horizontalpodautoscalers",
  PodDisruptionBudget: "poddisruptionbudgets",
  NetworkPolicy: "networkpolicies",
  Ingress: "ingresses",
  PriorityClass: "priorityclasses",
  ResourceQuota: "resourcequotas",
  LimitRange: "limitranges",
  Role: "roles",
  RoleBinding: "rolebindings",
  ClusterRole: "clusterroles",
  ClusterRoleBinding: "clusterrolebindings",
  PrometheusRule: "prometheusrules",
  ServiceMonitor: "servicemonitors",
  PodMonitor: "podmonitors",
  ValidatingAdmissionPolicy: "validatingadmissionpolicies",
  ValidatingAdmissionPolicyBinding: "validatingadmissionpolicybindings",
  CustomResourceDefinition: "customresourcedefinitions",
  StorageClass: "storageclasses",
  Endpoints: "endpoints",
};

/** The kind of a plural resource name we know (`deployments` → Deployment). */
export function kindOfResource(resource: string): string | undefined {
  return Object.entries(RESOURCE_OF_KIND).find(([, r]) => r === resource)?.[0];
}

export function resourceOf(kind: string): string {
  return RESOURCE_OF_KIND[kind] ?? `${kind.toLowerCase()}s`;
}

/** `apps/v1` → { group: "apps", version: "v1" }; `v1` → { group: "", version: "v1" }. */
export function groupVersionOf(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.lastIndexOf("/");
  return slash < 0
    ? { group: "", version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

export interface ResourceRule {
  apiGroups?: string[];
  apiVersions?: string[];
  resources?: string[];
  operations?: string[];
  resourceNames?: string[];
  scope?: string;
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

export interface MatchResources {
  resourceRules?: ResourceRule[];
  excludeResourceRules?: ResourceRule[];
  namespaceSelector?: LabelSelector;
  objectSelector?: LabelSelector;
}

function listMatches(list: string[] | undefined, value: string): boolean {
  return (list ?? []).some((x) => x === "*" || x === value);
}

// A resource entry matches the main resource as "*", "*/*" or its plural; "pods/status" is a subresource and does not.
function resourceMatches(resources: string[] | undefined, plural: string): boolean {
  return (resources ?? []).some((r) => r === "*" || r === "*/*" || r === plural);
}

export function ruleMatches(rule: ResourceRule, obj: KubeObject, operation = "CREATE"): boolean {
  const { group, version } = groupVersionOf(obj.apiVersion);
  if (!listMatches(rule.operations, operation)) return false;
  if (!listMatches(rule.apiGroups, group)) return false;
  if (!listMatches(rule.apiVersions, version)) return false;
  if (!resourceMatches(rule.resources, resourceOf(obj.kind))) return false;
  if (rule.resourceNames && rule.resourceNames.length > 0 && !rule.resourceNames.includes(obj.metadata?.name))
    return false;
  // By kind alone: manifests often leave the namespace to kustomize.
  const namespaced = !CLUSTER_SCOPED_KINDS.has(obj.kind);
  if (rule.scope === "Namespaced" && !namespaced) return false;
  if (rule.scope === "Cluster" && namespaced) return false;
  return true;
}

/** metav1.LabelSelector semantics: an absent selector matches everything. */
export function selectorMatches(
  selector: LabelSelector | undefined,
  labels: Record<string, string> | undefined,
): boolean {
  return !selector || matchesLabelSelector(selector, labels ?? {});
}

/**
 * Whether a policy's matchConstraints select this operation on this object (CREATE unless said).
 * Namespace labels are not
 * known offline, so namespaceSelector is treated as matching, except for a Namespace object itself,
 * where the API server matches the selector against the object's own labels.
 */
export function constraintsMatch(m: MatchResources | undefined, obj: KubeObject, operation = "CREATE"): boolean {
  if (!m) return false;
  if (!(m.resourceRules ?? []).some((r) => ruleMatches(r, obj, operation))) return false;
  if ((m.excludeResourceRules ?? []).some((r) => ruleMatches(r, obj, operation))) return false;
  if (
    obj.kind === "Namespace" &&
    obj.apiVersion === "v1" &&
    !selectorMatches(m.namespaceSelector, obj.metadata?.labels)
  )
    return false;
  return selectorMatches(m.objectSelector, obj.metadata?.labels);
}
