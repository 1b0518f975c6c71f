import type { ConfigMap } from "kubernetes-types/core/v1.js";
import type { ResolvedPlatform } from "../model/environments.ts";
import { metadata } from "./meta.ts";
import { objectName } from "../model/names.ts";

/**
 * The environment's name, in one ConfigMap that workloads read through `configMapKeyRef`. An
 * overlay then patches this one object instead of every Deployment's env, which keeps overlays
 * small and kustomize fast (its cost grows with every patched object).
 */
export const ENVIRONMENT_CONFIG = "environment";
export const ENVIRONMENT_KEY = "environment";

export function environmentConfigName(platform: ResolvedPlatform): string {
  return objectName(platform, ENVIRONMENT_CONFIG);
}

export function environmentConfig(platform: ResolvedPlatform): ConfigMap {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: metadata(platform, ENVIRONMENT_CONFIG, { component: "platform" }),
    data: { [ENVIRONMENT_KEY]: platform.environment ?? "base" },
  };
}
