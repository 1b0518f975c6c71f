/** Reads the policies shipped in policies/<id>/policy.yaml (next to this tool, whatever the working directory). */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Finding, KubeObject } from "../core/finding.ts";
import type { PolicySource } from "../core/policy.ts";
import { evaluateRequest, type CompiledPolicy } from "../engines/cel.ts";
import { isParamFixture, isRequestFixture, type Fixture, type KubeObjectLike } from "../policies/builders.ts";

/**
 * The package root: the nearest folder above this code that holds a package.json. This code runs from bin/
 * (under tsx) or bundled into dist/platform.mjs, so no fixed "../" is right for both.
 */
function packageRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (let dir = here; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json in ${here} or any folder above it`);
  }
}

export const POLICY_DIR = `${join(packageRoot(), "policies")}/`;

/** The `version` of this tool's package.json, for `platform --version`. */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")) as { version: string }).version;
}
export const POLICY_FILE = "policy.yaml";

/** The ids of the shipped policies: every folder of policies/ that holds a policy.yaml. */
export function policyIds(dir = POLICY_DIR): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(`${dir}${e.name}/${POLICY_FILE}`))
    .map((e) => e.name)
    .sort();
}

export function readPolicySources(dir = POLICY_DIR): PolicySource[] {
  return policyIds(dir).map((id) => ({
    file: `policies/${id}/${POLICY_FILE}`,
    text: readFileSync(`${dir}${id}/${POLICY_FILE}`, "utf8"),
  }));
}

/** What policies/<id>/fixtures.ts exports. */
export interface PolicyFixtures {
  allow?: Fixture[];
  deny?: Fixture[];
  /** The param object of a policy with a paramKind, for fixtures that carry none. */
  params?: KubeObjectLike;
}

export async function readPolicyFixtures(id: string, dir = POLICY_DIR): Promise<PolicyFixtures> {
  const path = `${dir}${id}/fixtures.ts`;
  return existsSync(path) ? ((await import(pathToFileURL(path).href)) as PolicyFixtures) : {};
}

/** The object a fixture is about, with or without its own param. */
export const fixtureObject = (f: Fixture): KubeObject => ("object" in f ? f.object : f) as unknown as KubeObject;

/** The compiled policies grouped by the rule they come from (a per-kind rule has several), in rule order. */
export function policiesByRule(policies: readonly CompiledPolicy[]): Map<string, CompiledPolicy[]> {
  const out = new Map<string, CompiledPolicy[]>();
  for (const p of policies) out.set(p.rule, [...(out.get(p.rule) ?? []), p]);
  return out;
}

/**
 * One rule's findings on one fixture: a CREATE of it, or the fixture's own request (an UPDATE with its oldObject);
 * with the fixture's own param or the rule's default one. `policies` are the rule's per-kind policies (or the one);
 * the fixture is judged by the one whose kinds it is of.
 */
export function fixtureFindings(
  policies: CompiledPolicy | readonly CompiledPolicy[],
  fixture: Fixture,
  params?: KubeObjectLike,
): Finding[] {
  const list = Array.isArray(policies) ? policies : [policies as CompiledPolicy];
  const param = isParamFixture(fixture) ? fixture.params : params;
  const object = fixtureObject(fixture);
  const request = isRequestFixture(fixture)
    ? {
        operation: fixture.operation,
        object: fixture.operation === "DELETE" ? null : object,
        oldObject: fixture.oldObject as unknown as KubeObject,
      }
    : { operation: "CREATE" as const, object };
  const ruleParams = Object.fromEntries(list.map((p) => [p.rule, param ? (param as unknown as KubeObject) : null]));
  return evaluateRequest(list, request, [object], { params: ruleParams });
}
