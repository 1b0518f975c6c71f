/** What the cross-object checks of the platform share: config paths and how Kubernetes counts pods. */
import type { BundleEnvironment } from "../../model/environments.ts";

// The engine's counting rules, where checks have always imported them from.
export { peakReplicas, surgePods, unavailablePods } from "../../model/placement.ts";

/** `environments.dev.services.x.replicas` when the environment sets it, `services.x.replicas` otherwise. */
export function configPath(
  env: BundleEnvironment,
  kind: "services" | "tiers" | "storage",
  name: string,
  field: string,
): string {
  const patch = env.platform.environments[env.platform.environment ?? "prod"]?.[kind] as
    | Record<string, Record<string, unknown>>
    | undefined;
  const top = field.split(".")[0]!;
  return patch?.[name]?.[top] !== undefined
    ? `environments.${env.environment}.${kind}.${name}.${field}`
    : `${kind}.${name}.${field}`;
}
