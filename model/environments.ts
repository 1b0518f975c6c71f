/**
 * An environment is a small patch over the base config (counts and sizes), resolved here into a
 * full Platform so every generator sees one shape and never asks which environment it is in.
 */
import { deepMerge } from "../core/plain.ts";
import { configFinding, type EnvironmentObjects, type Finding } from "../core/finding.ts";
import type { EnvironmentName, Platform } from "../schemas/platform.ts";

/** A platform as generators see it: `environment` is absent for the Kustomize base, which no cluster runs as is. */
export type ResolvedPlatform = Platform & { environment?: EnvironmentName };

export const ENVIRONMENT_NAMES: readonly EnvironmentName[] = ["dev", "staging", "prod"];

/** The platform as `env` runs it. Problems that only the merged values reveal are returned as config findings. */
export function resolveEnvironment(
  platform: Platform,
  env: EnvironmentName,
): { platform: ResolvedPlatform; errors: Finding[] } {
  const patch = platform.environments[env];
  const resolved: ResolvedPlatform = {
    ...platform,
    environment: env,
    tiers: deepMerge(platform.tiers, patch.tiers),
    services: deepMerge(platform.services, patch.services),
    storage: deepMerge(platform.storage, patch.storage),
    ...(platform.network || patch.network ? { network: deepMerge(platform.network, patch.network) } : {}),
  };
  const errors: Finding[] = [];
  for (const [name, svc] of Object.entries(resolved.services)) {
    if (svc.scaling && svc.scaling.minReplicas > svc.scaling.maxReplicas) {
      errors.push(
        configFinding(
          "invalid-value",
          `environments.${env}.services.${name}.scaling`,
          `minReplicas ${svc.scaling.minReplicas} exceeds maxReplicas ${svc.scaling.maxReplicas} once the ` +
            `environment is applied`,
          { environment: env },
        ),
      );
    }
  }
  return { platform: resolved, errors };
}

/** One environment's final objects, with the resolved config they came from (for cross-object checks). */
export interface BundleEnvironment extends EnvironmentObjects {
  platform: ResolvedPlatform;
}
