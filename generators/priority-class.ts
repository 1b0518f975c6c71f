import type { PriorityClass } from "kubernetes-types/scheduling/v1.js";
import type { Platform } from "../schemas/platform.ts";
import { objectName } from "../model/names.ts";
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

/** The monitoring stack's PriorityClass, by the name every monitoring pod template names. */
export function monitoringPriorityClassName(platform: Platform): string {
  return objectName(platform, "monitoring");
}

/**
 * The monitoring stack's PriorityClass, in both modes: above every service tier (the schema holds the configured
 * value to it), so the alert and custom-metrics path is scheduled first and never preempted when the tiers scale,
 * and `Never` preempting, so it takes no trading pod's place.
 */
export function monitoringPriorityClass(platform: Platform): PriorityClass {
  return {
    apiVersion: "scheduling.k8s.io/v1",
    kind: "PriorityClass",
    metadata: metadata(platform, "monitoring", { component: "monitoring", namespaced: false }),
    value: platform.monitoring.priority,
    globalDefault: false,
    preemptionPolicy: "Never",
    description:
      "The monitoring stack (Prometheus, Alertmanager, prometheus-adapter, Grafana, Jaeger): scheduled before the " +
      "service tiers and never preempted by them; preempts nothing.",
  };
}
