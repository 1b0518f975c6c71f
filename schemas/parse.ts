/**
 * Turns a config value into a Platform, or into findings (engine "config") that each name the config
 * path and what is expected: `services.risk-engine.resources.requests.cpu: expected a CPU quantity like
 * "2" or "500m", got "2 cores"`. Whatever the value is (a BigInt, NaN, a getter that throws, a cycle),
 * the answer is findings, never an exception.
 */
import type { z } from "zod";
import { didYouMean } from "../core/field-path.ts";
import { configFinding, type Finding } from "../core/finding.ts";
import { platformSchema, type Platform } from "./platform.ts";

export type ParseResult = { ok: true; platform: Platform } | { ok: false; errors: Finding[] };

export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || "(config)";
}

/** A thrown value as words: `throw undefined` and `throw "x"` are as possible as `throw new Error()`. */
export function describeThrown(e: unknown): string {
  if (e instanceof Error) return e.message.split("\n")[0] || e.name;
  if (e === undefined || e === null) return `it threw ${e} (no error object)`;
  return `it threw ${describe(e)}`;
}

/** A value as an error message names it: `string "2 cores"`, `NaN`, `a function`. */
export function describe(v: unknown): string {
  if (v === null) return "null";
  if (v === undefined) return "undefined";
  if (Array.isArray(v)) return "an array";
  switch (typeof v) {
    case "number":
      return Number.isNaN(v) ? "NaN" : Number.isFinite(v) ? `number ${v}` : v > 0 ? "Infinity" : "-Infinity";
    case "bigint":
      return `a BigInt (${v}n)`;
    case "symbol":
      return "a symbol";
    case "function":
      return "a function";
    case "object":
      return Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null
        ? "an object"
        : `an instance of ${(v as object).constructor?.name || "a class"}`;
    default:
      return `${typeof v} ${JSON.stringify(v)}`;
  }
}

function hintFor(v: unknown): string | undefined {
  if (typeof v === "number" && !Number.isFinite(v))
    return "a computed number came out as NaN or Infinity: check the arithmetic (a missing value, a division by 0)";
  if (typeof v === "bigint") return "write a plain number (2, not 2n)";
  if (typeof v === "function") return "call the function, or write the value itself";
  return undefined;
}

type Keyed = { _zod: { def: Record<string, unknown> } };

/** The keys the schema allows at `path`, for "did you mean"; best effort, empty when the shape is dynamic. */
function knownKeys(schema: Keyed | undefined, path: readonly PropertyKey[]): string[] {
  if (!schema?._zod) return [];
  const def = schema._zod.def;
  const inner = (def.innerType ?? (def.type === "pipe" ? def.in : undefined)) as Keyed | undefined;
  if (inner) return knownKeys(inner, path);
  if (def.type === "lazy") return knownKeys((def.getter as () => Keyed)(), path);
  if (def.type === "union") return [...new Set((def.options as Keyed[]).flatMap((o) => knownKeys(o, path)))];
  if (def.type === "intersection")
    return [...knownKeys(def.left as Keyed, path), ...knownKeys(def.right as Keyed, path)];
  const [head, ...rest] = path;
  if (def.type === "object") {
    const shape = def.shape as Record<string, Keyed>;
    return head === undefined ? Object.keys(shape) : knownKeys(shape[String(head)], rest);
  }
  if (head === undefined) return [];
  if (def.type === "record") return knownKeys(def.valueType as Keyed, rest);
  if (def.type === "array") return knownKeys(def.element as Keyed, rest);
  return [];
}

function findingsOf(issue: z.core.$ZodIssue): Finding[] {
  const path = formatPath(issue.path);
  if (issue.code === "unrecognized_keys") {
    const known = knownKeys(platformSchema as unknown as Keyed, issue.path);
    return issue.keys.map((k) => {
      const near = didYouMean(k, known);
      return configFinding(
        "unknown-key",
        formatPath([...issue.path, k]),
        "unknown key (not part of the config schema; check the spelling)",
        near
          ? { hint: `did you mean "${near}"?` }
          : known.length > 0
            ? { hint: `known keys: ${known.join(", ")}` }
            : {},
      );
    });
  }
  // A record key's own problems come nested; say them instead of "Invalid key in record".
  if (issue.code === "invalid_key")
    return [configFinding("invalid-key", path, issue.issues.map((i) => i.message).join("; "))];
  if (issue.code === "invalid_type") {
    if (issue.input === undefined) return [configFinding("required", path, `required (expected ${issue.expected})`)];
    const hint = hintFor(issue.input);
    return [
      configFinding(
        "invalid-type",
        path,
        `expected ${issue.expected}, got ${describe(issue.input)}`,
        hint ? { hint } : {},
      ),
    ];
  }
  return [configFinding("invalid-value", path, issue.message)];
}

interface Copy {
  value: unknown;
  errors: Finding[];
}

/**
 * The config as plain data, read once: getters run here, and one that throws becomes a finding at
 * its path instead of an exception inside zod; a value that contains itself is refused by path.
 * Non-plain values (BigInt, symbols, functions, class instances) are left for the schema to name.
 */
function plainCopy(input: unknown): Copy {
  const errors: Finding[] = [];
  const ancestors = new Map<object, readonly PropertyKey[]>();
  const read = (container: object, key: PropertyKey, path: readonly PropertyKey[]): { ok: boolean; v?: unknown } => {
    try {
      return { ok: true, v: (container as Record<PropertyKey, unknown>)[key] };
    } catch (e) {
      errors.push(
        configFinding("unreadable", formatPath(path), `reading this value failed: ${describeThrown(e)}`, {
          hint: "the config must evaluate to plain values; a getter or proxy in it threw",
        }),
      );
      return { ok: false };
    }
  };
  const copy = (v: unknown, path: readonly PropertyKey[]): unknown => {
    if (v === null || typeof v !== "object") return v;
    const proto = Object.getPrototypeOf(v);
    if (!Array.isArray(v) && proto !== Object.prototype && proto !== null) return v;
    const seen = ancestors.get(v);
    if (seen) {
      errors.push(
        configFinding("cycle", formatPath(path), `this value contains itself (it is ${formatPath(seen)})`, {
          hint: "the config must be a tree of plain values",
        }),
      );
      return undefined;
    }
    ancestors.set(v, path);
    let keys: string[];
    try {
      keys = Array.isArray(v) ? Array.from({ length: v.length }, (_, i) => String(i)) : Object.keys(v);
    } catch (e) {
      errors.push(configFinding("unreadable", formatPath(path), `listing its keys failed: ${describeThrown(e)}`));
      keys = [];
    }
    const out: unknown[] | Record<string, unknown> = Array.isArray(v) ? [] : {};
    for (const k of keys) {
      const at = [...path, Array.isArray(v) ? Number(k) : k];
      const r = read(v, k, at);
      if (r.ok) (out as Record<string, unknown>)[k] = copy(r.v, at);
    }
    ancestors.delete(v);
    return out;
  };
  const value = copy(input, []);
  return { value, errors };
}

export function parsePlatform(input: unknown): ParseResult {
  const copied = plainCopy(input);
  if (copied.errors.length > 0) return { ok: false, errors: copied.errors };
  let result: ReturnType<typeof platformSchema.safeParse>;
  try {
    // reportInput: issues carry the offending value, so "got ..." can name it.
    result = platformSchema.safeParse(copied.value, { reportInput: true });
  } catch (e) {
    return {
      ok: false,
      errors: [configFinding("invalid-value", "(config)", `the config could not be validated: ${describeThrown(e)}`)],
    };
  }
  if (result.success) return { ok: true, platform: result.data };
  return { ok: false, errors: result.error.issues.flatMap(findingsOf) };
}
