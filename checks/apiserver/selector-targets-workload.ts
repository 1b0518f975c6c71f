/**
 * selector-targets-workload: a Service's `spec.selector` and a PodDisruptionBudget's
 * `spec.selector` select the pod template of some workload in the same environment and
 * namespace. The API server accepts a selector that selects nothing, hence a warning: the
 * Service has no endpoints, the budget protects nothing.
 */
import { ORDER_MANAGER_DEPLOYMENT } from "./examples.ts";
import type { Finding } from "../../core/finding.ts";
import { finding, get, isEmptySelector, isObject, namespaceOf, podTemplateOf, selects } from "./context.ts";
import type { ObjectCheck } from "../check.ts";
import { LabelIndex } from "./label-index.ts";

export const selectorTargetsWorkload: ObjectCheck = {
  id: "apiserver/selector-targets-workload",
  needs: "objects",
  description: "Service and PodDisruptionBudget selectors select a workload's pod template in the same namespace.",
  severity: "warning",
  doc: {
    catches:
      "A Service or PodDisruptionBudget whose selector selects no workload's pod template in the " +
      "same namespace (and environment). A Service without a selector (hand-managed endpoints) is " +
      "not checked.",
    why:
      "The API server accepts it, so this is a warning, but the Service has no endpoints and " +
      "every connection to it fails, and the budget protects nothing during node drains.",
    fix: "Match the labels of the workload's `spec.template.metadata.labels`, in the workload's namespace.",
    example: {
      manifests: `${ORDER_MANAGER_DEPLOYMENT}---
apiVersion: v1
kind: Service
metadata: { name: order-manager, namespace: nautilus-trading }
spec:
  selector: { app.kubernetes.io/name: order-manger }
  ports: [{ name: http, port: 80 }]
`,
    },
  },
  run(ctx) {
    return ctx.environments.flatMap((input) => {
      const out: Finding[] = [];
      const templates = new LabelIndex(
        input.objects.flatMap((o) => {
          const t = podTemplateOf(o);
          return t ? [{ namespace: namespaceOf(o), labels: t.labels, item: t.labels }] : [];
        }),
      );
      for (const o of input.objects) {
        let selector: unknown;
        let plain = false;
        if (o.kind === "Service" && o.apiVersion === "v1") {
          selector = get(o, "spec", "selector");
          // No selector: endpoints are managed by hand (or ExternalName); nothing to check.
          if (!isObject(selector) || Object.keys(selector).length === 0) continue;
          plain = true;
        } else if (o.kind === "PodDisruptionBudget" && o.apiVersion.startsWith("policy/")) {
          selector = get(o, "spec", "selector");
          if (isEmptySelector(selector)) continue; // policy/v1: an empty selector selects every pod in the namespace
        } else continue;
        const ns = namespaceOf(o);
        if (!templates.candidates(ns, selector, plain).some((labels) => selects(selector, labels, plain))) {
          out.push(
            finding(
              this,
              input,
              o,
              "spec.selector",
              `${o.kind} selector ${JSON.stringify(selector)} selects no pod template in namespace ` +
                `"${ns || "(none)"}"${input.environment ? ` of environment ${input.environment}` : ""}`,
              "match the labels of the workload's spec.template.metadata.labels",
            ),
          );
        }
      }
      return out;
    });
  },
};
