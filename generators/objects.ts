/** Every Kubernetes object of one (resolved) environment, in a stable order. */
import type { KubeObject } from "../core/finding.ts";
import type { Platform } from "../schemas/platform.ts";
import { withConfigChecksums } from "./config-checksum.ts";
import { deployments } from "./deployment.ts";
import { environmentConfig } from "./environment-config.ts";
import { horizontalPodAutoscalers } from "./horizontal-pod-autoscaler.ts";
import { monitoringObjects } from "./monitoring-stack.ts";
import { namespaces } from "./namespace.ts";
import { platformNamespaces } from "../model/namespaces.ts";
import { networkPolicies } from "./network-policy.ts";
import { persistentVolumeClaims } from "./persistent-volume-claim.ts";
import { podDisruptionBudgets } from "./pod-disruption-budget.ts";
import { priorityClasses } from "./priority-class.ts";
import { serviceAccounts } from "./service-account.ts";
import { exposure, services } from "./service.ts";
import { storageClasses } from "./storage-class.ts";
import { externalSecrets } from "./external-secret.ts";

export function platformObjects(platform: Platform): KubeObject[] {
  const readers = [
    ...serviceAccounts(platform),
    ...deployments(platform),
    ...services(platform),
    ...exposure(platform),
    ...podDisruptionBudgets(platform),
    ...horizontalPodAutoscalers(platform),
    ...monitoringObjects(platform),
  ] as KubeObject[];
  // A secret is delivered in each namespace where something reads it.
  const workloads = [
    ...storageClasses(platform),
    ...persistentVolumeClaims(platform),
    ...externalSecrets(platform, readers),
    ...readers,
  ] as KubeObject[];
  // Policies are generated per edge of the communication graph, from the pods the other objects run.
  return withConfigChecksums([
    ...namespaces(platform),
    ...priorityClasses(platform),
    // Pods read the environment's name from a ConfigMap of their own namespace.
    ...platformNamespaces(platform).map((ns) => {
      const config = environmentConfig(platform);
      return { ...config, metadata: { ...config.metadata, namespace: ns } };
    }),
    ...networkPolicies(platform, workloads),
    ...workloads,
  ] as KubeObject[]);
}
