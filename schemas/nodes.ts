/**
 * The nodes a tier runs on, as precisely as the kubelet and the scheduler see them: how many per zone, the CPUs
 * and memory of each NUMA node, the hugepages preallocated on it, what the kubelet reserves, and the labels and
 * taints the tiers select and tolerate. Everything a pod may use is derived from these numbers (model/nodes.ts).
 */
import { z } from "zod";
import { labelMap } from "./names.ts";
import { bytes } from "./units.ts";

/** Linux cpuset syntax, as `reservedSystemCPUs` and /sys/devices/system/node/node0/cpulist write it. */
const CPUSET_RE = /^(\d+(-\d+)?)(,\d+(-\d+)?)*$/;

/** "0-3,8" → [0, 1, 2, 3, 8]; undefined when a range runs backwards. */
export function parseCpuSet(s: string): number[] | undefined {
  if (s === "") return [];
  if (!CPUSET_RE.test(s)) return undefined;
  const out = new Set<number>();
  for (const part of s.split(",")) {
    const [from, to = from] = part.split("-").map(Number) as [number, number?];
    if (to! < from) return undefined;
    for (let c = from; c <= to!; c++) out.add(c);
  }
  return [...out].sort((a, b) => a - b);
}

/** [0, 1, 2, 3, 8] → "0-3,8": the kubelet's own spelling. */
export function formatCpuSet(cpus: readonly number[]): string {
  const sorted = [...cpus].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(",");
}

const cpuSet = (what: string) =>
  z
    .string()
    .regex(/^$|^(\d+(-\d+)?)(,\d+(-\d+)?)*$/, {
      error: (iss) => `expected a CPU list like "0-7,16-23", got ${JSON.stringify(iss.input)}`,
    })
    .transform((s, ctx) => {
      const cpus = parseCpuSet(s);
      if (cpus === undefined) {
        ctx.addIssue({ code: "custom", message: `${JSON.stringify(s)}: a range runs backwards`, input: s });
        return z.NEVER;
      }
      return cpus;
    })
    .describe(`${what}, in Linux cpuset syntax ("0-7,16-23").`) as unknown as z.ZodType<number[], string>;

/** The page sizes x86_64 nodes offer; the same names as the pods' `hugepages-<size>` resources. */
export const HUGEPAGE_SIZES = { "2Mi": 2 ** 21, "1Gi": 2 ** 30 } as const;
export type HugepageSize = keyof typeof HUGEPAGE_SIZES;

const hugepages = z
  .strictObject({
    "2Mi": bytes().prefault("0").describe('2 MiB pages preallocated on the NUMA node, in bytes ("4Gi").'),
    "1Gi": bytes().prefault("0").describe('1 GiB pages preallocated on the NUMA node, in bytes ("8Gi").'),
  })
  .superRefine((h, ctx) => {
    for (const [size, page] of Object.entries(HUGEPAGE_SIZES)) {
      const n = h[size as HugepageSize];
      if (n % page !== 0)
        ctx.addIssue({ code: "custom", path: [size], message: `not a whole number of ${size} pages` });
    }
  })
  .prefault({})
  .describe("Huge pages preallocated per page size (kernel boot parameters); they are not ordinary memory.");

const numaNode = z
  .strictObject({
    cpus: cpuSet("The logical CPUs of this NUMA node"),
    memory: bytes().describe('Memory attached to this NUMA node, hugepages included ("64Gi").'),
    hugepages,
  })
  .superRefine((n, ctx) => {
    if (n.cpus.length === 0) ctx.addIssue({ code: "custom", path: ["cpus"], message: "a NUMA node needs CPUs" });
    const huge = n.hugepages["2Mi"] + n.hugepages["1Gi"];
    if (huge >= n.memory)
      ctx.addIssue({
        code: "custom",
        path: ["hugepages"],
        message: "hugepages take all of the NUMA node's memory; leave memory for the kernel and the pods",
      });
  })
  .describe("One NUMA node: its CPUs and the memory (and hugepages) local to them.");

const taint = z
  .strictObject({
    key: z.string().min(1).describe("Taint key."),
    value: z.string().optional().describe("Taint value."),
    effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]).describe("What the taint does to pods."),
  })
  .describe("A taint the nodes register with: only pods that tolerate it run there.");

export const nodePool = z
  .strictObject({
    zones: z
      .record(
        z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, { error: "expected a zone name like eu-west-2a" }),
        z.number().int().min(0).describe("Nodes of the pool in this zone."),
      )
      .refine((zones) => Object.keys(zones).length > 0, { error: "name at least one zone" })
      .describe(
        "Nodes per zone (the `topology.kubernetes.io/zone` label): the zones the tier spreads over, and how many " +
          "nodes each holds. An environment sets a zone to 0 to leave it out.",
      ),
    numa: z
      .array(numaNode)
      .min(1)
      .describe(
        "The NUMA nodes of each node, in order (node0, node1, ...): CPUs, memory and hugepages of each. The " +
          "node's capacity is their sum; under Topology Manager `single-numa-node` a Guaranteed pod must fit in one.",
      ),
    threadsPerCore: z
      .number()
      .int()
      .min(1)
      .max(8)
      .default(2)
      .describe(
        "Hardware threads per physical core (2 with hyperthreading on). With `full-pcpus-only` the kubelet " +
          "refuses an exclusive-CPU container whose CPU count is not a multiple of it (SMTAlignmentError).",
      ),
    reserved: z
      .strictObject({
        cpus: cpuSet(
          "CPUs kept for the OS and the kubelet (`reservedSystemCPUs`), where no pod runs; the static CPU manager " +
            "needs a non-zero reservation",
        ).prefault(""),
        memory: bytes().describe('Memory kept for the OS and the kubelet (kube-reserved plus system-reserved, "4Gi").'),
        evictionHard: bytes()
          .prefault("100Mi")
          .describe("The kubelet evicts pods below this much free memory (`evictionHard: memory.available`)."),
      })
      .describe("What the kubelet keeps back from pods; allocatable is capacity minus this."),
    cpuPinning: z
      .boolean()
      .default(false)
      .describe(
        "Configure the kubelet for exclusive CPUs: static CPU manager with `full-pcpus-only`, Topology Manager " +
          "`single-numa-node` (scope pod), Static Memory Manager. A tier whose services need pinned CPUs needs it.",
      ),
    labels: labelMap.default({}).describe("Labels of the pool's nodes; the tier's `nodeSelector` must match them."),
    taints: z
      .array(taint)
      .default([])
      .describe("Taints of the pool's nodes; pods that do not tolerate them stay off the pool."),
  })
  .superRefine((pool, ctx) => {
    const seen = new Map<number, number>();
    pool.numa.forEach((n, i) => {
      for (const c of n.cpus) {
        const other = seen.get(c);
        if (other !== undefined)
          ctx.addIssue({
            code: "custom",
            path: ["numa", i, "cpus"],
            message: `CPU ${c} is also in numa[${other}]: a CPU belongs to one NUMA node`,
          });
        seen.set(c, i);
      }
    });
    const unknown = pool.reserved.cpus.filter((c) => !seen.has(c));
    if (unknown.length > 0)
      ctx.addIssue({
        code: "custom",
        path: ["reserved", "cpus"],
        message: `CPU ${unknown.join(", ")} is in no NUMA node of the pool`,
      });
    if (pool.reserved.cpus.length >= seen.size && seen.size > 0)
      ctx.addIssue({
        code: "custom",
        path: ["reserved", "cpus"],
        message: "reserves every CPU: nothing is left for pods",
      });
  })
  .describe("The nodes of a tier: zones and counts, NUMA layout, what the kubelet reserves, labels and taints.");

export type NodePool = z.output<typeof nodePool>;

/** What an environment may change about a pool: how many nodes, where. The hardware is the same everywhere. */
export const nodePoolPatch = z
  .strictObject({
    zones: z
      .record(z.string(), z.number().int().min(0).describe("Nodes of the pool in this zone, in this environment."))
      .optional()
      .describe("Nodes per zone in this environment (merged over the base: set a zone to 0 to leave it out)."),
  })
  .describe("The pool's node counts in this environment.");
