import { objectName } from "../../model/names.ts";
import { namespaceOfService } from "../../model/namespaces.ts";
import type { ConfigCheck } from "../check.ts";
import { findingOf } from "../check.ts";
import { configPath, peakReplicas, surgePods, unavailablePods } from "./config.ts";
import { CONFIG_FILE } from "../../core/finding.ts";

/**
 * With required anti-affinity on the hostname, every pod of a service needs its own node, and a
 * rolling update needs one more node per surge pod: with exactly `replicas` eligible nodes the
 * surge pod stays Pending and the rollout stalls, because maxUnavailable 0 never removes an old
 * pod first. With maxUnavailable above 0 the controller frees a node first, so `replicas` nodes do.
 */
export const rolloutCapacity: ConfigCheck = {
  id: "platform/rollout-capacity",
  needs: "config",
  description: "Services with required anti-affinity fit their tier's node pool, surge pod included.",
  severity: "error",
  doc: {
    catches:
      "A service of a tier with `antiAffinity: required` whose peak replicas (`replicas`, or the HPA's " +
      "`maxReplicas`) plus its rollout surge need more nodes than the tier's pool has in some environment. " +
      "With `maxUnavailable` above 0 the rollout frees a node first, so the surge needs no node of its own.",
    why:
      "Required anti-affinity on the hostname gives every pod its own node. With exactly `replicas` nodes " +
      "and `maxSurge: 1, maxUnavailable: 0`, the surge pod of every rollout stays Pending and the rollout " +
      "stalls: no old pod is removed until a new one is ready. The Phase 4 report ran 3 order-manager " +
      "replicas on 3 nodes that way.",
    fix:
      "Raise `tiers.<tier>.nodes` to replicas + surge in the environment the finding names, lower the " +
      "replicas, or let the tier's rollout take a pod down first (`rollout.maxUnavailable: 1`).",
    example: { config: { environments: { staging: { services: { "order-manager": { replicas: 3 } } } } } },
  },
  run({ environments }) {
    return environments.flatMap((env) =>
      Object.entries(env.platform.services).flatMap(([name, svc]) => {
        const tier = env.platform.tiers[svc.tier]!;
        if (tier.antiAffinity !== "required") return [];
        const replicas = peakReplicas(svc);
        const surge =
          unavailablePods(tier.rollout.maxUnavailable, replicas) > 0 ? 0 : surgePods(tier.rollout.maxSurge, replicas);
        const needed = replicas + surge;
        if (needed <= tier.nodes) return [];
        const field = svc.scaling ? "scaling.maxReplicas" : "replicas";
        const why =
          surge > 0
            ? ` (${replicas} + maxSurge ${surge}), the pool has ${tier.nodes}: the rollout's surge pod cannot ` +
              `be placed and the rollout stalls`
            : `, the pool has ${tier.nodes}: ${replicas - tier.nodes} replica(s) stay Pending`;
        return [
          findingOf(this, {
            environment: env.environment,
            resource: {
              apiVersion: "apps/v1",
              kind: "Deployment",
              namespace: namespaceOfService(env.platform, name),
              name: objectName(env.platform, name),
            },
            file: CONFIG_FILE,
            path: configPath(env, "services", name, field),
            message: `${replicas} replicas with required anti-affinity need ${needed} ${svc.tier} nodes${why}`,
            hint:
              `lower ${field} to ${Math.max(0, tier.nodes - surge)}, or raise tiers.${svc.tier}.nodes to ` +
              `${needed}${env.environment !== "prod" ? ` in environments.${env.environment}` : ""}`,
          }),
        ];
      }),
    );
  },
};
