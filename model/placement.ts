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
 *
 * One cluster serves every scenario: the peak is placed once, and each rollout and each node or zone loss binds its
 * few pods on the peak's free capacity and undoes them, so a thousand losses cost their displaced pods, not a
 * thousand clusters. test/placement-headroom.test.ts holds it to the engine that re-placed every pod per scenario.
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

/** kube-scheduler's FitError: reasons sorted, each with its count of nodes. */
export function fitError(nodes: number, reasons: Record<string, number>): string {
  const parts = Object.entries(reasons)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([r, n]) => `${n} ${r}`);
  return `0/${nodes} nodes are available: ${parts.join(", ")}.`;
}

/**
 * What taints and the node selector decide, once per tier rather than once per pod: they never change while pods
 * come and go, so a pod's scan visits only the nodes they let through.
 */
interface Eligibility {
  /** Per node, the taint or selector reason that keeps these pods off it; undefined where they may run. */
  reason: (string | undefined)[];
  /**
   * Per zone, the nodes they may run on, emptiest first (the LeastAllocated score, then the name): the first that
   * passes the other filters is the zone's best node for a pod with no sibling there.
   */
  byZone: number[][];
  /** Per zone, the nodes in `byZone` that still run: a zone loss takes them all. */
  liveInZone: Int32Array;
  /** Per zone, the nodes the selector picks that still run: a zone with none leaves the spread's domains. */
  selectedInZone: Int32Array;
  selected: boolean[];
}

/** A pod template as the scan reads it. */
interface Compiled {
  t: PodTemplate;
  /** Position in the scheduler's queue. */
  rank: number;
  hugepages: number[];
  eligibility: Eligibility;
}

/** One pod bound to a node; `seq` is its position in the order pods were bound (the peak's order first). */
interface Bound {
  pod: PlacedPod;
  node: number;
  numa: number;
  seq: number;
  c: Compiled;
}

const FITS = -1;
const HUGEPAGES_SHORT = HUGEPAGE_SIZE_NAMES.map((s) => REASON.insufficient(`hugepages-${s}`));
const CPU_SHORT = REASON.insufficient("cpu");
const MEMORY_SHORT = REASON.insufficient("memory");

/** What placing a few pods on top of the peak did: the pods placed and those that fit nowhere. */
export interface Outcome {
  placed: PlacedPod[];
  unplaced: UnplacedPod[];
}

/**
 * The cluster being filled: free resources per node and NUMA node, and the pods bound so far. A scenario on top of
 * the peak (a rollout, a loss) binds its few pods, reads the outcome and undoes them, so no scenario copies the
 * cluster; a lost node is only marked and skipped.
 */
class Cluster {
  readonly placed: PlacedPod[] = [];
  readonly unplaced: UnplacedPod[] = [];
  private readonly zoneOf: Int32Array;
  private readonly zoneCount: number;
  /** Position of each node in name order: the scheduler's last tie-break. */
  private readonly nameRank: Int32Array;
  private readonly cpu: Float64Array;
  private readonly cpuScale: Float64Array;
  private readonly memory: Float64Array;
  private readonly hugepages: Float64Array[];
  private readonly ports: Set<number>[];
  private readonly numa: { cpus: number; memory: number; hugepages: number[] }[][];
  private readonly lost: Uint8Array;
  private lostCount = 0;
  /** Bound pods per node and per service, in binding order. */
  readonly podsOn: Bound[][];
  private readonly ofService = new Map<string, Bound[]>();
  private readonly journal: Bound[] = [];
  private readonly eligibilities = new Map<string, Eligibility>();
  private readonly compiled = new Map<string, Compiled>();
  /** Scratch for one scan: pods of the service per node and, of the same rollout generation, per zone. */
  private readonly same: Int32Array;
  private readonly perZone: Int32Array;
  /** The eligibilities that let each node through, whose orders a change of its free CPU moves it in. */
  private readonly memberOf: Eligibility[][];
  /** The best node of the scan under way, with its score and its NUMA node. */
  private best = -1;
  private bestNuma = FITS;
  private bz = 0;
  private bs = 0;
  private br = 0;
  private bn = 0;

  constructor(
    readonly nodes: readonly NodeModel[],
    templates: readonly PodTemplate[],
  ) {
    const n = nodes.length;
    const zones = [...new Set(nodes.map((x) => x.zone))];
    this.zoneCount = zones.length;
    this.zoneOf = Int32Array.from(nodes, (x) => zones.indexOf(x.zone));
    this.nameRank = new Int32Array(n);
    nodes
      .map((x, i) => ({ name: x.name, i }))
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .forEach((x, rank) => {
        this.nameRank[x.i] = rank;
      });
    this.cpu = Float64Array.from(nodes, (x) => x.allocatable.cpu);
    this.cpuScale = Float64Array.from(nodes, (x) => Math.max(1, x.allocatable.cpu));
    this.memory = Float64Array.from(nodes, (x) => x.allocatable.memory);
    this.hugepages = HUGEPAGE_SIZE_NAMES.map((s) => Float64Array.from(nodes, (x) => x.allocatable.hugepages[s]));
    this.ports = nodes.map(() => new Set());
    this.numa = nodes.map((x) =>
      x.numa.map((m) => ({
        cpus: m.exclusiveCpus,
        memory: m.memory,
        hugepages: HUGEPAGE_SIZE_NAMES.map((s) => m.hugepages[s]),
      })),
    );
    this.lost = new Uint8Array(n);
    this.podsOn = nodes.map(() => []);
    this.same = new Int32Array(n);
    this.perZone = new Int32Array(zones.length);
    this.memberOf = nodes.map(() => []);
    templates.forEach((t, rank) => {
      this.compiled.set(t.service, {
        t,
        rank,
        hugepages: HUGEPAGE_SIZE_NAMES.map((s) => t.requests.hugepages[s]),
        eligibility: this.eligibilityOf(t),
      });
    });
  }

  private eligibilityOf(t: PodTemplate): Eligibility {
    const key = JSON.stringify([t.tolerations, t.nodeSelector]);
    const known = this.eligibilities.get(key);
    if (known) return known;
    const reason = this.nodes.map((node) => {
      const taint = node.taints.find((x) => !tolerates(t.tolerations, x));
      if (taint) return REASON.taint(taint);
      return selects(t.nodeSelector, node) ? undefined : REASON.selector;
    });
    const selected = this.nodes.map((node) => selects(t.nodeSelector, node));
    const selectedInZone = new Int32Array(this.zoneCount);
    selected.forEach((s, i) => {
      if (s) selectedInZone[this.zoneOf[i]!]!++;
    });
    const byZone: number[][] = Array.from({ length: this.zoneCount }, () => []);
    const liveInZone = new Int32Array(this.zoneCount);
    const made: Eligibility = { reason, byZone, liveInZone, selectedInZone, selected };
    reason.forEach((r, i) => {
      if (r !== undefined) return;
      byZone[this.zoneOf[i]!]!.push(i);
      liveInZone[this.zoneOf[i]!]!++;
      this.memberOf[i]!.push(made);
    });
    for (const order of byZone) order.sort((a, b) => this.emptier(a, b));
    this.eligibilities.set(key, made);
    return made;
  }

  /** Negative when node a comes before node b in the emptiest-first order. */
  private emptier(a: number, b: number): number {
    const [ra, rb] = [-this.cpu[a]! / this.cpuScale[a]!, -this.cpu[b]! / this.cpuScale[b]!];
    return ra !== rb ? ra - rb : this.nameRank[a]! - this.nameRank[b]!;
  }

  /** Changes a node's free CPU by `delta`, keeping it in its place in every emptiest-first order. */
  private addCpu(node: number, delta: number): void {
    if (delta === 0) return;
    const orders = this.memberOf[node]!.map((e) => e.byZone[this.zoneOf[node]!]!);
    for (const order of orders) order.splice(this.positionOf(order, node), 1);
    this.cpu[node]! += delta;
    for (const order of orders) order.splice(this.positionOf(order, node), 0, node);
  }

  /** Where `node` is, or belongs, in an emptiest-first order. */
  private positionOf(order: readonly number[], node: number): number {
    let [lo, hi] = [0, order.length];
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.emptier(order[mid]!, node) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private bind(c: Compiled, pod: PlacedPod, node: number, numa: number): void {
    const t = c.t;
    this.addCpu(node, -t.requests.cpu);
    this.memory[node]! -= t.requests.memory;
    for (let s = 0; s < c.hugepages.length; s++) this.hugepages[s]![node]! -= c.hugepages[s]!;
    for (const p of t.hostPorts) this.ports[node]!.add(p);
    if (numa >= 0) {
      const m = this.numa[node]![numa]!;
      m.cpus -= t.exclusiveCpus;
      m.memory -= t.requests.memory;
      for (let s = 0; s < c.hugepages.length; s++) m.hugepages[s]! -= c.hugepages[s]!;
    }
    const b: Bound = { pod, node, numa, seq: this.journal.length, c };
    this.podsOn[node]!.push(b);
    const list = this.ofService.get(t.service);
    if (list) list.push(b);
    else this.ofService.set(t.service, [b]);
    this.journal.push(b);
    this.placed.push(pod);
  }

  /** Takes back every pod bound after the first `mark`, newest first, and forgets what they placed. */
  undo(mark: number, placedMark: number, unplacedMark: number): void {
    while (this.journal.length > mark) {
      const b = this.journal.pop()!;
      const t = b.c.t;
      this.addCpu(b.node, t.requests.cpu);
      this.memory[b.node]! += t.requests.memory;
      for (let s = 0; s < b.c.hugepages.length; s++) this.hugepages[s]![b.node]! += b.c.hugepages[s]!;
      for (const p of t.hostPorts) this.ports[b.node]!.delete(p);
      if (b.numa >= 0) {
        const m = this.numa[b.node]![b.numa]!;
        m.cpus += t.exclusiveCpus;
        m.memory += t.requests.memory;
        for (let s = 0; s < b.c.hugepages.length; s++) m.hugepages[s]! += b.c.hugepages[s]!;
      }
      this.podsOn[b.node]!.pop();
      this.ofService.get(t.service)!.pop();
    }
    this.placed.length = placedMark;
    this.unplaced.length = unplacedMark;
  }

  /** Runs `scenario` on top of what is bound now and returns what it placed; the cluster is as before afterwards. */
  aside(scenario: () => void): Outcome {
    const [mark, placedMark, unplacedMark] = [this.journal.length, this.placed.length, this.unplaced.length];
    scenario();
    const outcome = { placed: this.placed.slice(placedMark), unplaced: this.unplaced.slice(unplacedMark) };
    this.undo(mark, placedMark, unplacedMark);
    return outcome;
  }

  /** Takes nodes out (their pods stay bound but count nowhere), or puts them back. */
  setLost(nodes: readonly number[], lost: boolean): void {
    for (const i of nodes) {
      this.lost[i] = lost ? 1 : 0;
      for (const e of this.eligibilities.values())
        if (e.selected[i]) e.selectedInZone[this.zoneOf[i]!]! += lost ? -1 : 1;
      for (const e of this.memberOf[i]!) e.liveInZone[this.zoneOf[i]!]! += lost ? -1 : 1;
    }
    this.lostCount += lost ? nodes.length : -nodes.length;
  }

  compiledOf(service: string): Compiled {
    return this.compiled.get(service)!;
  }

  /**
   * The filters on every node, then the best-scored node that passes; records the pod as placed or not. The scan
   * keeps only the best node so far and runs the filters only on a node that would beat it; where nothing fits,
   * a second pass over every node counts the reasons the scheduler gives.
   */
  schedule(c: Compiled, index: number, surge: boolean): boolean {
    const t = c.t;
    const e = c.eligibility;
    const siblings = this.ofService.get(t.service) ?? [];
    for (const b of siblings) {
      if (this.lost[b.node]) continue;
      this.same[b.node]!++;
      if (b.pod.surge === surge) this.perZone[this.zoneOf[b.node]!]!++;
    }
    // Spread domains: the zones with a running node the selector picks (nodeAffinityPolicy Honor).
    let min = Number.POSITIVE_INFINITY;
    for (let z = 0; z < this.zoneCount; z++) if (e.selectedInZone[z]! > 0) min = Math.min(min, this.perZone[z]!);
    const scoreZone = t.zoneSpread !== "none";
    const scoreSame = t.antiAffinity !== "none";
    this.best = -1;
    // Nodes with a sibling score apart (anti-affinity): each is offered on its own.
    if (scoreSame)
      for (const b of siblings)
        if (!this.lost[b.node]) this.offer(c, b.node, min, scoreZone ? this.perZone[this.zoneOf[b.node]!]! : 0, 1);
    for (let z = 0; z < this.zoneCount; z++) {
      if (e.liveInZone[z] === 0) continue;
      const zoneScore = scoreZone ? this.perZone[z]! : 0;
      for (const i of e.byZone[z]!) {
        if (this.lost[i] || (scoreSame && this.same[i]! > 0)) continue;
        if (this.offer(c, i, min, zoneScore, 0)) break;
      }
    }
    const [best, bestNuma] = [this.best, this.bestNuma];
    let reasons: Record<string, number> | undefined;
    if (best < 0) {
      reasons = {};
      for (let i = 0; i < this.nodes.length; i++) {
        if (this.lost[i]) continue;
        const r = e.reason[i] ?? (this.verdict(c, i, min) as string);
        reasons[r] = (reasons[r] ?? 0) + 1;
      }
    }
    for (const b of siblings) {
      this.same[b.node] = 0;
      this.perZone[this.zoneOf[b.node]!] = 0;
    }
    if (reasons) {
      const nodes = this.nodes.length - this.lostCount;
      this.unplaced.push({ service: t.service, index, surge, reasons, message: fitError(nodes, reasons) });
      return false;
    }
    const pod: PlacedPod = {
      service: t.service,
      index,
      surge,
      node: this.nodes[best]!.name,
      ...(bestNuma !== FITS ? { numa: bestNuma } : {}),
    };
    this.bind(c, pod, best, bestNuma);
    return true;
  }

  /**
   * Takes node i as the best so far if it passes the filters and scores better (zone, siblings, LeastAllocated,
   * name); true when no node after it in its zone's emptiest-first order can be better.
   */
  private offer(c: Compiled, i: number, min: number, zoneScore: number, siblingScore: number): boolean {
    const s = siblingScore === 0 ? 0 : this.same[i]!;
    // LeastAllocated: the emptiest node first, as the default scheduler profile scores.
    const r = -this.cpu[i]! / this.cpuScale[i]!;
    const n = this.nameRank[i]!;
    const z = zoneScore;
    if (
      this.best >= 0 &&
      (z !== this.bz ? z > this.bz : s !== this.bs ? s > this.bs : r !== this.br ? r > this.br : n > this.bn)
    )
      return true;
    const verdict = this.verdict(c, i, min);
    if (typeof verdict === "string") return false;
    [this.best, this.bestNuma, this.bz, this.bs, this.br, this.bn] = [i, verdict, z, s, r, n];
    return true;
  }

  /**
   * The first failing filter's reason after taints and the selector, in the scheduler's plugin order, or the NUMA
   * node the kubelet would use (FITS where it pins nothing).
   */
  private verdict(c: Compiled, i: number, min: number): string | number {
    const t = c.t;
    for (const p of t.hostPorts) if (this.ports[i]!.has(p)) return REASON.ports;
    // NodeResourcesFit reports every short resource of a node; the first is enough to count the node.
    if (t.requests.cpu > this.cpu[i]!) return CPU_SHORT;
    if (t.requests.memory > this.memory[i]!) return MEMORY_SHORT;
    for (let s = 0; s < c.hugepages.length; s++)
      if (c.hugepages[s]! > this.hugepages[s]![i]!) return HUGEPAGES_SHORT[s]!;
    if (t.zoneSpread === "required" && this.perZone[this.zoneOf[i]!]! + 1 - min > 1) return REASON.spread;
    if (t.antiAffinity === "required" && this.same[i]! > 0) return REASON.antiAffinity;
    const node = this.nodes[i]!;
    if (!node.cpuPinning || !t.guaranteed) return FITS;
    if (t.exclusiveCpus % node.threadsPerCore !== 0) return REASON.smt;
    const numa = this.numa[i]!.findIndex(
      (m) =>
        m.cpus >= t.exclusiveCpus && m.memory >= t.requests.memory && c.hugepages.every((h, s) => m.hugepages[s]! >= h),
    );
    return numa < 0 ? REASON.numa : numa;
  }
}

/** One loss the platform must survive, and what it leaves each service that it breaks. */
export interface Loss {
  kind: "node" | "zone";
  name: string;
  nodes: string[];
  /** The lost nodes' pods scheduled again, in queue order, on what is left: those placed and those Pending. */
  placement: Outcome;
  broken: { service: string; running: number; needed: number; replicas: number }[];
}

export interface Feasibility {
  nodes: NodeModel[];
  templates: PodTemplate[];
  peak: Placement;
  /** Per service with surge pods that need room of their own: its surge pods, placed beside the peak. */
  rollouts: Map<string, Outcome>;
  losses: Loss[];
}

/**
 * What a service must keep after a loss: the ultra-low-latency tier all its replicas (its pods are the latency
 * path), every other service what its PodDisruptionBudget promises.
 */
export function neededAfterLoss(t: PodTemplate): number {
  return t.tier === TIER.ultraLowLatency ? t.replicas : Math.max(0, t.replicas - t.disruptionBudget);
}

/**
 * The lost nodes' pods scheduled again in queue order (pods of one service in the peak's order) on the nodes
 * left; the survivors keep their nodes, so only the displaced pods are placed, on the peak's free capacity.
 */
function afterLoss(cluster: Cluster, lost: readonly number[]): { displaced: Bound[]; outcome: Outcome } {
  const displaced = lost.flatMap((i) => cluster.podsOn[i]!).sort((a, b) => a.c.rank - b.c.rank || a.seq - b.seq);
  cluster.setLost(lost, true);
  const outcome = cluster.aside(() => {
    for (const b of displaced) cluster.schedule(b.c, b.pod.index, false);
  });
  cluster.setLost(lost, false);
  return { displaced, outcome };
}

/** The placement at peak, during each rollout and after each single node or zone loss, on these nodes. */
export function feasibilityOf(nodes: NodeModel[], templates: PodTemplate[]): Feasibility {
  const cluster = new Cluster(nodes, templates);
  for (const t of templates) {
    const c = cluster.compiledOf(t.service);
    for (let i = 0; i < t.replicas; i++) cluster.schedule(c, i, false);
  }
  const peak: Placement = { nodes, placed: [...cluster.placed], unplaced: [...cluster.unplaced] };
  const unplacedAtPeak = new Set(peak.unplaced.map((u) => u.service));
  const rollouts = new Map<string, Outcome>();
  for (const t of templates)
    if (t.surge > 0 && !t.rolloutFreesNode && !unplacedAtPeak.has(t.service)) {
      const c = cluster.compiledOf(t.service);
      rollouts.set(
        t.service,
        cluster.aside(() => {
          for (let i = 0; i < t.surge; i++) cluster.schedule(c, t.replicas + i, true);
        }),
      );
    }
  const zones = [...new Set(nodes.map((n) => n.zone))];
  const scenarios: (Omit<Loss, "placement" | "broken"> & { lost: number[] })[] = [
    ...nodes.map((n, i) => ({ kind: "node" as const, name: n.name, nodes: [n.name], lost: [i] })),
    ...zones.map((z) => {
      const lost = nodes.flatMap((n, i) => (n.zone === z ? [i] : []));
      return { kind: "zone" as const, name: z, nodes: lost.map((i) => nodes[i]!.name), lost };
    }),
  ];
  const losses = scenarios.map(({ lost, ...s }) => {
    const { displaced, outcome } = afterLoss(cluster, lost);
    // Only services that lost pods can fall short: every other one runs all its peak replicas.
    const running = new Map<string, number>();
    for (const b of displaced) running.set(b.pod.service, (running.get(b.pod.service) ?? b.c.t.replicas) - 1);
    for (const p of outcome.placed) running.set(p.service, running.get(p.service)! + 1);
    const broken = [...new Set(displaced.map((b) => b.c.t))].flatMap((t) => {
      if (unplacedAtPeak.has(t.service)) return [];
      const left = running.get(t.service)!;
      const needed = neededAfterLoss(t);
      return left < needed ? [{ service: t.service, running: left, needed, replicas: t.replicas }] : [];
    });
    return { ...s, placement: outcome, broken };
  });
  return { nodes, templates, peak, rollouts, losses };
}

const cache = new WeakMap<object, Feasibility>();

/** The placement at peak, during each rollout and after each single node or zone loss; computed once per platform. */
export function feasibility(platform: ResolvedPlatform): Feasibility {
  const hit = cache.get(platform);
  if (hit) return hit;
  const result = feasibilityOf(nodesOf(platform), podTemplates(platform));
  cache.set(platform, result);
  return result;
}
