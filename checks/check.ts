/**
 * The one contract of every TypeScript check (pint's shape): an id "group/name", a severity, a
 * one-line description, a doc page's worth of text with an example, what it needs to run, and a pure
 * `run(context) => Finding[]`. Checks never print, exit or read globals; `checks/registry.ts` lists them.
 */
import type { EnvironmentObjects, Finding, Severity } from "../core/finding.ts";
import type { BundleEnvironment } from "../model/environments.ts";
import type { Platform } from "../schemas/platform.ts";

/** `group/name`: the finding's engine is the group, its rule the name. */
export type CheckId = `${string}/${string}`;

/**
 * What a check reads. "objects": manifests alone, so `vet` runs it on any YAML too. "config": the
 * resolved config of each environment (and the generated files), so only `check` can run it.
 */
export type Needs = "objects" | "config";

/** The generated files of a bundle, out/-relative, and the folder `check` reads them from. */
export interface GeneratedFiles {
  dir: string;
  files: ReadonlyMap<string, string>;
}

/**
 * What every check runs on: each environment with its final objects (`vet` has one, named ""), and,
 * under `check`, each environment's resolved config, the config as written and the generated files.
 */
export interface CheckContext<E extends EnvironmentObjects = EnvironmentObjects> {
  environments: readonly E[];
  /** The config as written: the base that every environment patches. `check` only. */
  platform?: Platform;
  /** `check` only. */
  out?: GeneratedFiles;
}

/** The context as `check` builds it: everything is there. */
export type ConfigContext = CheckContext<BundleEnvironment> & Required<Pick<CheckContext, "platform" | "out">>;

/**
 * An example the docs show with the findings it produces (computed when the docs are generated, so
 * it cannot drift from what the check does; a test holds every example to at least one finding).
 */
export type CheckExample =
  /** Manifests, as `vet` would read them. */
  | { manifests: string }
  /** A change to the real platform.config.ts, deep-merged (`null` deletes a key; arrays replace). */
  | { config: Record<string, unknown> };

/** The doc page of a check, in Markdown. */
export interface CheckDoc {
  /** What it catches, precisely enough to predict a finding. */
  catches: string;
  /** Why it matters: what goes wrong in the cluster when it is ignored. */
  why: string;
  /** How to fix what it reports. */
  fix: string;
  example: CheckExample;
}

interface CheckInfo {
  id: CheckId;
  severity: Severity;
  /** One line, for tables and `--help`. */
  description: string;
  doc: CheckDoc;
}

export interface ObjectCheck extends CheckInfo {
  needs: "objects";
  run(ctx: CheckContext): Finding[];
}

export interface ConfigCheck extends CheckInfo {
  needs: "config";
  run(ctx: ConfigContext): Finding[];
}

export type Check = ObjectCheck | ConfigCheck;

export function groupOf(id: CheckId): string {
  return id.slice(0, id.indexOf("/"));
}

export function nameOf(id: CheckId): string {
  return id.slice(id.indexOf("/") + 1);
}

/** A finding of `check`: engine and rule come from its id, severity from the check unless given. */
export function findingOf(
  check: Pick<CheckInfo, "id" | "severity">,
  fields: Omit<Finding, "engine" | "rule" | "severity"> & { severity?: Severity },
): Finding {
  const { severity = check.severity, ...rest } = fields;
  return { engine: groupOf(check.id), rule: nameOf(check.id), severity, ...rest };
}

/** `vet` judges manifests outside any environment: its findings name none. */
export function environmentOf(env: { environment: string }): { environment?: string } {
  return env.environment ? { environment: env.environment } : {};
}
