/**
 * label-syntax: label keys (optional DNS prefix ≤253 + "/" + name ≤63) and values (≤63,
 * alphanumeric at both ends, '-', '_', '.' inside) on objects, pod templates, node selectors and selectors;
 * annotation keys (same key syntax) and the 256 KiB total size of annotations.
 */
import type { Finding, KubeObject } from "../../core/finding.ts";
import { joinPath } from "../../core/field-path.ts";
import { asArray, finding, get, isObject, podTemplateOf, type RuleInput } from "./context.ts";
import type { Check, ObjectCheck } from "../check.ts";
import { labelValue, qualifiedName } from "../../core/k8s/names.ts";

const ANNOTATIONS_MAX_BYTES = 256 * 1024;

export const labelSyntax: ObjectCheck = {
  id: "apiserver/label-syntax",
  needs: "objects",
  description: "Label keys and values, selector labels and annotation keys have valid syntax.",
  severity: "error",
  doc: {
    catches:
      "Invalid label keys and values on objects, pod templates, node selectors and selectors, and " +
      "invalid annotation keys: a key is an optional DNS-subdomain prefix and '/' then a name of " +
      "at most 63 alphanumerics, '-', '_' or '.'; a value is at most 63 of those, alphanumeric at " +
      "both ends. Annotations may total at most 256 KiB.",
    why:
      "The API server refuses the object. A value built by concatenation (`trading-` with an " +
      "empty suffix) or a long generated value is the usual cause.",
    fix: "Shorten the value or key and make it start and end with an alphanumeric character.",
    example: {
      manifests: `apiVersion: v1
kind: ConfigMap
metadata:
  name: order-manager
  namespace: nautilus-trading
  labels: { platform.nautilus.io/team: trading- }
data: {}
`,
    },
  },
  run(ctx) {
    return ctx.environments.flatMap((input) => {
      const out: Finding[] = [];
      for (const o of input.objects) {
        const t = podTemplateOf(o);
        const metas: [string, unknown][] = [["metadata", o.metadata]];
        if (t?.path) metas.push([`${t.path}.metadata`, get(o, ...t.path.split("."), "metadata")]);
        for (const [path, meta] of metas) {
          labels(this, input, o, joinPath(path, "labels"), get(meta, "labels"), out);
          annotations(this, input, o, joinPath(path, "annotations"), get(meta, "annotations"), out);
        }
        // ValidatePodSpec checks nodeSelector as labels, and its values as label values.
        if (t) labels(this, input, o, joinPath(t.specPath, "nodeSelector"), t.spec.nodeSelector, out);
        const selector = get(o, "spec", "selector");
        if (o.kind === "Service") labels(this, input, o, "spec.selector", selector, out);
        else if (isObject(selector)) {
          labels(this, input, o, "spec.selector.matchLabels", selector.matchLabels, out);
          asArray(selector.matchExpressions).forEach((e, i) => {
            const at = joinPath("spec.selector.matchExpressions", i);
            if (!isObject(e)) return;
            if (typeof e.key === "string") keyProblems(this, input, o, joinPath(at, "key"), e.key, "label key", out);
            asArray(e.values).forEach((v, j) => {
              if (typeof v === "string") valueProblems(this, input, o, joinPath(joinPath(at, "values"), j), v, out);
            });
          });
        }
      }
      return out;
    });
  },
};

type Rule = Pick<Check, "id" | "severity">;

function labels(rule: Rule, input: RuleInput, o: KubeObject, path: string, map: unknown, out: Finding[]): void {
  if (!isObject(map)) return;
  for (const [k, v] of Object.entries(map)) {
    keyProblems(rule, input, o, joinPath(path, k), k, "label key", out);
    // Non-string values are a schema error, reported by the schema validator.
    if (typeof v === "string") valueProblems(rule, input, o, joinPath(path, k), v, out);
  }
}

function annotations(rule: Rule, input: RuleInput, o: KubeObject, path: string, map: unknown, out: Finding[]): void {
  if (!isObject(map)) return;
  let bytes = 0;
  for (const [k, v] of Object.entries(map)) {
    keyProblems(rule, input, o, joinPath(path, k), k.toLowerCase(), "annotation key", out);
    bytes += Buffer.byteLength(k) + (typeof v === "string" ? Buffer.byteLength(v) : 0);
  }
  if (bytes > ANNOTATIONS_MAX_BYTES) {
    out.push(
      finding(
        rule,
        input,
        o,
        path,
        `annotations total ${bytes} bytes; the API server allows at most ${ANNOTATIONS_MAX_BYTES} (256 KiB)`,
      ),
    );
  }
}

function keyProblems(
  rule: Rule,
  input: RuleInput,
  o: KubeObject,
  path: string,
  key: string,
  what: string,
  out: Finding[],
): void {
  const problems = qualifiedName(key);
  if (problems.length) {
    out.push(
      finding(
        rule,
        input,
        o,
        path,
        `${what} "${key}" is invalid: ${problems.join("; ")}`,
        "use an optional DNS prefix and '/', then a name of at most 63 alphanumerics, '-', '_' or '.' " +
          "(app.kubernetes.io/name)",
      ),
    );
  }
}

function valueProblems(rule: Rule, input: RuleInput, o: KubeObject, path: string, value: string, out: Finding[]): void {
  const problems = labelValue(value);
  if (problems.length)
    out.push(
      finding(
        rule,
        input,
        o,
        path,
        `label value "${value}" is invalid: ${problems.join("; ")}`,
        "label values are at most 63 alphanumerics, '-', '_' or '.', alphanumeric at both ends",
      ),
    );
}
