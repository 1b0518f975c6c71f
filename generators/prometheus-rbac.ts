/**
 * Prometheus's RBAC, derived from the discovery its scrape config does: for each namespace a
 * `kubernetes_sd_configs` entry watches, a Role granting exactly what that discovery role lists and watches,
 * and a ClusterRole only for `GET /metrics` on the API server (non-resource URLs exist only in ClusterRoles).
 * Nothing cluster-wide reads pods, services or nodes; a change of the scrape config changes the grants with it.
 */
import type { ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding } from "kubernetes-types/rbac/v1.js";
import type { Platform } from "../schemas/platform.ts";
import { metadata } from "./meta.ts";
import { objectName } from "../model/names.ts";
import { prometheusConfig } from "./prometheus-config.ts";

const RBAC = "rbac.authorization.k8s.io/v1";
const READ = ["get", "list", "watch"];

/**
 * What each service-discovery role of Prometheus lists and watches in its namespaces (its Kubernetes SD reads the
 * targets' services and pods too, for their labels).
 */
const DISCOVERY_RULES: Readonly<Record<string, readonly PolicyRule[]>> = {
  pod: [{ apiGroups: [""], resources: ["pods"], verbs: READ }],
  service: [{ apiGroups: [""], resources: ["services"], verbs: READ }],
  endpoints: [{ apiGroups: [""], resources: ["endpoints", "services", "pods"], verbs: READ }],
  endpointslice: [
    { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: READ },
    { apiGroups: [""], resources: ["services", "pods"], verbs: READ },
  ],
  ingress: [{ apiGroups: ["networking.k8s.io"], resources: ["ingresses"], verbs: READ }],
};

interface SdConfig {
  role?: string;
  namespaces?: { names?: string[] };
}

/** The discovery roles each namespace is watched with, from the scrape config. */
function discoveryByNamespace(platform: Platform): Map<string, Set<string>> {
  const byNamespace = new Map<string, Set<string>>();
  const jobs = (prometheusConfig(platform).scrape_configs ?? []) as { kubernetes_sd_configs?: SdConfig[] }[];
  for (const job of jobs)
    for (const sd of job.kubernetes_sd_configs ?? []) {
      // A discovery without namespaces watches all of them; this platform never asks for that.
      for (const ns of sd.namespaces?.names ?? [platform.namespace]) {
        const roles = byNamespace.get(ns) ?? new Set<string>();
        if (sd.role) roles.add(sd.role);
        byNamespace.set(ns, roles);
      }
    }
  return byNamespace;
}

/** One rule per API group, resources and verbs merged, in a stable order. */
function mergedRules(roles: Iterable<string>): PolicyRule[] {
  const byGroup = new Map<string, Set<string>>();
  for (const role of roles)
    for (const rule of DISCOVERY_RULES[role] ?? [])
      for (const group of rule.apiGroups ?? [""]) {
        const resources = byGroup.get(group) ?? new Set<string>();
        for (const r of rule.resources ?? []) resources.add(r);
        byGroup.set(group, resources);
      }
  return [...byGroup]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([group, resources]) => ({ apiGroups: [group], resources: [...resources].sort(), verbs: READ }));
}

export function prometheusRbac(
  platform: Platform,
  name: string,
): (Role | RoleBinding | ClusterRole | ClusterRoleBinding)[] {
  const meta = (suffix: string, namespace?: string) => {
    const m = metadata(platform, `${name}${suffix}`, { component: "monitoring", labelName: name, namespaced: false });
    return namespace ? { ...m, namespace } : m;
  };
  const subjects = [{ kind: "ServiceAccount", name: objectName(platform, name), namespace: platform.namespace }];
  const namespaced = [...discoveryByNamespace(platform)].sort(([a], [b]) => (a < b ? -1 : 1));
  const discovery = namespaced.flatMap(([namespace, roles]): (Role | RoleBinding)[] => {
    // Names differ per namespace: out/base/ files are named by kind and name.
    const suffix = namespace === platform.namespace ? "-discovery" : `-discovery-${namespace}`;
    return [
      { apiVersion: RBAC, kind: "Role", metadata: meta(suffix, namespace), rules: mergedRules(roles) },
      {
        apiVersion: RBAC,
        kind: "RoleBinding",
        metadata: meta(suffix, namespace),
        roleRef: {
          apiGroup: "rbac.authorization.k8s.io",
          kind: "Role",
          name: objectName(platform, `${name}${suffix}`),
        },
        subjects,
      },
    ];
  });
  return [
    ...discovery,
    {
      apiVersion: RBAC,
      kind: "ClusterRole",
      metadata: meta(""),
      rules: [{ nonResourceURLs: ["/metrics"], verbs: ["get"] }],
    },
    {
      apiVersion: RBAC,
      kind: "ClusterRoleBinding",
      metadata: meta(""),
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: objectName(platform, name) },
      subjects,
    },
  ];
}
