/**
 * The kubelet configuration each pool's nodes need (out/nodes/<pool>/), so the nodes deliver what the scheduling
 * engine assumed: the same reserved CPUs and memory (allocatable), and on CPU-pinning pools exclusive whole cores,
 * aligned with their memory and hugepages on one NUMA node, and never throttled by CFS quota. Pure.
 */
import type { Platform } from "../schemas/platform.ts";
import { formatCpuSet, type NodePool } from "../schemas/nodes.ts";
import { formatBytes } from "../schemas/units.ts";
import { nodeOf } from "../model/nodes.ts";
import { GENERATED_HEADER } from "../core/conventions.ts";
import { yamlFile } from "../core/yaml.ts";

/** The fields of `kubelet.config.k8s.io/v1beta1` KubeletConfiguration this generator sets, with their Go types. */
export interface KubeletConfiguration {
  apiVersion: "kubelet.config.k8s.io/v1beta1";
  kind: "KubeletConfiguration";
  cpuManagerPolicy: "none" | "static";
  cpuManagerPolicyOptions?: Record<string, string>;
  topologyManagerPolicy: "none" | "single-numa-node";
  topologyManagerScope?: "pod";
  memoryManagerPolicy: "None" | "Static";
  reservedSystemCPUs?: string;
  systemReserved: Record<string, string>;
  evictionHard: Record<string, string>;
  reservedMemory?: { numaNode: number; limits: Record<string, string> }[];
  cpuCFSQuota?: boolean;
  featureGates?: Record<string, boolean>;
  registerWithTaints?: { key: string; value?: string; effect: string }[];
}

/**
 * From 1.33 the kubelet leaves CFS quota off containers with exclusive CPUs (feature gate
 * DisableCPUQuotaWithExclusiveCPUs, beta and on by default; set here so nobody turns it off). Before, a pinned
 * container with a CPU limit is throttled by its quota like any other, so quota goes off for the whole node.
 */
export const CFS_QUOTA_FIX_MINOR = 33;

/** The kubelet's default hard eviction thresholds on Linux, besides memory. */
const EVICTION_DEFAULTS = { "nodefs.available": "10%", "nodefs.inodesFree": "5%", "imagefs.available": "15%" };

const minorOf = (version: string) => Number(version.split(".")[1]);

export function kubeletConfiguration(pool: NodePool, kubernetesVersion: string): KubeletConfiguration {
  // The NUMA reservations as the node model computes them, so the engine and the kubelet agree.
  const numa = nodeOf("", pool, "", 0).numa;
  const config: KubeletConfiguration = {
    apiVersion: "kubelet.config.k8s.io/v1beta1",
    kind: "KubeletConfiguration",
    cpuManagerPolicy: pool.cpuPinning ? "static" : "none",
    topologyManagerPolicy: pool.cpuPinning ? "single-numa-node" : "none",
    memoryManagerPolicy: pool.cpuPinning ? "Static" : "None",
    ...(pool.reserved.cpus.length > 0 ? { reservedSystemCPUs: formatCpuSet(pool.reserved.cpus) } : {}),
    systemReserved: { memory: formatBytes(pool.reserved.memory) },
    // Setting evictionHard replaces the kubelet's defaults, so the other signals keep theirs explicitly.
    evictionHard: { ...EVICTION_DEFAULTS, "memory.available": formatBytes(pool.reserved.evictionHard) },
  };
  if (pool.cpuPinning) {
    // Hyperthread siblings of a pinned CPU are never given to another container.
    config.cpuManagerPolicyOptions = { "full-pcpus-only": "true" };
    // One NUMA node for all the pod's containers, not each container on its own.
    config.topologyManagerScope = "pod";
    // The Static Memory Manager requires the per-NUMA reservations to add up to system-reserved + eviction.
    config.reservedMemory = numa
      .filter((n) => n.reservedMemory > 0)
      .map((n) => ({ numaNode: n.id, limits: { memory: formatBytes(n.reservedMemory) } }));
    if (minorOf(kubernetesVersion) >= CFS_QUOTA_FIX_MINOR)
      config.featureGates = { DisableCPUQuotaWithExclusiveCPUs: true };
    else config.cpuCFSQuota = false;
  }
  if (pool.taints.length > 0)
    config.registerWithTaints = pool.taints.map((t) => ({
      key: t.key,
      ...(t.value !== undefined ? { value: t.value } : {}),
      effect: t.effect,
    }));
  return config;
}

/** `--node-labels`: the kubelet labels its node at registration; the zone label comes from the cloud provider. */
export function kubeletEnvironment(pool: NodePool): string {
  const labels = Object.entries(pool.labels)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
  return (
    `# ${GENERATED_HEADER}\n` +
    "# For /etc/default/kubelet (Debian) or /etc/sysconfig/kubelet: the labels the tier's nodeSelector matches.\n" +
    `KUBELET_EXTRA_ARGS="${labels ? `--node-labels=${labels}` : ""}"\n`
  );
}

export function nodeFiles(platform: Platform): Map<string, string> {
  const files = new Map<string, string>();
  for (const [tier, { pool }] of Object.entries(platform.tiers)) {
    files.set(`nodes/${tier}/kubelet-config.yaml`, yamlFile([kubeletConfiguration(pool, platform.kubernetesVersion)]));
    files.set(`nodes/${tier}/kubelet.env`, kubeletEnvironment(pool));
  }
  return files;
}
