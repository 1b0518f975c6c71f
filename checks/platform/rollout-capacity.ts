import { objectName } from "../../model/names.ts";
import type { PlatformCheck } from "./check.ts";
import { CONFIG_FILE, configPath, peakReplicas, surgePods, unavailablePods } from "./check.ts";

/**
 * With required anti-affinity on the hostname, every pod of a service needs its own node, and a
 * rolling update needs one more node per surge pod: with exactly `replicas` eligible nodes the
 * surge pod stays Pending and the rollout stalls, because maxUnavailable 0 never removes an old
 * pod first. With maxUnavailable above 0 the controller frees a node first, so `replicas` nodes do.
 */
export const rolloutCapacity: PlatformCheck = {
  id: "rollout-capacity",
  description: "Services with required anti-affinity fit their tier's node pool, surge pod included.",
  severity: "error",
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
          {
            engine: "platform",
            rule: "rollout-capacity",
            severity: "error" as const,
            environment: env.environment,
            resource: {
              apiVersion: "apps/v1",
              kind: "Deployment",
              namespace: env.platform.namespace,
              name: objectName(env.platform, name),
            },
            file: CONFIG_FILE,
            path: configPath(env, "services", name, field),
            message: `${replicas} replicas with required anti-affinity need ${needed} ${svc.tier} nodes${why}`,
            hint:
              `lower ${field} to ${Math.max(0, tier.nodes - surge)}, or raise tiers.${svc.tier}.nodes to ` +
              `${needed}${env.environment !== "prod" ? ` in environments.${env.environment}` : ""}`,
          },
        ];
      }),
    );
  },
};
