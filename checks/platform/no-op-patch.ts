import type { ConfigCheck } from "../check.ts";
import { findingOf } from "../check.ts";
import { CONFIG_FILE, type Finding } from "../../core/finding.ts";
import { deepEqual, isPlainObject } from "../../core/plain.ts";
import { formatBytes, formatCpu } from "../../schemas/units.ts";

/** Canonical numbers back in the config's own units: `"100Gi"`, not 107374182400. */
function shown(path: readonly string[], value: unknown): string {
  const field = path.at(-1) ?? "";
  if (typeof value !== "number") return JSON.stringify(value);
  if (field === "cpu") return JSON.stringify(formatCpu(value));
  if (field === "size" || field === "memory" || field === "ephemeral-storage" || field.startsWith("hugepages-"))
    return JSON.stringify(formatBytes(value));
  return String(value);
}

/**
 * An environment patch that repeats the base value changes nothing: it is harmless today and wrong tomorrow, when
 * the base changes and the environment silently stays behind. A note, so it is seen and never blocks.
 */
export const noOpPatch: ConfigCheck = {
  id: "platform/no-op-patch",
  needs: "config",
  description: "An environment patch that sets a value equal to the base config is reported as a note.",
  severity: "info",
  doc: {
    catches:
      "A value under `environments.<env>` (a tier's pool size, a service's replicas, image, resources or scaling " +
      "bounds, a claim's size, the node subnets) equal to the base config's value, which the patch therefore " +
      "does not change.",
    why:
      "The patch looks like a decision about the environment but is none: when the base value changes later, the " +
      "environment takes the repeated value and silently stays behind, while a reader believes it follows the base.",
    fix: "Delete the value from the patch, or set the value the environment really needs.",
    example: { config: { environments: { staging: { services: { "risk-engine": { replicas: 2 } } } } } },
  },
  run({ platform }) {
    const out: Finding[] = [];
    for (const [env, patch] of Object.entries(platform.environments)) {
      const base: Record<string, unknown> = {
        tiers: platform.tiers,
        services: platform.services,
        storage: platform.storage,
        network: platform.network,
      };
      const visit = (value: unknown, was: unknown, path: string[]) => {
        if (value === undefined || was === undefined) return;
        if (isPlainObject(value) && isPlainObject(was)) {
          for (const [k, v] of Object.entries(value)) visit(v, was[k], [...path, k]);
          return;
        }
        if (!deepEqual(value, was)) return;
        const at = `environments.${env}.${path.join(".")}`;
        out.push(
          findingOf(this, {
            environment: env,
            file: CONFIG_FILE,
            path: at,
            message:
              `${at}: ${shown(path, value)} equals the base value (${path.join(".")}), so the patch changes ` +
              "nothing",
            hint: `delete it from environments.${env}, or set the value ${env} really needs`,
          }),
        );
      };
      for (const [key, value] of Object.entries(patch)) visit(value, base[key], [key]);
    }
    return out;
  },
};
