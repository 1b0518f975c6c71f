/**
 * hpa-target-exists: a HorizontalPodAutoscaler's `scaleTargetRef` names an object of that kind
 * (and API group) in the same namespace and environment. The API server accepts a dangling
 * reference, hence a warning: the autoscaler then reports FailedGetScale forever.
 */
import { ORDER_MANAGER_DEPLOYMENT } from "./examples.ts";
import { eachObject, get, namespaceOf } from "./context.ts";
import type { ObjectCheck } from "../check.ts";

function groupOf(apiVersion: string): string {
  return apiVersion.includes("/") ? apiVersion.split("/")[0]! : "";
}

export const hpaTargetExists: ObjectCheck = {
  id: "apiserver/hpa-target-exists",
  needs: "objects",
  description: "An HPA's scaleTargetRef names an existing object in the same namespace.",
  severity: "warning",
  doc: {
    catches:
      "A HorizontalPodAutoscaler whose `scaleTargetRef` names no object of that kind (and API " +
      "group) in its namespace and environment.",
    why:
      "The API server accepts it, so this is a warning; the autoscaler then reports " +
      "FailedGetScale for ever and the workload never scales, under exactly the load it was meant " +
      "for.",
    fix:
      "Correct `scaleTargetRef.kind` and `name` to the workload's, or generate the workload in " +
      "the same namespace.",
    example: {
      manifests: `${ORDER_MANAGER_DEPLOYMENT}---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: order-manager, namespace: nautilus-trading }
spec:
  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: order-manger }
  minReplicas: 2
  maxReplicas: 4
`,
    },
  },
  run(ctx) {
    return eachObject(this, ctx, (o, report, input) => {
      if (o.kind !== "HorizontalPodAutoscaler" || !o.apiVersion.startsWith("autoscaling/")) return;
      const kind = get(o, "spec", "scaleTargetRef", "kind");
      const name = get(o, "spec", "scaleTargetRef", "name");
      const apiVersion = get(o, "spec", "scaleTargetRef", "apiVersion");
      if (typeof kind !== "string" || typeof name !== "string") return; // a schema error
      const ns = namespaceOf(o);
      const found = input.objects.some(
        (t) =>
          t.kind === kind &&
          t.metadata?.name === name &&
          namespaceOf(t) === ns &&
          (typeof apiVersion !== "string" || groupOf(t.apiVersion) === groupOf(apiVersion)),
      );
      if (!found) {
        report(
          "spec.scaleTargetRef",
          `scaleTargetRef ${kind} "${name}" does not exist in namespace ` +
            `"${ns || "(none)"}"${input.environment ? ` of environment ${input.environment}` : ""}`,
          "point scaleTargetRef at the workload's apiVersion, kind and name",
        );
      }
    });
  },
};
