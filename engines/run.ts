/**
 * The engines that judge objects, in one list, for `check` (every environment's final objects)
 * and `vet` (any manifests). Each returns findings; none prints or exits.
 */
import { compilePolicies, evaluatePolicies, type PolicySource } from "./cel.ts";
import type { EnvironmentObjects, Finding } from "./finding.ts";
import { validateSchemas } from "./schema.ts";
import { runObjectChecks } from "./platform.ts";

export interface ObjectEngineInput {
  environments: EnvironmentObjects[];
  policies: PolicySource[];
  kubernetesVersion?: string;
}

export async function runObjectEngines(input: ObjectEngineInput): Promise<Finding[]> {
  const compiled = compilePolicies(input.policies);
  return [
    ...(await validateSchemas(input.environments, input.kubernetesVersion ? { kubernetesVersion: input.kubernetesVersion } : {})),
    ...compiled.findings,
    ...evaluatePolicies(compiled.policies, input.environments),
    ...runObjectChecks(input.environments),
  ];
}
