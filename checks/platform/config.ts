/** What the cross-object checks of the platform share: config paths and how Kubernetes counts pods. */
import type { BundleEnvironment } from "../../model/environments.ts";
import type { Platform } from "../../schemas/platform.ts";

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

/** A mounted claim and the storage class it names, when both are declared. */
export function claimClass(
  platform: Pick<Platform, "storage" | "storageClasses">,
  claimName: string,
): { claim: Platform["storage"][string]; className: string; cls: Platform["storageClasses"][string] } | undefined {
  const claim = platform.storage[claimName];
  const className = claim?.storageClass;
  const cls = className === undefined ? undefined : platform.storageClasses[className];
  return claim && className !== undefined && cls ? { claim, className, cls } : undefined;
}
