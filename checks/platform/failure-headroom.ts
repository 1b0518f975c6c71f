import type { ConfigCheck } from "../check.ts";
import { findingOf } from "../check.ts";
import { CONFIG_FILE } from "../../core/finding.ts";
import { groupBy } from "../../core/group-by.ts";
import { feasibility, type Loss } from "../../model/placement.ts";
import { deploymentOf, placementHint, zonesPath } from "./placement.ts";

/**
 * Nodes fail and zones go dark. After losing any one node, and any one zone, the pods that ran there are
 * scheduled again on what is left; every service must keep what its PodDisruptionBudget promises, and the
 * ultra-low-latency tier every replica.
 */
export const failureHeadroom: ConfigCheck = {
  id: "platform/failure-headroom",
  needs: "config",
  description: "After losing any one node or any one zone, every service keeps its PDB's promise; ULL keeps all.",
  severity: "error",
  doc: {
    catches:
      "A service that, at peak, after the loss of one node or of one whole zone of `tiers.<tier>.pool.zones` " +
      "and the rescheduling of the lost pods on the remaining nodes, runs fewer pods than its " +
      "PodDisruptionBudget promises (replicas − `maxUnavailableDuringDisruption`); for the ultra-low-latency " +
      "tier, fewer than all its replicas. The finding names the loss and the scheduler's reason.",
    why:
      "A pool sized for the good day has no room for the pods of a failed node: they stay Pending until the " +
      "node returns. Required anti-affinity and zone spread make it worse, since the displaced pods may only go " +
      "to nodes and zones that have none of their siblings.",
    fix:
      "Add nodes to `tiers.<tier>.pool.zones` (in every zone, so the loss of any one leaves enough), or lower " +
      "the replicas the service needs.",
    example: {
      config: {
        tiers: { "ultra-low-latency": { pool: { zones: { "eu-west-2a": 2, "eu-west-2b": 1, "eu-west-2c": 1 } } } },
      },
    },
  },
  run({ environments }) {
    return environments.flatMap((env) => {
      const { templates, losses } = feasibility(env.platform);
      // The losses that break each service, by kind, in loss order: one pass, not a scan per service.
      const breakingOf = groupBy(
        losses.flatMap((l) => [...new Set(l.broken.map((b) => b.service))].map((service) => ({ l, service }))),
        (x) => `${x.l.kind}\u0000${x.service}`,
      );
      return templates.flatMap((t) =>
        (["node", "zone"] as const).flatMap((kind) => {
          const breaking = (breakingOf.get(`${kind}\u0000${t.service}`) ?? []).map((x) => x.l);
          if (breaking.length === 0) return [];
          const worst = breaking
            .map((l) => ({ l, b: l.broken.find((b) => b.service === t.service)! }))
            .sort((x, y) => x.b.running - y.b.running)[0]!;
          const pending = worst.l.placement.unplaced.find((u) => u.service === t.service);
          return [
            findingOf(this, {
              environment: env.environment,
              resource: deploymentOf(env, t.service),
              file: CONFIG_FILE,
              path: zonesPath(env, t.tier),
              message:
                `losing ${lossNames(kind, breaking)} leaves ${t.service} ${worst.b.running} of ${t.replicas} ` +
                `pods at peak, below the ${worst.b.needed} it must keep` +
                (pending ? `: ${pending.message}` : ""),
              hint: pending ? placementHint(env, t, pending.reasons) : `add nodes to ${zonesPath(env, t.tier)}`,
            }),
          ];
        }),
      );
    });
  },
};

/** "node a", "node a or b", "any of 4 nodes (a, b, ...)" */
function lossNames(kind: Loss["kind"], losses: readonly Loss[]): string {
  const names = losses.map((l) => l.name);
  if (names.length === 1) return `${kind} ${names[0]}`;
  if (names.length === 2) return `${kind} ${names[0]} or ${names[1]}`;
  return `any of ${names.length} ${kind}s (${names.join(", ")})`;
}
