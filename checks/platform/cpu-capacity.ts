import type { ConfigCheck } from "../check.ts";
import { findingOf } from "../check.ts";
import { configPath, peakReplicas, surgePods } from "./config.ts";
import { CONFIG_FILE } from "../../core/finding.ts";

/**
 * The tier's pool must hold every pod of the tier at its peak (HPA maximum) plus the largest
 * rollout surge, counted in requested CPUs. A pool that cannot leaves pods Pending exactly when
 * load is highest.
 */
export const cpuCapacity: ConfigCheck = {
  id: "platform/cpu-capacity",
  needs: "config",
  description: "Each tier's node pool has the CPUs its services request at peak, plus a rollout surge.",
  severity: "error",
  doc: {
    catches:
      "A tier whose node pool (`nodes` × `cpusPerNode`, per environment) has fewer CPUs than its services " +
      "request at their peak: every replica at the HPA's `maxReplicas` (or `replicas`), plus the largest " +
      "rollout surge of one service of the tier.",
    why:
      "Pods beyond the pool's CPUs stay Pending. With an HPA that happens exactly when load is highest, " +
      "and a rollout whose surge pod cannot be placed stalls half-way.",
    fix:
      "Raise `tiers.<tier>.nodes` (or `cpusPerNode`) in the environment the finding names, or lower the " +
      "services' replicas, `scaling.maxReplicas` or CPU requests.",
    example: { config: { tiers: { "high-performance": { cpusPerNode: 4 } } } },
  },
  run({ environments }) {
    return environments.flatMap((env) =>
      Object.entries(env.platform.tiers).flatMap(([tierName, tier]) => {
        const services = Object.entries(env.platform.services).filter(([, s]) => s.tier === tierName);
        if (services.length === 0) return [];
        let millis = 0;
        let surge = 0;
        for (const [, s] of services) {
          const cpu = s.resources.requests.cpu ?? 0;
          const replicas = peakReplicas(s);
          millis += replicas * cpu;
          surge = Math.max(surge, surgePods(tier.rollout.maxSurge, replicas) * cpu);
        }
        const needed = (millis + surge) / 1000;
        const available = tier.nodes * tier.cpusPerNode;
        if (needed <= available) return [];
        const path = configPath(env, "tiers", tierName, "nodes");
        return [
          findingOf(this, {
            environment: env.environment,
            file: CONFIG_FILE,
            path,
            message:
              `the ${tierName} tier requests ${needed} CPUs at peak (${millis / 1000} for ` +
              `${services.length} services at their maximum replicas, ${surge / 1000} for a rollout surge), ` +
              `the pool has ${available} (${tier.nodes} nodes × ${tier.cpusPerNode})`,
            hint: `raise ${path} to ${Math.ceil(needed / tier.cpusPerNode)}, or lower replicas or CPU requests`,
          }),
        ];
      }),
    );
  },
};
