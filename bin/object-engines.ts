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
import { readEntry, valueKey, writeEntry } from "./tool-cache.ts";

export interface ObjectEngineInput {
  environments: EnvironmentObjects[];
  policies: PolicySource[];
  kubernetesVersion?: string;
}

/** `compiled`: `input.policies` compiled already (`vet` does it while worker threads parse the manifests). */
export async function runObjectEngines(
  input: ObjectEngineInput,
  compiled = compilePolicies(input.policies),
): Promise<Finding[]> {
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

/**
 * `runObjectEngines` remembered in the result cache (bin/tool-cache.ts) by its whole input: the findings depend on
 * the objects, the policy sources, the Kubernetes version and the code, which every key holds. A commit that leaves
 * the rendered objects alone then loads no schema model and compiles no policy.
 */
export async function cachedObjectEngines(cache: string | undefined, input: ObjectEngineInput): Promise<Finding[]> {
  if (!cache) return runObjectEngines(input);
  const key = valueKey("object-engines", [input.kubernetesVersion ?? ""], [["input", JSON.stringify(input)]]);
  const known = readEntry<Finding[]>(cache, key);
  if (known) return known;
  const findings = await runObjectEngines(input);
  writeEntry(cache, key, findings);
  return findings;
}
