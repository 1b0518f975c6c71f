import type { PlatformCheck } from "./check.ts";
import { CONFIG_FILE, peakReplicas, surgePods } from "./check.ts";

/**
 * The tier's pool must hold every pod of the tier at its peak (HPA maximum) plus the largest
 * rollout surge, counted in requested CPUs. A pool that cannot leaves pods Pending exactly when
 * load is highest.
 */
export const cpuCapacity: PlatformCheck = {
  id: "cpu-capacity",
  description: "Each tier's node pool has the CPUs its services request at peak, plus a rollout surge.",
  severity: "error",
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
        return [
          {
            engine: "platform",
            rule: "cpu-capacity",
            severity: "error" as const,
            environment: env.environment,
            file: CONFIG_FILE,
            path: `tiers.${tierName}.nodes`,
            message:
              `the ${tierName} tier requests ${needed} CPUs at peak (${millis / 1000} for ` +
              `${services.length} services at their maximum replicas, ${surge / 1000} for a rollout surge), ` +
              `the pool has ${available} (${tier.nodes} nodes × ${tier.cpusPerNode})`,
            hint: `add nodes to tiers.${tierName} in ${env.environment}, or lower replicas or CPU requests`,
          },
        ];
      }),
    );
  },
};
