/**
 * The engines that judge objects, in one list, for `check` (every environment's final objects)
 * and `vet` (any manifests). Each returns findings; none prints or exits.
 */
import { compilePolicies, evaluatePolicies, type PolicySource } from "../engines/cel.ts";
import type { EnvironmentObjects, Finding } from "../core/finding.ts";
import { validateSchemas } from "../engines/schema.ts";
import { checkApiServerRules } from "../checks/apiserver.ts";
import { runObjectChecks } from "../checks/platform.ts";

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
    ...input.environments.flatMap((env) => checkApiServerRules(env)),
    ...compiled.findings,
    ...evaluatePolicies(compiled.policies, input.environments),
    ...runObjectChecks(input.environments),
  ];
}
