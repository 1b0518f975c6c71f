/**
 * The engines that judge objects, in one list, for `check` (every environment's final objects)
 * and `vet` (any manifests): schemas, the checks of checks/registry.ts that need only objects, and
 * the policies. Each returns findings; none prints or exits.
 */
import { compilePolicies, evaluatePolicies, type PolicySource } from "../engines/cel.ts";
import { typeCheckPolicies } from "../engines/cel/type-check.ts";
import type { EnvironmentObjects, Finding } from "../core/finding.ts";
import { validateSchemas } from "../engines/schema.ts";
import { runObjectChecks } from "../checks/registry.ts";

export interface ObjectEngineInput {
  environments: EnvironmentObjects[];
  policies: PolicySource[];
  kubernetesVersion?: string;
}

export async function runObjectEngines(input: ObjectEngineInput): Promise<Finding[]> {
  const compiled = compilePolicies(input.policies);
  // Both load schema models; the imports are shared, so side by side they cost about one.
  const [schemaFindings, typeFindings] = await Promise.all([
    validateSchemas(input.environments, input.kubernetesVersion ? { kubernetesVersion: input.kubernetesVersion } : {}),
    typeCheckPolicies(compiled.policies),
  ]);
  return [
    ...schemaFindings,
    ...runObjectChecks({ environments: input.environments }),
    ...compiled.findings,
    ...typeFindings,
    ...evaluatePolicies(compiled.policies, input.environments),
  ];
}
