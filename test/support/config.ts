/** Builders for tests: the real config, and variations of it without repeating its literals. */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import config from "../../platform.config.ts";
import { generateBundle, type Bundle } from "../../generators/bundle.ts";
import { readPolicySources } from "../../bin/policies.ts";
import { withOverrides } from "../../core/plain.ts";
import { findingLine, type KubeObject } from "../../core/finding.ts";
import type { ConfigContext } from "../../checks/check.ts";
import { parsePlatform } from "../../schemas/parse.ts";
import type { Platform, PlatformInput } from "../../schemas/platform.ts";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/**
 * The real config's input, deep-merged with `overrides` (arrays replace, `null` deletes a key). A fresh copy each
 * call.
 */
export function configInput(overrides: unknown = {}): PlatformInput {
  return withOverrides(config, overrides) as PlatformInput;
}

export function platformOf(overrides: unknown = {}): Platform {
  const parsed = parsePlatform(configInput(overrides));
  if (!parsed.ok) throw new Error(parsed.errors.map(findingLine).join("\n"));
  return parsed.platform;
}

export function bundleOf(overrides: unknown = {}): Bundle {
  const result = generateBundle(platformOf(overrides), readPolicySources());
  if (!result.ok) throw new Error(result.errors.map(findingLine).join("\n"));
  return result.bundle;
}

/** Runs the CLI as a user would; returns exit code and output. */
export function cli(args: string[], cwd = ROOT): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["--import", "tsx", `${ROOT}bin/platform.ts`, ...args], {
    cwd,
    encoding: "utf8",
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The real config's input, changed in place by `change` on a fresh copy. */
export function changedInput(change: (c: PlatformInput) => void = () => {}): PlatformInput {
  const c = structuredClone(config);
  change(c);
  return c;
}

/** The real config changed by `change`, parsed; a config error throws with its findings. */
export function changedPlatform(change?: (c: PlatformInput) => void): Platform {
  const parsed = parsePlatform(changedInput(change));
  if (!parsed.ok) throw new Error(parsed.errors.map(findingLine).join("\n"));
  return parsed.platform;
}

/** The config errors of the real config changed by `change`, one line each; none when it parses. */
export function changedConfigErrors(change: (c: PlatformInput) => void): string[] {
  const parsed = parsePlatform(changedInput(change));
  return parsed.ok ? [] : parsed.errors.map(findingLine);
}

/**
 * Overrides that add `count` plain high-performance services (`svc-0`, `svc-1`, …) to the real config, with the
 * high-performance pool grown in every environment so that they all fit: what the bench and the scaling tests
 * measure.
 */
export function withSyntheticServices(count: number): Record<string, unknown> {
  if (count === 0) return {};
  const services: Record<string, unknown> = {};
  for (let i = 0; i < count; i++)
    services[`svc-${i}`] = {
      tier: "high-performance",
      description: "synthetic",
      image: `registry.nautilus.io/trading/svc-${i}:1.0.0`,
      replicas: 2,
      resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "128Mi" } },
      probes: {
        liveness: { path: "/health/live" },
        readiness: { path: "/health/ready" },
        startup: { path: "/health/startup", budget: "60s" },
      },
    };
  const zones = Object.keys(config.tiers["high-performance"]?.pool?.zones ?? {});
  const perZone = Math.max(2, Math.ceil(count / zones.length));
  const tiers = { "high-performance": { pool: { zones: Object.fromEntries(zones.map((z) => [z, perZone])) } } };
  return { services, tiers, environments: { dev: { tiers }, staging: { tiers }, prod: { tiers } } };
}

/** What a config check sees for the real config with `overrides`, each environment's objects passed through `edit`. */
export function checkContextOf(overrides: unknown, edit?: (objects: KubeObject[]) => KubeObject[]): ConfigContext {
  const bundle = bundleOf(overrides);
  return {
    environments: bundle.environments.map((e) => ({ ...e, objects: edit ? edit(e.objects) : e.objects })),
    platform: platformOf(overrides),
    out: { dir: "out", files: bundle.files },
  };
}

/** smart-order-router's own error-ratio alert at `threshold`, as a new user would add it beside the global one. */
export function ownErrorRatioAlert(threshold: string) {
  return {
    kind: "ratio",
    severity: "warning",
    service: "smart-order-router",
    metric: "nautilus_errors_total",
    per: "nautilus_requests_total",
    comparison: ">",
    threshold,
    for: "2m",
    summary: `smart-order-router fails more than ${threshold} of requests`,
  };
}
