/**
 * Turns a config value into a Platform, or into messages that each name the config path and what
 * is expected: `services.risk-engine.resources.requests.cpu: expected a CPU quantity like "2" or "500m", got "2
 * cores"`.
 */
import type { z } from "zod";
import { platformSchema, type Platform } from "./platform.ts";

export type ParseResult = { ok: true; platform: Platform } | { ok: false; errors: string[] };

export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || "(config)";
}

function formatIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === "unrecognized_keys") {
    return issue.keys
      .map((k) => `${formatPath([...issue.path, k])}: unknown key (not part of the config schema; check the spelling)`)
      .join("\n");
  }
  // A record key's own problems come nested; say them instead of "Invalid key in record".
  if (issue.code === "invalid_key") {
    return `${formatPath(issue.path)}: ${issue.issues.map((i) => i.message).join("; ")}`;
  }
  if (issue.code === "invalid_type") {
    if (issue.input === undefined) return `${formatPath(issue.path)}: required (expected ${issue.expected})`;
    return `${formatPath(issue.path)}: expected ${issue.expected}, got ${describe(issue.input)}`;
  }
  return `${formatPath(issue.path)}: ${issue.message}`;
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") return "an object";
  return `${typeof v} ${JSON.stringify(v)}`;
}

export function parsePlatform(input: unknown): ParseResult {
  // reportInput: issues carry the offending value, so "got ..." can name it.
  const result = platformSchema.safeParse(input, { reportInput: true });
  if (result.success) return { ok: true, platform: result.data };
  return { ok: false, errors: result.error.issues.flatMap((i) => formatIssue(i).split("\n")) };
}
