/**
 * The same ValidatingAdmissionPolicies that `check` evaluates in-process, emitted with bindings so
 * the cluster enforces them at admission too. Bindings are scoped to the platform's namespace (a
 * cluster-wide no-inline-secrets would reject kube-system's own Secrets) and deny in prod, while
 * dev and staging warn and audit so an experiment is visible without being blocked.
 */
import type {
  ValidatingAdmissionPolicy,
  ValidatingAdmissionPolicyBinding,
} from "kubernetes-types/admissionregistration/v1.js";
import type { KubeObject } from "../core/finding.ts";
import type { ResolvedPlatform } from "../model/environments.ts";
import { LABEL, MANAGED_BY } from "../core/conventions.ts";
import { labels } from "./meta.ts";
import { objectName } from "../model/names.ts";
import { parseYamlDocuments } from "../core/yaml.ts";

export const BINDING_SCOPE = "platform.nautilus.io/binding-scope";

export interface PolicyText {
  file: string;
  text: string;
}

/** Parses policy files; a file that is not one ValidatingAdmissionPolicy is an error naming it. */
export function parsePolicies(sources: readonly PolicyText[]): {
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
      } else policies.push(doc);
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
  return [...policies]
    .sort((a, b) => (a.metadata!.name! < b.metadata!.name! ? -1 : 1))
    .flatMap((policy) => {
      const id = policy.metadata!.name!;
      const name = objectName(platform, id);
      const meta = { name, labels: labels(platform, id, "policy") };
      const vap: ValidatingAdmissionPolicy = { ...policy, metadata: { ...policy.metadata, ...meta } };
      const binding: ValidatingAdmissionPolicyBinding = {
        apiVersion: "admissionregistration.k8s.io/v1",
        kind: "ValidatingAdmissionPolicyBinding",
        metadata: meta,
        spec: {
          policyName: name,
          validationActions: actions,
          matchResources: {
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": platform.namespace } },
            // A policy about what we generate (annotation binding-scope: generated) leaves other writers alone.
            ...(policy.metadata?.annotations?.[BINDING_SCOPE] === "generated"
              ? { objectSelector: { matchLabels: { [LABEL.managedBy]: MANAGED_BY } } }
              : {}),
          },
        },
      };
      return [vap, binding] as KubeObject[];
    });
}
