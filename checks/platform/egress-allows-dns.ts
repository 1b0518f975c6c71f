import type { NetworkPolicy, NetworkPolicyEgressRule } from "kubernetes-types/networking/v1.js";
import type { Finding } from "../../core/finding.ts";
import { refOf, type KubeObject } from "../../core/finding.ts";
import { environmentOf, findingOf, type ObjectCheck } from "../check.ts";

/**
 * Network policies are additive: once any policy selects a pod for Egress, the pod may only reach
 * what some policy allows. If no policy of the namespace allows port 53, every name lookup fails
 * and the pods cannot reach anything by name. The report's policy, which allows egress only to its
 * own namespace, does exactly that: kube-dns lives in kube-system.
 */
export const egressAllowsDns: ObjectCheck = {
  id: "platform/egress-allows-dns",
  needs: "objects",
  description: "A namespace that restricts egress lets its pods reach DNS.",
  severity: "error",
  doc: {
    catches:
      "A NetworkPolicy with `policyTypes: [Egress]` in a namespace where no NetworkPolicy allows the same " +
      "pods (or all pods) UDP port 53 to a peer that may be kube-dns in `kube-system`. Peers the check " +
      "cannot evaluate offline (ipBlocks, matchExpressions) count as allowing it.",
    why:
      "Network policies add up: once a policy selects a pod for Egress, the pod reaches only what some " +
      "policy allows. Without DNS every name lookup fails, so the pods reach nothing by name. Lookups go " +
      "over UDP first, so a TCP-only rule does not help. The Phase 4 report's policy allowed egress only " +
      "to its own namespace.",
    fix:
      "Add an egress rule to kube-dns: `to: [{namespaceSelector: {matchLabels: " +
      '{"kubernetes.io/metadata.name": kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}]`, ' +
      "ports UDP and TCP 53.",
    example: {
      manifests: `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: same-namespace-only, namespace: nautilus-trading }
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
    - to: [{ namespaceSelector: { matchLabels: { name: nautilus-trading } } }]
`,
    },
  },
  run(ctx) {
    return ctx.environments.flatMap((env) => judge(this, env.objects, environmentOf(env)));
  },
};

const matchesEverything = (sel: unknown) =>
  !sel ||
  (typeof sel === "object" &&
    Object.values(sel as Record<string, unknown>).every(
      (v) => v === undefined || (Array.isArray(v) ? v.length === 0 : Object.keys(v as object).length === 0),
    ));

type Peer = NonNullable<NetworkPolicyEgressRule["to"]>[number];

/** Can this peer include kube-dns in kube-system? Selectors we cannot evaluate offline count as yes. */
function mayReachKubeSystem(peer: Peer, ownNamespace: string): boolean {
  if (peer.ipBlock) return true;
  const sel = peer.namespaceSelector;
  if (!sel) return ownNamespace === "kube-system";
  if (sel.matchExpressions?.length) return true;
  const labels = sel.matchLabels ?? {};
  return Object.keys(labels).length === 0 || labels["kubernetes.io/metadata.name"] === "kube-system";
}

/** Lookups go over UDP 53 first; a port's protocol defaults to TCP, so a TCP-only rule breaks DNS. */
function allowsDns(rule: NetworkPolicyEgressRule, ownNamespace: string): boolean {
  const port53 =
    !rule.ports?.length ||
    rule.ports.some((p) => p.protocol === "UDP" && (p.port === undefined || p.port === 53 || p.port === "dns"));
  const peer = !rule.to?.length || rule.to.some((t) => mayReachKubeSystem(t, ownNamespace));
  return port53 && peer;
}

function judge(check: ObjectCheck, objects: readonly KubeObject[], environment: { environment?: string }): Finding[] {
  const byNamespace = new Map<string, KubeObject[]>();
  for (const o of objects) {
    if (o.kind !== "NetworkPolicy" || !o.apiVersion.startsWith("networking.k8s.io/")) continue;
    const ns = o.metadata.namespace ?? "default";
    const list = byNamespace.get(ns);
    if (list) list.push(o);
    else byNamespace.set(ns, [o]);
  }
  const findings: Finding[] = [];
  for (const [ns, policies] of byNamespace) {
    const spec = (p: KubeObject) => (p as unknown as NetworkPolicy).spec;
    const egress = policies.filter((p) => (spec(p)?.policyTypes ?? []).includes("Egress"));
    // A DNS rule helps the pods its own policy selects: all of them, or the same ones.
    const dnsFor = policies
      .filter((p) => (spec(p)?.egress ?? []).some((r) => allowsDns(r, ns)))
      .map((p) => spec(p)?.podSelector ?? {});
    // Kept as a set of selectors' texts: comparing each egress policy with each DNS policy is quadratic when
    // every workload has its own policy.
    const dnsForAll = dnsFor.some(matchesEverything);
    const dnsForSame = new Set(dnsFor.map((sel) => JSON.stringify(sel)));
    for (const p of egress) {
      if (dnsForAll || dnsForSame.has(JSON.stringify(spec(p)?.podSelector ?? {}))) continue;
      findings.push(
        findingOf(check, {
          ...environment,
          resource: refOf(p),
          path: "spec.egress",
          message:
            `restricts egress in namespace ${ns}, and no NetworkPolicy there allows its pods DNS (UDP 53 ` +
            `to kube-dns): they cannot resolve any name`,
          hint:
            "add an egress rule to kube-dns: to: [{namespaceSelector: {matchLabels: " +
            '{"kubernetes.io/metadata.name": kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}], ' +
            "ports: UDP and TCP 53",
        }),
      );
    }
  }
  return findings;
}
