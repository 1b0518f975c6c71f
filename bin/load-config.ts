/**
 * Loads platform.config.ts (or any module whose default export is a config) and parses it. Whatever
 * goes wrong (a syntax error, a config that throws, even `throw undefined`, a value zod refuses) is
 * returned as findings of engine "config" that carry the file, line and column, never thrown.
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { configFinding, type Finding } from "../core/finding.ts";
import { describeThrown, parsePlatform } from "../schemas/parse.ts";
import type { Platform } from "../schemas/platform.ts";
import { ConfigSource, type Position } from "./config-source.ts";
import { locateConfigFindings } from "./locate-findings.ts";
import { ConfigSyntaxError, importConfigModule, MissingImportError } from "./config-module.ts";
import { DATA_CONFIG, loadDataConfig } from "./data-config.ts";

export class UsageError extends Error {}

/** `summary` completes "<file>: ...": "the config does not load", "the config is not valid". */
export type ConfigErrors = { ok: false; summary: string; findings: Finding[] };

export type LoadResult = { ok: true; platform: Platform; source: ConfigSource } | ConfigErrors;

/** Config findings from a later stage (resolving environments, building the bundle), at their lines. */
export function invalidConfig(findings: readonly Finding[], file: string, source: ConfigSource): ConfigErrors {
  return { ok: false, summary: "the config is not valid", findings: locateConfigFindings(findings, file, source) };
}

function safely<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

/** Where in the config file a load error points: esbuild's position, a stack frame in the file, or a quoted name. */
function loadError(e: unknown, path: string, source: ConfigSource): { at?: Position; message: string; rule: string } {
  if (e instanceof ConfigSyntaxError)
    return {
      ...(e.line === undefined ? {} : { at: { line: e.line, column: e.column ?? 0 } }),
      message: e.message,
      rule: "syntax-error",
    };
  if (e instanceof MissingImportError) {
    const quoted = source.positionOf(`"${e.specifier}"`) ?? source.positionOf(`'${e.specifier}'`);
    return {
      ...(quoted ? { at: quoted } : {}),
      message: `evaluating the config failed: ${e.message}`,
      rule: "missing-import",
    };
  }
  const thrown = safely(() => describeThrown(e)) ?? "it threw a value that cannot be described";
  const message = `evaluating the config failed: ${thrown}`;
  const stack = safely(() => (e instanceof Error ? String(e.stack) : "")) ?? "";
  const frame = stack
    .split("\n")
    .map((l) => /\((.*):(\d+):(\d+)\)$|at (.*):(\d+):(\d+)$/.exec(l.trim()))
    .find((m) => m && (m[1] ?? m[4])?.replace(/^file:\/\//, "") === path);
  if (frame)
    return {
      at: { line: Number(frame[2] ?? frame[5]), column: Number(frame[3] ?? frame[6]) },
      message,
      rule: "throws",
    };
  const missing = /Cannot find (?:module|package) '([^']+)'/.exec(message);
  const quoted = missing && (source.positionOf(`"${missing[1]}"`) ?? source.positionOf(`'${missing[1]}'`));
  return { ...(quoted ? { at: quoted } : {}), message, rule: missing ? "missing-import" : "throws" };
}

/**
 * A config in a folder without `"type": "module"` is compiled to CommonJS, whose `module.exports` is
 * `{ __esModule, default }`: the config is its default. A no-op on an ES module's namespace.
 */
function cjsInterop(mod: { default?: unknown }): { default?: unknown } {
  const inner = safely(() => mod.default);
  return inner && typeof inner === "object" && "__esModule" in inner ? (inner as { default?: unknown }) : mod;
}

export async function loadConfig(file: string): Promise<LoadResult> {
  const path = resolve(file);
  if (!existsSync(path)) throw new UsageError(`${file}: no such config file`);
  if (DATA_CONFIG.test(path)) return loadDataConfig(file, path);
  const source = new ConfigSource(readFileSync(path, "utf8"));
  const fail = (summary: string, findings: Finding[]): LoadResult => ({
    ok: false,
    summary,
    findings: locateConfigFindings(findings, file, source),
  });
  let mod: { default?: unknown };
  try {
    mod = cjsInterop(await importConfigModule(path));
  } catch (e) {
    const { at, message, rule } = loadError(e, path, source);
    const finding = configFinding(rule, "", message, {
      file,
      hint:
        rule === "syntax-error"
          ? "fix the TypeScript syntax at this place"
          : "the config module must evaluate without throwing and export the config",
    });
    return fail("the config does not load", [at ? { ...finding, line: at.line, column: at.column } : finding]);
  }
  const value = safely(() => mod.default);
  if (value === undefined)
    return fail("the config does not load", [
      configFinding("no-default-export", "", "the config has no default export", {
        file,
        hint: "write `export default definePlatform({ ... })`",
      }),
    ]);
  const parsed = parsePlatform(value);
  if (!parsed.ok) return invalidConfig(parsed.errors, file, source);
  return { ok: true, platform: parsed.platform, source };
}
