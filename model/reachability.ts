/**
 * Offline reachability: which endpoint may open a connection to which, on which port, under the NetworkPolicies
 * (and Cilium's CiliumNetworkPolicies) of a set of objects, with the semantics of the Kubernetes API:
 * - a pod is isolated for a direction only when some policy of its namespace selects it with that policy type;
 *   an isolated pod admits the union of the rules of every policy selecting it;
 * - a connection needs the source's egress and the destination's ingress to allow it;
 * - policies never apply to host-network pods, and pod or namespace selectors never match them: a host-network
 *   pod is its node's address (and, sending across an overlay, its tunnel address), which only ipBlocks match, and
 *   on Cilium only with policy-cidr-match-mode=nodes, otherwise only the entities `host` and `remote-node`;
 * - ipBlock `except` carves addresses out; a rule's port may be a number, a range (`endPort`) or a container port
 *   name resolved on the destination pod; a rule without ports allows every port, without peers every peer.
 * ipBlocks are taken to name addresses outside the pod network, as the API documents them: they never match pods.
 * Pure: the caller lists the endpoints; nothing is read from a cluster.
 */
import { matchesLabelSelector } from "../core/k8s/selectors.ts";
import { cidrContains, cidrsOverlap, parseCidr, type Cidr } from "../core/cidr.ts";
import type { KubeObject } from "../core/finding.ts";
import { isPlainObject } from "../core/plain.ts";
import type { WorkloadPods } from "../core/k8s/workloads.ts";

export type ReachEndpoint =
  | ({ kind: "pod" } & WorkloadPods)
  /** Addresses outside the pod network: external sets, the API server, NodeLocal DNSCache, the internet. */
  | { kind: "address"; id: string; cidrs: string[]; entity: "world" | "kube-apiserver" };

export interface ReachNetwork {
  policies: readonly KubeObject[];
  /** Labels of each namespace, by name (the API server's `kubernetes.io/metadata.name` is added). */
  namespaceLabels: Readonly<Record<string, Record<string, string>>>;
  /** Where host-network pods listen. */
  nodeCidrs: readonly string[];
  /** What host-network pods send from: node addresses, and tunnel addresses on overlays. */
  hostSourceCidrs: readonly string[];
  /** Cilium's default: ipBlock never matches node addresses. */
  ipBlockSkipsNodes: boolean;
}

export interface Probe {
  port: number;
  protocol: string;
  /** The container port's name on a pod destination (for named ports in rules). */
  name?: string;
}

type Direction = "Ingress" | "Egress";

const NAME_LABEL = "kubernetes.io/metadata.name";

const parsed = (cidrs: readonly string[]): Cidr[] =>
  cidrs.map(parseCidr).filter((c): c is Cidr => typeof c !== "string");

/** The endpoint's addresses as the far end of a connection sees them, or undefined for a pod-network pod. */
function addressesOf(e: ReachEndpoint, role: "source" | "destination", net: ReachNetwork): Cidr[] | undefined {
  if (e.kind === "address") return parsed(e.cidrs);
  if (!e.hostNetwork) return undefined;
  return parsed(role === "source" ? net.hostSourceCidrs : net.nodeCidrs);
}

function namespaceLabels(ns: string, net: ReachNetwork): Record<string, string> {
  return { ...(net.namespaceLabels[ns] ?? {}), [NAME_LABEL]: ns };
}

/** Does the ipBlock contain the whole of `address`, minus nothing its `except` carves out? */
function ipBlockContains(block: unknown, address: Cidr): boolean {
  if (!isPlainObject(block) || typeof block.cidr !== "string") return false;
  const cidr = parseCidr(block.cidr);
  if (typeof cidr === "string") return false;
  const except = parsed(Array.isArray(block.except) ? block.except.filter((x) => typeof x === "string") : []);
  return cidrContains(cidr, address) && !except.some((x) => cidrsOverlap(x, address));
}

function selectorMatches(peer: Record<string, unknown>, policyNs: string, e: ReachEndpoint, net: ReachNetwork) {
  if (e.kind !== "pod" || e.hostNetwork || peer.ipBlock !== undefined) return false;
  if (peer.namespaceSelector === undefined) {
    if (e.namespace !== policyNs) return false;
  } else if (!matchesLabelSelector(peer.namespaceSelector, namespaceLabels(e.namespace, net))) return false;
  return peer.podSelector === undefined || matchesLabelSelector(peer.podSelector, e.labels);
}

/**
 * Do the rule's peers name `e`? A pod-network pod by selectors; anything with addresses only when every one of
 * its addresses (a host-network pod: each node and tunnel range) lies in some ipBlock of the rule.
 */
function peersMatch(
  peers: unknown[],
  policyNs: string,
  e: ReachEndpoint,
  role: "source" | "destination",
  net: ReachNetwork,
) {
  const records = peers.filter(isPlainObject);
  const addresses = addressesOf(e, role, net);
  if (!addresses) return records.some((p) => selectorMatches(p, policyNs, e, net));
  if (e.kind === "pod" && net.ipBlockSkipsNodes) return false;
  return addresses.length > 0 && addresses.every((a) => records.some((p) => ipBlockContains(p.ipBlock, a)));
}

function portMatches(spec: unknown, probe: Probe): boolean {
  if (!isPlainObject(spec)) return false;
  const protocol = typeof spec.protocol === "string" ? spec.protocol : "TCP";
  if (protocol !== probe.protocol) return false;
  if (spec.port === undefined) return true;
  if (typeof spec.port === "string") return spec.port === probe.name;
  if (typeof spec.port !== "number") return false;
  const end = typeof spec.endPort === "number" ? spec.endPort : spec.port;
  return probe.port >= spec.port && probe.port <= end;
}

function ruleAllows(
  rule: unknown,
  peersKey: "from" | "to",
  policyNs: string,
  other: ReachEndpoint,
  probe: Probe,
  net: ReachNetwork,
): boolean {
  if (!isPlainObject(rule)) return false;
  const ports = Array.isArray(rule.ports) ? rule.ports : [];
  if (ports.length > 0 && !ports.some((p) => portMatches(p, probe))) return false;
  const peers = Array.isArray(rule[peersKey]) ? (rule[peersKey] as unknown[]) : [];
  const role = peersKey === "from" ? "source" : "destination";
  return peers.length === 0 || peersMatch(peers, policyNs, other, role, net);
}

const isNetworkPolicy = (o: KubeObject) => o.kind === "NetworkPolicy" && o.apiVersion.startsWith("networking.k8s.io/");
const isCiliumPolicy = (o: KubeObject) => o.kind === "CiliumNetworkPolicy" && o.apiVersion.startsWith("cilium.io/");

function policyTypes(spec: Record<string, unknown>): Direction[] {
  if (Array.isArray(spec.policyTypes)) return spec.policyTypes.filter((t): t is Direction => typeof t === "string");
  // The API server defaults policyTypes: Ingress always, Egress when the policy has egress rules.
  return Array.isArray(spec.egress) ? ["Ingress", "Egress"] : ["Ingress"];
}

/** Cilium entities that name `other`: a host-network pod is `host` or `remote-node`, an address its entity. */
function entityMatches(entities: unknown, other: ReachEndpoint): boolean {
  if (!Array.isArray(entities)) return false;
  const names =
    other.kind === "address"
      ? [other.entity, "all"]
      : other.hostNetwork
        ? ["host", "remote-node", "all"]
        : ["cluster", "all"];
  return entities.some((x) => typeof x === "string" && names.includes(x));
}

function ciliumPortMatches(toPorts: unknown, probe: Probe): boolean {
  if (!Array.isArray(toPorts) || toPorts.length === 0) return true;
  return toPorts.some(
    (tp) =>
      isPlainObject(tp) &&
      Array.isArray(tp.ports) &&
      tp.ports.some(
        (p) =>
          isPlainObject(p) &&
          [probe.protocol, "ANY"].includes(String(p.protocol ?? "ANY")) &&
          (String(p.port) === String(probe.port) || (p.port === probe.name && probe.name !== undefined)),
      ),
  );
}

/** How one side judged a connection: allowed because not isolated, or by a policy's rule; or blocked. */
export interface Verdict {
  allowed: boolean;
  /** The policy and rule index that allowed it (absent when the pod is not isolated, or when blocked). */
  policy?: KubeObject;
  rule?: number;
}

/** Is `pod` isolated in `direction`, and if so, does some policy admit `other` on `probe`? */
function side(
  pod: ReachEndpoint,
  direction: Direction,
  other: ReachEndpoint,
  probe: Probe,
  net: ReachNetwork,
): Verdict {
  if (pod.kind !== "pod" || pod.hostNetwork) return { allowed: true };
  let isolated = false;
  for (const p of net.policies) {
    if ((p.metadata.namespace ?? "default") !== pod.namespace) continue;
    const spec = isPlainObject(p.spec) ? p.spec : {};
    if (isNetworkPolicy(p)) {
      if (!matchesLabelSelector(spec.podSelector ?? {}, pod.labels)) continue;
      if (!policyTypes(spec).includes(direction)) continue;
      isolated = true;
      const rules = direction === "Ingress" ? spec.ingress : spec.egress;
      const key = direction === "Ingress" ? "from" : "to";
      const rule = Array.isArray(rules)
        ? rules.findIndex((r) => ruleAllows(r, key, pod.namespace, other, probe, net))
        : -1;
      if (rule >= 0) return { allowed: true, policy: p, rule };
    } else if (isCiliumPolicy(p)) {
      if (!matchesLabelSelector(spec.endpointSelector ?? {}, pod.labels)) continue;
      const rules = direction === "Ingress" ? spec.ingress : spec.egress;
      if (!Array.isArray(rules)) continue;
      isolated = true;
      const key = direction === "Ingress" ? "fromEntities" : "toEntities";
      const rule = rules.findIndex(
        (r) => isPlainObject(r) && entityMatches(r[key], other) && ciliumPortMatches(r.toPorts, probe),
      );
      if (rule >= 0) return { allowed: true, policy: p, rule };
    }
  }
  return { allowed: !isolated };
}

/** Both sides' verdicts: the source's egress and the destination's ingress. */
export function explain(from: ReachEndpoint, to: ReachEndpoint, probe: Probe, net: ReachNetwork) {
  return { egress: side(from, "Egress", to, probe, net), ingress: side(to, "Ingress", from, probe, net) };
}

/** May `from` open a connection to `to` on `probe`? Both the egress of one and the ingress of the other must allow. */
export function mayConnect(from: ReachEndpoint, to: ReachEndpoint, probe: Probe, net: ReachNetwork): boolean {
  const v = explain(from, to, probe, net);
  return v.egress.allowed && v.ingress.allowed;
}

export interface Path {
  from: string;
  to: string;
  port: number;
  protocol: string;
  /** The destination's container port name, when it has one. */
  name?: string;
}

/**
 * Every allowed connection from each source to each destination: on a pod, its container ports; on an address,
 * the ports given for it.
 */
export function reachablePaths(
  sources: readonly ReachEndpoint[],
  destinations: readonly { endpoint: ReachEndpoint; probes: readonly Probe[] }[],
  net: ReachNetwork,
): Path[] {
  const paths: Path[] = [];
  for (const from of sources)
    for (const { endpoint: to, probes } of destinations) {
      if (from.id === to.id && from.kind === "address") continue;
      for (const probe of probes)
        if (mayConnect(from, to, probe, net))
          paths.push({
            from: from.id,
            to: to.id,
            port: probe.port,
            protocol: probe.protocol,
            ...(probe.name ? { name: probe.name } : {}),
          });
    }
  return paths;
}
