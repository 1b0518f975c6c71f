import type { PlatformCheck } from "./check.ts";
import { CONFIG_FILE, peakReplicas } from "./check.ts";

/**
 * A ReadWriteOnce volume attaches to one node. Mounted by several pods (more replicas, or more
 * services) that land on different nodes, all but the first stay in ContainerCreating with a
 * Multi-Attach error.
 */
export const sharedRwoVolume: PlatformCheck = {
  id: "shared-rwo-volume",
  description: "A ReadWriteOnce storage claim is mounted by at most one pod.",
  severity: "error",
  run({ environments }) {
    const env = environments.find((e) => e.environment === "prod") ?? environments[0];
    if (!env) return [];
    return Object.entries(env.platform.storage).flatMap(([claim, spec]) => {
      if (spec.accessMode !== "ReadWriteOnce" && spec.accessMode !== "ReadWriteOncePod") return [];
      const users = Object.entries(env.platform.services).filter(([, s]) => s.volumes.some((v) => v.claim === claim));
      const pods = users.reduce((n, [, s]) => n + peakReplicas(s), 0);
      if (pods <= 1) return [];
      return [
        {
          engine: "platform",
          rule: "shared-rwo-volume",
          severity: "error" as const,
          environment: env.environment,
          file: CONFIG_FILE,
          path: `storage.${claim}.accessMode`,
          message:
            `storage claim ${claim} is ${spec.accessMode} but up to ${pods} pods mount it ` +
            `(${users.map(([n]) => n).join(", ")}); pods on other nodes cannot attach it`,
          hint:
            `use ReadWriteMany with a storage class that supports it, or give each service its own claim ` +
            `and run one replica`,
        },
      ];
    });
  },
};
