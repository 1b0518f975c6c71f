import type { NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort } from "kubernetes-types/networking/v1.js";
import type { KubeObject } from "../core/finding.ts";
import { LABEL } from "../core/conventions.ts";
import { groupBy } from "../core/group-by.ts";
import {
  apiServerCidrs,
  DNS_PORT,
  hostNetworkCidrs,
  platformPods,
  resolveEdges,
  type Endpoint,
  type ResolvedEdge,
} from "../model/network.ts";
import type { Platform } from "../schemas/platform.ts";
import { metadata } from "./meta.ts";

/**
 * Micro-segmentation, least privilege: every namespace holding pod-network pods denies by default and allows DNS;
 * then each workload gets one ingress and one egress policy whose rules are exactly its edges of the
 * communication graph (model/network.ts), each scoped by `from`/`to` and a port. Namespaces are selected by the
 * `kubernetes.io/metadata.name` label the API server sets.
 * Host-network pods (the ultra-low-latency tier) are outside NetworkPolicy's reach: their own traffic is the
 * node's, so they get no policy, and a peer admits them by the addresses they present: node subnets, plus the
 * tunnel ranges of an overlay (Calico IPIP/VXLAN). Cilium ignores node addresses in ipBlock by default, so there
 * the same edges become a CiliumNetworkPolicy naming the entities `host` and `remote-node` (ciliumPolicies below).
 * `objects` are the environment's other objects: ports and namespaces are read from the pods they run.
 */
export function networkPolicies(platform: Platform, objects: readonly KubeObject[]): KubeObject[] {
  const pods = platformPods(objects).filter((w) => !w.hostNetwork);
  const namespaces = [...new Set(pods.map((w) => w.namespace))].sort();
  const edges = resolveEdges(platform, objects);
  const policies: KubeObject[] = namespaces.flatMap((ns) => baseline(platform, ns)) as KubeObject[];
  // Indexed by pod once: a filter per pod would make the policies quadratic in the number of services.
  const inboundOf = groupBy(edges, (e) => e.toPods?.id);
  const outboundOf = groupBy(edges, (e) => e.fromPods?.id);
  for (const w of pods) {
    const inbound = inboundOf.get(w.id) ?? [];
    const outbound = outboundOf.get(w.id) ?? [];
    const ingress = rules(platform, inbound, "from", w.namespace);
    const egress = rules(platform, outbound, "to", w.namespace);
    const meta = (suffix: string) => ({
      ...metadata(platform, `${w.id}-${suffix}`, { component: "platform", labelName: w.id }),
      namespace: w.namespace,
    });
    const podSelector = { matchLabels: { [LABEL.name]: w.id, [LABEL.partOf]: platform.name } };
    if (ingress.length > 0)
      policies.push(policy(meta("ingress"), { podSelector, policyTypes: ["Ingress"], ingress }) as KubeObject);
    if (egress.length > 0)
      policies.push(policy(meta("egress"), { podSelector, policyTypes: ["Egress"], egress }) as KubeObject);
    const cilium = ciliumPolicy(platform, w.id, w.namespace, inbound, outbound);
    if (cilium) policies.push(cilium);
  }
  return policies;
}

function policy(meta: NetworkPolicy["metadata"], spec: NetworkPolicy["spec"]): NetworkPolicy {
  return { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: meta, spec };
}

const byName = { namespaceSelector: (ns: string) => ({ matchLabels: { "kubernetes.io/metadata.name": ns } }) };

/** Cilium without policy-cidr-match-mode=nodes: node addresses are entities, never ipBlocks. */
const entitiesForHosts = (platform: Platform) =>
  platform.network.cni.plugin === "cilium" && platform.network.cni.policyCidrMatchMode === "default";

/** The peers that name an endpoint, seen from a policy in `ns`; empty when only a Cilium entity can. */
function peersOf(
  platform: Platform,
  e: Endpoint,
  edge: ResolvedEdge,
  role: "from" | "to",
  ns: string,
): NetworkPolicyPeer[] {
  const blocks = (cidrs: readonly string[]) => cidrs.map((cidr) => ({ ipBlock: { cidr } }));
  switch (e.kind) {
    case "workload": {
      const pods = role === "from" ? edge.fromPods! : edge.toPods!;
      if (pods.hostNetwork)
        return entitiesForHosts(platform)
          ? []
          : blocks(role === "from" ? hostNetworkCidrs(platform) : platform.network.nodeCidrs);
      const podSelector = { matchLabels: { [LABEL.name]: pods.id, [LABEL.partOf]: platform.name } };
      return [
        pods.namespace === ns
          ? { podSelector }
          : { namespaceSelector: byName.namespaceSelector(pods.namespace), podSelector },
      ];
    }
    case "external":
      return blocks(platform.network.external[e.name]?.cidrs ?? []);
    case "api-server":
      return entitiesForHosts(platform) ? [] : blocks(apiServerCidrs(platform));
    case "gateway":
      return platform.network.gateway
        ? [{ namespaceSelector: byName.namespaceSelector(platform.network.gateway.controllerNamespace) }]
        : [];
    case "cluster-prometheus": {
      const prometheus = platform.network.clusterPrometheus;
      return [
        {
          namespaceSelector: byName.namespaceSelector(prometheus.namespace),
          podSelector: { matchLabels: { ...prometheus.podLabels } },
        },
      ];
    }
    case "dns":
      return [];
  }
}

/** One rule per distinct peer list, with the ports of every edge to it, in a stable order. */
function rules(platform: Platform, edges: readonly ResolvedEdge[], role: "from" | "to", ns: string) {
  const grouped = new Map<string, { peers: NetworkPolicyPeer[]; ports: NetworkPolicyPort[] }>();
  for (const edge of edges) {
    const peers = peersOf(platform, role === "from" ? edge.from : edge.to, edge, role, ns);
    if (peers.length === 0) continue;
    const key = JSON.stringify(peers);
    const entry = grouped.get(key) ?? { peers, ports: [] };
    if (!entry.ports.some((p) => p.port === edge.portNumber && p.protocol === edge.protocol))
      entry.ports.push({ protocol: edge.protocol, port: edge.portNumber });
    grouped.set(key, entry);
  }
  return [...grouped.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, { peers, ports }]) => ({
      [role]: peers,
      ports: ports.sort(
        (a, b) => Number(a.port) - Number(b.port) || String(a.protocol).localeCompare(String(b.protocol)),
      ),
    }));
}

/**
 * On Cilium (default match mode) the edges to and from host-network pods and the API server, by entity. Under
 * default deny these rules are what admits the engines' traffic; the NetworkPolicies cover everything else.
 */
function ciliumPolicy(
  platform: Platform,
  id: string,
  ns: string,
  inbound: readonly ResolvedEdge[],
  outbound: readonly ResolvedEdge[],
): KubeObject | undefined {
  if (!entitiesForHosts(platform)) return undefined;
  const entity = (e: ResolvedEdge, role: "from" | "to") => {
    const end = role === "from" ? e.from : e.to;
    const pods = role === "from" ? e.fromPods : e.toPods;
    if (end.kind === "api-server") return ["kube-apiserver"];
    return pods?.hostNetwork ? ["host", "remote-node"] : undefined;
  };
  const entityRules = (edges: readonly ResolvedEdge[], role: "from" | "to") => {
    const byEntity = new Map<string, { port: string; protocol: string }[]>();
    for (const e of edges) {
      const names = entity(e, role);
      if (!names) continue;
      const key = names.join(",");
      const ports = byEntity.get(key) ?? [];
      if (!ports.some((p) => p.port === String(e.portNumber) && p.protocol === e.protocol))
        ports.push({ port: String(e.portNumber), protocol: e.protocol });
      byEntity.set(key, ports);
    }
    return [...byEntity.entries()].sort().map(([key, ports]) => ({
      [role === "from" ? "fromEntities" : "toEntities"]: key.split(","),
      toPorts: [{ ports: ports.sort((a, b) => Number(a.port) - Number(b.port)) }],
    }));
  };
  const ingress = entityRules(inbound, "from");
  const egress = entityRules(outbound, "to");
  if (ingress.length === 0 && egress.length === 0) return undefined;
  return {
    apiVersion: "cilium.io/v2",
    kind: "CiliumNetworkPolicy",
    metadata: { ...metadata(platform, `${id}-host-peers`, { component: "platform", labelName: id }), namespace: ns },
    spec: {
      endpointSelector: { matchLabels: { [LABEL.name]: id, [LABEL.partOf]: platform.name } },
      ...(ingress.length > 0 ? { ingress } : {}),
      ...(egress.length > 0 ? { egress } : {}),
    },
  } as KubeObject;
}

/** Default deny in both directions, and DNS: kube-dns pods, and NodeLocal DNSCache's address when configured. */
function baseline(platform: Platform, ns: string): NetworkPolicy[] {
  const meta = (name: string) => ({ ...metadata(platform, name, { component: "platform" }), namespace: ns });
  const nodeLocal = platform.network.nodeLocalDns;
  return [
    policy(meta("default-deny"), { podSelector: {}, policyTypes: ["Ingress", "Egress"] }),
    policy(meta("allow-dns"), {
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [
        {
          to: [
            {
              namespaceSelector: byName.namespaceSelector("kube-system"),
              podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
            },
            ...(nodeLocal ? [{ ipBlock: { cidr: `${nodeLocal}/32` } }] : []),
          ],
          ports: [
            { protocol: "UDP", port: DNS_PORT },
            { protocol: "TCP", port: DNS_PORT },
          ],
        },
      ],
    }),
  ];
}
