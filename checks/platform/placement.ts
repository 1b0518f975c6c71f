/** What the placement checks share: how a service's Deployment is named, and which config field to change. */
import type { Finding } from "../../core/finding.ts";
import type { BundleEnvironment } from "../../model/environments.ts";
import { objectName } from "../../model/names.ts";
import { namespaceOfService } from "../../model/namespaces.ts";
import { type PodTemplate, REASON } from "../../model/placement.ts";
import { configPath } from "./config.ts";

export function deploymentOf(env: BundleEnvironment, service: string): Finding["resource"] {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    namespace: namespaceOfService(env.platform, service),
    name: objectName(env.platform, service),
  };
}

/** `environments.staging.tiers.x.pool.zones` when the environment sets the zones, `tiers.x.pool.zones` otherwise. */
export const zonesPath = (env: BundleEnvironment, tier: string) => configPath(env, "tiers", tier, "pool.zones");

export const replicasPath = (env: BundleEnvironment, t: PodTemplate) =>
  configPath(env, "services", t.service, t.replicasField);

/** The fix for the reasons a pod fits nowhere, naming the fields that decide it (most specific reason first). */
export function placementHint(env: BundleEnvironment, t: PodTemplate, reasons: Record<string, number>): string {
  const has = (r: string) => Object.keys(reasons).some((x) => x.startsWith(r));
  const zones = zonesPath(env, t.tier);
  const replicas = replicasPath(env, t);
  if (has(REASON.numa) || has(REASON.smt))
    return (
      `give tiers.${t.tier}.pool.numa NUMA nodes that hold one pod (CPUs, memory, hugepages), or lower ` +
      `services.${t.service}.resources`
    );
  if (has(REASON.insufficient("")))
    return `add nodes to ${zones}, or lower ${replicas} or services.${t.service}.resources.requests`;
  if (has(REASON.spread))
    return `add nodes to the emptiest zones of ${zones}, or set tiers.${t.tier}.zoneSpread to "preferred"`;
  if (has(REASON.antiAffinity))
    return `add nodes to ${zones} (required anti-affinity needs a node per pod), or lower ${replicas}`;
  if (has(REASON.ports))
    return (
      `add nodes to ${zones} (a host-network pod needs a node where its ports are free: one per replica), or ` +
      `lower ${replicas}`
    );
  return (
    `make tiers.${t.tier}.pool.labels match tiers.${t.tier}.nodeSelector, and tiers.${t.tier}.tolerations ` +
    `tolerate tiers.${t.tier}.pool.taints`
  );
}
