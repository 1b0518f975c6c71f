/**
 * rollout-progress: a Deployment's RollingUpdate cannot have both maxSurge and maxUnavailable
 * at 0 (int or percent; defaults 25% each), maxUnavailable is at most 100%, neither is negative,
 * and `rollingUpdate` is not set with the Recreate strategy (`ValidateDeploymentStrategy`).
 */
import { eachObject, get, isObject } from "./context.ts";
import type { ObjectCheck } from "../check.ts";

/** The number or percent of an IntOrString; undefined when malformed (a schema error). */
function intOrPercent(v: unknown): { value: number; percent: boolean } | undefined {
  if (typeof v === "number" && Number.isInteger(v)) return { value: v, percent: false };
  if (typeof v === "string") {
    const m = /^(-?\d+)%$/.exec(v);
    if (m) return { value: Number(m[1]), percent: true };
  }
  return undefined;
}

export const rolloutProgress: ObjectCheck = {
  id: "apiserver/rollout-progress",
  needs: "objects",
  description: "A Deployment's rolling update can make progress (maxSurge and maxUnavailable not both 0).",
  severity: "error",
  doc: {
    catches:
      "A Deployment whose RollingUpdate has maxSurge and maxUnavailable both 0 (as numbers or " +
      "percentages; each defaults to 25%), a negative value, maxUnavailable above 100%, or " +
      "`rollingUpdate` set with the Recreate strategy.",
    why:
      "The API server rejects these (`ValidateDeploymentStrategy`): with neither a surge pod nor " +
      "an unavailable one allowed, no rollout could ever make progress.",
    fix:
      "Allow at least one: `maxSurge: 1` (a spare node for the new pod) or `maxUnavailable: 1`; " +
      "drop `rollingUpdate` with Recreate.",
    example: {
      manifests: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: order-manager
  namespace: nautilus-trading
spec:
  replicas: 2
  strategy:
    type: RollingUpdate
    rollingUpdate: { maxSurge: 0, maxUnavailable: 0% }
  selector:
    matchLabels: { app.kubernetes.io/name: order-manager }
  template:
    metadata:
      labels: { app.kubernetes.io/name: order-manager }
    spec:
      containers:
        - name: order-manager
          image: registry.nautilus.io/order-manager:2.0.1
`,
    },
  },
  run(ctx) {
    return eachObject(this, ctx, (o, report) => {
      if (o.kind !== "Deployment" || !o.apiVersion.startsWith("apps/")) return;
      const strategy = get(o, "spec", "strategy");
      const type = get(strategy, "type") ?? "RollingUpdate";
      const rolling = get(strategy, "rollingUpdate");
      if (type === "Recreate") {
        if (isObject(rolling))
          report(
            "spec.strategy.rollingUpdate",
            "spec.strategy.rollingUpdate may not be set when the strategy type is Recreate",
            "remove rollingUpdate or use type RollingUpdate",
          );
        return;
      }
      const surge = intOrPercent(get(rolling, "maxSurge") ?? "25%");
      const unavailable = intOrPercent(get(rolling, "maxUnavailable") ?? "25%");
      if (!surge || !unavailable) return;
      for (const [field, v] of [
        ["maxSurge", surge],
        ["maxUnavailable", unavailable],
      ] as const) {
        if (v.value < 0)
          report(
            `spec.strategy.rollingUpdate.${field}`,
            `${field} ${v.value}${v.percent ? "%" : ""} must be greater than or equal to 0`,
          );
      }
      if (unavailable.percent && unavailable.value > 100) {
        report(
          "spec.strategy.rollingUpdate.maxUnavailable",
          `maxUnavailable ${unavailable.value}% must not be greater than 100%`,
        );
      }
      if (surge.value === 0 && unavailable.value === 0) {
        report(
          "spec.strategy.rollingUpdate",
          "maxSurge and maxUnavailable are both 0, so a rolling update can neither add nor remove a pod; " +
            "the API server rejects this",
          "set maxSurge: 1 (or maxUnavailable: 1 when there is no room for a surge pod)",
        );
      }
    });
  },
};
