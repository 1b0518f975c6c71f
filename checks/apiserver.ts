/**
 * The API server's own semantic rules that OpenAPI schemas miss (and so kubeconform misses):
 * each rule is one file in `engines/apiserver/`, registered here, run per environment by the
 * schema engine (`validateSchemas`) and reported under engine "schema".
 */
import type { EnvironmentObjects, Finding } from "../core/finding.ts";
import type { ApiServerRule } from "./apiserver/context.ts";
import { containerPorts } from "./apiserver/container-ports.ts";
import { hpaTargetExists } from "./apiserver/hpa-target-exists.ts";
import { hugepages } from "./apiserver/hugepages.ts";
import { labelSyntax } from "./apiserver/label-syntax.ts";
import { objectNames } from "./apiserver/object-names.ts";
import { requestsWithinLimits } from "./apiserver/requests-within-limits.ts";
import { resourceNames } from "./apiserver/resource-names.ts";
import { rolloutProgress } from "./apiserver/rollout-progress.ts";
import { selectorMatchesTemplate } from "./apiserver/selector-matches-template.ts";
import { selectorTargetsWorkload } from "./apiserver/selector-targets-workload.ts";

export type { ApiServerRule, RuleInput } from "./apiserver/context.ts";

export const apiServerRules: readonly ApiServerRule[] = [
  hugepages,
  requestsWithinLimits,
  resourceNames,
  objectNames,
  labelSyntax,
  selectorMatchesTemplate,
  selectorTargetsWorkload,
  hpaTargetExists,
  rolloutProgress,
  containerPorts,
];

/** Every API-server rule over one environment's objects. */
export function checkApiServerRules(
  env: EnvironmentObjects,
  rules: readonly ApiServerRule[] = apiServerRules,
): Finding[] {
  const input = { environment: env.environment, objects: env.objects.filter(isKubeObject) };
  return rules.flatMap((rule) => rule.run(input));
}

/** Rules read `metadata`; a document without it is the schema validator's to report. */
function isKubeObject(o: unknown): o is EnvironmentObjects["objects"][number] {
  return (
    typeof o === "object" &&
    o !== null &&
    typeof (o as { kind?: unknown }).kind === "string" &&
    typeof (o as { apiVersion?: unknown }).apiVersion === "string"
  );
}
