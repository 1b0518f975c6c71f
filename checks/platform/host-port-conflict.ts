import type { PlatformCheck } from "./check.ts";
import { CONFIG_FILE } from "./check.ts";

/**
 * A host-network container's ports are the node's ports. Two host-network services of one pool
 * that listen on the same port cannot share a node, so the scheduler keeps one of them Pending
 * (the report's engines all listen on 8000 and 9090 with host networking).
 */
export const hostPortConflict: PlatformCheck = {
  id: "host-port-conflict",
  description: "Host-network services that can share a node listen on distinct ports.",
  severity: "error",
  run({ environments }) {
    const env = environments[0];
    if (!env) return [];
    const seen = new Map<string, string>();
    const findings = [];
    for (const [name, svc] of Object.entries(env.platform.services)) {
      if (!env.platform.tiers[svc.tier]!.hostNetwork) continue;
      const ports: [string, number][] = [
        ["containerHttp", svc.ports.containerHttp ?? svc.ports.http],
        ["containerMetrics", svc.ports.containerMetrics ?? svc.ports.metrics],
      ];
      for (const [field, port] of ports) {
        const key = `${svc.tier}/${port}`;
        const other = seen.get(key);
        if (other) {
          findings.push({
            engine: "platform",
            rule: "host-port-conflict",
            severity: "error" as const,
            file: CONFIG_FILE,
            path: `services.${name}.ports.${field}`,
            message:
              `${name} listens on host port ${port}, as ${other} does; both use host networking in the ` +
              `${svc.tier} pool, so they cannot run on the same node`,
            hint:
              `give services.${name}.ports.${field} a port no other ${svc.tier} service uses (the Service ` +
              `can still expose ${svc.ports.http}/${svc.ports.metrics})`,
          });
        } else seen.set(key, name);
      }
    }
    return findings;
  },
};
