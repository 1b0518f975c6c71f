/**
 * The seed's deploy pipeline as data: what `platform deploy` checks before it touches a cluster, the layers it
 * applies one after the other (core/layout.ts: the cluster layer, then the app layer), and within each the stages it
 * applies and waits for, in the order of core/stages.ts. Pure: bin/commands/deploy.ts runs kubectl and hands its
 * answers to the judgements here.
 */
import { nodeOf } from "./nodes.ts";
import { LABEL } from "../core/conventions.ts";
import type { KubeObject } from "../core/finding.ts";
import { isPlainObject } from "../core/plain.ts";
import { byLayer, type Layer, LAYERS } from "../core/layout.ts";
import { STAGES, type Stage, stageOf } from "../core/stages.ts";
import { parseBytes, parseCpu } from "../schemas/units.ts";
import type { Platform } from "../schemas/platform.ts";
import type { ResolvedPlatform } from "./environments.ts";

export interface StagePlan {
  stage: Stage;
  objects: KubeObject[];
  /** `deployment/nautilus-risk-engine` (what `kubectl rollout status` waits for) and its pods' name label. */
  workloads: { ref: string; app: string; namespace: string }[];
  /** Health endpoints called once the stage's workloads are rolled out. */
  smoke: { service: string; serviceName: string; namespace: string; path: string }[];
}

const ROLLED_OUT = new Set(["Deployment", "StatefulSet", "DaemonSet"]);

/** The Service port `platform deploy` smoke-checks through the API server's service proxy: the probes' port. */
export const SMOKE_PORT = "http";

/**
 * The paths `platform deploy` calls on a service on SMOKE_PORT: the readiness path, then the service's
 * `gitops.smoke` paths. The API server opens those connections, so model/network.ts admits it there.
 */
/** The API server's service-proxy path deploy reads a smoke check through (`kubectl get --raw <path>`). */
export function smokeProxyPath(s: { namespace: string; serviceName: string; path: string }): string {
  return `/api/v1/namespaces/${s.namespace}/services/${s.serviceName}:${SMOKE_PORT}/proxy${s.path}`;
}

export function smokePaths(platform: Pick<Platform, "services" | "gitops">, service: string): string[] {
  const readiness = platform.services[service]?.probes?.readiness.path;
  return [...(readiness ? [readiness] : []), ...(platform.gitops?.smoke?.[service] ?? [])];
}

export interface LayerPlan {
  layer: Layer;
  objects: KubeObject[];
  stages: StagePlan[];
}

/**
 * The layers in apply order, each with its stages. The cluster layer goes first: a server-side dry run of an object
 * in a namespace that does not exist yet fails, and the app layer's dry run is judged by the admission policies the
 * cluster layer has just put in force.
 */
export function deployLayers(platform: ResolvedPlatform, objects: readonly KubeObject[]): LayerPlan[] {
  const layers = byLayer(objects);
  return LAYERS.map((layer) => ({
    layer,
    objects: layers[layer],
    stages: deployStages(platform, layers[layer]),
  })).filter((l) => l.objects.length > 0);
}

export function deployStages(platform: ResolvedPlatform, objects: readonly KubeObject[]): StagePlan[] {
  return STAGES.map((stage) => {
    const inStage = objects.filter((o) => stageOf(o, objects)?.id === stage.id);
    const workloads = inStage
      .filter((o) => ROLLED_OUT.has(o.kind))
      .map((o) => ({
        ref: `${o.kind.toLowerCase()}/${o.metadata.name}`,
        app: o.metadata.labels?.[LABEL.name] ?? o.metadata.name,
        namespace: o.metadata.namespace ?? platform.namespace,
      }));
    const services = inStage.filter((o) => o.kind === "Service" && o.metadata.labels?.[LABEL.component] === "service");
    return {
      stage,
      objects: inStage,
      workloads,
      smoke: services.flatMap((s) => {
        const service = s.metadata.labels?.[LABEL.name] ?? s.metadata.name;
        const paths = smokePaths(platform, service);
        const namespace = s.metadata.namespace ?? platform.namespace;
        return paths.map((path) => ({ service, serviceName: s.metadata.name, namespace, path }));
      }),
    };
  }).filter((s) => s.objects.length > 0);
}

/** A node as `kubectl get nodes -o json` gives it (only what preflight reads). */
interface Node {
  metadata?: { name?: string; labels?: Record<string, string> };
  spec?: { taints?: { key: string; value?: string; effect: string }[]; unschedulable?: boolean };
  status?: { allocatable?: Record<string, string> };
}

/** What is wrong with the cluster's nodes for the tiers of `platform`, one sentence each; empty when ready. */
export function nodeProblems(platform: ResolvedPlatform, nodeList: unknown): string[] {
  const items = isPlainObject(nodeList) && Array.isArray(nodeList.items) ? (nodeList.items as Node[]) : [];
  const problems: string[] = [];
  for (const [tierName, tier] of Object.entries(platform.tiers)) {
    const services = Object.entries(platform.services).filter(([, s]) => s.tier === tierName);
    if (services.length === 0) continue;
    const selector = Object.entries(tier.nodeSelector);
    const shown = selector.map(([k, v]) => `${k}=${v}`).join(",") || "(any node)";
    const nodes = items.filter(
      (n) => !n.spec?.unschedulable && selector.every(([k, v]) => n.metadata?.labels?.[k] === v),
    );
    const counted = Object.values(tier.pool.zones).reduce((a, b) => a + b, 0);
    if (nodes.length < counted) {
      problems.push(
        `tier ${tierName}: ${nodes.length} schedulable node(s) carry ${shown}, the config counts on ${counted} ` +
          `(tiers.${tierName}.pool.zones)`,
      );
      if (nodes.length === 0) continue;
    }
    for (const t of tier.tolerations) {
      if (t.effect === "PreferNoSchedule") continue;
      const untainted = nodes.filter(
        (n) =>
          !(n.spec?.taints ?? []).some(
            (x) => x.key === t.key && x.effect === t.effect && (t.operator === "Exists" || x.value === t.value),
          ),
      );
      if (untainted.length)
        problems.push(
          `tier ${tierName}: node(s) ${names(untainted)} lack the taint ${t.key}=${t.value ?? ""}:${t.effect}, so ` +
            "other workloads can land on the dedicated nodes",
        );
    }
    // What the config's node model says one node of the pool offers, as the kubelet derives it.
    const cpus = nodeOf(tierName, tier.pool, "", 0).allocatable.cpu / 1000;
    const cpuShort = nodes.filter((n) => (parseCpu(n.status?.allocatable?.cpu ?? "0") ?? 0) < cpus * 1000);
    if (cpuShort.length)
      problems.push(
        `tier ${tierName}: node(s) ${names(cpuShort)} have fewer than ${cpus} allocatable CPUs ` +
          `(tiers.${tierName}.pool): ${cpuShort.map((n) => n.status?.allocatable?.cpu ?? "none").join(", ")}`,
      );
    for (const size of ["hugepages-2Mi", "hugepages-1Gi"] as const) {
      const wanted = services
        .filter(([, s]) => s.resources.requests[size])
        .map(([name, s]) => ({
          name,
          perPod: s.resources.requests[size]!,
          pods: s.scaling?.minReplicas ?? s.replicas,
        }));
      if (wanted.length === 0) continue;
      const largest = Math.max(...wanted.map((w) => w.perPod));
      const allocatable = (n: Node) => parseBytes(n.status?.allocatable?.[size] ?? "0") ?? 0;
      const without = nodes.filter((n) => allocatable(n) < largest);
      const total = nodes.reduce((sum, n) => sum + allocatable(n), 0);
      const needed = wanted.reduce((sum, w) => sum + w.perPod * (w.pods ?? 1), 0);
      if (without.length)
        problems.push(
          `tier ${tierName}: node(s) ${names(without)} have no allocatable ${size} for ` +
            `${wanted.map((w) => w.name).join(", ")} (each pod requests up to ${largest / 2 ** 20}Mi): reserve huge ` +
            "pages on the nodes (kernel hugepages=, or vm.nr_hugepages) and restart the kubelet",
        );
      else if (total < needed)
        problems.push(
          `tier ${tierName}: ${total / 2 ** 20}Mi of ${size} allocatable in all, the services request ` +
            `${needed / 2 ** 20}Mi`,
        );
    }
  }
  return problems;
}

function names(nodes: readonly Node[]): string {
  return nodes.map((n) => n.metadata?.name ?? "?").join(", ");
}

/** apiVersions the objects use that the cluster does not serve (`kubectl api-versions`). */
export function missingApiVersions(objects: readonly KubeObject[], served: string): string[] {
  const have = new Set(served.split(/\s+/).filter(Boolean));
  return [...new Set(objects.map((o) => o.apiVersion))].filter((v) => !have.has(v)).sort();
}

/** Storage classes the claims name that the cluster lacks (`kubectl get storageclass -o name`). */
export function missingStorageClasses(platform: ResolvedPlatform, listed: string): string[] {
  const have = new Set(
    listed
      .split(/\s+/)
      .filter(Boolean)
      .map((l) => l.replace(/^storageclass(\.storage\.k8s\.io)?\//, "")),
  );
  const wanted = Object.values(platform.storage).flatMap((c) => (c.storageClass ? [c.storageClass] : []));
  return [...new Set(wanted)].filter((c) => !have.has(c)).sort();
}

/** Why a workload's pods are not ready, from `kubectl get pods -o json`: one line per pod that is not. */
export function podTroubles(podList: unknown): string[] {
  const items = isPlainObject(podList) && Array.isArray(podList.items) ? podList.items : [];
  const out: string[] = [];
  for (const pod of items as {
    metadata?: { name?: string };
    status?: {
      phase?: string;
      conditions?: { type: string; status: string; reason?: string; message?: string }[];
      containerStatuses?: {
        name: string;
        ready: boolean;
        state?: Record<string, { reason?: string; message?: string }>;
      }[];
    };
  }[]) {
    const name = pod.metadata?.name ?? "?";
    const unscheduled = pod.status?.conditions?.find((c) => c.type === "PodScheduled" && c.status === "False");
    if (unscheduled) {
      out.push(
        `${name}: ${pod.status?.phase ?? "Pending"}, ${unscheduled.reason ?? "not scheduled"}: ` +
          `${unscheduled.message ?? ""}`,
      );
      continue;
    }
    for (const c of pod.status?.containerStatuses ?? []) {
      if (c.ready) continue;
      const [state, detail] = Object.entries(c.state ?? {})[0] ?? ["unknown", {}];
      out.push(
        `${name}: container ${c.name} ${state}${detail.reason ? ` (${detail.reason})` : ""}` +
          `${detail.message ? `: ${detail.message}` : ""}`,
      );
    }
  }
  return out;
}
