/**
 * The scheduling feasibility engine: places every pod of an environment on its nodes the way kube-scheduler and
 * the kubelet would, one pod at a time, and says why a pod fits nowhere in the scheduler's own words. Pure and
 * deterministic: the same config gives the same placement, which checks, the report and the picture share.
 *
 * Modelled: node selectors, taints and tolerations, host ports, CPU, memory and hugepages against allocatable,
 * required and preferred pod anti-affinity on the hostname, zone spread (`topologySpreadConstraints` with
 * `matchLabelKeys: [pod-template-hash]`, so a rollout's new pods are spread among themselves), and, on nodes with
 * CPU pinning, the kubelet's admission under Topology Manager `single-numa-node`: a Guaranteed pod's exclusive
 * CPUs, memory and hugepages from one NUMA node, whole cores under `full-pcpus-only`.
 */
import { TIER } from "../core/conventions.ts";
import type { ResolvedPlatform } from "./environments.ts";
import { HUGEPAGE_SIZE_NAMES, type Hugepages, type NodeModel, nodesOf } from "./nodes.ts";
import type { Service, Tier } from "../schemas/platform.ts";

/** What one pod of a service asks for and how it may be placed; all replicas of a service are alike. */
export interface PodTemplate {
  service: string;
  tier: string;
  priority: number;
  /** Replicas at peak: the HPA's maxReplicas, or the static count. */
  replicas: number;
  /** The config field that sets `replicas`, relative to `services.<name>`. */
  replicasField: "replicas" | "scaling.maxReplicas";
  /** Extra pods of a rolling update (maxSurge, rounded up as the Deployment controller does). */
  surge: number;
  /** maxUnavailable above 0: a rollout can delete an old pod first, so its surge pods need no room of their own. */
  rolloutFreesNode: boolean;
  /** The PodDisruptionBudget's maxUnavailable. */
  disruptionBudget: number;
  requests: { cpu: number; memory: number; hugepages: Hugepages };
  /** requests equal limits for cpu and memory. */
  guaranteed: boolean;
  /** Whole CPUs the static CPU manager pins for a Guaranteed pod with an integer CPU request; 0 otherwise. */
  exclusiveCpus: number;
  nodeSelector: Record<string, string>;
  tolerations: Tier["tolerations"];
  antiAffinity: Tier["antiAffinity"];
  zoneSpread: Tier["zoneSpread"];
  hostPorts: number[];
}

export interface PlacedPod {
  service: string;
  /** Replica number, from 0; surge pods count on from the replicas. */
  index: number;
  surge: boolean;
  node: string;
  /** The NUMA node the kubelet aligned the pod to, on nodes with CPU pinning. */
  numa?: number;
}

export interface UnplacedPod {
  service: string;
  index: number;
  surge: boolean;
  /** Nodes per reason, the scheduler's FitError. */
  reasons: Record<string, number>;
  /** "0/6 nodes are available: 3 Insufficient cpu, 3 node(s) had untolerated taint {dedicated: ull}." */
  message: string;
}

export interface Placement {
  nodes: readonly NodeModel[];
  placed: PlacedPod[];
  unplaced: UnplacedPod[];
}

/** The reasons, written as kube-scheduler writes them (and, for NUMA and SMT, as the kubelet names the error). */
export const REASON = {
  taint: (t: NodeModel["taints"][number]) => `node(s) had untolerated taint {${t.key}: ${t.value ?? ""}}`,
  selector: "node(s) didn't match Pod's node affinity/selector",
  ports: "node(s) didn't have free ports for the requested pod ports",
  insufficient: (resource: string) => `Insufficient ${resource}`,
  spread: "node(s) didn't match pod topology spread constraints",
  antiAffinity: "node(s) didn't match pod anti-affinity rules",
  numa: "node(s) cannot align the pod's CPUs, memory and hugepages on one NUMA node (TopologyAffinityError)",
  smt: "node(s) give exclusive CPUs only in whole cores (full-pcpus-only, SMTAlignmentError)",
} as const;

/** Kubernetes rounds a percentage surge up against the replica count. */
export function surgePods(maxSurge: number | string, replicas: number): number {
  return typeof maxSurge === "number" ? maxSurge : Math.ceil((replicas * Number(maxSurge.slice(0, -1))) / 100);
}

/** Kubernetes rounds maxUnavailable as a percentage down. */
export function unavailablePods(maxUnavailable: number | string, replicas: number): number {
  return typeof maxUnavailable === "number"
    ? maxUnavailable
    : Math.floor((replicas * Number(maxUnavailable.slice(0, -1))) / 100);
}

/** Replicas a service can run at its peak: the HPA's maximum, or its static count. */
export function peakReplicas(svc: Pick<Service, "replicas" | "scaling">): number {
  return svc.scaling ? svc.scaling.maxReplicas : (svc.replicas ?? 1);
}

export function podTemplate(platform: ResolvedPlatform, name: string, svc: Service): PodTemplate {
  const tier = platform.tiers[svc.tier]!;
  const { requests, limits } = svc.resources;
  const cpu = requests.cpu ?? limits?.cpu ?? 0;
  const memory = requests.memory ?? limits?.memory ?? 0;
  const guaranteed =
    cpu > 0 && memory > 0 && limits?.cpu === cpu && limits?.memory === memory && requests.cpu !== undefined;
  const replicas = peakReplicas(svc);
  return {
    service: name,
    tier: svc.tier,
    priority: tier.priority,
    replicas,
    replicasField: svc.scaling ? "scaling.maxReplicas" : "replicas",
    surge: surgePods(tier.rollout.maxSurge, replicas),
    rolloutFreesNode: unavailablePods(tier.rollout.maxUnavailable, replicas) > 0,
    disruptionBudget: tier.maxUnavailableDuringDisruption,
    requests: {
      cpu,
      memory,
      hugepages: Object.fromEntries(
        HUGEPAGE_SIZE_NAMES.map((s) => [s, requests[`hugepages-${s}`] ?? limits?.[`hugepages-${s}`] ?? 0]),
      ) as Hugepages,
    },
    guaranteed,
    exclusiveCpus: guaranteed && cpu % 1000 === 0 ? cpu / 1000 : 0,
    nodeSelector: tier.nodeSelector,
    tolerations: tier.tolerations,
    antiAffinity: tier.antiAffinity,
    zoneSpread: tier.zoneSpread,
    hostPorts: tier.hostNetwork
      ? [svc.ports.containerHttp ?? svc.ports.http, svc.ports.containerMetrics ?? svc.ports.metrics]
      : [],
  };
}

/** The services' pods in the order the scheduler's queue takes them: higher priority first, then config order. */
export function podTemplates(platform: ResolvedPlatform): PodTemplate[] {
  return Object.entries(platform.services)
    .map(([name, svc]) => podTemplate(platform, name, svc))
    .map((t, i) => ({ t, i }))
    .sort((a, b) => b.t.priority - a.t.priority || a.i - b.i)
    .map(({ t }) => t);
}

/** Whether the pod tolerates a taint (PreferNoSchedule only scores, so it never keeps a pod off). */
function tolerates(tolerations: PodTemplate["tolerations"], taint: NodeModel["taints"][number]): boolean {
  if (taint.effect === "PreferNoSchedule") return true;
  return tolerations.some(
    (t) =>
      t.key === taint.key &&
      (t.operator === "Exists" || (t.value ?? "") === (taint.value ?? "")) &&
      t.effect === taint.effect,
  );
}

const selects = (selector: Record<string, string>, node: NodeModel) =>
  Object.entries(selector).every(([k, v]) => node.labels[k] === v);

interface NumaFree {
  cpus: number;
  memory: number;
  hugepages: Hugepages;
}

interface NodeState {
  node: NodeModel;
  cpu: number;
  memory: number;
  hugepages: Hugepages;
  ports: Set<number>;
  numa: NumaFree[];
  pods: PlacedPod[];
}

/** A cluster being filled: free resources per node and NUMA node, and the pods bound so far. */
class Cluster {
  readonly states: NodeState[];
  readonly placed: PlacedPod[] = [];
  readonly unplaced: UnplacedPod[] = [];
  private readonly byName: Map<string, NodeState>;

  constructor(
    readonly nodes: readonly NodeModel[],
    private readonly templates: ReadonlyMap<string, PodTemplate>,
  ) {
    this.states = nodes.map((node) => ({
      node,
      cpu: node.allocatable.cpu,
      memory: node.allocatable.memory,
      hugepages: { ...node.allocatable.hugepages },
      ports: new Set(),
      numa: node.numa.map((n) => ({ cpus: n.exclusiveCpus, memory: n.memory, hugepages: { ...n.hugepages } })),
      pods: [],
    }));
    this.byName = new Map(this.states.map((s) => [s.node.name, s]));
  }

  /** Binds a pod where it is known to run (a survivor of a node loss keeps its node and NUMA node). */
  bind(pod: PlacedPod): void {
    const state = this.byName.get(pod.node)!;
    const t = this.templates.get(pod.service)!;
    state.cpu -= t.requests.cpu;
    state.memory -= t.requests.memory;
    for (const s of HUGEPAGE_SIZE_NAMES) state.hugepages[s] -= t.requests.hugepages[s];
    for (const p of t.hostPorts) state.ports.add(p);
    if (pod.numa !== undefined) {
      const n = state.numa[pod.numa]!;
      n.cpus -= t.exclusiveCpus;
      n.memory -= t.requests.memory;
      for (const s of HUGEPAGE_SIZE_NAMES) n.hugepages[s] -= t.requests.hugepages[s];
    }
    state.pods.push(pod);
    this.placed.push(pod);
  }

  /** Runs the filters on every node, then scores the nodes that pass; records the pod as placed or not. */
  schedule(t: PodTemplate, index: number, surge: boolean): boolean {
    const reasons: Record<string, number> = {};
    const feasible: { state: NodeState; numa?: number }[] = [];
    const spread = this.spreadCounts(t, surge);
    for (const state of this.states) {
      const verdict = this.filter(t, state, spread);
      if (typeof verdict === "string") reasons[verdict] = (reasons[verdict] ?? 0) + 1;
      else feasible.push({ state, ...verdict });
    }
    if (feasible.length === 0) {
      this.unplaced.push({ service: t.service, index, surge, reasons, message: fitError(this.states.length, reasons) });
      return false;
    }
    const score = (s: NodeState) => [
      t.zoneSpread === "none" ? 0 : (spread.counts.get(s.node.zone) ?? 0),
      t.antiAffinity === "none" ? 0 : s.pods.filter((p) => p.service === t.service).length,
      // LeastAllocated: the emptiest node first, as the default scheduler profile scores.
      -s.cpu / Math.max(1, s.node.allocatable.cpu),
    ];
    feasible.sort((a, b) => {
      const [x, y] = [score(a.state), score(b.state)];
      for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
      return a.state.node.name < b.state.node.name ? -1 : 1;
    });
    const best = feasible[0]!;
    this.bind({
      service: t.service,
      index,
      surge,
      node: best.state.node.name,
      ...(best.numa !== undefined ? { numa: best.numa } : {}),
    });
    return true;
  }

  /**
   * Pods of the service per zone among the zones the pod may run in (nodeAffinityPolicy Honor, nodeTaintsPolicy
   * Ignore: the defaults). `matchLabelKeys: [pod-template-hash]` counts a rollout's new pods apart from the old.
   */
  private spreadCounts(t: PodTemplate, surge: boolean): { counts: Map<string, number>; min: number } {
    const counts = new Map<string, number>();
    for (const s of this.states) if (selects(t.nodeSelector, s.node)) counts.set(s.node.zone, 0);
    for (const s of this.states)
      for (const p of s.pods)
        if (p.service === t.service && p.surge === surge && counts.has(s.node.zone))
          counts.set(s.node.zone, counts.get(s.node.zone)! + 1);
    return { counts, min: Math.min(...counts.values()) };
  }

  /** The first failing filter's reason, in the scheduler's plugin order, or the NUMA node the kubelet would use. */
  private filter(
    t: PodTemplate,
    s: NodeState,
    spread: { counts: Map<string, number>; min: number },
  ): string | { numa?: number } {
    const taint = s.node.taints.find((x) => !tolerates(t.tolerations, x));
    if (taint) return REASON.taint(taint);
    if (!selects(t.nodeSelector, s.node)) return REASON.selector;
    if (t.hostPorts.some((p) => s.ports.has(p))) return REASON.ports;
    const short: string[] = [];
    if (t.requests.cpu > s.cpu) short.push(REASON.insufficient("cpu"));
    if (t.requests.memory > s.memory) short.push(REASON.insufficient("memory"));
    for (const size of HUGEPAGE_SIZE_NAMES)
      if (t.requests.hugepages[size] > s.hugepages[size]) short.push(REASON.insufficient(`hugepages-${size}`));
    // NodeResourcesFit reports every short resource of a node; the first is enough to count the node.
    if (short.length > 0) return short[0]!;
    if (t.zoneSpread === "required" && (spread.counts.get(s.node.zone) ?? 0) + 1 - spread.min > 1) return REASON.spread;
    if (t.antiAffinity === "required" && s.pods.some((p) => p.service === t.service)) return REASON.antiAffinity;
    if (!s.node.cpuPinning || !t.guaranteed) return {};
    if (t.exclusiveCpus % s.node.threadsPerCore !== 0) return REASON.smt;
    const numa = s.numa.findIndex(
      (n) =>
        n.cpus >= t.exclusiveCpus &&
        n.memory >= t.requests.memory &&
        HUGEPAGE_SIZE_NAMES.every((size) => n.hugepages[size] >= t.requests.hugepages[size]),
    );
    return numa < 0 ? REASON.numa : { numa };
  }

  result(): Placement {
    return { nodes: this.nodes, placed: this.placed, unplaced: this.unplaced };
  }
}

/** kube-scheduler's FitError: reasons sorted, each with its count of nodes. */
export function fitError(nodes: number, reasons: Record<string, number>): string {
  const parts = Object.entries(reasons)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([r, n]) => `${n} ${r}`);
  return `0/${nodes} nodes are available: ${parts.join(", ")}.`;
}

const byService = (templates: readonly PodTemplate[]) => new Map(templates.map((t) => [t.service, t]));

/** Every pod at its peak, in queue order. */
export function placePeak(nodes: readonly NodeModel[], templates: readonly PodTemplate[]): Placement {
  const cluster = new Cluster(nodes, byService(templates));
  for (const t of templates) for (let i = 0; i < t.replicas; i++) cluster.schedule(t, i, false);
  return cluster.result();
}

/** A rolling update of one service on top of the peak: its surge pods, placed after everything else. */
export function placeRollout(peak: Placement, templates: readonly PodTemplate[], service: string): Placement {
  const cluster = new Cluster(peak.nodes, byService(templates));
  for (const p of peak.placed) cluster.bind(p);
  const t = templates.find((x) => x.service === service)!;
  for (let i = 0; i < t.surge; i++) cluster.schedule(t, t.replicas + i, true);
  return cluster.result();
}

/**
 * The peak after `lost` nodes are gone: pods elsewhere stay where they are, the lost nodes' pods are scheduled
 * again, in queue order, on what is left.
 */
export function placeAfterLoss(
  peak: Placement,
  templates: readonly PodTemplate[],
  lost: ReadonlySet<string>,
): Placement {
  const cluster = new Cluster(
    peak.nodes.filter((n) => !lost.has(n.name)),
    byService(templates),
  );
  for (const p of peak.placed) if (!lost.has(p.node)) cluster.bind(p);
  const displaced = peak.placed.filter((p) => lost.has(p.node));
  for (const t of templates)
    for (const p of displaced) if (p.service === t.service) cluster.schedule(t, p.index, false);
  return cluster.result();
}

/** One loss the platform must survive, and what it leaves each service that it breaks. */
export interface Loss {
  kind: "node" | "zone";
  name: string;
  nodes: string[];
  placement: Placement;
  broken: { service: string; running: number; needed: number; replicas: number }[];
}

export interface Feasibility {
  nodes: NodeModel[];
  templates: PodTemplate[];
  peak: Placement;
  /** Per service with surge pods that need room of their own: the peak plus that service's rollout. */
  rollouts: Map<string, Placement>;
  losses: Loss[];
}

/**
 * What a service must keep after a loss: the ultra-low-latency tier all its replicas (its pods are the latency
 * path), every other service what its PodDisruptionBudget promises.
 */
export function neededAfterLoss(t: PodTemplate): number {
  return t.tier === TIER.ultraLowLatency ? t.replicas : Math.max(0, t.replicas - t.disruptionBudget);
}

const cache = new WeakMap<object, Feasibility>();

/** The placement at peak, during each rollout and after each single node or zone loss; computed once per platform. */
export function feasibility(platform: ResolvedPlatform): Feasibility {
  const hit = cache.get(platform);
  if (hit) return hit;
  const nodes = nodesOf(platform);
  const templates = podTemplates(platform);
  const peak = placePeak(nodes, templates);
  const unplacedAtPeak = new Set(peak.unplaced.map((u) => u.service));
  const rollouts = new Map<string, Placement>();
  for (const t of templates)
    if (t.surge > 0 && !t.rolloutFreesNode && !unplacedAtPeak.has(t.service))
      rollouts.set(t.service, placeRollout(peak, templates, t.service));
  const zones = [...new Set(nodes.map((n) => n.zone))];
  const scenarios: Omit<Loss, "placement" | "broken">[] = [
    ...nodes.map((n) => ({ kind: "node" as const, name: n.name, nodes: [n.name] })),
    ...zones.map((z) => ({
      kind: "zone" as const,
      name: z,
      nodes: nodes.filter((n) => n.zone === z).map((n) => n.name),
    })),
  ];
  const losses = scenarios.map((s) => {
    const placement = placeAfterLoss(peak, templates, new Set(s.nodes));
    // Counted once per loss: a filter per service would make the thousand losses of a large pool quadratic.
    const runningOf = new Map<string, number>();
    for (const p of placement.placed) runningOf.set(p.service, (runningOf.get(p.service) ?? 0) + 1);
    const broken = templates.flatMap((t) => {
      if (unplacedAtPeak.has(t.service)) return [];
      const running = runningOf.get(t.service) ?? 0;
      const needed = neededAfterLoss(t);
      return running < needed ? [{ service: t.service, running, needed, replicas: t.replicas }] : [];
    });
    return { ...s, placement, broken };
  });
  const result = { nodes, templates, peak, rollouts, losses };
  cache.set(platform, result);
  return result;
}
