/**
 * selector-targets-workload: a Service's `spec.selector` and a PodDisruptionBudget's
 * `spec.selector` select the pod template of some workload in the same environment and
 * namespace. The API server accepts a selector that selects nothing, hence a warning: the
 * Service has no endpoints, the budget protects nothing.
 */
import type { Finding } from "../../core/finding.ts";
import {
  finding,
  get,
  isEmptySelector,
  isObject,
  namespaceOf,
  podTemplateOf,
  selects,
  type ApiServerRule,
} from "./context.ts";

export const selectorTargetsWorkload: ApiServerRule = {
  id: "selector-targets-workload",
  description: "Service and PodDisruptionBudget selectors select a workload's pod template in the same namespace",
  severity: "warning",
  run(input) {
    const out: Finding[] = [];
    const templates = input.objects.flatMap((o) => {
      const t = podTemplateOf(o);
      return t ? [{ namespace: namespaceOf(o), labels: t.labels }] : [];
    });
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
      if (!templates.some((t) => t.namespace === ns && selects(selector, t.labels, plain))) {
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
  },
};
