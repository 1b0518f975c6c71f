/**
 * What every API-server rule shares: the finding builder, and the walks over pod templates,
 * containers and label selectors.
 */
import { refOf, type EnvironmentObjects, type Finding, type KubeObject } from "../../core/finding.ts";
import { isPlainObject } from "../../core/plain.ts";
import { matchesLabelSelector } from "../../core/k8s/selectors.ts";
import { type CheckContext, environmentOf, findingOf, type Check } from "../check.ts";

export { containersOf, podTemplateOf, type PodTemplate } from "../../core/k8s/pod-template.ts";

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

/** Adds a finding on the object being judged: the field, what is wrong, and how to fix it. */
export type Report = (path: string, message: string, hint?: string) => void;

/**
 * The walk of every rule that judges objects one at a time: `judge` sees each object of each environment (and
 * the environment's objects, for rules that look an object's references up), and `report` adds a finding on it.
 */
export function eachObject(
  rule: Pick<Check, "id" | "severity">,
  ctx: CheckContext,
  judge: (o: KubeObject, report: Report, input: RuleInput) => void,
): Finding[] {
  return ctx.environments.flatMap((input) => {
    const out: Finding[] = [];
    for (const o of input.objects)
      judge(o, (path, message, hint) => void out.push(finding(rule, input, o, path, message, hint)), input);
    return out;
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
