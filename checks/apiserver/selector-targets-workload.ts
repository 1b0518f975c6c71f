/**
 * selector-targets-workload: a Service's `spec.selector` and a PodDisruptionBudget's
 * `spec.selector` select the pod template of some workload in the same environment and
 * namespace. The API server accepts a selector that selects nothing, hence a warning: the
 * Service has no endpoints, the budget protects nothing.
 */
import { ORDER_MANAGER_DEPLOYMENT } from "./examples.ts";
import type { Finding } from "../../core/finding.ts";
import { finding, get, isEmptySelector, isObject, namespaceOf, podTemplateOf } from "./context.ts";
import type { ObjectCheck } from "../check.ts";
import { groupBy } from "../../core/group-by.ts";
import { labelIndex } from "../../core/k8s/selectors.ts";

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
      const selected = templateSelector(
        input.objects.flatMap((o) => {
          const t = podTemplateOf(o);
          return t ? [{ namespace: namespaceOf(o), labels: t.labels }] : [];
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
        if (selected(ns, selector, plain).length === 0) {
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

/**
 * The pod templates of each namespace, indexed by label: which of them (by position) a selector selects, without
 * judging every template for every Service (quadratic in services). A Service's plain map is a LabelSelector's
 * matchLabels, so both are judged by `matchesLabelSelector`, as `selects` (./context.ts) judges them.
 */
export function templateSelector(
  templates: readonly { namespace: string; labels: Record<string, string> }[],
): (namespace: string, selector: unknown, plain: boolean) => number[] {
  const byNamespace = groupBy(
    templates.map((t, position) => ({ ...t, position })),
    (t) => t.namespace,
  );
  const indexes = new Map(
    [...byNamespace].map(([ns, ts]) => [ns, { index: labelIndex(ts.map((t) => t.labels)), ts }] as const),
  );
  return (namespace, selector, plain) => {
    const entry = indexes.get(namespace);
    if (!entry) return [];
    const query = plain ? (isObject(selector) ? { matchLabels: selector } : undefined) : selector;
    return entry.index.select(query).map((i) => entry.ts[i]!.position);
  };
}
