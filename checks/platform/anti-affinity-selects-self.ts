import type { Finding, KubeObject } from "../../core/finding.ts";
import { refOf } from "../../core/finding.ts";
import { asArray, get, isObject, podTemplateOf, selects } from "../apiserver/context.ts";
import { environmentOf, findingOf, type ObjectCheck } from "../check.ts";

/**
 * Pod anti-affinity spreads replicas only if its selector matches the workload's own pods. The
 * report's Deployment spreads by `app: nautilus-risk-engine`, a label its pods never carry, so
 * the rule matches nothing and both replicas may land on one node: "multi-replica anti-affinity"
 * that does not exist.
 */
export const antiAffinitySelectsSelf: ObjectCheck = {
  id: "platform/anti-affinity-selects-self",
  needs: "objects",
  description: "A workload's pod anti-affinity selects the workload's own pods.",
  severity: "error",
  doc: {
    catches:
      "A workload (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob) whose pod anti-affinity " +
      "terms, required or preferred, all have a label selector that matches none of its own pod " +
      "template's labels.",
    why:
      "Anti-affinity keeps a pod away from the pods its selector matches. A selector that matches nothing " +
      "keeps it away from nothing: all replicas may land on one node, and one node failure takes the " +
      "whole service down. The Phase 4 report spread by `app: nautilus-risk-engine`, a label no pod carried.",
    fix: "Select the template's own identifying labels, e.g. `matchLabels: {app.kubernetes.io/name: <name>}`.",
    example: {
      manifests: `apiVersion: apps/v1
kind: Deployment
metadata: { name: risk-engine, namespace: nautilus-trading }
spec:
  replicas: 2
  selector:
    matchLabels: { app.kubernetes.io/name: risk-engine }
  template:
    metadata:
      labels: { app.kubernetes.io/name: risk-engine }
    spec:
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            - topologyKey: kubernetes.io/hostname
              labelSelector:
                matchLabels: { app: nautilus-risk-engine }
      containers:
        - name: risk-engine
          image: registry.nautilus.io/risk-engine:1.4.2
`,
    },
  },
  run(ctx) {
    return ctx.environments.flatMap((env) => judge(this, env.objects, environmentOf(env)));
  },
};

function judge(check: ObjectCheck, objects: readonly KubeObject[], environment: { environment?: string }): Finding[] {
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
    findings.push(
      findingOf(check, {
        ...environment,
        resource: refOf(o),
        path,
        message:
          `pod anti-affinity selects none of this ${o.kind}'s own pods (template labels: ` +
          `${JSON.stringify(t.labels)}), so its replicas are not spread and may share a node`,
        hint: `select the template's own identifying labels, e.g. matchLabels: {app.kubernetes.io/name: <name>}`,
      }),
    );
  }
  return findings;
}
