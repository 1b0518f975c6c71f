/**
 * The platform engine: rules that span objects and the config, which admission cannot express
 * (one object at a time) and schemas cannot either. Each check is one file in engines/platform/.
 */
import type { EnvironmentObjects, Finding } from "../core/finding.ts";
import { checkAntiAffinitySelectsSelf } from "./platform/anti-affinity-selects-self.ts";
import { checkEgressAllowsDns } from "./platform/egress-allows-dns.ts";
import type { PlatformCheck, PlatformCheckInput } from "./platform/check.ts";
import { cpuCapacity } from "./platform/cpu-capacity.ts";
import { hostPortConflict } from "./platform/host-port-conflict.ts";
import { latencyAlertCoverage } from "./platform/latency-alert-coverage.ts";
import { rolloutCapacity } from "./platform/rollout-capacity.ts";
import { sharedRwoVolume } from "./platform/shared-rwo-volume.ts";

export const PLATFORM_CHECKS: readonly PlatformCheck[] = [
  rolloutCapacity,
  cpuCapacity,
  hostPortConflict,
  sharedRwoVolume,
  latencyAlertCoverage,
];

export function runPlatformChecks(
  input: PlatformCheckInput,
  checks: readonly PlatformCheck[] = PLATFORM_CHECKS,
): Finding[] {
  return checks.flatMap((c) => c.run(input));
}

/** Checks that need only objects, so `vet` runs them on any manifests too. */
export const OBJECT_CHECKS: readonly ((env: EnvironmentObjects) => Finding[])[] = [
  checkEgressAllowsDns,
  checkAntiAffinitySelectsSelf,
];

export function runObjectChecks(envs: readonly EnvironmentObjects[]): Finding[] {
  return envs.flatMap((env) => OBJECT_CHECKS.flatMap((check) => check(env)));
}
