import { CONFIG_FILE } from "../../core/finding.ts";
import type { ConfigCheck } from "../check.ts";
import { findingOf } from "../check.ts";
import { claimClass } from "./config.ts";

/**
 * A write to network storage waits on the network and the file server: one slow NFS server stalls a
 * thread of an engine that must answer in microseconds, on the nodes dedicated to it.
 */
export const latencyTierLocalStorage: ConfigCheck = {
  id: "platform/latency-tier-local-storage",
  needs: "config",
  description: "Services of a tier with a latency budget mount only node-local storage.",
  severity: "error",
  doc: {
    catches:
      "A service of a tier with a `latencyBudget` that mounts a storage claim whose class is not " +
      "`nodeLocal` (network storage: NFS, cloud block or file volumes), in any environment.",
    why:
      "Writes to network storage block on the network and the storage server. Logging to an NFS share from " +
      "an engine with a microsecond budget turns a slow file server into missed latency, and a hung mount " +
      "into a hung engine.",
    fix:
      "Log to standard output (the node's log agent ships it) or to a node-local volume, and keep network " +
      "storage for the services without a latency budget.",
    example: {
      config: { services: { "risk-engine": { volumes: [{ claim: "logs", mountPath: "/var/log/nautilus" }] } } },
    },
  },
  run({ environments }) {
    return environments.flatMap((env) =>
      Object.entries(env.platform.services).flatMap(([name, svc]) => {
        const tier = env.platform.tiers[svc.tier]!;
        if (tier.latencyBudget === undefined) return [];
        return svc.volumes.flatMap((v, i) => {
          const found = claimClass(env.platform, v.claim);
          if (!found || found.cls.nodeLocal) return [];
          const { className, cls } = found;
          return [
            findingOf(this, {
              environment: env.environment,
              file: CONFIG_FILE,
              path: `services.${name}.volumes[${i}].claim`,
              message:
                `${name} is in tier ${svc.tier} (latency budget) but mounts claim ${v.claim} on network storage ` +
                `(class ${className}, ${cls.provisioner}): its writes wait on the network`,
              hint: "log to standard output or a nodeLocal class; keep network storage for other tiers",
            }),
          ];
        });
      }),
    );
  },
};
