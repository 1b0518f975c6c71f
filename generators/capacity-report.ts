/**
 * The capacity report of one environment: per tier and service what the pods request, one replica, at peak and
 * during a rollout; per pool what the nodes offer, what the pods demand and what is left; and the seed's own
 * sum beside the real totals. Pure: text and Markdown from the scheduling engine's model.
 */
import type { ResolvedPlatform } from "../model/environments.ts";
import { type NodeModel, nodesOf } from "../model/nodes.ts";
import { feasibility, type PodTemplate } from "../model/placement.ts";
import { formatBytes } from "../schemas/units.ts";
import type { ReportSection } from "./report-section.ts";

/**
 * The Phase 4 report's "Total ULL Resources: 8500m CPU (8.5 cores), 4.5Gi RAM": one replica of each engine, as
 * if the tier ran one pod per service.
 */
export const SEED_ULL_TOTAL = { cpu: 8500, memory: 4.5 * 2 ** 30 } as const;

export interface Demand {
  cpu: number;
  memory: number;
  hugepages: number;
}

export interface ServiceRow {
  service: string;
  tier: string;
  replicas: string;
  perReplica: Demand;
  peak: Demand;
  rollout: Demand;
}

export interface PoolRow {
  pool: string;
  nodes: number;
  zones: string;
  allocatable: Demand;
  peak: Demand;
  /** Peak plus the largest rollout surge of one service of the tier. */
  rollout: Demand;
  pending: number;
}

export interface CapacityReport {
  environment: string;
  services: ServiceRow[];
  pools: PoolRow[];
  /** The ultra-low-latency tier counted the seed's way (one replica each) and at its real peak. */
  ull?: { seed: typeof SEED_ULL_TOTAL; oneEach: Demand; peak: Demand; rollout: Demand };
  pending: string[];
}

const times = (d: Demand, n: number): Demand => ({ cpu: d.cpu * n, memory: d.memory * n, hugepages: d.hugepages * n });
const plus = (a: Demand, b: Demand): Demand => ({
  cpu: a.cpu + b.cpu,
  memory: a.memory + b.memory,
  hugepages: a.hugepages + b.hugepages,
});
const ZERO: Demand = { cpu: 0, memory: 0, hugepages: 0 };
const sum = (list: readonly Demand[]) => list.reduce(plus, ZERO);

const perReplica = (t: PodTemplate): Demand => ({
  cpu: t.requests.cpu,
  memory: t.requests.memory,
  hugepages: Object.values(t.requests.hugepages).reduce((n, x) => n + x, 0),
});
const nodeOffer = (n: NodeModel): Demand => ({
  cpu: n.allocatable.cpu,
  memory: n.allocatable.memory,
  hugepages: Object.values(n.allocatable.hugepages).reduce((a, b) => a + b, 0),
});

export function capacityReport(platform: ResolvedPlatform): CapacityReport {
  const { templates, peak } = feasibility(platform);
  const surge = (t: PodTemplate) => (t.rolloutFreesNode ? 0 : t.surge);
  const services = Object.keys(platform.services).map((name) => {
    const t = templates.find((x) => x.service === name)!;
    const svc = platform.services[name]!;
    const one = perReplica(t);
    return {
      service: name,
      tier: t.tier,
      replicas: svc.scaling ? `${svc.scaling.minReplicas}-${svc.scaling.maxReplicas}` : String(t.replicas),
      perReplica: one,
      peak: times(one, t.replicas),
      rollout: times(one, t.replicas + surge(t)),
    };
  });
  const nodes = nodesOf(platform);
  const pools = Object.keys(platform.tiers).map((tier) => {
    const own = nodes.filter((n) => n.pool === tier);
    const rows = services.filter((s) => s.tier === tier);
    const peakDemand = sum(rows.map((r) => r.peak));
    const largestSurge = rows
      .map((r) => ({ cpu: r.rollout.cpu - r.peak.cpu, memory: r.rollout.memory - r.peak.memory, hugepages: 0 }))
      .reduce((a, b) => (b.cpu > a.cpu ? b : a), ZERO);
    return {
      pool: tier,
      nodes: own.length,
      zones: Object.entries(platform.tiers[tier]!.pool.zones)
        .filter(([, n]) => n > 0)
        .map(([z, n]) => `${z}:${n}`)
        .join(" "),
      allocatable: sum(own.map(nodeOffer)),
      peak: peakDemand,
      rollout: plus(peakDemand, largestSurge),
      pending: peak.unplaced.filter((u) => platform.services[u.service]?.tier === tier).length,
    };
  });
  const ullRows = services.filter((s) => s.tier === "ultra-low-latency");
  return {
    environment: platform.environment ?? "base",
    services,
    pools,
    ...(ullRows.length > 0
      ? {
          ull: {
            seed: SEED_ULL_TOTAL,
            oneEach: sum(ullRows.map((r) => r.perReplica)),
            peak: sum(ullRows.map((r) => r.peak)),
            rollout: pools.find((p) => p.pool === "ultra-low-latency")!.rollout,
          },
        }
      : {}),
    pending: peak.unplaced.map((u) => `${u.service} pod ${u.index + 1}: ${u.message}`),
  };
}

/** Cores with up to three decimals ("8.5"), as people add them up; the seed wrote "8500m CPU (8.5 cores)". */
const cpu = (m: number) => String(Number((m / 1000).toFixed(3)));
/** Gi with one decimal from 1Gi up ("4.5Gi", "527.4Gi"), exact quantities below. */
const mem = (b: number) =>
  b >= 2 ** 30
    ? `${Number((b / 2 ** 30).toFixed(1))}Gi`
    : b === 0
      ? "0"
      : formatBytes(Math.round(b / 2 ** 20) * 2 ** 20);
const demand = (d: Demand) =>
  `${cpu(d.cpu)} CPU, ${mem(d.memory)}${d.hugepages ? ` + ${mem(d.hugepages)} hugepages` : ""}`;
const pct = (used: number, of: number) => (of === 0 ? "-" : `${Math.round((100 * used) / of)}%`);

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)];
}

const SERVICE_HEADER = ["service", "tier", "replicas", "per replica", "at peak", "during a rollout"];
const POOL_HEADER = [
  "pool",
  "nodes",
  "zones",
  "allocatable",
  "at peak",
  "peak + largest rollout",
  "CPU left at peak",
  "pending",
];

function serviceCells(r: ServiceRow): string[] {
  return [r.service, r.tier, r.replicas, demand(r.perReplica), demand(r.peak), demand(r.rollout)];
}
function poolCells(p: PoolRow): string[] {
  return [
    p.pool,
    String(p.nodes),
    p.zones,
    demand(p.allocatable),
    `${demand(p.peak)} (${pct(p.peak.cpu, p.allocatable.cpu)} CPU)`,
    `${demand(p.rollout)} (${pct(p.rollout.cpu, p.allocatable.cpu)} CPU)`,
    cpu(p.allocatable.cpu - p.peak.cpu),
    String(p.pending),
  ];
}

function ullLines(r: CapacityReport): string[] {
  if (!r.ull) return [];
  return [
    `The seed's "Total ULL Resources": ${cpu(r.ull.seed.cpu)} CPU, ${mem(r.ull.seed.memory)} ` +
      "(one replica of each engine).",
    `One replica of each engine, from the config: ${demand(r.ull.oneEach)}.`,
    `The real ultra-low-latency total at peak: ${demand(r.ull.peak)}; during a rollout: ${demand(r.ull.rollout)}.`,
  ];
}

export function capacityText(r: CapacityReport): string {
  return [
    ...table(SERVICE_HEADER, r.services.map(serviceCells)),
    "",
    ...table(POOL_HEADER, r.pools.map(poolCells)),
    "",
    ...ullLines(r),
    ...(r.pending.length > 0 ? ["", "Pending at peak:", ...r.pending.map((p) => `  ${p}`)] : []),
  ].join("\n");
}

const mdRow = (cells: string[]) => `| ${cells.map((c) => c.replace(/\|/g, "\\|")).join(" | ")} |`;
const mdTable = (header: string[], rows: string[][]) => [
  mdRow(header),
  mdRow(header.map(() => "---")),
  ...rows.map(mdRow),
];

export function capacityMarkdown(r: CapacityReport): string {
  return [
    ...mdTable(SERVICE_HEADER, r.services.map(serviceCells)),
    "",
    ...mdTable(POOL_HEADER, r.pools.map(poolCells)),
    "",
    ...ullLines(r).map((l) => `- ${l}`),
    ...(r.pending.length > 0 ? ["", "**Pending at peak:**", ...r.pending.map((p) => `- ${p}`)] : []),
  ].join("\n");
}

export const capacitySection: ReportSection = {
  title: "Capacity",
  text: (env) => capacityText(capacityReport(env.platform)),
  markdown: (env) => capacityMarkdown(capacityReport(env.platform)),
};
