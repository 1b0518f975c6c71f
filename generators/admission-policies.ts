/**
 * The same ValidatingAdmissionPolicies that `check` evaluates in-process, emitted with bindings so
 * the cluster enforces them at admission too. Bindings are scoped to the platform's namespace (a
 * cluster-wide no-inline-secrets would reject kube-system's own Secrets) and deny in prod, while
 * dev and staging warn and audit so an experiment is visible without being blocked. A policy with a
 * `paramKind` gets its param object generated from the config (POLICY_PARAMS) and named by the
 * binding's `paramRef`, so the cluster enforces the configured values (the latency budget), not literals.
 */
import { platformNamespaces } from "../model/namespaces.ts";
import type {
  ValidatingAdmissionPolicy,
  ValidatingAdmissionPolicyBinding,
} from "kubernetes-types/admissionregistration/v1.js";
import type { ConfigMap } from "kubernetes-types/core/v1.js";
import type { KubeObject } from "../core/finding.ts";
import type { ResolvedPlatform } from "../model/environments.ts";
import { LABEL, MANAGED_BY } from "../core/conventions.ts";
import { latencyParamData, type PolicySource } from "../core/policy.ts";
import { labels, metadata } from "./meta.ts";
import { objectName } from "../model/names.ts";
import { describeSeconds, monitoringModel } from "../model/monitoring.ts";
import type { Platform } from "../schemas/platform.ts";
import { parseYamlDocuments } from "../core/yaml.ts";
import { expandPolicy, RULE_ANNOTATION } from "../core/policy-variants.ts";

export const BINDING_SCOPE = "platform.nautilus.io/binding-scope";

/** The policy texts of policies/ (one type with the cel engine's). */
export type { PolicySource as PolicyText } from "../core/policy.ts";

/** The param object of each policy that declares a paramKind, by policy id. */
const POLICY_PARAMS: Record<string, (platform: Platform) => ConfigMap> = {
  /** The latency budget alerts are held to and the catalogue unit of each latency metric. */
  "latency-alert": (platform) => {
    const model = monitoringModel(platform);
    const seconds = model.policyBudgetSeconds;
    return {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: metadata(platform, "latency-budget", { component: "policy" }),
      data: latencyParamData(
        seconds !== undefined ? { seconds, text: describeSeconds(seconds) } : undefined,
        Object.fromEntries(model.latencyMetrics.map((m) => [m.name, m.def.unit])),
      ),
    };
  },
};

/**
 * Parses policy files into the policies emitted: a source with a per-kind annotation becomes one policy per variant
 * (core/policy-variants.ts), as the cel engine compiles it. A file that is not one ValidatingAdmissionPolicy is an
 * error naming it.
 */
export function parsePolicies(sources: readonly PolicySource[]): {
  policies: ValidatingAdmissionPolicy[];
  errors: string[];
} {
  const policies: ValidatingAdmissionPolicy[] = [];
  const errors: string[] = [];
  for (const { file, text } of sources) {
    try {
      const docs = parseYamlDocuments(text) as ValidatingAdmissionPolicy[];
      const [doc] = docs;
      if (docs.length !== 1 || doc?.kind !== "ValidatingAdmissionPolicy" || !doc.metadata?.name) {
        errors.push(`${file}: expected exactly one ValidatingAdmissionPolicy with a metadata.name`);
      } else if (doc.spec?.paramKind && !(doc.metadata.name in POLICY_PARAMS)) {
        errors.push(
          `${file}: spec.paramKind is set, but no param object is generated for ${doc.metadata.name} ` +
            `(add it to POLICY_PARAMS in generators/admission-policies.ts)`,
        );
      } else {
        const expanded = expandPolicy(doc);
        if ("error" in expanded) errors.push(`${file}: ${expanded.error}`);
        else policies.push(...(expanded.policies as ValidatingAdmissionPolicy[]));
      }
    } catch (e) {
      errors.push(`${file}: not valid YAML: ${(e as Error).message}`);
    }
  }
  return { policies, errors };
}

export function admissionPolicies(
  platform: ResolvedPlatform,
  policies: readonly ValidatingAdmissionPolicy[],
): KubeObject[] {
  const actions: string[] =
    platform.environment === "dev" || platform.environment === "staging" ? ["Warn", "Audit"] : ["Deny"];
  const paramsEmitted = new Set<string>();
  return [...policies]
    .sort((a, b) => (a.metadata!.name! < b.metadata!.name! ? -1 : 1))
    .flatMap((policy) => {
      const id = policy.metadata!.name!;
      // Per-kind policies keep their rule's id in app.kubernetes.io/name, as findings do.
      const rule = policy.metadata?.annotations?.[RULE_ANNOTATION] ?? id;
      const name = objectName(platform, id);
      const meta = { name, labels: labels(platform, rule, "policy") };
      const vap: ValidatingAdmissionPolicy = { ...policy, metadata: { ...policy.metadata, ...meta } };
      const param = policy.spec?.paramKind ? POLICY_PARAMS[rule]!(platform) : undefined;
      const binding: ValidatingAdmissionPolicyBinding = {
        apiVersion: "admissionregistration.k8s.io/v1",
        kind: "ValidatingAdmissionPolicyBinding",
        metadata: meta,
        spec: {
          policyName: name,
          ...(param
            ? {
                paramRef: {
                  name: param.metadata!.name!,
                  namespace: param.metadata!.namespace!,
                  // Without its param the policy cannot judge: refuse rather than admit unchecked rules.
                  parameterNotFoundAction: "Deny",
                },
              }
            : {}),
          validationActions: actions,
          matchResources: {
            namespaceSelector: {
              matchExpressions: [
                { key: "kubernetes.io/metadata.name", operator: "In", values: platformNamespaces(platform) },
              ],
            },
            // A policy about what we generate (annotation binding-scope: generated) leaves other writers alone.
            ...(policy.metadata?.annotations?.[BINDING_SCOPE] === "generated"
              ? { objectSelector: { matchLabels: { [LABEL.managedBy]: MANAGED_BY } } }
              : {}),
          },
        },
      };
      // Per-kind policies of one rule share its param object.
      const newParam = param && !paramsEmitted.has(rule) ? [param] : [];
      paramsEmitted.add(rule);
      return [vap, binding, ...newParam] as KubeObject[];
    });
}
