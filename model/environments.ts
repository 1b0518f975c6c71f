/**
 * An environment is a small patch over the base config (counts and sizes), resolved here into a
 * full Platform so every generator sees one shape and never asks which environment it is in.
 */
import { isPlainObject } from "../core/plain.ts";
import { configFinding, type EnvironmentObjects, type Finding } from "../core/finding.ts";
import type { EnvironmentName, Platform } from "../schemas/platform.ts";

/** A platform as generators see it: `environment` is absent for the Kustomize base, which no cluster runs as is. */
export type ResolvedPlatform = Platform & { environment?: EnvironmentName };

export const ENVIRONMENT_NAMES: readonly EnvironmentName[] = ["dev", "staging", "prod"];

type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain => isPlainObject(v);

/** Deep merge where the patch wins; arrays are replaced, not concatenated. Returns new objects. */
export function deepMerge<T>(base: T, patch: unknown): T {
  if (!isPlain(base) || !isPlain(patch)) return (patch === undefined ? base : patch) as T;
  const out: Plain = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) continue;
    out[k] = k in base ? deepMerge(base[k], v) : v;
  }
  return out as T;
}

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
