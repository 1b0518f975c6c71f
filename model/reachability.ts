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
import { labelIndex, matchesLabelSelector } from "../core/k8s/selectors.ts";
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

/**
 * The network compiled against a fixed list of endpoints, so that judging a pair is set membership: computed once,
 * which endpoints each policy selects and which each rule's peers name (through a label index, not by trying every
 * selector on every pod). Endpoints are named by their position in the list.
 */
export interface ReachIndex {
  /** Both sides' verdicts for a connection from `from` to `to` on `probe`. */
  explain(from: number, to: number, probe: Probe): { egress: Verdict; ingress: Verdict };
  /** The source's side alone, for callers that need the other only when this one allows. */
  egress(from: number, to: number, probe: Probe): Verdict;
  ingress(from: number, to: number, probe: Probe): Verdict;
  /**
   * The endpoints the egress of `from` may admit on some port, ascending, or "all" when it is not isolated or a
   * rule admits any peer: its egress blocks every other endpoint on every port, so a caller need not try them.
   */
  egressReach(from: number): "all" | number[];
}

/**
 * One rule of a policy, compiled: its position (what a Verdict names); whether its ports admit a probe and its peers
 * name an endpoint (a rule admits what both accept); and which pod-network pods its peers name, "all" when they do
 * not narrow them.
 */
interface CompiledRule {
  index: number;
  ports(probe: Probe): boolean;
  names(other: number): boolean;
  pods: "all" | ReadonlySet<number>;
}

const NOTHING: Omit<CompiledRule, "index"> = { ports: () => false, names: () => false, pods: new Set() };

/** A policy isolating an endpoint in one direction, with its rules and, per endpoint, the rules that can admit it. */
interface Applying {
  policy: KubeObject;
  rules: CompiledRule[];
  /** The rules that can admit `other` on some port, in order: the only ones worth asking. */
  rulesFor(other: number): readonly CompiledRule[];
}

const podNetwork = (e: ReachEndpoint) => e.kind === "pod" && !e.hostNetwork;

export function indexNetwork(net: ReachNetwork, endpoints: readonly ReachEndpoint[]): ReachIndex {
  const pods = endpoints.flatMap((e, i) => (e.kind === "pod" ? [i] : []));
  const labels = labelIndex(pods.map((i) => (endpoints[i] as { labels: Record<string, string> }).labels));
  const namespaceOf = (i: number) => (endpoints[i] as { namespace: string }).namespace;
  const namespaces = [...new Set(pods.map(namespaceOf))];
  const nsLabels = new Map(namespaces.map((ns) => [ns, namespaceLabels(ns, net)]));
  /** Pods (by position) in `ns` whose labels `selector` matches; every pod of the namespaces when it is absent. */
  const selectPods = (selector: unknown, inNamespace: (ns: string) => boolean): number[] =>
    (selector === undefined ? pods : labels.select(selector).map((i) => pods[i]!)).filter((i) =>
      inNamespace(namespaceOf(i)),
    );
  // Only ipBlocks and entities decide about these, per endpoint: a rule can admit them whatever its selectors.
  const withAddresses = endpoints.flatMap((e, i) => (podNetwork(e) ? [] : [i]));
  const addresses = (["source", "destination"] as const).map((role) => endpoints.map((e) => addressesOf(e, role, net)));

  function compileRule(rule: unknown, index: number, key: "from" | "to", policyNs: string): CompiledRule {
    if (!isPlainObject(rule)) return { index, ...NOTHING };
    const list = Array.isArray(rule.ports) ? rule.ports : [];
    const ports = (probe: Probe) => list.length === 0 || list.some((p) => portMatches(p, probe));
    const peers = Array.isArray(rule[key]) ? (rule[key] as unknown[]) : [];
    if (peers.length === 0) return { index, ports, names: () => true, pods: "all" };
    const records = peers.filter(isPlainObject);
    // A pod-network pod is named by a peer's selectors (an ipBlock names no pod).
    const selected = new Set<number>();
    for (const peer of records) {
      if (peer.ipBlock !== undefined) continue;
      const inNamespace =
        peer.namespaceSelector === undefined
          ? (ns: string) => ns === policyNs
          : (ns: string) => matchesLabelSelector(peer.namespaceSelector, nsLabels.get(ns)!);
      for (const i of selectPods(peer.podSelector, inNamespace)) if (podNetwork(endpoints[i]!)) selected.add(i);
    }
    // Anything with addresses (a host-network pod: each node and tunnel range) only when every one of them lies in
    // some ipBlock of the rule.
    const role = key === "from" ? 0 : 1;
    const blocks = records.flatMap((p) => (p.ipBlock === undefined ? [] : [p.ipBlock]));
    const byAddress = new Map<number, boolean>();
    const addressed = (other: number) => {
      const e = endpoints[other]!;
      if (blocks.length === 0 || (e.kind === "pod" && net.ipBlockSkipsNodes)) return false;
      const all = addresses[role]![other]!;
      return all.length > 0 && all.every((a) => blocks.some((b) => ipBlockContains(b, a)));
    };
    return {
      index,
      ports,
      names(other) {
        if (podNetwork(endpoints[other]!)) return selected.has(other);
        return byAddress.get(other) ?? byAddress.set(other, addressed(other)).get(other)!;
      },
      pods: selected,
    };
  }

  function compileCiliumRule(rule: unknown, index: number, key: "fromEntities" | "toEntities"): CompiledRule {
    const somePod: ReachEndpoint = { kind: "pod", id: "", namespace: "", labels: {}, hostNetwork: false, ports: [] };
    if (!isPlainObject(rule)) return { index, ...NOTHING };
    return {
      index,
      ports: (probe) => ciliumPortMatches(rule.toPorts, probe),
      names: (other) => entityMatches(rule[key], endpoints[other]!),
      pods: entityMatches(rule[key], somePod) ? "all" : new Set(),
    };
  }

  // Per direction and endpoint, the policies that isolate it, in the order of `net.policies`.
  const applying: Record<Direction, Applying[][]> = {
    Ingress: endpoints.map(() => []),
    Egress: endpoints.map(() => []),
  };
  for (const p of net.policies) {
    const policyNs = p.metadata.namespace ?? "default";
    const spec = isPlainObject(p.spec) ? p.spec : {};
    for (const direction of ["Ingress", "Egress"] as const) {
      const rules = direction === "Ingress" ? spec.ingress : spec.egress;
      let compiled: CompiledRule[] | undefined;
      if (isNetworkPolicy(p) && policyTypes(spec).includes(direction)) {
        const key = direction === "Ingress" ? "from" : "to";
        const list = Array.isArray(rules) ? rules : [];
        compiled = list.map((r, i) => compileRule(r, i, key, policyNs));
      } else if (isCiliumPolicy(p) && Array.isArray(rules)) {
        const key = direction === "Ingress" ? "fromEntities" : "toEntities";
        compiled = rules.map((r, i) => compileCiliumRule(r, i, key));
      }
      if (!compiled) continue;
      const selector = (isNetworkPolicy(p) ? spec.podSelector : spec.endpointSelector) ?? {};
      const selected = selectPods(selector, (ns) => ns === policyNs);
      const policy = selected.length > 0 ? applies(p, compiled) : undefined;
      for (const i of selected) applying[direction][i]!.push(policy!);
    }
  }

  /**
   * Lists per endpoint the rules that can admit it, built on first use: a pod's through the rules' pod sets (a
   * policy may have a rule per peer), an address's or host-network pod's by asking each rule once.
   */
  function applies(policy: KubeObject, rules: CompiledRule[]): Applying {
    let byPod: Map<number, CompiledRule[]> | undefined;
    const byAddress = new Map<number, CompiledRule[]>();
    const anyPod = rules.filter((r) => r.pods === "all");
    return {
      policy,
      rulesFor(other) {
        if (!podNetwork(endpoints[other]!))
          return (
            byAddress.get(other) ??
            byAddress
              .set(
                other,
                rules.filter((r) => r.names(other)),
              )
              .get(other)!
          );
        if (!byPod) {
          byPod = new Map();
          for (const rule of rules)
            if (rule.pods !== "all") for (const i of rule.pods) (byPod.get(i) ?? byPod.set(i, []).get(i)!).push(rule);
        }
        const named = byPod.get(other) ?? [];
        if (anyPod.length === 0) return named;
        return [...named, ...anyPod].sort((a, b) => a.index - b.index);
      },
      rules,
    };
  }

  /** Is the pod isolated in `direction`, and if so, does some policy admit `other` on `probe`? */
  function side(pod: number, direction: Direction, other: number, probe: Probe): Verdict {
    if (!podNetwork(endpoints[pod]!)) return { allowed: true };
    const isolating = applying[direction][pod]!;
    for (const { policy, rulesFor } of isolating)
      for (const rule of rulesFor(other))
        if (rule.ports(probe) && rule.names(other)) return { allowed: true, policy, rule: rule.index };
    return { allowed: isolating.length === 0 };
  }

  return {
    explain: (from, to, probe) => ({
      egress: side(from, "Egress", to, probe),
      ingress: side(to, "Ingress", from, probe),
    }),
    egress: (from, to, probe) => side(from, "Egress", to, probe),
    ingress: (from, to, probe) => side(to, "Ingress", from, probe),
    egressReach(from) {
      const isolating = applying.Egress[from]!;
      if (!podNetwork(endpoints[from]!) || isolating.length === 0) return "all";
      const reach = new Set<number>();
      for (const { rules } of isolating)
        for (const rule of rules) {
          if (rule.pods === "all") return "all";
          for (const i of rule.pods) reach.add(i);
          for (const i of withAddresses) if (rule.names(i)) reach.add(i);
        }
      return [...reach].sort((a, b) => a - b);
    },
  };
}

/** Both sides' verdicts: the source's egress and the destination's ingress. */
export function explain(from: ReachEndpoint, to: ReachEndpoint, probe: Probe, net: ReachNetwork) {
  return indexNetwork(net, [from, to]).explain(0, 1, probe);
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
  const all = [...new Set([...sources, ...destinations.map((d) => d.endpoint)])];
  const position = new Map(all.map((e, i) => [e, i]));
  const index = indexNetwork(net, all);
  const paths: Path[] = [];
  for (const from of sources)
    for (const { endpoint: to, probes } of destinations) {
      if (from.id === to.id && from.kind === "address") continue;
      for (const probe of probes) {
        const v = index.explain(position.get(from)!, position.get(to)!, probe);
        if (v.egress.allowed && v.ingress.allowed)
          paths.push({
            from: from.id,
            to: to.id,
            port: probe.port,
            protocol: probe.protocol,
            ...(probe.name ? { name: probe.name } : {}),
          });
      }
    }
  return paths;
}
