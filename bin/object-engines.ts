/**
 * The engines that judge objects, in one list, for `check` (every environment's final objects)
 * and `vet` (any manifests): schemas, the checks of checks/registry.ts that need only objects, and
 * the policies. Each returns findings; none prints or exits.
 */
import { compilePolicies, evaluatePolicies, type PolicySource } from "../engines/cel.ts";
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
  return [
    ...(await validateSchemas(
      input.environments,
      input.kubernetesVersion ? { kubernetesVersion: input.kubernetesVersion } : {},
    )),
    ...runObjectChecks({ environments: input.environments }),
    ...compiled.findings,
    ...evaluatePolicies(compiled.policies, input.environments),
  ];
}
