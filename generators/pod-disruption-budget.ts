import type { PodDisruptionBudget } from "kubernetes-types/policy/v1.js";
import type { Platform } from "../schemas/platform.ts";
import { metadata, selectorLabels } from "./meta.ts";

/**
 * maxUnavailable rather than minAvailable: with a single replica (dev) minAvailable 1 would block
 * every node drain, while maxUnavailable 1 still lets a drain proceed.
 *
 * unhealthyPodEvictionPolicy AlwaysAllow: under the default (IfHealthyBudget) a pod that is Running but
 * not Ready (crash-looping, stuck on a venue connection) counts against the budget and blocks the drain
 * of its node until the budget has room, so one broken replica can pin a node. Evicting a pod that
 * serves nothing costs no capacity, so it is always allowed (beta and on by default since Kubernetes 1.27, GA in 1.31).
 */
export const UNHEALTHY_POD_EVICTION_POLICY = "AlwaysAllow";

export function podDisruptionBudgets(platform: Platform): PodDisruptionBudget[] {
  return Object.entries(platform.services).map(([name, svc]) => ({
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: metadata(platform, name, { component: "service", tier: svc.tier }),
    spec: {
      maxUnavailable: platform.tiers[svc.tier]!.maxUnavailableDuringDisruption,
      unhealthyPodEvictionPolicy: UNHEALTHY_POD_EVICTION_POLICY,
      selector: { matchLabels: selectorLabels(platform, name) },
    },
  }));
}

/**
 * prometheus-adapter's PDB: a drain takes one pod at a time, so the HPAs keep a custom-metrics server. With one
 * replica maxUnavailable 1 still lets the drain proceed (the schema's default is two).
 */
export function adapterPodDisruptionBudget(platform: Platform, name: string): PodDisruptionBudget {
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: metadata(platform, name, { component: "monitoring" }),
    spec: { maxUnavailable: 1, selector: { matchLabels: selectorLabels(platform, name) } },
  };
}
