/**
 * The seed's deploy order as one table: the stage of every object, by kind and by its labels. Argo CD
 * reads it as sync waves (`argocd.argoproj.io/sync-wave`, lowest first, each wave healthy before the
 * next), `platform deploy` applies and waits stage by stage, and a check refuses an object without one.
 */
import type { KubeObject } from "./finding.ts";
import { ANNOTATION, LABEL, TIER } from "./conventions.ts";

export interface Stage {
  id: "foundation" | "storage" | "ultra-low-latency" | "high-performance" | "monitoring";
  /** The sync wave: its place in the order. */
  wave: number;
  title: string;
}

/** In apply order; the waves follow the seed's pipeline (namespace and RBAC, storage, the two tiers, monitoring). */
export const STAGES: readonly Stage[] = [
  { id: "foundation", wave: 0, title: "namespaces, CRDs, admission policies and network policies" },
  { id: "storage", wave: 1, title: "storage" },
  { id: "ultra-low-latency", wave: 2, title: "the ultra-low-latency tier" },
  { id: "high-performance", wave: 3, title: "the high-performance tier" },
  { id: "monitoring", wave: 4, title: "monitoring" },
];

/**
 * Kinds that everything after them relies on, whoever generates them: admission policies must be in force
 * before the workloads they judge are created, and network policies before the pods they isolate start.
 */
const FOUNDATION_KINDS = new Set([
  "Namespace",
  "CustomResourceDefinition",
  "PriorityClass",
  "ValidatingAdmissionPolicy",
  "ValidatingAdmissionPolicyBinding",
  "NetworkPolicy",
]);

/**
 * The stage of `o` among `objects` (what is applied with it), or undefined for an object the table does not place
 * (a check reports it). A claim goes with the first workload that mounts it: under a WaitForFirstConsumer class a
 * claim stays Pending, which Argo CD counts as Progressing, until a pod uses it, so a claim in an earlier wave than
 * its pods would hold the sync forever (argoproj/argo-cd#12840).
 */
export function stageOf(o: KubeObject, objects: readonly KubeObject[] = []): Stage | undefined {
  const labels = o.metadata?.labels ?? {};
  const component = labels[LABEL.component];
  if (FOUNDATION_KINDS.has(o.kind) || component === "platform" || component === "policy") return stage("foundation");
  if (o.kind === "PersistentVolumeClaim") {
    const waves = objects
      .filter((w) => w !== o && w.metadata?.namespace === o.metadata?.namespace && mountsClaim(w, o.metadata.name))
      .map((w) => stageOf(w, objects))
      .filter((s): s is Stage => s !== undefined);
    return waves.length > 0 ? waves.reduce((a, b) => (b.wave < a.wave ? b : a)) : stage("storage");
  }
  if (component === "storage") return stage("storage");
  if (component === "monitoring") return stage("monitoring");
  const tier = labels[LABEL.tier];
  if (component === "service" && tier)
    // A tier other than the two the seed names is scheduled like the high-performance one: after the engines.
    return stage(tier === TIER.ultraLowLatency ? "ultra-low-latency" : "high-performance");
  return undefined;
}

function stage(id: Stage["id"]): Stage {
  return STAGES.find((s) => s.id === id)!;
}

/** The wave an object carries, if it carries a whole number. */
export function syncWaveOf(o: KubeObject): number | undefined {
  const value = o.metadata?.annotations?.[ANNOTATION.syncWave];
  return value !== undefined && /^-?\d+$/.test(value) ? Number(value) : undefined;
}

/** Whether a workload's pod template mounts the claim `name`. */
function mountsClaim(o: KubeObject, name: string): boolean {
  const spec = (o as { spec?: { template?: { spec?: { volumes?: unknown } } } }).spec?.template?.spec;
  const volumes = Array.isArray(spec?.volumes) ? spec.volumes : [];
  return volumes.some(
    (v) => (v as { persistentVolumeClaim?: { claimName?: unknown } })?.persistentVolumeClaim?.claimName === name,
  );
}
