/**
 * selector-matches-template: a Deployment, StatefulSet, DaemonSet or ReplicaSet needs a
 * non-empty `spec.selector` that selects its own pod template's labels, or the API server
 * rejects it ("selector does not match template labels").
 */
import { eachObject, get, isEmptySelector, podTemplateOf, selects } from "./context.ts";
import type { ObjectCheck } from "../check.ts";

const KINDS = new Set(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"]);

export const selectorMatchesTemplate: ObjectCheck = {
  id: "apiserver/selector-matches-template",
  needs: "objects",
  description: "A workload's spec.selector is non-empty and selects its pod template's labels.",
  severity: "error",
  doc: {
    catches:
      "A Deployment, StatefulSet, DaemonSet or ReplicaSet whose `spec.selector` is empty or does " +
      "not select its own pod template's labels.",
    why:
      'The API server rejects the workload ("selector does not match template labels"). The ' +
      "selector of an existing workload is immutable, so a wrong one is expensive to fix later.",
    fix: "Set `spec.selector.matchLabels` to the template's identifying labels, e.g. `app.kubernetes.io/name`.",
    example: {
      manifests: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: order-manager
  namespace: nautilus-trading
spec:
  replicas: 2
  selector:
    matchLabels: { app.kubernetes.io/name: order-mgr }
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
      if (!KINDS.has(o.kind) || !o.apiVersion.startsWith("apps/")) return;
      const t = podTemplateOf(o);
      const selector = get(o, "spec", "selector");
      if (isEmptySelector(selector)) {
        report(
          "spec.selector",
          `${o.kind} has an empty spec.selector; the API server requires a non-empty selector`,
          "set spec.selector.matchLabels to the identifying labels of spec.template.metadata.labels",
        );
      } else if (t && !selects(selector, t.labels)) {
        const shown = JSON.stringify(t.labels);
        report(
          `${t.path}.metadata.labels`,
          `spec.selector ${JSON.stringify(selector)} does not select the pod template labels ${shown}; the ` +
            `API server rejects a selector that does not match the template`,
          "make spec.selector.matchLabels a subset of spec.template.metadata.labels",
        );
      }
    });
  },
};
