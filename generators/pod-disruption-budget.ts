import type { PodDisruptionBudget } from "kubernetes-types/policy/v1.js";
import type { Platform } from "../schemas/platform.ts";
import { metadata, selectorLabels } from "./meta.ts";

/**
 * maxUnavailable rather than minAvailable: with a single replica (dev) minAvailable 1 would block
 * every node drain, while maxUnavailable 1 still lets a drain proceed.
 */
export function podDisruptionBudgets(platform: Platform): PodDisruptionBudget[] {
  return Object.entries(platform.services).map(([name, svc]) => ({
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: metadata(platform, name, { component: "service", tier: svc.tier }),
    spec: {
      maxUnavailable: platform.tiers[svc.tier]!.maxUnavailableDuringDisruption,
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
