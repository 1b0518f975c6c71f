/**
 * The nodes of an environment, one by one, with what each offers pods: allocatable as the kubelet derives it
 * (capacity − reserved − eviction threshold; preallocated hugepages are not ordinary memory), and per NUMA node
 * what the static CPU and memory managers can hand out under `single-numa-node`.
 */
import type { Platform } from "../schemas/platform.ts";
import { HUGEPAGE_SIZES, type HugepageSize, type NodePool } from "../schemas/nodes.ts";

export const ZONE_LABEL = "topology.kubernetes.io/zone";
export const HOSTNAME_LABEL = "kubernetes.io/hostname";
export const HUGEPAGE_SIZE_NAMES = Object.keys(HUGEPAGE_SIZES) as HugepageSize[];

export type Hugepages = Record<HugepageSize, number>;

export interface NumaModel {
  id: number;
  /** Logical CPUs of the NUMA node, reserved ones included. */
  cpus: number[];
  /** CPUs the static CPU manager may give out exclusively: the node's CPUs minus the reserved set. */
  exclusiveCpus: number;
  /** Memory the Static Memory Manager may give Guaranteed pods here: local memory − hugepages − reservedMemory. */
  memory: number;
  hugepages: Hugepages;
  /** The Memory Manager's reservedMemory for this NUMA node (kube + system reserved + eviction threshold). */
  reservedMemory: number;
}

export interface NodeModel {
  name: string;
  /** The tier whose pool the node belongs to. */
  pool: string;
  zone: string;
  labels: Record<string, string>;
  taints: NodePool["taints"];
  threadsPerCore: number;
  cpuPinning: boolean;
  capacity: { cpu: number; memory: number; hugepages: Hugepages };
  /** What the scheduler counts: millicores, bytes. */
  allocatable: { cpu: number; memory: number; hugepages: Hugepages };
  numa: NumaModel[];
}

const sumHugepages = (list: readonly Hugepages[]): Hugepages =>
  Object.fromEntries(HUGEPAGE_SIZE_NAMES.map((s) => [s, list.reduce((n, h) => n + h[s], 0)])) as Hugepages;

export const hugepageBytes = (h: Hugepages): number => HUGEPAGE_SIZE_NAMES.reduce((n, s) => n + h[s], 0);

/** One node of a pool as the kubelet reports it; `zone` and `index` only name it. */
export function nodeOf(tierName: string, pool: NodePool, zone: string, index: number): NodeModel {
  const reserved = new Set(pool.reserved.cpus);
  const memoryReservation = pool.reserved.memory + pool.reserved.evictionHard;
  // The Memory Manager's reservedMemory must add up to the reservation; it sits where the system CPUs are.
  const systemNuma = Math.max(
    0,
    pool.numa.findIndex((n) => n.cpus.some((c) => reserved.has(c))),
  );
  const numa: NumaModel[] = pool.numa.map((n, id) => {
    const reservedMemory = id === systemNuma ? memoryReservation : 0;
    return {
      id,
      cpus: n.cpus,
      exclusiveCpus: n.cpus.filter((c) => !reserved.has(c)).length,
      memory: Math.max(0, n.memory - hugepageBytes(n.hugepages) - reservedMemory),
      hugepages: { ...n.hugepages },
      reservedMemory,
    };
  });
  const cpus = pool.numa.reduce((n, x) => n + x.cpus.length, 0);
  const memory = pool.numa.reduce((n, x) => n + x.memory, 0);
  const hugepages = sumHugepages(pool.numa.map((n) => n.hugepages));
  const name = `${tierName}-${zone}-${index + 1}`;
  return {
    name,
    pool: tierName,
    zone,
    labels: { ...pool.labels, [ZONE_LABEL]: zone, [HOSTNAME_LABEL]: name },
    taints: pool.taints,
    threadsPerCore: pool.threadsPerCore,
    cpuPinning: pool.cpuPinning,
    capacity: { cpu: cpus * 1000, memory, hugepages },
    allocatable: {
      cpu: (cpus - reserved.size) * 1000,
      memory: Math.max(0, memory - hugepageBytes(hugepages) - memoryReservation),
      hugepages,
    },
    numa,
  };
}

/** Every node of every pool, pool by pool, zone by zone in the order the config names them. */
export function nodesOf(platform: Pick<Platform, "tiers">): NodeModel[] {
  return Object.entries(platform.tiers).flatMap(([tierName, tier]) =>
    Object.entries(tier.pool.zones).flatMap(([zone, count]) =>
      Array.from({ length: count }, (_, i) => nodeOf(tierName, tier.pool, zone, i)),
    ),
  );
}
