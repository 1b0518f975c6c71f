import type { ConfigCheck } from "../check.ts";
import { findingOf } from "../check.ts";
import { configPath, peakReplicas } from "./config.ts";
import { CONFIG_FILE } from "../../core/finding.ts";

/**
 * A ReadWriteOnce volume attaches to one node. Mounted by several pods (more replicas, or more
 * services) that land on different nodes, all but the first stay in ContainerCreating with a
 * Multi-Attach error. Replica counts differ per environment, so each is judged on its own.
 */
export const sharedRwoVolume: ConfigCheck = {
  id: "platform/shared-rwo-volume",
  needs: "config",
  description: "A ReadWriteOnce storage claim is mounted by at most one pod.",
  severity: "error",
  doc: {
    catches:
      "A storage claim with `accessMode: ReadWriteOnce` (or `ReadWriteOncePod`) that more than one pod " +
      "may mount in some environment: several services, or one service with more than one replica at its " +
      "peak (`replicas`, or the HPA's `maxReplicas`).",
    why:
      "A ReadWriteOnce volume attaches to one node at a time. The second pod scheduled on another node " +
      "waits in ContainerCreating with a Multi-Attach error, and a rollout that needs it never completes.",
    fix:
      "Use `ReadWriteMany` with a storage class that supports it, or give each service its own claim and " +
      "run it with one replica.",
    example: { config: { storage: { logs: { accessMode: "ReadWriteOnce" } } } },
  },
  run({ environments }) {
    return environments.flatMap((env) =>
      Object.entries(env.platform.storage).flatMap(([claim, spec]) => {
        if (spec.accessMode !== "ReadWriteOnce" && spec.accessMode !== "ReadWriteOncePod") return [];
        const users = Object.entries(env.platform.services).filter(([, s]) => s.volumes.some((v) => v.claim === claim));
        const pods = users.reduce((n, [, s]) => n + peakReplicas(s), 0);
        if (pods <= 1) return [];
        return [
          findingOf(this, {
            environment: env.environment,
            file: CONFIG_FILE,
            path: configPath(env, "storage", claim, "accessMode"),
            message:
              `storage claim ${claim} is ${spec.accessMode} but up to ${pods} pods mount it ` +
              `(${users.map(([n]) => n).join(", ")}); pods on other nodes cannot attach it`,
            hint:
              `use ReadWriteMany with a storage class that supports it, or give each service its own claim ` +
              `and run one replica`,
          }),
        ];
      }),
    );
  },
};
