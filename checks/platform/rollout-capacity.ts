import type { ConfigCheck } from "../check.ts";
import { findingOf } from "../check.ts";
import { CONFIG_FILE } from "../../core/finding.ts";
import { feasibility } from "../../model/placement.ts";
import { deploymentOf, placementHint, replicasPath } from "./placement.ts";

/**
 * A rolling update with maxUnavailable 0 removes no old pod until a new one is ready, so its surge pods need
 * room of their own beside everything else at peak. The scheduling engine places them; the classic case is
 * required anti-affinity with exactly `replicas` eligible nodes, where the surge pod stays Pending and the
 * rollout stalls. With maxUnavailable above 0 the controller frees room first, so the surge needs none.
 */
export const rolloutCapacity: ConfigCheck = {
  id: "platform/rollout-capacity",
  needs: "config",
  description: "A rolling update's surge pods fit beside every pod at peak, so the rollout cannot stall.",
  severity: "error",
  doc: {
    catches:
      "A service whose rollout surge pods (`tiers.<tier>.rollout.maxSurge`, with `maxUnavailable: 0`) fit on no " +
      "node once every pod of the environment runs at its peak, placed as kube-scheduler would. The new pods are " +
      "spread among themselves across zones (`matchLabelKeys: [pod-template-hash]`), but anti-affinity keeps " +
      "them off every node an old pod of the service runs on.",
    why:
      "With `maxSurge: 1, maxUnavailable: 0` no old pod is removed until a new one is ready. A surge pod that " +
      "cannot be placed stays Pending and the rollout stalls half-way. The Phase 4 report ran 3 order-manager " +
      "replicas with required anti-affinity on 3 nodes that way.",
    fix:
      "Add a node to `tiers.<tier>.pool.zones` in the environment the finding names, lower the replicas, or let " +
      "the tier's rollout take a pod down first (`rollout.maxUnavailable: 1`).",
    example: {
      config: {
        environments: {
          staging: { services: { "order-manager": { replicas: 3 } } },
        },
      },
    },
  },
  run({ environments }) {
    return environments.flatMap((env) => {
      const { templates, rollouts } = feasibility(env.platform);
      return templates.flatMap((t) => {
        const pending = rollouts.get(t.service)?.unplaced ?? [];
        if (pending.length === 0) return [];
        const first = pending[0]!;
        return [
          findingOf(this, {
            environment: env.environment,
            resource: deploymentOf(env, t.service),
            file: CONFIG_FILE,
            path: replicasPath(env, t),
            message:
              `a rollout of ${t.service} cannot place ${pending.length} of its ${t.surge} surge pod(s) beside ` +
              `${t.replicas} replica(s) at peak, so it stalls: ${first.message}`,
            hint: `${placementHint(env, t, first.reasons)}; or set tiers.${t.tier}.rollout.maxUnavailable to 1`,
          }),
        ];
      });
    });
  },
};
