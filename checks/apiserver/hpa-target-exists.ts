/**
 * hpa-target-exists: a HorizontalPodAutoscaler's `scaleTargetRef` names an object of that kind
 * (and API group) in the same namespace and environment. The API server accepts a dangling
 * reference, hence a warning: the autoscaler then reports FailedGetScale forever.
 */
import type { Finding } from "../../core/finding.ts";
import { finding, get, namespaceOf, type ApiServerRule } from "./context.ts";

function groupOf(apiVersion: string): string {
  return apiVersion.includes("/") ? apiVersion.split("/")[0]! : "";
}

export const hpaTargetExists: ApiServerRule = {
  id: "hpa-target-exists",
  description: "an HPA's scaleTargetRef names an existing object in the same namespace",
  severity: "warning",
  run(input) {
    const out: Finding[] = [];
    for (const o of input.objects) {
      if (o.kind !== "HorizontalPodAutoscaler" || !o.apiVersion.startsWith("autoscaling/")) continue;
      const kind = get(o, "spec", "scaleTargetRef", "kind");
      const name = get(o, "spec", "scaleTargetRef", "name");
      const apiVersion = get(o, "spec", "scaleTargetRef", "apiVersion");
      if (typeof kind !== "string" || typeof name !== "string") continue; // a schema error
      const ns = namespaceOf(o);
      const found = input.objects.some(
        (t) =>
          t.kind === kind &&
          t.metadata?.name === name &&
          namespaceOf(t) === ns &&
          (typeof apiVersion !== "string" || groupOf(t.apiVersion) === groupOf(apiVersion)),
      );
      if (!found) {
        out.push(
          finding(
            this,
            input,
            o,
            "spec.scaleTargetRef",
            `scaleTargetRef ${kind} "${name}" does not exist in namespace ` +
              `"${ns || "(none)"}"${input.environment ? ` of environment ${input.environment}` : ""}`,
            "point scaleTargetRef at the workload's apiVersion, kind and name",
          ),
        );
      }
    }
    return out;
  },
};
