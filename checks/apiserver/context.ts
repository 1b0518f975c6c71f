/**
 * What every API-server rule shares: the finding builder, and the walks over pod templates,
 * containers and label selectors.
 */
import { refOf, type EnvironmentObjects, type Finding, type KubeObject } from "../../core/finding.ts";
import { isPlainObject } from "../../core/plain.ts";
import { matchesLabelSelector } from "../../core/k8s/selectors.ts";
import { joinPath } from "../../core/field-path.ts";
import { environmentOf, findingOf, type Check } from "../check.ts";

/** One environment's objects: API-server rules never look across environments. */
export type RuleInput = Pick<EnvironmentObjects, "environment"> & { objects: readonly KubeObject[] };

export function finding(
  rule: Pick<Check, "id" | "severity">,
  input: RuleInput,
  object: KubeObject,
  path: string,
  message: string,
  hint?: string,
): Finding {
  return findingOf(rule, {
    ...environmentOf(input),
    resource: refOf(object),
    path,
    message,
    ...(hint ? { hint } : {}),
  });
}

export type Obj = Record<string, unknown>;

export const isObject: (v: unknown) => v is Obj = isPlainObject;

export function get(o: unknown, ...keys: string[]): unknown {
  let v = o;
  for (const k of keys) v = isObject(v) ? v[k] : undefined;
  return v;
}

export function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** A pod template (or a Pod's own spec) inside an object, with where it lives. */
export interface PodTemplate {
  /** Path of the template (`spec.template`); "" for a Pod. */
  path: string;
  labels: Record<string, string>;
  spec: Obj;
  /** Path of the pod spec (`spec.template.spec`, or `spec` for a Pod). */
  specPath: string;
}

const TEMPLATE_AT: Record<string, string[]> = {
  Deployment: ["spec", "template"],
  StatefulSet: ["spec", "template"],
  DaemonSet: ["spec", "template"],
  ReplicaSet: ["spec", "template"],
  ReplicationController: ["spec", "template"],
  Job: ["spec", "template"],
  CronJob: ["spec", "jobTemplate", "spec", "template"],
  PodTemplate: ["template"],
};

export function podTemplateOf(o: KubeObject): PodTemplate | undefined {
  if (o.kind === "Pod") {
    const spec = get(o, "spec");
    return isObject(spec) ? { path: "", labels: stringMap(o.metadata?.labels), spec, specPath: "spec" } : undefined;
  }
  const at = TEMPLATE_AT[o.kind];
  if (!at) return undefined;
  const template = get(o, ...at);
  const spec = get(template, "spec");
  if (!isObject(spec)) return undefined;
  const path = at.join(".");
  return { path, labels: stringMap(get(template, "metadata", "labels")), spec, specPath: `${path}.spec` };
}

export function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isObject(v)) for (const [k, x] of Object.entries(v)) if (typeof x === "string") out[k] = x;
  return out;
}

export interface ContainerAt {
  container: Obj;
  path: string;
}

/** Containers, init containers and ephemeral containers of a pod spec, with their paths. */
export function containersOf(t: PodTemplate): ContainerAt[] {
  const out: ContainerAt[] = [];
  for (const field of ["initContainers", "containers", "ephemeralContainers"]) {
    asArray(t.spec[field]).forEach((c, i) => {
      if (isObject(c)) out.push({ container: c, path: joinPath(joinPath(t.specPath, field), i) });
    });
  }
  return out;
}

/**
 * Does a selector select these labels? `selector` is a LabelSelector (`matchLabels`,
 * `matchExpressions`) or, with `plain`, a Service's plain label map. An empty LabelSelector
 * selects everything, as in `metav1.LabelSelectorAsSelector`.
 */
export function selects(selector: unknown, labels: Record<string, string>, plain = false): boolean {
  if (!isObject(selector)) return false;
  if (plain) return Object.entries(selector).every(([k, v]) => labels[k] === v);
  return matchesLabelSelector(selector, labels);
}

export function isEmptySelector(selector: unknown): boolean {
  if (!isObject(selector)) return true;
  const labels = isObject(selector.matchLabels) ? Object.keys(selector.matchLabels).length : 0;
  return labels === 0 && asArray(selector.matchExpressions).length === 0;
}

export function namespaceOf(o: KubeObject): string {
  return o.metadata?.namespace ?? "";
}
