/**
 * The straightforward scheduling engine that model/placement.ts replaced: every loss and every rollout rebuilds
 * the cluster, binds every pod of the peak and schedules the rest against every node. Slow (it re-places the
 * world per scenario) and obviously right, so the differential test holds the fast engine to it.
 */
import { HUGEPAGE_SIZE_NAMES, type Hugepages, type NodeModel } from "../../model/nodes.ts";
import {
  type Feasibility,
  fitError,
  type Loss,
  neededAfterLoss,
  type Outcome,
  type PlacedPod,
  type Placement,
  type PodTemplate,
  REASON,
  type UnplacedPod,
} from "../../model/placement.ts";

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

/** The old `feasibility`, each scenario's outcome cut down to the pods it placed beyond those it started with. */
export function oracleFeasibility(nodes: NodeModel[], templates: PodTemplate[]): Feasibility {
  const peak = placePeak(nodes, templates);
  const unplacedAtPeak = new Set(peak.unplaced.map((u) => u.service));
  const rollouts = new Map<string, Outcome>();
  for (const t of templates)
    if (t.surge > 0 && !t.rolloutFreesNode && !unplacedAtPeak.has(t.service)) {
      const r = placeRollout(peak, templates, t.service);
      rollouts.set(t.service, { placed: r.placed.slice(peak.placed.length), unplaced: r.unplaced });
    }
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
    const lost = new Set(s.nodes);
    const placement = placeAfterLoss(peak, templates, lost);
    const broken = templates.flatMap((t) => {
      if (unplacedAtPeak.has(t.service)) return [];
      const running = placement.placed.filter((p) => p.service === t.service).length;
      const needed = neededAfterLoss(t);
      return running < needed ? [{ service: t.service, running, needed, replicas: t.replicas }] : [];
    });
    const survivors = peak.placed.filter((p) => !lost.has(p.node)).length;
    return { ...s, placement: { placed: placement.placed.slice(survivors), unplaced: placement.unplaced }, broken };
  });
  return { nodes, templates, peak, rollouts, losses };
}
