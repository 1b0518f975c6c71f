/**
 * Everything `generate` writes, as a map from out/-relative path to content, plus each
 * environment's final objects for the engines. Pure: the CLI does the writing.
 */
import { z } from "zod";
import { configFinding, findingLine, type Finding, type KubeObject } from "../core/finding.ts";
import { platformSchema, type Platform } from "../schemas/platform.ts";
import {
  ENVIRONMENT_NAMES,
  resolveEnvironment,
  type BundleEnvironment,
  type ResolvedPlatform,
} from "../model/environments.ts";
import { admissionPolicies, parsePolicies, type PolicyText } from "./admission-policies.ts";
import { baseFiles, overlayFiles } from "./kustomize.ts";
import { byLayer, LAYER_DIRS, LAYERS, layerOf, OUT, ownNamespaces, renderedPath } from "../core/layout.ts";
import { observabilityFiles } from "./observability-files.ts";
import { nodeFiles } from "./kubelet-config.ts";
import { placementSvg } from "./placement-svg.ts";
import { platformObjects } from "./objects.ts";
import { jsonFile, yamlFile } from "../core/yaml.ts";
import { LABEL } from "../core/conventions.ts";
import { withSyncWaves } from "./meta.ts";
import { withDeleteProtection } from "./delete-protection.ts";
import { argocdFiles, argocdObjects } from "./argocd.ts";

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
  const objectsOf = (p: ResolvedPlatform) =>
    withDeleteProtection(withSyncWaves([...platformObjects(p), ...admissionPolicies(p, parsed.policies)]));
  const environments: BundleEnvironment[] = [];
  const collisions = new Map<string, Finding>();
  for (const env of ENVIRONMENT_NAMES) {
    const resolved = resolveEnvironment(platform, env);
    errors.push(...resolved.errors);
    const objects = objectsOf(resolved.platform);
    for (const f of objectCollisions(objects)) collisions.set(findingLine(f), f);
    environments.push({ environment: env, platform: resolved.platform, objects });
  }
  // Environments share their shape, so a collision in one is in all: said once.
  errors.push(...collisions.values());
  if (errors.length > 0) return { ok: false, errors };

  // Each layer is a Kustomize tree of its own (core/layout.ts), so the app layer can be deleted apart.
  const base = byLayer(objectsOf(platform));
  const files = new Map<string, string>();
  for (const layer of LAYERS)
    for (const [path, content] of baseFiles(LAYER_DIRS[layer], base[layer])) files.set(path, content);
  for (const { environment, objects } of environments) {
    const layers = byLayer(objects);
    for (const layer of LAYERS)
      for (const [path, content] of overlayFiles(LAYER_DIRS[layer], environment, base[layer], layers[layer]))
        files.set(path, content);
    const own = ownNamespaces(objects);
    for (const o of objects)
      files.set(`${LAYER_DIRS[layerOf(o, own)].rendered(environment)}/${renderedPath(o)}`, yamlFile([o]));
  }
  for (const [path, content] of observabilityFiles(platform)) files.set(path, content);
  for (const [path, content] of nodeFiles(platform)) files.set(path, content);
  for (const env of environments) files.set(`report/${env.environment}.svg`, placementSvg(env.platform));
  for (const [path, content] of argocdFiles(argocdObjects(platform, environments))) files.set(path, content);
  files.set(OUT.configSchema, jsonFile(configJsonSchema()));
  return { ok: true, bundle: { files: sortedMap(files), environments } };
}

/** `policies/x/policy.yaml: not valid YAML: ...` as a finding about that file. */
function policyError(text: string): Finding {
  const at = text.indexOf(": ");
  const file = at > 0 ? text.slice(0, at) : undefined;
  return configFinding("invalid-policy", "", at > 0 ? text.slice(at + 2) : text, file ? { file } : {});
}

/** Where a generated object comes from, by its recommended labels: a config path and a phrase. */
interface Source {
  path: string;
  what: string;
  /** Config keys people chose come first: they are what to rename. */
  rank: number;
}

/** Monitoring components by their `app.kubernetes.io/name`, where it differs from their config key. */
const MONITORING_KEY: Record<string, string> = { "prometheus-adapter": "adapter" };

function sourceOf(o: KubeObject): Source {
  const labels = o.metadata?.labels ?? {};
  const name = labels[LABEL.name] ?? o.metadata?.name ?? "";
  switch (labels[LABEL.component]) {
    case "service":
      return { path: `services.${name}`, what: `service ${name}`, rank: 0 };
    case "storage":
      return { path: `storage.${name}`, what: `storage claim ${name}`, rank: 0 };
    case "platform":
      if (o.kind === "PriorityClass") return { path: `tiers.${name}`, what: `tier ${name}`, rank: 0 };
      return { path: "name", what: "the platform's own objects", rank: 1 };
    case "monitoring":
      return {
        path: `monitoring.components.${MONITORING_KEY[name] ?? name}`,
        what: "the monitoring stack",
        rank: 2,
      };
    case "policy":
      return { path: `policies/${name}`, what: `admission policy ${name}`, rank: 3 };
    default:
      return { path: "(config)", what: `a generated ${o.kind}`, rank: 4 };
  }
}

/**
 * Two generated objects with one apiVersion, kind, namespace and name are one object in the cluster
 * and one file in rendered/: the later silently replaces the earlier. Object names are built from
 * config keys, so a service called `prometheus` takes the monitoring stack's Prometheus; the config
 * is refused, naming both sources, once per pair of sources.
 */
export function objectCollisions(objects: readonly KubeObject[]): Finding[] {
  const seen = new Map<string, KubeObject>();
  const pairs = new Map<string, { first: Source; second: Source; objects: string[] }>();
  for (const o of objects) {
    const ns = o.metadata?.namespace;
    const identity = `${o.apiVersion}|${o.kind}|${ns ?? ""}|${o.metadata?.name ?? ""}`;
    const earlier = seen.get(identity);
    if (!earlier) {
      seen.set(identity, o);
      continue;
    }
    const [first, second] = [sourceOf(earlier), sourceOf(o)].sort((a, b) => a.rank - b.rank) as [Source, Source];
    const key = `${first.path}|${second.path}`;
    const pair = pairs.get(key) ?? { first, second, objects: [] };
    pair.objects.push(`${o.kind} ${ns ? `${ns}/` : ""}${o.metadata?.name ?? ""}`);
    pairs.set(key, pair);
  }
  return [...pairs.values()].map(({ first, second, objects: clashing }) => {
    const other = second.path === first.path ? second.what : `${second.what} (${second.path})`;
    const fix = first.rank === 0 ? `rename ${first.what}` : "rename one of them";
    return configFinding(
      "name-collision",
      first.path,
      `${first.what} collides with ${other}: both generate ${clashing.join(", ")}, and only one of each can ` +
        "exist in the cluster",
      { hint: fix },
    );
  });
}

/**
 * The config schema for editors and non-TypeScript tooling (what a config is written as). Editors
 * show a field's `description` on hover but not its `default` (VS Code uses that only to complete a
 * value), so each default is also appended to the description, from the one place it is declared.
 */
export function configJsonSchema(): unknown {
  const schema = z.toJSONSchema(platformSchema, { io: "input", unrepresentable: "any" });
  describeDefaults(schema);
  return schema;
}

/** Subschema keywords of draft 2020-12 whose values are schemas, arrays of schemas or maps of schemas. */
const SUBSCHEMA_KEYS = ["additionalProperties", "items", "propertyNames", "not", "contains"];
const SUBSCHEMA_LIST_KEYS = ["anyOf", "oneOf", "allOf", "prefixItems"];
const SUBSCHEMA_MAP_KEYS = ["properties", "patternProperties", "$defs"];

function describeDefaults(node: unknown): void {
  if (!node || typeof node !== "object" || Array.isArray(node)) return;
  const s = node as Record<string, unknown>;
  if ("default" in s && typeof s.description === "string")
    s.description = `${s.description}\n@default ${JSON.stringify(s.default)}`;
  for (const k of SUBSCHEMA_KEYS) describeDefaults(s[k]);
  for (const k of SUBSCHEMA_LIST_KEYS) if (Array.isArray(s[k])) for (const sub of s[k]) describeDefaults(sub);
  for (const k of SUBSCHEMA_MAP_KEYS)
    if (s[k] && typeof s[k] === "object") for (const sub of Object.values(s[k])) describeDefaults(sub);
}

function sortedMap(m: Map<string, string>): Map<string, string> {
  return new Map([...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export type { KubeObject };
