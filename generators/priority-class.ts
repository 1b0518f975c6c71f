import type { PriorityClass } from "kubernetes-types/scheduling/v1.js";
import type { Platform } from "../schemas/platform.ts";
import { metadata } from "./meta.ts";

/** One PriorityClass per tier, so a latency-critical pod preempts batch work, never the reverse. */
export function priorityClasses(platform: Platform): PriorityClass[] {
  return Object.entries(platform.tiers).map(([name, tier]) => ({
    apiVersion: "scheduling.k8s.io/v1",
    kind: "PriorityClass",
    metadata: metadata(platform, name, { component: "platform", namespaced: false, tier: name }),
    value: tier.priority,
    globalDefault: false,
    preemptionPolicy: "PreemptLowerPriority",
    description: tier.description,
  }));
}
