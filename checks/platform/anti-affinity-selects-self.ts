import type { EnvironmentObjects, Finding } from "../../core/finding.ts";
import { refOf } from "../../core/finding.ts";
import { asArray, get, isObject, podTemplateOf, selects } from "../apiserver/context.ts";

/**
 * Pod anti-affinity spreads replicas only if its selector matches the workload's own pods. The
 * report's Deployment spreads by `app: nautilus-risk-engine`, a label its pods never carry, so
 * the rule matches nothing and both replicas may land on one node: "multi-replica anti-affinity"
 * that does not exist.
 */
export const ANTI_AFFINITY_SELECTS_SELF = "anti-affinity-selects-self";

export function checkAntiAffinitySelectsSelf({ environment, objects }: EnvironmentObjects): Finding[] {
  const findings: Finding[] = [];
  for (const o of objects) {
    const t = podTemplateOf(o);
    if (!t || o.kind === "Pod") continue;
    const anti = get(t.spec, "affinity", "podAntiAffinity");
    if (!isObject(anti)) continue;
    const terms: [unknown, string][] = [
      ...asArray(anti.requiredDuringSchedulingIgnoredDuringExecution).map((term, i): [unknown, string] => [
        get(term, "labelSelector"),
        `${t.specPath}.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[${i}].labelSelector`,
      ]),
      ...asArray(anti.preferredDuringSchedulingIgnoredDuringExecution).map((term, i): [unknown, string] => [
        get(term, "podAffinityTerm", "labelSelector"),
        `${t.specPath}.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution` +
          `[${i}].podAffinityTerm.labelSelector`,
      ]),
    ];
    if (terms.length === 0 || terms.some(([sel]) => selects(sel, t.labels))) continue;
    const [, path] = terms[0]!;
    findings.push({
      engine: "platform",
      rule: ANTI_AFFINITY_SELECTS_SELF,
      severity: "error",
      ...(environment ? { environment } : {}),
      resource: refOf(o),
      path,
      message:
        `pod anti-affinity selects none of this ${o.kind}'s own pods (template labels: ` +
        `${JSON.stringify(t.labels)}), so its replicas are not spread and may share a node`,
      hint: `select the template's own identifying labels, e.g. matchLabels: {app.kubernetes.io/name: <name>}`,
    });
  }
  return findings;
}
