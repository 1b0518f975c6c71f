import type { KubeObjectLike } from "../builders.ts";
import { clusterRole, clusterRoleBinding, READ_PODS, role, roleBinding } from "../builders.ts";

export const allow: KubeObjectLike[] = [
  role("pod-discovery"),
  role("secret-reader", [{ apiGroups: [""], resources: ["secrets"], verbs: ["get", "list", "watch"] }]),
  clusterRole("apiserver-metrics", [{ nonResourceURLs: ["/metrics"], verbs: ["get"] }]),
  clusterRole("one-named-secret", [
    { apiGroups: [""], resources: ["secrets"], resourceNames: ["grafana-admin"], verbs: ["get"] },
  ]),
  clusterRole("secret-writer", [{ apiGroups: [""], resources: ["secrets"], verbs: ["create"] }]),
  clusterRole("endpointslice-discovery", [
    { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["get", "list", "watch"] },
  ]),
  roleBinding("pod-discovery", { kind: "Role", name: "pod-discovery" }),
  roleBinding("view-in-namespace", { kind: "ClusterRole", name: "view" }),
  clusterRoleBinding("apiserver-metrics", "apiserver-metrics"),
];

export const deny: KubeObjectLike[] = [
  clusterRole("wildcard-verbs", [{ apiGroups: [""], resources: ["pods"], verbs: ["*"] }]),
  clusterRole("wildcard-resources", [{ apiGroups: ["custom.metrics.k8s.io"], resources: ["*"], verbs: ["get"] }]),
  clusterRole("wildcard-everything", [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }]),
  role("wildcard-subresources", [{ apiGroups: [""], resources: ["*/status"], verbs: ["get"] }]),
  role("wildcard-groups", [{ apiGroups: ["*"], resources: ["deployments"], verbs: ["get"] }]),
  role("binds-roles", [READ_PODS, { apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles"], verbs: ["bind"] }]),
  clusterRole("escalates", [
    { apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles"], verbs: ["escalate"] },
  ]),
  clusterRole("impersonates", [{ apiGroups: [""], resources: ["serviceaccounts"], verbs: ["impersonate"] }]),
  clusterRole("reads-every-secret", [{ apiGroups: [""], resources: ["secrets", "configmaps"], verbs: ["list"] }]),
  clusterRoleBinding("root-for-prometheus", "cluster-admin"),
  roleBinding("root-in-namespace", { kind: "ClusterRole", name: "cluster-admin" }),
];
