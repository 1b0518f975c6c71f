/**
 * The engines that judge objects, in one list, for `check` (every environment's final objects)
 * and `vet` (any manifests). Each returns findings; none prints or exits.
 */
import { compilePolicies, evaluatePolicies, type PolicySource } from "./cel.ts";
import type { EnvironmentObjects, Finding } from "./finding.ts";
import { validateSchemas } from "./schema.ts";
import { checkAntiAffinitySelectsSelf } from "./platform/anti-affinity-selects-self.ts";
import { checkEgressAllowsDns } from "./platform/egress-allows-dns.ts";

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
    // Cross-object and intent checks that hold for any manifests, so `vet` runs them too.
    ...input.environments.flatMap(checkEgressAllowsDns),
    ...input.environments.flatMap(checkAntiAffinitySelectsSelf),
  ];
}
