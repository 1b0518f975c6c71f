/**
 * Every TypeScript check, in one list: `vet` runs those that need only objects, `check` runs all.
 * Adding a check is its file, its test and one line here; a test fails when a check file under
 * checks/ is not listed, and the docs (`npm run docs`) are generated from this list.
 */
import type { Finding, KubeObject } from "../core/finding.ts";
import { containerPorts } from "./apiserver/container-ports.ts";
import { hpaTargetExists } from "./apiserver/hpa-target-exists.ts";
import { hugepages } from "./apiserver/hugepages.ts";
import { labelSyntax } from "./apiserver/label-syntax.ts";
import { objectNames } from "./apiserver/object-names.ts";
import { requestsWithinLimits } from "./apiserver/requests-within-limits.ts";
import { resourceNames } from "./apiserver/resource-names.ts";
import { rolloutProgress } from "./apiserver/rollout-progress.ts";
import { selectorMatchesTemplate } from "./apiserver/selector-matches-template.ts";
import { selectorTargetsWorkload } from "./apiserver/selector-targets-workload.ts";
import { type Check, type CheckContext, type ConfigContext, groupOf, nameOf } from "./check.ts";
import { antiAffinitySelectsSelf } from "./platform/anti-affinity-selects-self.ts";
import { cpuCapacity } from "./platform/cpu-capacity.ts";
import { egressAllowsDns } from "./platform/egress-allows-dns.ts";
import { hostPortConflict } from "./platform/host-port-conflict.ts";
import { latencyAlertCoverage } from "./platform/latency-alert-coverage.ts";
import { rolloutCapacity } from "./platform/rollout-capacity.ts";
import { sharedRwoVolume } from "./platform/shared-rwo-volume.ts";
import { promqlParseError, promqlUnknownMetric } from "./promql.ts";

export const CHECKS: readonly Check[] = [
  hugepages,
  requestsWithinLimits,
  resourceNames,
  objectNames,
  labelSyntax,
  selectorMatchesTemplate,
  selectorTargetsWorkload,
  hpaTargetExists,
  rolloutProgress,
  containerPorts,
  egressAllowsDns,
  antiAffinitySelectsSelf,
  rolloutCapacity,
  cpuCapacity,
  hostPortConflict,
  sharedRwoVolume,
  latencyAlertCoverage,
  promqlParseError,
  promqlUnknownMetric,
];

/** Checks that need only objects, on any manifests (`vet`) or on the generated ones (`check`). */
export function runObjectChecks(ctx: CheckContext, checks: readonly Check[] = CHECKS): Finding[] {
  const objects = kubeObjectsOnly(ctx);
  return checks.flatMap((c) => (c.needs === "objects" ? withId(c, c.run(objects)) : []));
}

/** Checks that need the resolved config (`check` only); the object checks run with the object engines. */
export function runConfigChecks(ctx: ConfigContext, checks: readonly Check[] = CHECKS): Finding[] {
  const objects = kubeObjectsOnly(ctx);
  return checks.flatMap((c) => (c.needs === "config" ? withId(c, c.run(objects)) : []));
}

/** The id is the finding's engine and rule, whatever a check wrote: findings and docs cannot disagree. */
function withId(check: Check, findings: readonly Finding[]): Finding[] {
  const engine = groupOf(check.id);
  const rule = nameOf(check.id);
  return findings.map((f) => (f.engine === engine && f.rule === rule ? f : { ...f, engine, rule }));
}

/** Checks read `metadata`; a document without kind or apiVersion is the schema engine's to report. */
function kubeObjectsOnly<C extends CheckContext>(ctx: C): C {
  return {
    ...ctx,
    environments: ctx.environments.map((env) => ({ ...env, objects: env.objects.filter(isKubeObject) })),
  };
}

function isKubeObject(o: unknown): o is KubeObject {
  return (
    typeof o === "object" &&
    o !== null &&
    typeof (o as { kind?: unknown }).kind === "string" &&
    typeof (o as { apiVersion?: unknown }).apiVersion === "string"
  );
}
