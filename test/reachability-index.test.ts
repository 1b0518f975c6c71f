import { test } from "uvu";
import * as assert from "uvu/assert";
import { cidrContains, cidrsOverlap, parseCidr, type Cidr } from "../core/cidr.ts";
import type { KubeObject } from "../core/finding.ts";
import { labelIndex, matchesLabelSelector } from "../core/k8s/selectors.ts";
import { analyseReachability } from "../model/network-analysis.ts";
import { endpointName, hostNetworkCidrs, resolveEdges } from "../model/network.ts";
import {
  indexNetwork,
  type Probe,
  type ReachEndpoint,
  type ReachNetwork,
  type Verdict,
} from "../model/reachability.ts";
import { bundleOf } from "./support/config.ts";
import { random } from "./support/random.ts";

type Rng = ReturnType<typeof random>;
// The shapes this file generates (the analysis itself takes untrusted data).
interface Selector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values: string[] }[];
}
interface PortSpec {
  protocol?: string;
  port?: number | string;
  endPort?: number;
}
interface Peer {
  podSelector?: Selector;
  namespaceSelector?: Selector;
  ipBlock?: { cidr: string; except?: string[] };
}
interface Rule {
  ports?: PortSpec[];
  from?: Peer[];
  to?: Peer[];
  fromEntities?: string[];
  toEntities?: string[];
  toPorts?: { ports: { port: string; protocol: string }[] }[];
}
interface Spec {
  podSelector?: Selector;
  endpointSelector?: Selector;
  policyTypes?: string[];
  ingress?: Rule[];
  egress?: Rule[];
}

// The oracle: one side of one connection, straight from the NetworkPolicy (and CiliumNetworkPolicy entity) semantics,
// policy by policy and rule by rule, with no index. The first admitting rule of the first admitting policy, in order.
function oracleSide(
  pod: ReachEndpoint,
  dir: "Ingress" | "Egress",
  other: ReachEndpoint,
  probe: Probe,
  net: ReachNetwork,
) {
  if (pod.kind !== "pod" || pod.hostNetwork) return { allowed: true } as Verdict;
  const home = pod.namespace;
  let isolated = false;
  for (const p of net.policies) {
    if ((p.metadata.namespace ?? "default") !== pod.namespace) continue;
    const spec = p.spec as Spec;
    const rules = dir === "Ingress" ? spec.ingress : spec.egress;
    if (p.kind === "NetworkPolicy") {
      const types = spec.policyTypes ?? (spec.egress ? ["Ingress", "Egress"] : ["Ingress"]);
      if (!matchesLabelSelector(spec.podSelector, pod.labels) || !types.includes(dir)) continue;
      isolated = true;
      const i = (rules ?? []).findIndex(
        (r) => portsAdmit(r.ports, probe) && peersName(r[dir === "Ingress" ? "from" : "to"]),
      );
      if (i >= 0) return { allowed: true, policy: p, rule: i };
    } else {
      if (!matchesLabelSelector(spec.endpointSelector, pod.labels) || !rules) continue;
      isolated = true;
      const names =
        other.kind === "address" ? [other.entity] : other.hostNetwork ? ["host", "remote-node"] : ["cluster"];
      const i = rules.findIndex(
        (r) =>
          (r.fromEntities ?? r.toEntities ?? []).some((x: string) => x === "all" || names.includes(x)) &&
          (r.toPorts ?? []).every((tp) => tp.ports.some((q) => q.port === String(probe.port))),
      );
      if (i >= 0) return { allowed: true, policy: p, rule: i };
    }
  }
  return { allowed: !isolated } as Verdict;

  function portsAdmit(ports: PortSpec[] | undefined, probe: Probe) {
    if (!ports?.length) return true;
    return ports.some(
      (q) =>
        (q.protocol ?? "TCP") === probe.protocol &&
        (q.port === undefined ||
          q.port === probe.name ||
          (typeof q.port === "number" && probe.port >= q.port && probe.port <= (q.endPort ?? q.port))),
    );
  }
  function peersName(peers: Peer[] | undefined): boolean {
    if (!peers?.length) return true;
    if (other.kind === "pod" && !other.hostNetwork) {
      const { namespace, labels } = other;
      return peers.some(
        (peer) =>
          !peer.ipBlock &&
          (peer.namespaceSelector
            ? matchesLabelSelector(peer.namespaceSelector, {
                ...net.namespaceLabels[namespace],
                "kubernetes.io/metadata.name": namespace,
              })
            : namespace === home) &&
          (!peer.podSelector || matchesLabelSelector(peer.podSelector, labels)),
      );
    }
    if (other.kind === "pod" && net.ipBlockSkipsNodes) return false;
    const own = other.kind === "address" ? other.cidrs : dir === "Ingress" ? net.hostSourceCidrs : net.nodeCidrs;
    return (
      own.length > 0 &&
      own.every((a) =>
        peers.some(
          (peer) =>
            peer.ipBlock &&
            cidrContains(cidr(peer.ipBlock.cidr), cidr(a)) &&
            !(peer.ipBlock.except ?? []).some((x: string) => cidrsOverlap(cidr(x), cidr(a))),
        ),
      )
    );
  }
}
const cidr = (s: string) => parseCidr(s) as Cidr;

// Random small networks: few label keys and values so that selectors often match, both namespaces' labels, host
// network, addresses that ipBlocks contain, carve out or half cover, named ports that exist on some pods only.
const NAMESPACES = ["a", "b", "default"];
const KEYS = ["app", "tier", "role"];
const VALUES = ["x", "y", "z"];
const CIDRS = ["10.0.0.0/24", "10.0.0.0/16", "10.1.0.0/16", "192.168.0.0/16", "8.8.8.8/32", "0.0.0.0/0"];
const PORTS = [
  { name: "http", port: 80, protocol: "TCP" },
  { name: "http", port: 8080, protocol: "TCP" },
  { name: "dns", port: 53, protocol: "UDP" },
  { name: "metrics", port: 9090, protocol: "TCP" },
];

function labels(r: Rng): Record<string, string> {
  return Object.fromEntries(KEYS.filter(() => r.next() < 0.6).map((k) => [k, r.pick(VALUES)]));
}
function selector(r: Rng, keys = KEYS): Selector {
  const s: Selector = {};
  if (r.next() < 0.4) s.matchLabels = Object.fromEntries([[r.pick(keys), r.pick(VALUES)]]);
  if (r.next() < 0.5)
    s.matchExpressions = Array.from({ length: 1 + r.int(2) }, () => ({
      key: r.pick(keys),
      operator: r.pick(["In", "NotIn", "Exists", "DoesNotExist", "In", "NotIn", "Bogus"]),
      values: VALUES.filter(() => r.next() < 0.5),
    }));
  return s;
}
function ports(r: Rng): PortSpec[] | undefined {
  if (r.next() < 0.35) return r.next() < 0.5 ? undefined : [];
  return Array.from({ length: 1 + r.int(2) }, () => {
    const q: PortSpec = r.next() < 0.5 ? {} : { protocol: r.pick(["TCP", "UDP"]) };
    const which = r.int(4);
    if (which === 0) q.port = r.pick(PORTS).name;
    else if (which === 1) q.port = r.pick([53, 80, 8080, 9090]);
    else if (which === 2) Object.assign(q, { port: 50, endPort: r.pick([80, 8079, 9090]) });
    return q;
  });
}
function peers(r: Rng): Peer[] | undefined {
  if (r.next() < 0.25) return r.next() < 0.5 ? undefined : [];
  return Array.from({ length: 1 + r.int(2) }, () => {
    if (r.next() < 0.3) {
      const block: { cidr: string; except?: string[] } = { cidr: r.pick(CIDRS) };
      if (r.next() < 0.4) block.except = [r.pick(CIDRS)];
      return { ipBlock: block };
    }
    const peer: Peer = {};
    if (r.next() < 0.7) peer.podSelector = selector(r);
    if (r.next() < 0.4) peer.namespaceSelector = selector(r, ["team", "kubernetes.io/metadata.name"]);
    return peer;
  });
}
function policy(r: Rng, i: number): KubeObject {
  const metadata = { name: `p${i}`, ...(r.next() < 0.9 ? { namespace: r.pick(NAMESPACES) } : {}) };
  if (r.next() < 0.15) {
    const rules = (key: "fromEntities" | "toEntities"): Rule[] =>
      Array.from({ length: r.int(3) }, () => ({
        [key]: [r.pick(["world", "cluster", "host", "remote-node", "kube-apiserver", "all"])],
        ...(r.next() < 0.5
          ? { toPorts: [{ ports: [{ port: String(r.pick([53, 80, 8080])), protocol: "ANY" }] }] }
          : {}),
      }));
    const spec: Spec = { endpointSelector: selector(r) };
    if (r.next() < 0.6) spec.ingress = rules("fromEntities");
    if (r.next() < 0.6) spec.egress = rules("toEntities");
    return { apiVersion: "cilium.io/v2", kind: "CiliumNetworkPolicy", metadata, spec };
  }
  const spec: Spec = { podSelector: r.next() < 0.3 ? {} : selector(r) };
  const types = r.pick([undefined, ["Ingress"], ["Egress"], ["Ingress", "Egress"]]);
  if (types) spec.policyTypes = types;
  for (const [key, peerKey] of [
    ["ingress", "from"],
    ["egress", "to"],
  ] as const)
    if (r.next() < 0.7)
      spec[key] = Array.from({ length: r.int(4) }, () => {
        const rule: Rule = {};
        const p = ports(r);
        const q = peers(r);
        if (p) rule.ports = p;
        if (q) rule[peerKey] = q;
        return rule;
      });
  return { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata, spec };
}
function network(seed: number) {
  const r = random(seed);
  const pods: ReachEndpoint[] = Array.from({ length: 3 + r.int(7) }, (_, i) => ({
    kind: "pod",
    id: `pod${i}`,
    namespace: r.pick(NAMESPACES),
    labels: labels(r),
    hostNetwork: r.next() < 0.15,
    ports: PORTS.filter(() => r.next() < 0.4),
  }));
  const addresses: ReachEndpoint[] = Array.from({ length: 1 + r.int(3) }, (_, i) => ({
    kind: "address",
    id: `addr${i}`,
    cidrs: CIDRS.filter(() => r.next() < 0.3),
    entity: r.pick(["world", "kube-apiserver"] as const),
  }));
  const net: ReachNetwork = {
    policies: Array.from({ length: r.int(7) }, (_, i) => policy(r, i)),
    namespaceLabels: { a: { team: r.pick(VALUES) }, b: { team: r.pick(VALUES) } },
    nodeCidrs: ["10.0.0.0/24"],
    hostSourceCidrs: r.next() < 0.5 ? ["10.0.0.0/24"] : ["10.0.0.0/24", "10.1.0.0/16"],
    ipBlockSkipsNodes: r.next() < 0.3,
  };
  return { endpoints: [...pods, ...addresses], net };
}
const probesOf = (to: ReachEndpoint): Probe[] => [
  ...(to.kind === "pod" ? to.ports : []),
  { port: 53, protocol: "UDP" },
  { port: 80, protocol: "TCP" },
  { port: 1, protocol: "TCP" },
  { port: 9090, protocol: "TCP" },
];
const shown = (v: Verdict) => `${v.allowed}${v.policy ? ` by ${v.policy.metadata.name}[${v.rule}]` : ""}`;

test("on 600 random networks the indexed verdicts are the rule-by-rule ones, and egress reach misses none", () => {
  let allowed = 0;
  let denied = 0;
  for (let seed = 1; seed <= 600; seed++) {
    const { endpoints, net } = network(seed);
    const index = indexNetwork(net, endpoints);
    endpoints.forEach((from, f) => {
      const reach = index.egressReach(f);
      endpoints.forEach((to, t) => {
        for (const probe of probesOf(to)) {
          const expected = {
            egress: oracleSide(from, "Egress", to, probe, net),
            ingress: oracleSide(to, "Ingress", from, probe, net),
          };
          const got = index.explain(f, t, probe);
          const named = probe.name ? ` (${probe.name})` : "";
          const where = `seed ${seed}: ${from.id} → ${to.id} ${probe.protocol}/${probe.port}${named}`;
          assert.is(shown(got.egress), shown(expected.egress), `${where} egress`);
          assert.is(shown(got.ingress), shown(expected.ingress), `${where} ingress`);
          assert.is(got.egress.policy, expected.egress.policy, `${where}: the very policy object`);
          assert.equal(index.egress(f, t, probe), got.egress, where);
          assert.equal(index.ingress(f, t, probe), got.ingress, where);
          if (expected.egress.allowed && reach !== "all")
            assert.ok(reach.includes(t), `${where}: missing from the egress reach`);
          if (expected.egress.allowed && expected.ingress.allowed) allowed++;
          else denied++;
        }
      });
    });
  }
  // Not a vacuous comparison: both answers are common.
  assert.ok(allowed > 5000 && denied > 5000, `${allowed} allowed, ${denied} denied`);
});

test("the label index selects exactly what matchesLabelSelector accepts", () => {
  const r = random(1401);
  const sets = Array.from({ length: 40 }, () => labels(r));
  const index = labelIndex(sets);
  for (let i = 0; i < 2000; i++) {
    const s = r.next() < 0.05 ? r.pick([null, "app=x", { matchLabels: { app: 1 } }]) : selector(r);
    const expected = sets.flatMap((l, j) => (matchesLabelSelector(s, l) ? [j] : []));
    assert.equal(index.select(s), expected, JSON.stringify(s));
  }
});

test("real config plus random policies: each allowed path has the definition's verdicts and edge", () => {
  const r = random(1402);
  const prod = bundleOf().environments.find((e) => e.environment === "prod")!;
  const edges = resolveEdges(prod.platform, prod.objects);
  const realLabels = prod.objects.flatMap((o) =>
    o.kind === "NetworkPolicy" ? [((o.spec as Spec).podSelector?.matchLabels ?? {}) as Record<string, string>] : [],
  );
  let undeclared = 0;
  for (let round = 0; round < 8; round++) {
    const extra: KubeObject[] = Array.from({ length: 3 }, (_, i) => {
      const ingress = r.next() < 0.5;
      const peer: Peer = r.next() < 0.5 ? {} : { ipBlock: { cidr: r.pick(["0.0.0.0/0", "10.0.0.0/8"]) } };
      const rule: Rule = { ...(ingress ? { from: [peer] } : { to: [peer] }), ports: ports(r) ?? [] };
      const spec: Spec = {
        podSelector: { matchLabels: r.pick(realLabels) },
        policyTypes: [ingress ? "Ingress" : "Egress"],
        ...(ingress ? { ingress: [rule] } : { egress: [rule] }),
      };
      return {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name: `extra-${round}-${i}`, namespace: r.pick(["nautilus-trading", "nautilus-engines"]) },
        spec,
      };
    });
    const objects = [...prod.objects, ...extra];
    const analysis = analyseReachability(prod.platform, objects);
    const net: ReachNetwork = indexlessNetwork(objects, prod.platform);
    const host = new Set(
      [...analysis.endpoints.values()].filter((e) => e.kind === "pod" && e.hostNetwork).map((e) => e.id),
    );
    undeclared += analysis.undeclared.length;
    for (const p of analysis.allowed) {
      const from = analysis.endpoints.get(p.from)!;
      const to = analysis.endpoints.get(p.to)!;
      const probe = {
        port: p.port,
        protocol: p.protocol,
        ...(to.kind === "pod"
          ? { name: to.ports.find((q) => q.port === p.port && q.protocol === p.protocol)?.name }
          : {}),
      };
      const path = `${p.from} → ${p.to} ${p.port}`;
      assert.is(shown(p.egress), shown(oracleSide(from, "Egress", to, probe, net)), path);
      assert.is(shown(p.ingress), shown(oracleSide(to, "Ingress", from, probe, net)), path);
      const edge = edges.find(
        (e) =>
          matchesEnd(e, "from", p.from) &&
          matchesEnd(e, "to", p.to) &&
          e.portNumber === p.port &&
          e.protocol === p.protocol,
      );
      if (p.declaredBy !== "dns") assert.equal(p.declaredBy, edge, `${path}: the first declaring edge`);
    }
    function matchesEnd(e: (typeof edges)[number], end: "from" | "to", id: string) {
      const pods = end === "from" ? e.fromPods : e.toPods;
      return endpointName(e[end]) === id || (host.has(id) && pods?.hostNetwork === true);
    }
  }
  // Not vacuous: the extra policies open paths no edge declares, which the analysis must still list.
  assert.ok(undeclared > 0, `${undeclared} undeclared paths`);
});

function indexlessNetwork(
  objects: KubeObject[],
  platform: ReturnType<typeof bundleOf>["environments"][number]["platform"],
): ReachNetwork {
  const namespaceLabels: Record<string, Record<string, string>> = {};
  for (const o of objects) if (o.kind === "Namespace") namespaceLabels[o.metadata.name] = o.metadata.labels ?? {};
  return {
    policies: objects.filter((o) => o.kind === "NetworkPolicy" || o.kind === "CiliumNetworkPolicy"),
    namespaceLabels,
    nodeCidrs: platform.network.nodeCidrs,
    hostSourceCidrs: hostNetworkCidrs(platform),
    ipBlockSkipsNodes:
      platform.network.cni.plugin === "cilium" && platform.network.cni.policyCidrMatchMode === "default",
  };
}

test.run();
