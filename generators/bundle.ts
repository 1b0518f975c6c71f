/**
 * Everything `generate` writes, as a map from out/-relative path to content, plus each
 * environment's final objects for the engines. Pure: the CLI does the writing.
 */
import { z } from "zod";
import { configFinding, type Finding, type KubeObject } from "../core/finding.ts";
import { platformSchema, type Platform } from "../schemas/platform.ts";
import {
  ENVIRONMENT_NAMES,
  resolveEnvironment,
  type BundleEnvironment,
  type ResolvedPlatform,
} from "../model/environments.ts";
import { admissionPolicies, parsePolicies, type PolicyText } from "./admission-policies.ts";
import { baseFiles, overlayFiles } from "./kustomize.ts";
import { OUT, renderedPath } from "../core/layout.ts";
import { observabilityFiles } from "./observability-files.ts";
import { platformObjects } from "./objects.ts";
import { jsonFile, yamlFile } from "../core/yaml.ts";

export interface Bundle {
  files: Map<string, string>;
  environments: BundleEnvironment[];
}

/** `errors` are findings of engine "config": the config or a policy file cannot make a bundle. */
export type BundleResult = { ok: true; bundle: Bundle } | { ok: false; errors: Finding[] };

/** `policies` are the texts of policies/*.yaml, emitted with bindings so the cluster enforces them too. */
export function generateBundle(platform: Platform, policies: readonly PolicyText[] = []): BundleResult {
  const parsed = parsePolicies(policies);
  const errors: Finding[] = parsed.errors.map(policyError);
  const objectsOf = (p: ResolvedPlatform) => [...platformObjects(p), ...admissionPolicies(p, parsed.policies)];
  const environments: BundleEnvironment[] = [];
  for (const env of ENVIRONMENT_NAMES) {
    const resolved = resolveEnvironment(platform, env);
    errors.push(...resolved.errors);
    environments.push({ environment: env, platform: resolved.platform, objects: objectsOf(resolved.platform) });
  }
  if (errors.length > 0) return { ok: false, errors };

  const base = objectsOf(platform);
  const files = new Map<string, string>([...baseFiles(base)]);
  for (const { environment, objects } of environments) {
    for (const [path, content] of overlayFiles(environment, base, objects)) files.set(path, content);
    for (const o of objects) files.set(`${OUT.rendered(environment)}/${renderedPath(o)}`, yamlFile([o]));
  }
  for (const [path, content] of observabilityFiles(platform)) files.set(path, content);
  files.set(OUT.configSchema, jsonFile(configJsonSchema()));
  return { ok: true, bundle: { files: sortedMap(files), environments } };
}

/** `policies/x/policy.yaml: not valid YAML: ...` as a finding about that file. */
function policyError(text: string): Finding {
  const at = text.indexOf(": ");
  const file = at > 0 ? text.slice(0, at) : undefined;
  return configFinding("invalid-policy", "", at > 0 ? text.slice(at + 2) : text, file ? { file } : {});
}

/** The config schema for editors and non-TypeScript tooling (what a config is written as). */
export function configJsonSchema(): unknown {
  return z.toJSONSchema(platformSchema, { io: "input", unrepresentable: "any" });
}

function sortedMap(m: Map<string, string>): Map<string, string> {
  return new Map([...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export type { KubeObject };
