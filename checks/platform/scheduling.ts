import type { ConfigCheck } from "../check.ts";
import { findingOf } from "../check.ts";
import { CONFIG_FILE } from "../../core/finding.ts";
import { feasibility } from "../../model/placement.ts";
import { deploymentOf, placementHint, replicasPath } from "./placement.ts";
import { refusedServices } from "./node-pool-capability.ts";

/**
 * Sums of CPUs per pool pass while pods fit on no real node. The engine places every pod at its peak node by
 * node, as the scheduler would, and reports what stays Pending in the scheduler's own words.
 */
export const scheduling: ConfigCheck = {
  id: "platform/scheduling",
  needs: "config",
  description: "Every pod at peak (HPA maxReplicas) fits on a node of the environment, as kube-scheduler places it.",
  severity: "error",
  doc: {
    catches:
      "A service some of whose pods at peak (`replicas`, or the HPA's `scaling.maxReplicas`) fit on no node of " +
      "the environment's pools (`tiers.<tier>.pool`), placed one by one as kube-scheduler would: node selectors, " +
      "taints and tolerations, host ports, CPU, memory and hugepages against allocatable, required pod " +
      "anti-affinity, zone spread, and on CPU-pinning nodes one NUMA node per Guaranteed pod.",
    why:
      "A pod that fits nowhere stays Pending. With an HPA that happens exactly when load is highest. A pool " +
      "whose CPU total looks big enough can still leave pods Pending: anti-affine replicas need nodes of their " +
      "own, and a pinned pod needs its CPUs and memory on one NUMA node.",
    fix:
      "Follow the hint: add nodes to `tiers.<tier>.pool.zones`, lower the replicas or requests, or fix the pool's " +
      "labels, taints or NUMA layout.",
    example: {
      config: { services: { "market-data": { resources: { requests: { cpu: "12" }, limits: { cpu: "12" } } } } },
    },
  },
  run({ environments }) {
    return environments.flatMap((env) => {
      const { templates, peak } = feasibility(env.platform);
      const refused = refusedServices(env.platform);
      return templates.flatMap((t) => {
        const pending = peak.unplaced.filter((u) => u.service === t.service);
        if (pending.length === 0 || refused.has(t.service)) return [];
        const first = pending[0]!;
        return [
          findingOf(this, {
            environment: env.environment,
            resource: deploymentOf(env, t.service),
            file: CONFIG_FILE,
            path: replicasPath(env, t),
            message: `${pending.length} of ${t.replicas} ${t.service} pods at peak stay Pending: ${first.message}`,
            hint: placementHint(env, t, first.reasons),
          }),
        ];
      });
    });
  },
};
