/**
 * Config changes roll the pods that read them: every pod template gets an annotation holding a SHA-256 of the
 * exact data it reads from the ConfigMaps and Secrets we generate (mounted volumes, projected sources, env and
 * envFrom references), computed on each environment's final objects. A changed threshold changes the Prometheus
 * rules ConfigMap, so the Prometheus template's annotation, so its Deployment rolls; a pod that does not read that
 * ConfigMap keeps its annotation and does not roll.
 *
 * Why an annotation and not a content-hash name (kustomize's configMapGenerator): object names stay stable, so the
 * references in other objects, the checks that follow them and the Kustomize overlays stay as they are, and an
 * environment that changes a ConfigMap's data patches one annotation per reader instead of renaming the object in
 * every reference; old hashed ConfigMaps would also pile up in the cluster without pruning. The cost: the kubelet
 * refreshes a mounted ConfigMap in running pods before the rollout replaces them, which matters only to a process
 * that re-reads its files unasked (none of ours does).
 *
 * Prometheus rolls too, rather than reloading: a reload needs `--web.enable-lifecycle`, which opens unauthenticated
 * /-/reload and /-/quit to everything that reaches port 9090, plus a config-reloader sidecar (another image to pin,
 * scan and size) to call it. The rollout's price is a gap in scraping and rule evaluation while the single
 * Prometheus replays its WAL (covered by its startup budget, and visible to the dead-man's switch), once per config
 * change; it is the one mechanism every component shares.
 *
 * A Secret an ExternalSecret of the same namespace delivers counts by what the config knows of it: per key the store,
 * remote key, property and version the ExternalSecret reads it from. Moving a credential to another remote key or
 * pinning a new version rolls exactly the pods that read that Secret (and that key). A value rotated in the store
 * under the same key and version is not in the config, so not in the hash: the operator updates the Secret within
 * its refreshInterval, env variables keep the old value until the pod restarts, and mounted files change under the
 * running process. Rolling on that is left to a controller watching the Secret (Reloader) or to pinning versions.
 * Secrets made outside this tool and outside an ExternalSecret have no data here at all. Pure.
 */
import { createHash } from "node:crypto";
import type { KubeObject } from "../core/finding.ts";
import { ANNOTATION } from "../core/conventions.ts";

/** Kinds whose `spec.template` is a pod template (CronJob's lies one level deeper). */
const WORKLOAD_KINDS = new Set(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"]);

type SourceKind = "ConfigMap" | "Secret";
/** Keys of one source a pod reads; `all` when it mounts the whole object. */
type Reads = Map<string, Set<string> | "all">;

interface PodSpecLike {
  volumes?: {
    configMap?: { name?: string; items?: { key: string }[] };
    secret?: { secretName?: string; items?: { key: string }[] };
    projected?: {
      sources?: {
        configMap?: { name?: string; items?: { key: string }[] };
        secret?: { name?: string; items?: { key: string }[] };
      }[];
    };
  }[];
  containers?: ContainerLike[];
  initContainers?: ContainerLike[];
}
interface ContainerLike {
  env?: {
    valueFrom?: { configMapKeyRef?: { name?: string; key: string }; secretKeyRef?: { name?: string; key: string } };
  }[];
  envFrom?: { configMapRef?: { name?: string }; secretRef?: { name?: string } }[];
}

/** What a pod spec reads, as `ConfigMap/name` or `Secret/name` with the keys it reads. */
export function podReads(pod: PodSpecLike): Reads {
  const reads: Reads = new Map();
  const add = (kind: SourceKind, name: string | undefined, keys: string[] | "all") => {
    if (!name) return;
    const id = `${kind}/${name}`;
    const had = reads.get(id);
    if (keys === "all" || had === "all") reads.set(id, "all");
    else reads.set(id, new Set([...(had ?? []), ...keys]));
  };
  const itemKeys = (items: { key: string }[] | undefined) => (items ? items.map((i) => i.key) : "all");
  for (const v of pod.volumes ?? []) {
    if (v.configMap) add("ConfigMap", v.configMap.name, itemKeys(v.configMap.items));
    if (v.secret) add("Secret", v.secret.secretName, itemKeys(v.secret.items));
    for (const s of v.projected?.sources ?? []) {
      if (s.configMap) add("ConfigMap", s.configMap.name, itemKeys(s.configMap.items));
      if (s.secret) add("Secret", s.secret.name, itemKeys(s.secret.items));
    }
  }
  for (const c of [...(pod.initContainers ?? []), ...(pod.containers ?? [])]) {
    for (const e of c.env ?? []) {
      const cm = e.valueFrom?.configMapKeyRef;
      if (cm) add("ConfigMap", cm.name, [cm.key]);
      const secret = e.valueFrom?.secretKeyRef;
      if (secret) add("Secret", secret.name, [secret.key]);
    }
    for (const f of c.envFrom ?? []) {
      if (f.configMapRef) add("ConfigMap", f.configMapRef.name, "all");
      if (f.secretRef) add("Secret", f.secretRef.name, "all");
    }
  }
  return reads;
}

/** The data a pod reads from `sources` (generated ConfigMaps and Secrets of its namespace), in a stable order. */
function readData(reads: Reads, sources: ReadonlyMap<string, KubeObject>): [string, [string, unknown][]][] {
  const read: [string, [string, unknown][]][] = [];
  for (const id of [...reads.keys()].sort()) {
    const source = sources.get(id);
    if (!source) continue;
    const keys = reads.get(id)!;
    const data: Record<string, unknown> = {
      ...(source.binaryData as Record<string, unknown> | undefined),
      ...(source.data as Record<string, unknown> | undefined),
      ...(source.stringData as Record<string, unknown> | undefined),
    };
    const wanted = keys === "all" ? Object.keys(data) : [...keys];
    // A key read but absent is part of what the pod sees too (an optional reference, or a pod that fails to start).
    read.push([id, wanted.sort().map((k) => [k, data[k] ?? null])]);
  }
  return read;
}

interface ExternalSecretSpec {
  secretStoreRef?: unknown;
  target?: { name?: string };
  data?: { secretKey?: string; remoteRef?: unknown }[];
  dataFrom?: unknown;
}

/**
 * The Secret an ExternalSecret makes, with what the config knows as its data: each key's store and remote
 * reference (key, property, version), never a value. Keys `dataFrom` brings are unknown here; a pod reading the
 * whole Secret reads them too, so `dataFrom` counts as one more key.
 */
export function deliveredSecret(o: KubeObject): KubeObject {
  const spec = (o.spec ?? {}) as ExternalSecretSpec;
  const data: Record<string, unknown> = {};
  for (const d of spec.data ?? [])
    if (typeof d.secretKey === "string") data[d.secretKey] = { store: spec.secretStoreRef, remoteRef: d.remoteRef };
  if (spec.dataFrom !== undefined) data["(dataFrom)"] = { store: spec.secretStoreRef, dataFrom: spec.dataFrom };
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: spec.target?.name ?? o.metadata.name, namespace: o.metadata.namespace },
    data,
  };
}

/** SHA-256 of what the pod spec reads from `sources`; undefined when it reads none of them. */
export function configChecksum(pod: PodSpecLike, sources: ReadonlyMap<string, KubeObject>): string | undefined {
  const read = readData(podReads(pod), sources);
  if (read.length === 0) return undefined;
  return createHash("sha256").update(JSON.stringify(read)).digest("hex");
}

/**
 * `objects` with the checksum annotation on every pod template that reads a generated ConfigMap or Secret. The
 * objects are copied where annotated, never changed in place.
 */
export function withConfigChecksums(objects: readonly KubeObject[]): KubeObject[] {
  const sources = new Map<string, KubeObject>();
  for (const o of objects)
    if (o.apiVersion === "v1" && (o.kind === "ConfigMap" || o.kind === "Secret"))
      sources.set(`${o.metadata.namespace ?? ""}|${o.kind}/${o.metadata.name}`, o);
    else if (o.kind === "ExternalSecret" && o.apiVersion.startsWith("external-secrets.io/")) {
      const delivered = deliveredSecret(o);
      sources.set(`${o.metadata.namespace ?? ""}|Secret/${delivered.metadata.name}`, delivered);
    }
  return objects.map((o) => {
    if (!WORKLOAD_KINDS.has(o.kind)) return o;
    const spec = o.spec as { template?: { metadata?: { annotations?: Record<string, string> }; spec?: PodSpecLike } };
    const template = spec?.template;
    if (!template?.spec) return o;
    const namespace = o.metadata.namespace ?? "";
    const local = new Map<string, KubeObject>();
    for (const [key, source] of sources) {
      const [ns, id] = key.split("|") as [string, string];
      if (ns === namespace) local.set(id, source);
    }
    const checksum = configChecksum(template.spec, local);
    if (checksum === undefined) return o;
    const annotations = { ...template.metadata?.annotations, [ANNOTATION.configChecksum]: checksum };
    return { ...o, spec: { ...spec, template: { ...template, metadata: { ...template.metadata, annotations } } } };
  });
}
