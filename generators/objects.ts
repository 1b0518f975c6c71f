/** Every Kubernetes object of one (resolved) environment, in a stable order. */
import type { KubeObject } from "../core/finding.ts";
import type { Platform } from "../schemas/platform.ts";
import { withConfigChecksums } from "./config-checksum.ts";
import { deployments } from "./deployment.ts";
import { environmentConfig } from "./environment-config.ts";
import { horizontalPodAutoscalers } from "./horizontal-pod-autoscaler.ts";
import { monitoringObjects } from "./monitoring-stack.ts";
import { namespace } from "./namespace.ts";
import { networkPolicies } from "./network-policy.ts";
import { persistentVolumeClaims } from "./persistent-volume-claim.ts";
import { podDisruptionBudgets } from "./pod-disruption-budget.ts";
import { priorityClasses } from "./priority-class.ts";
import { serviceAccounts } from "./service-account.ts";
import { services } from "./service.ts";

export function platformObjects(platform: Platform): KubeObject[] {
  return withConfigChecksums([
    namespace(platform),
    ...priorityClasses(platform),
    environmentConfig(platform),
    ...networkPolicies(platform),
    ...persistentVolumeClaims(platform),
    ...serviceAccounts(platform),
    ...deployments(platform),
    ...services(platform),
    ...podDisruptionBudgets(platform),
    ...horizontalPodAutoscalers(platform),
    ...monitoringObjects(platform),
  ] as KubeObject[]);
}
