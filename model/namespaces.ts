/**
 * Which namespace each workload runs in. Pod Security's baseline level forbids hostNetwork and hostPorts, so the
 * host-network tiers run in a namespace of their own that enforces `privileged`, and everything else in
 * `namespace`, which enforces `restricted`. Written once here: every generator and check that names a namespace
 * asks this module.
 */
import type { Platform } from "../schemas/platform.ts";

/** The namespace of the host-network tiers: as configured, else `<namespace>-host-network`. */
export function hostNetworkNamespace(platform: Platform): string {
  return platform.hostNetworkNamespace ?? `${platform.namespace}-host-network`;
}

export function namespaceOfTier(platform: Platform, tier: string | undefined): string {
  return tier !== undefined && platform.tiers[tier]?.hostNetwork ? hostNetworkNamespace(platform) : platform.namespace;
}

export function namespaceOfService(platform: Platform, service: string): string {
  return namespaceOfTier(platform, platform.services[service]?.tier);
}

/** Every namespace the platform runs pods in: `namespace` first, then the host-network one when a service uses it. */
export function platformNamespaces(platform: Platform): string[] {
  const host = Object.keys(platform.services).some((s) => namespaceOfService(platform, s) !== platform.namespace);
  return host ? [platform.namespace, hostNetworkNamespace(platform)] : [platform.namespace];
}
