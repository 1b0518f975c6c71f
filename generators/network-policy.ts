import type { NetworkPolicy } from "kubernetes-types/networking/v1.js";
import type { Platform } from "../schemas/platform.ts";
import { metadata } from "./meta.ts";

/**
 * Micro-segmentation: deny by default, allow traffic inside the namespace, and allow DNS.
 * The report's policy allows egress only to its own namespace, which silently breaks DNS (kube-dns
 * lives in kube-system), and selects namespaces by a `name` label nothing sets; we select by the
 * `kubernetes.io/metadata.name` label the API server sets on every namespace.
 * Host-network pods (the ultra-low-latency tier) are outside NetworkPolicy's reach on most CNIs:
 * their traffic is the node's, so the other pods may reach their ports, and accept connections
 * from the node subnets on their own HTTP ports. With an overlay (IPIP, VXLAN) a host-network pod
 * talks to pods on other nodes from its node's tunnel address, so `network.nodeCidrs` must cover
 * those addresses too; Cilium matches node addresses in ipBlocks only with policy-cidr-match-mode=nodes.
 */
export function networkPolicies(platform: Platform): NetworkPolicy[] {
  const own = { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": platform.namespace } } };
  const meta = (name: string) => metadata(platform, name, { component: "platform" });
  return [...baseline(own, meta), ...hostNetworkPeers(platform, meta)];
}

type Meta = (name: string) => NetworkPolicy["metadata"];

function hostNetworkPeers(platform: Platform, meta: Meta): NetworkPolicy[] {
  const services = Object.values(platform.services);
  const onHost = services.filter((s) => platform.tiers[s.tier]!.hostNetwork);
  if (onHost.length === 0 || !platform.network) return [];
  const nodes = platform.network.nodeCidrs.map((cidr) => ({ ipBlock: { cidr } }));
  const tcp = (ports: number[]) => [...new Set(ports)].sort((a, b) => a - b).map((port) => ({ protocol: "TCP", port }));
  const hostPorts = tcp(
    onHost.flatMap((s) => [s.ports.containerHttp ?? s.ports.http, s.ports.containerMetrics ?? s.ports.metrics]),
  );
  const podPorts = tcp(
    services.filter((s) => !platform.tiers[s.tier]!.hostNetwork).map((s) => s.ports.containerHttp ?? s.ports.http),
  );
  return [
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: meta("allow-host-network"),
      spec: {
        podSelector: {},
        policyTypes: ["Ingress", "Egress"],
        // By port only: with tunnelling CNIs the destination is not always a node address.
        egress: [{ ports: hostPorts }],
        ...(podPorts.length > 0 ? { ingress: [{ from: nodes, ports: podPorts }] } : {}),
      },
    },
  ];
}

function baseline(own: object, meta: Meta): NetworkPolicy[] {
  return [
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: meta("default-deny"),
      spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
    },
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: meta("allow-same-namespace"),
      spec: {
        podSelector: {},
        policyTypes: ["Ingress", "Egress"],
        ingress: [{ from: [own] }],
        egress: [{ to: [own] }],
      },
    },
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: meta("allow-dns"),
      spec: {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [
          {
            to: [
              {
                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
                podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
              },
            ],
            ports: [
              { protocol: "UDP", port: 53 },
              { protocol: "TCP", port: 53 },
            ],
          },
        ],
      },
    },
  ];
}
