/**
 * label-syntax: label keys (optional DNS prefix ≤253 + "/" + name ≤63) and values (≤63,
 * alphanumeric at both ends, '-', '_', '.' inside) on objects, pod templates, node selectors and selectors;
 * annotation keys (same key syntax) and the 256 KiB total size of annotations.
 */
import { joinPath } from "../../core/field-path.ts";
import { asArray, eachObject, get, isObject, podTemplateOf, type Report } from "./context.ts";
import type { ObjectCheck } from "../check.ts";
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
    return eachObject(this, ctx, (o, report) => {
      const t = podTemplateOf(o);
      const metas: [string, unknown][] = [["metadata", o.metadata]];
      if (t?.path) metas.push([t.metadataPath, t.metadata]);
      for (const [path, meta] of metas) {
        labels(report, joinPath(path, "labels"), get(meta, "labels"));
        annotations(report, joinPath(path, "annotations"), get(meta, "annotations"));
      }
      // ValidatePodSpec checks nodeSelector as labels, and its values as label values.
      if (t) labels(report, joinPath(t.specPath, "nodeSelector"), t.spec.nodeSelector);
      const selector = get(o, "spec", "selector");
      if (o.kind === "Service") labels(report, "spec.selector", selector);
      else if (isObject(selector)) {
        labels(report, "spec.selector.matchLabels", selector.matchLabels);
        asArray(selector.matchExpressions).forEach((e, i) => {
          const at = joinPath("spec.selector.matchExpressions", i);
          if (!isObject(e)) return;
          if (typeof e.key === "string") keyProblems(report, joinPath(at, "key"), e.key, "label key");
          asArray(e.values).forEach((v, j) => {
            if (typeof v === "string") valueProblems(report, joinPath(joinPath(at, "values"), j), v);
          });
        });
      }
    });
  },
};

function labels(report: Report, path: string, map: unknown): void {
  if (!isObject(map)) return;
  for (const [k, v] of Object.entries(map)) {
    keyProblems(report, joinPath(path, k), k, "label key");
    // Non-string values are a schema error, reported by the schema validator.
    if (typeof v === "string") valueProblems(report, joinPath(path, k), v);
  }
}

function annotations(report: Report, path: string, map: unknown): void {
  if (!isObject(map)) return;
  let bytes = 0;
  for (const [k, v] of Object.entries(map)) {
    keyProblems(report, joinPath(path, k), k.toLowerCase(), "annotation key");
    bytes += Buffer.byteLength(k) + (typeof v === "string" ? Buffer.byteLength(v) : 0);
  }
  if (bytes > ANNOTATIONS_MAX_BYTES)
    report(path, `annotations total ${bytes} bytes; the API server allows at most ${ANNOTATIONS_MAX_BYTES} (256 KiB)`);
}

function keyProblems(report: Report, path: string, key: string, what: string): void {
  const problems = qualifiedName(key);
  if (problems.length)
    report(
      path,
      `${what} "${key}" is invalid: ${problems.join("; ")}`,
      "use an optional DNS prefix and '/', then a name of at most 63 alphanumerics, '-', '_' or '.' " +
        "(app.kubernetes.io/name)",
    );
}

function valueProblems(report: Report, path: string, value: string): void {
  const problems = labelValue(value);
  if (problems.length)
    report(
      path,
      `label value "${value}" is invalid: ${problems.join("; ")}`,
      "label values are at most 63 alphanumerics, '-', '_' or '.', alphanumeric at both ends",
    );
}
