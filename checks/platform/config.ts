/** What the cross-object checks of the platform share: config paths and how Kubernetes counts pods. */
import type { BundleEnvironment } from "../../model/environments.ts";

/** Replicas a service can run at its peak: the HPA's maximum, or its static count. */
export function peakReplicas(svc: {
  replicas?: number | undefined;
  scaling?: { maxReplicas: number } | undefined;
}): number {
  return svc.scaling ? svc.scaling.maxReplicas : (svc.replicas ?? 1);
}

/** Kubernetes rounds a percentage surge up (and unavailability down) against the replica count. */
export function surgePods(maxSurge: number | string, replicas: number): number {
  return typeof maxSurge === "number" ? maxSurge : Math.ceil((replicas * Number(maxSurge.slice(0, -1))) / 100);
}

/** Kubernetes rounds maxUnavailable as a percentage down. */
export function unavailablePods(maxUnavailable: number | string, replicas: number): number {
  return typeof maxUnavailable === "number"
    ? maxUnavailable
    : Math.floor((replicas * Number(maxUnavailable.slice(0, -1))) / 100);
}

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
