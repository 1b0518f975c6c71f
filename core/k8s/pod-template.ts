/**
 * The pod template inside a workload object (or a Pod's own spec) and its containers, with the field paths
 * findings name: the one walk the API-server rules, the Pod Security Standards and the platform checks share.
 */
import type { KubeObject } from "../finding.ts";
import { joinPath } from "../field-path.ts";
import { isPlainObject } from "../plain.ts";

type Plain = Record<string, unknown>;

/** A pod spec and its metadata, wherever the kind keeps them. */
export interface PodTemplate {
  /** Path of the template (`spec.template`); "" for a Pod. */
  path: string;
  /** Path of the pod's metadata (`spec.template.metadata`, or `metadata` for a Pod). */
  metadataPath: string;
  /** Path of the pod spec (`spec.template.spec`, or `spec` for a Pod). */
  specPath: string;
  /** The pod's metadata as written ({} when there is none). */
  metadata: Plain;
  spec: Plain;
  /** The string-valued labels and annotations (any other value is a schema error). */
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** Kinds with a pod template, and where they keep it: the kinds PodSecurity admission and the controllers read. */
const TEMPLATE_AT: Readonly<Record<string, readonly string[]>> = {
  Pod: [],
  PodTemplate: ["template"],
  ReplicationController: ["spec", "template"],
  ReplicaSet: ["spec", "template"],
  Deployment: ["spec", "template"],
  StatefulSet: ["spec", "template"],
  DaemonSet: ["spec", "template"],
  Job: ["spec", "template"],
  CronJob: ["spec", "jobTemplate", "spec", "template"],
};

export function podTemplateOf(o: KubeObject): PodTemplate | undefined {
  const at = TEMPLATE_AT[o.kind];
  if (!at) return undefined;
  let template: unknown = o;
  let path = "";
  for (const key of at) {
    template = isPlainObject(template) ? template[key] : undefined;
    path = joinPath(path, key);
  }
  if (!isPlainObject(template) || !isPlainObject(template.spec)) return undefined;
  const metadata = isPlainObject(template.metadata) ? template.metadata : {};
  return {
    path,
    metadataPath: joinPath(path, "metadata"),
    specPath: joinPath(path, "spec"),
    metadata,
    spec: template.spec,
    labels: stringMap(metadata.labels),
    annotations: stringMap(metadata.annotations),
  };
}

/** The string entries of a map (labels, annotations, selectors); {} when it is not a map. */
export function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isPlainObject(v)) for (const [k, x] of Object.entries(v)) if (typeof x === "string") out[k] = x;
  return out;
}

export interface ContainerAt {
  container: Plain;
  /** `spec.template.spec.containers[0]` */
  path: string;
  /** Its index in its list (`initContainers`, `containers` or `ephemeralContainers`). */
  index: number;
}

/** Init containers, containers and ephemeral containers of a pod spec, in that order, with their paths. */
export function containersOf(t: PodTemplate): ContainerAt[] {
  const out: ContainerAt[] = [];
  for (const field of ["initContainers", "containers", "ephemeralContainers"]) {
    const list = t.spec[field];
    if (!Array.isArray(list)) continue;
    list.forEach((c, index) => {
      if (isPlainObject(c)) out.push({ container: c, path: joinPath(joinPath(t.specPath, field), index), index });
    });
  }
  return out;
}
