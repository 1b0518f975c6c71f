/**
 * selector-matches-template: a Deployment, StatefulSet, DaemonSet or ReplicaSet needs a
 * non-empty `spec.selector` that selects its own pod template's labels, or the API server
 * rejects it ("selector does not match template labels").
 */
import { finding, get, isEmptySelector, podTemplateOf, selects, type ApiServerRule } from "./context.ts";

const KINDS = new Set(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"]);

export const selectorMatchesTemplate: ApiServerRule = {
  id: "selector-matches-template",
  description: "a workload's spec.selector is non-empty and selects its pod template's labels",
  severity: "error",
  run(input) {
    const out = [];
    for (const o of input.objects) {
      if (!KINDS.has(o.kind) || !o.apiVersion.startsWith("apps/")) continue;
      const t = podTemplateOf(o);
      const selector = get(o, "spec", "selector");
      if (isEmptySelector(selector)) {
        out.push(
          finding(
            this,
            input,
            o,
            "spec.selector",
            `${o.kind} has an empty spec.selector; the API server requires a non-empty selector`,
            "set spec.selector.matchLabels to the identifying labels of spec.template.metadata.labels",
          ),
        );
      } else if (t && !selects(selector, t.labels)) {
        const shown = JSON.stringify(t.labels);
        out.push(
          finding(
            this,
            input,
            o,
            `${t.path}.metadata.labels`,
            `spec.selector ${JSON.stringify(selector)} does not select the pod template labels ${shown}; the ` +
              `API server rejects a selector that does not match the template`,
            "make spec.selector.matchLabels a subset of spec.template.metadata.labels",
          ),
        );
      }
    }
    return out;
  },
};
