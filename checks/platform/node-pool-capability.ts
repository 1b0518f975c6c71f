import type { ConfigCheck } from "../check.ts";
import { findingOf } from "../check.ts";
import { CONFIG_FILE, type Finding } from "../../core/finding.ts";
import { TIER } from "../../core/conventions.ts";
import { formatBytes } from "../../schemas/units.ts";
import type { ResolvedPlatform } from "../../model/environments.ts";
import { HUGEPAGE_SIZE_NAMES, nodeOf } from "../../model/nodes.ts";
import { podTemplates } from "../../model/placement.ts";
import { configPath } from "./config.ts";

interface Problem {
  service?: string;
  path: string;
  message: string;
  hint: string;
}

/**
 * What a pool's nodes cannot give a tier's pods however many of them there are: pinned CPUs without CPU pinning
 * or a reserved set, hugepages of a size the nodes lack, a Guaranteed pod larger than one NUMA node, or an
 * exclusive CPU count that is not whole cores.
 */
export function capabilityProblems(platform: ResolvedPlatform): Problem[] {
  const problems: Problem[] = [];
  for (const [tierName, tier] of Object.entries(platform.tiers)) {
    const pool = tier.pool;
    const at = `tiers.${tierName}.pool`;
    if (tierName === TIER.ultraLowLatency && !pool.cpuPinning)
      problems.push({
        path: `${at}.cpuPinning`,
        message:
          `the ${tierName} tier promises pinned CPUs, but its nodes run without the static CPU manager and ` +
          "Topology Manager: its pods share CPUs with everything else",
        hint: `set ${at}.cpuPinning to true`,
      });
    if (pool.cpuPinning && pool.reserved.cpus.length === 0)
      problems.push({
        path: `${at}.reserved.cpus`,
        message:
          "the static CPU manager needs reserved CPUs for the OS and the kubelet; without them the kubelet " +
          "refuses to start",
        hint: `reserve a core or two on NUMA node 0, e.g. ${at}.reserved.cpus: "0-1"`,
      });
  }
  const node = (tier: string) => nodeOf(tier, platform.tiers[tier]!.pool, "", 0);
  for (const t of podTemplates(platform)) {
    const n = node(t.tier);
    const at = `tiers.${t.tier}.pool`;
    const resources = `services.${t.service}.resources`;
    for (const size of HUGEPAGE_SIZE_NAMES)
      if (t.requests.hugepages[size] > 0 && n.capacity.hugepages[size] === 0)
        problems.push({
          service: t.service,
          path: `${resources}.requests.hugepages-${size}`,
          message:
            `${t.service} requests ${formatBytes(t.requests.hugepages[size])} of hugepages-${size}, and the ` +
            `nodes of the ${t.tier} pool have no ${size} pages`,
          hint: `preallocate ${size} pages in ${at}.numa[].hugepages`,
        });
    if (!n.cpuPinning || !t.guaranteed) continue;
    if (t.exclusiveCpus % n.threadsPerCore !== 0)
      problems.push({
        service: t.service,
        path: `${resources}.requests.cpu`,
        message:
          `${t.service} asks for ${t.exclusiveCpus} exclusive CPUs; with full-pcpus-only and ${n.threadsPerCore} ` +
          "threads per core the kubelet gives whole cores only and refuses the pod (SMTAlignmentError)",
        hint: `request a multiple of ${n.threadsPerCore} CPUs, or turn hyperthreading off (${at}.threadsPerCore: 1)`,
      });
    const biggest = (f: (x: (typeof n.numa)[number]) => number) => Math.max(...n.numa.map(f));
    const short = [
      t.exclusiveCpus > biggest((x) => x.exclusiveCpus) &&
        `${t.exclusiveCpus} exclusive CPUs, and the largest NUMA node of the ${t.tier} pool offers ` +
          `${biggest((x) => x.exclusiveCpus)} (of ${biggest((x) => x.cpus.length)} CPUs, after the reserved set)`,
      t.requests.memory > biggest((x) => x.memory) &&
        `${formatBytes(t.requests.memory)} of memory, and the largest NUMA node of the ${t.tier} pool offers ` +
          `${formatBytes(biggest((x) => x.memory))} (after hugepages and reservedMemory)`,
      ...HUGEPAGE_SIZE_NAMES.map(
        (s) =>
          t.requests.hugepages[s] > 0 &&
          n.capacity.hugepages[s] > 0 &&
          t.requests.hugepages[s] > biggest((x) => x.hugepages[s]) &&
          `${formatBytes(t.requests.hugepages[s])} of hugepages-${s}, and the largest NUMA node of the ${t.tier} ` +
            `pool has ${formatBytes(biggest((x) => x.hugepages[s]))}`,
      ),
    ].filter((x): x is string => typeof x === "string");
    if (short.length > 0)
      problems.push({
        service: t.service,
        path: resources,
        message:
          `one ${t.service} pod is larger than one NUMA node, which Topology Manager single-numa-node requires: it ` +
          `needs ${short.join("; ")}`,
        hint: `lower ${resources}, or give ${at}.numa larger NUMA nodes`,
      });
  }
  return problems;
}

/** Services the capability check already refuses: placing them would only say the same again. */
export function refusedServices(platform: ResolvedPlatform): Set<string> {
  return new Set(capabilityProblems(platform).flatMap((p) => (p.service ? [p.service] : [])));
}

export const nodePoolCapability: ConfigCheck = {
  id: "platform/node-pool-capability",
  needs: "config",
  description: "A tier's nodes can give its pods what it promises: pinned CPUs, hugepages, one NUMA node each.",
  severity: "error",
  doc: {
    catches:
      "An ultra-low-latency pool without `cpuPinning`; a pinning pool with no `reserved.cpus`; a service " +
      "requesting hugepages of a size its pool's NUMA nodes do not preallocate; on a pinning pool, a Guaranteed " +
      "pod needing more exclusive CPUs, memory or hugepages than one NUMA node has (Topology Manager " +
      "`single-numa-node`), or an exclusive CPU count that is not whole cores under `full-pcpus-only`.",
    why:
      "The kubelet, not the scheduler, refuses such pods: the scheduler sees enough CPUs on the node and binds " +
      "the pod, then the kubelet rejects it (TopologyAffinityError, SMTAlignmentError) again and again. Without " +
      "the static CPU manager the pods run, but on shared CPUs: the latency the tier exists for is gone.",
    fix:
      "Lower the service's requests to fit one NUMA node, or describe the real NUMA layout of larger nodes in " +
      "`tiers.<tier>.pool.numa`; preallocate the hugepages; reserve CPUs for the system.",
    example: {
      config: { services: { "integration-engine": { resources: { requests: { cpu: "14" }, limits: { cpu: "14" } } } } },
    },
  },
  run({ environments }) {
    return environments.flatMap((env) =>
      capabilityProblems(env.platform).map(
        (p): Finding =>
          findingOf(this, {
            environment: env.environment,
            file: CONFIG_FILE,
            path: p.service && p.path.startsWith("services.") ? resolvedPath(env, p.service, p.path) : p.path,
            message: p.message,
            hint: p.hint,
          }),
      ),
    );
  },
};

/** A service path the environment overrides is named where the environment sets it. */
function resolvedPath(env: Parameters<typeof configPath>[0], service: string, path: string): string {
  return configPath(env, "services", service, path.slice(`services.${service}.`.length));
}
