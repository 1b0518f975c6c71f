import type { NetworkPolicy } from "kubernetes-types/networking/v1.js";
import type { Platform } from "../schemas/platform.ts";
import { metadata } from "./meta.ts";

/**
 * Micro-segmentation: deny by default, allow traffic inside the namespace, and allow DNS.
 * The report's policy allows egress only to its own namespace, which silently breaks DNS (kube-dns
 * lives in kube-system), and selects namespaces by a `name` label nothing sets; we select by the
 * `kubernetes.io/metadata.name` label the API server sets on every namespace.
 * Host-network pods (the ultra-low-latency tier) are outside NetworkPolicy's reach on most CNIs.
 */
export function networkPolicies(platform: Platform): NetworkPolicy[] {
  const own = { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": platform.namespace } } };
  const meta = (name: string) => metadata(platform, name, { component: "platform" });
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
      spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"], ingress: [{ from: [own] }], egress: [{ to: [own] }] },
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
            to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
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
