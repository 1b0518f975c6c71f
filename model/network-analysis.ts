/**
 * The reachability of one environment, compared with its communication graph: every connection the generated
 * policies allow between the platform's pods, the cluster's endpoints (DNS, the API server, the Gateway
 * controller), the external endpoint sets and the rest of the internet; which declared edges they block; which
 * allowed connections no edge declares. `check` refuses the last two; `report` prints the matrix. Pure.
 */
import type { KubeObject } from "../core/finding.ts";
import { isPlainObject } from "../core/plain.ts";
import type { Platform } from "../schemas/platform.ts";
import {
  apiServerCidrs,
  apiServerPorts,
  DNS_PORT,
  endpointName,
  hostNetworkCidrs,
  platformPods,
  resolveEdges,
  type ResolvedEdge,
} from "./network.ts";
import { indexNetwork, type Probe, type ReachEndpoint, type ReachNetwork, type Verdict } from "./reachability.ts";

export const INTERNET = "internet";
/** An address no cluster and no declared set should contain, standing for the rest of the internet. */
export const INTERNET_PROBE = "8.8.8.8/32";
const NODE_LOCAL_DNS = "node-local-dns";

export interface AnalysedPath {
  from: string;
  to: string;
  port: number;
  protocol: string;
  /** The edge that declares it, "dns" for name resolution every pod needs, undefined when nothing declares it. */
  declaredBy?: ResolvedEdge | "dns";
  egress: Verdict;
  ingress: Verdict;
}

export interface Analysis {
  /** Every allowed connection policy can restrict (host network to host network is the nodes' business). */
  allowed: AnalysedPath[];
  /** Declared edges the policies block, with both sides' verdicts. */
  blocked: { edge: ResolvedEdge; egress: Verdict; ingress: Verdict }[];
  /** Allowed connections no edge declares. */
  undeclared: AnalysedPath[];
  /** Endpoints by id, for reports. */
  endpoints: Map<string, ReachEndpoint>;
}

export function analyseReachability(platform: Platform, objects: readonly KubeObject[]): Analysis {
  const net = reachNetwork(platform, objects);
  const pods = dedupe(platformPods(objects).map((w) => ({ kind: "pod" as const, ...w })));
  const gateway = platform.network.gateway;
  const gatewayPod: ReachEndpoint | undefined = gateway && {
    kind: "pod",
    id: endpointName({ kind: "gateway" }),
    namespace: gateway.controllerNamespace,
    labels: {},
    hostNetwork: false,
    ports: [],
  };
  const prometheus = platform.network.clusterPrometheus;
  const clusterPrometheus: ReachEndpoint | undefined =
    platform.monitoring.mode === "prometheus-operator"
      ? {
          kind: "pod",
          id: endpointName({ kind: "cluster-prometheus" }),
          namespace: prometheus.namespace,
          labels: prometheus.podLabels,
          hostNetwork: false,
          ports: [],
        }
      : undefined;
  const dns: ReachEndpoint = {
    kind: "pod",
    id: endpointName({ kind: "dns" }),
    namespace: "kube-system",
    labels: { "k8s-app": "kube-dns" },
    hostNetwork: false,
    ports: [
      { name: "dns", port: DNS_PORT, protocol: "UDP" },
      { name: "dns-tcp", port: DNS_PORT, protocol: "TCP" },
    ],
  };
  const address = (id: string, cidrs: string[], entity: "world" | "kube-apiserver" = "world"): ReachEndpoint => ({
    kind: "address",
    id,
    cidrs,
    entity,
  });
  const apiServer = address(endpointName({ kind: "api-server" }), apiServerCidrs(platform), "kube-apiserver");
  const internet = address(INTERNET, [INTERNET_PROBE]);
  const externals = Object.entries(platform.network.external).map(([name, set]) => ({
    endpoint: address(name, set.cidrs),
    ports: set.ports.map((port) => ({ port, protocol: set.protocol })),
  }));
  // Once: thousands of rules name the same few ports.
  const rulePorts = uniqueProbes(policyPorts(net.policies));
  const probesFor = (declared: Probe[]) => uniqueProbes([...declared, ...rulePorts, { port: 1, protocol: "TCP" }]);
  const dnsProbes: Probe[] = [
    { port: DNS_PORT, protocol: "UDP" },
    { port: DNS_PORT, protocol: "TCP" },
  ];
  const destinations: { endpoint: ReachEndpoint; probes: Probe[] }[] = [
    ...pods.map((p) => ({
      endpoint: p,
      probes: p.ports.map(({ name, port, protocol }) => ({ name, port, protocol })),
    })),
    { endpoint: dns, probes: dns.ports.map(({ name, port, protocol }) => ({ name, port, protocol })) },
    ...(platform.network.nodeLocalDns
      ? [{ endpoint: address(NODE_LOCAL_DNS, [`${platform.network.nodeLocalDns}/32`]), probes: dnsProbes }]
      : []),
    ...externals.map((e) => ({ endpoint: e.endpoint, probes: probesFor(e.ports) })),
    {
      endpoint: apiServer,
      probes: probesFor(apiServerPorts(platform).map((port) => ({ port, protocol: "TCP" }))),
    },
    { endpoint: internet, probes: probesFor([]) },
  ];
  const sources: ReachEndpoint[] = [
    ...pods,
    ...(gatewayPod ? [gatewayPod] : []),
    ...(clusterPrometheus ? [clusterPrometheus] : []),
    apiServer,
    internet,
  ];
  const edges = resolveEdges(platform, objects);
  const hostNetwork = new Set(pods.filter((p) => p.kind === "pod" && p.hostNetwork).map((p) => p.id));
  // NetworkPolicy never applies to host-network pods: between them and anything but a pod-network pod, only the
  // nodes' own firewall decides.
  const podNetwork = (e: ReachEndpoint) => e.kind === "pod" && !e.hostNetwork;
  const onHost = (e: ReachEndpoint) => e.kind === "pod" && e.hostNetwork;
  const unenforceable = (from: ReachEndpoint, to: ReachEndpoint) =>
    (onHost(from) && !podNetwork(to)) || (onHost(to) && !podNetwork(from));
  // Outside our namespaces only the ingress of our own pods is ours to judge.
  const ours = new Set(pods.map((p) => p.id));
  const judged = (from: ReachEndpoint, to: ReachEndpoint) =>
    !unenforceable(from, to) && (ours.has(from.id) || (ours.has(to.id) && podNetwork(to)));
  const declaredBy = declarations(edges, hostNetwork, (to, probe) =>
    (to === dns.id || to === NODE_LOCAL_DNS) && probe.port === DNS_PORT ? "dns" : undefined,
  );
  // Each endpoint once (pods are both sources and destinations), named by its position in the index.
  const all = [...new Set([...sources, ...destinations.map((d) => d.endpoint)])];
  const position = new Map(all.map((e, i) => [e, i]));
  const index = indexNetwork(net, all);
  const destinationsAt = all.map((): number[] => []);
  for (const [i, d] of destinations.entries()) destinationsAt[position.get(d.endpoint)!]!.push(i);
  const allowed: AnalysedPath[] = [];
  for (const from of sources) {
    const at = position.get(from)!;
    // Only the destinations its egress can admit (all of them when it is not isolated), in their order.
    const reach = index.egressReach(at);
    const tried =
      reach === "all"
        ? destinations
        : reach
            .flatMap((i) => destinationsAt[i]!)
            .sort((a, b) => a - b)
            .map((i) => destinations[i]!);
    for (const { endpoint: to, probes } of tried) {
      if (from.id === to.id && from.kind === "address") continue;
      if (!judged(from, to)) continue;
      const toAt = position.get(to)!;
      for (const probe of probes) {
        const egress = index.egress(at, toAt, probe);
        if (!egress.allowed) continue;
        const ingress = index.ingress(at, toAt, probe);
        if (!ingress.allowed) continue;
        const by = declaredBy(from.id, to.id, probe);
        allowed.push({
          from: from.id,
          to: to.id,
          port: probe.port,
          protocol: probe.protocol,
          ...(by ? { declaredBy: by } : {}),
          egress,
          ingress,
        });
      }
    }
  }
  const endpoints = new Map<string, ReachEndpoint>(
    [...sources, ...destinations.map((d) => d.endpoint)].map((e) => [e.id, e]),
  );
  const blocked: Analysis["blocked"] = [];
  for (const edge of edges) {
    const from = endpoints.get(endpointName(edge.from));
    const to = endpoints.get(endpointName(edge.to));
    if (!from || !to || unenforceable(from, to)) continue;
    const probe = { port: edge.portNumber, protocol: edge.protocol, name: portName(to, edge) };
    const v = index.explain(position.get(from)!, position.get(to)!, probe);
    if (!v.egress.allowed || !v.ingress.allowed) blocked.push({ edge, ...v });
  }
  return { allowed, blocked, undeclared: allowed.filter((p) => !p.declaredBy), endpoints };
}

/**
 * What declares a connection: `builtIn` first (name resolution), else the first edge with its ends and port. A
 * host-network pod shares its node's address, so a policy admits all of them or none: an edge from one host-network
 * pod declares the connection from any; and a host port is the node's, so an edge to one engine's port declares
 * it on any engine listening there (two engines on one port are platform/host-port-conflict's finding). Edges are
 * looked up by their ends (exact, either end any host-network pod, or both), the earliest of the matches winning.
 */
function declarations(
  edges: readonly ResolvedEdge[],
  hostNetwork: ReadonlySet<string>,
  builtIn: (to: string, probe: Probe) => "dns" | undefined,
): (from: string, to: string, probe: Probe) => AnalysedPath["declaredBy"] {
  const HOST = "\0host";
  const key = (from: string, to: string, port: number, protocol: string) => `${from}\0${to}\0${port}\0${protocol}`;
  const first = new Map<string, number>();
  edges.forEach((e, i) => {
    const froms = [endpointName(e.from), ...(e.fromPods?.hostNetwork === true ? [HOST] : [])];
    const tos = [endpointName(e.to), ...(e.toPods?.hostNetwork === true ? [HOST] : [])];
    for (const f of froms)
      for (const t of tos) {
        const k = key(f, t, e.portNumber, e.protocol);
        if (!first.has(k)) first.set(k, i);
      }
  });
  return (from, to, probe) => {
    const dns = builtIn(to, probe);
    if (dns) return dns;
    const froms = [from, ...(hostNetwork.has(from) ? [HOST] : [])];
    const tos = [to, ...(hostNetwork.has(to) ? [HOST] : [])];
    let found: number | undefined;
    for (const f of froms)
      for (const t of tos) {
        const i = first.get(key(f, t, probe.port, probe.protocol));
        if (i !== undefined && (found === undefined || i < found)) found = i;
      }
    return found === undefined ? undefined : edges[found];
  };
}

function portName(to: ReachEndpoint, edge: ResolvedEdge): string | undefined {
  if (to.kind !== "pod") return undefined;
  return to.ports.find((p) => p.port === edge.portNumber && p.protocol === edge.protocol)?.name;
}

function reachNetwork(platform: Platform, objects: readonly KubeObject[]): ReachNetwork {
  const namespaceLabels: Record<string, Record<string, string>> = {};
  for (const o of objects) if (o.kind === "Namespace") namespaceLabels[o.metadata.name] = o.metadata.labels ?? {};
  const cni = platform.network.cni;
  return {
    policies: objects.filter((o) => o.kind === "NetworkPolicy" || o.kind === "CiliumNetworkPolicy"),
    namespaceLabels,
    nodeCidrs: platform.network.nodeCidrs,
    hostSourceCidrs: hostNetworkCidrs(platform),
    ipBlockSkipsNodes: cni.plugin === "cilium" && cni.policyCidrMatchMode === "default",
  };
}

/** Replicas of one workload are one endpoint; the first template of an id wins. */
function dedupe<T extends { id: string }>(xs: T[]): T[] {
  const seen = new Set<string>();
  return xs.filter((x) => !seen.has(x.id) && seen.add(x.id));
}

/** Every numbered port (and the ends of ranges) a policy rule names: the ports worth probing on an address. */
function policyPorts(policies: readonly KubeObject[]): Probe[] {
  const out: Probe[] = [];
  for (const p of policies) {
    const spec = isPlainObject(p.spec) ? p.spec : {};
    for (const key of ["ingress", "egress"] as const) {
      const rules = Array.isArray(spec[key]) ? spec[key] : [];
      for (const r of rules) {
        const ports = isPlainObject(r) && Array.isArray(r.ports) ? r.ports : [];
        for (const port of ports) {
          if (!isPlainObject(port) || typeof port.port !== "number") continue;
          const protocol = typeof port.protocol === "string" ? port.protocol : "TCP";
          out.push({ port: port.port, protocol });
          if (typeof port.endPort === "number") out.push({ port: port.endPort, protocol });
        }
      }
    }
  }
  return out;
}

function uniqueProbes(probes: Probe[]): Probe[] {
  const seen = new Map<string, Probe>();
  for (const p of probes) seen.set(`${p.protocol}/${p.port}`, { port: p.port, protocol: p.protocol });
  return [...seen.values()].sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol));
}
