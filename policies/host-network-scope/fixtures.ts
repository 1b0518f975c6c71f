import type { KubeObjectLike } from "../builders.ts";
import { deployment, pod, ullDeployment } from "../builders.ts";

export const allow: KubeObjectLike[] = [
  ullDeployment({ hostNetwork: true, dnsPolicy: "ClusterFirstWithHostNet" }, "ull-host-network-with-dns-policy"),
  ullDeployment({}, "ull-without-host-network"),
  deployment({ name: "standard-pod-network", tier: "standard", spec: { hostNetwork: false } }),
];

export const deny: KubeObjectLike[] = [
  deployment({
    name: "host-network-outside-the-tier",
    tier: "high-performance",
    spec: { hostNetwork: true, dnsPolicy: "ClusterFirstWithHostNet" },
  }),
  ullDeployment({ hostNetwork: true }, "ull-host-network-default-dns"),
  ullDeployment({ hostNetwork: true, dnsPolicy: "ClusterFirst" }, "ull-host-network-cluster-first"),
  pod({ name: "standard-host-network-pod", tier: "standard", spec: { hostNetwork: true } }),
];
