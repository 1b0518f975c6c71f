import type { ConfigCheck } from "../check.ts";
import { findingOf } from "../check.ts";
import { configPath } from "./config.ts";
import { CONFIG_FILE } from "../../core/finding.ts";

/**
 * A host-network container's ports are the node's ports. Two host-network services of one pool
 * that listen on the same port cannot share a node, so the scheduler keeps one of them Pending
 * (the report's engines all listen on 8000 and 9090 with host networking).
 */
export const hostPortConflict: ConfigCheck = {
  id: "platform/host-port-conflict",
  needs: "config",
  description: "Host-network services that can share a node listen on distinct ports.",
  severity: "error",
  doc: {
    catches:
      "Two services of the same host-network tier whose containers listen on the same port " +
      "(`ports.containerHttp`/`containerMetrics`, or `http`/`metrics` when those are not set), in any " +
      "environment.",
    why:
      "With `hostNetwork: true` a container port is a port of the node. Two pods that bind the same port " +
      "cannot run on one node, so the scheduler keeps the second Pending; on a small dedicated pool that " +
      "means a service that never starts. The Phase 4 report's four engines all listened on 8000 and 9090.",
    fix:
      "Give each host-network service its own `ports.containerHttp` and `ports.containerMetrics`; its " +
      "Service can still expose the usual `http` and `metrics` ports.",
    example: { config: { services: { "position-keeper": { ports: { containerHttp: 8001 } } } } },
  },
  run({ environments }) {
    return environments.flatMap((env) => {
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
          if (!other) {
            seen.set(key, name);
            continue;
          }
          const path = configPath(env, "services", name, `ports.${field}`);
          findings.push(
            findingOf(this, {
              environment: env.environment,
              file: CONFIG_FILE,
              path,
              message:
                `${name} listens on host port ${port}, as ${other} does; both use host networking in the ` +
                `${svc.tier} pool, so they cannot run on the same node`,
              hint:
                `give ${path} a port no other ${svc.tier} service uses (the Service can still expose ` +
                `${svc.ports.http}/${svc.ports.metrics})`,
            }),
          );
        }
      }
      return findings;
    });
  },
};
