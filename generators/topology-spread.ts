import type { TopologySpreadConstraint } from "kubernetes-types/core/v1.js";
import type { Platform, Tier } from "../schemas/platform.ts";
import { ZONE_LABEL } from "../model/nodes.ts";
import { selectorLabels } from "./meta.ts";

/**
 * The seed's "multi-zone anti-affinity": a service's replicas spread over the zones, at most one apart.
 * `pod-template-hash` in matchLabelKeys spreads a rollout's new pods among themselves, so the old ReplicaSet's
 * pods do not count against the new one's (the scheduling engine models the same).
 */
export function zoneSpread(platform: Platform, name: string, tier: Tier): TopologySpreadConstraint[] {
  if (tier.zoneSpread === "none") return [];
  return [
    {
      maxSkew: 1,
      topologyKey: ZONE_LABEL,
      whenUnsatisfiable: tier.zoneSpread === "required" ? "DoNotSchedule" : "ScheduleAnyway",
      labelSelector: { matchLabels: selectorLabels(platform, name) },
      matchLabelKeys: ["pod-template-hash"],
    },
  ];
}
