/**
 * Everything `generate` writes, as a map from out/-relative path to content, plus each
 * environment's final objects for the engines. Pure: the CLI does the writing.
 */
import { z } from "zod";
import type { EnvironmentObjects, KubeObject } from "../engines/finding.ts";
import { platformSchema, type Platform } from "../schemas/platform.ts";
import { ENVIRONMENT_NAMES, resolveEnvironment } from "../schemas/resolve.ts";
import { baseFiles, overlayFiles } from "./kustomize.ts";
import { OUT, renderedPath } from "./layout.ts";
import { platformObjects } from "./objects.ts";
import { jsonFile, yamlFile } from "./yaml.ts";

export interface Bundle {
  files: Map<string, string>;
  environments: EnvironmentObjects[];
}

export type BundleResult = { ok: true; bundle: Bundle } | { ok: false; errors: string[] };

export function generateBundle(platform: Platform): BundleResult {
  const errors: string[] = [];
  const environments: EnvironmentObjects[] = [];
  for (const env of ENVIRONMENT_NAMES) {
    const resolved = resolveEnvironment(platform, env);
    errors.push(...resolved.errors);
    environments.push({ environment: env, objects: platformObjects(resolved.platform) });
  }
  if (errors.length > 0) return { ok: false, errors };

  const base = platformObjects(platform);
  const files = new Map<string, string>([...baseFiles(base)]);
  for (const { environment, objects } of environments) {
    for (const [path, content] of overlayFiles(environment, base, objects)) files.set(path, content);
    for (const o of objects) files.set(`${OUT.rendered(environment)}/${renderedPath(o)}`, yamlFile([o]));
  }
  files.set(OUT.configSchema, jsonFile(configJsonSchema()));
  return { ok: true, bundle: { files: sortedMap(files), environments } };
}

/** The config schema for editors and non-TypeScript tooling (what a config is written as). */
export function configJsonSchema(): unknown {
  return z.toJSONSchema(platformSchema, { io: "input", unrepresentable: "any" });
}

function sortedMap(m: Map<string, string>): Map<string, string> {
  return new Map([...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export type { KubeObject };
