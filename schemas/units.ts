/**
 * Unit strings are typed at compile time (template literal types) and parsed once, here, into
 * canonical numbers: CPU in millicores, memory in bytes, durations in seconds, ratios in 0..1.
 * No generator parses a unit string again.
 */
import { z } from "zod";

export type CpuQuantity = `${number}` | `${number}m`;
export type ByteQuantity = `${number}${"" | "k" | "M" | "G" | "T" | "Ki" | "Mi" | "Gi" | "Ti"}`;
export type Duration = `${number}${"ns" | "us" | "µs" | "ms" | "s" | "m" | "h"}`;
export type Percent = `${number}%`;

const NUMBER = "(?:\\d+(?:\\.\\d+)?|\\.\\d+)";
const CPU_RE = new RegExp(`^(${NUMBER})(m?)$`);
const BYTES_RE = new RegExp(`^(${NUMBER})(Ki|Mi|Gi|Ti|k|M|G|T)?$`);
export const DURATION_RE = new RegExp(`^(${NUMBER})(ns|us|µs|ms|s|m|h)$`);
export const PERCENT_RE = new RegExp(`^(${NUMBER})%$`);

const BYTE_FACTOR: Record<string, number> = {
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};
const SECOND_FACTOR: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

/** Returns millicores, or undefined when the string is not a CPU quantity. */
export function parseCpu(s: string): number | undefined {
  const m = CPU_RE.exec(s);
  if (!m) return undefined;
  const millis = m[2] === "m" ? Number(m[1]) : Number(m[1]) * 1000;
  // Kubernetes cannot express less than 1m; a fractional millicore is a typo, not a request.
  return Number.isInteger(Math.round(millis * 1e6) / 1e6) ? Math.round(millis) : undefined;
}

/** Returns bytes, or undefined when the string is not a byte quantity. */
export function parseBytes(s: string): number | undefined {
  const m = BYTES_RE.exec(s);
  if (!m) return undefined;
  const bytes = Number(m[1]) * BYTE_FACTOR[m[2] ?? ""]!;
  return Number.isInteger(bytes) ? bytes : undefined;
}

/** Returns seconds, or undefined when the string is not a duration. */
export function parseDuration(s: string): number | undefined {
  const m = DURATION_RE.exec(s);
  if (!m) return undefined;
  // Round away float noise ("2.3us" must be exactly 2.3e-6, not 2.2999999999999996e-6) at nanosecond precision.
  return Number((Number(m[1]) * SECOND_FACTOR[m[2]!]!).toPrecision(12));
}

/** Returns a ratio in 0..1, or undefined. */
export function parsePercent(s: string): number | undefined {
  const m = PERCENT_RE.exec(s);
  return m ? Number((Number(m[1]) / 100).toPrecision(12)) : undefined;
}

/** millicores → the shortest Kubernetes quantity: 2000 → "2", 1500 → "1500m". */
export function formatCpu(millicores: number): string {
  return millicores % 1000 === 0 ? String(millicores / 1000) : `${millicores}m`;
}

/** bytes → the largest exact binary suffix: 536870912 → "512Mi". */
export function formatBytes(bytes: number): string {
  for (const [suffix, factor] of [
    ["Ti", 2 ** 40],
    ["Gi", 2 ** 30],
    ["Mi", 2 ** 20],
    ["Ki", 2 ** 10],
  ] as const) {
    if (bytes >= factor && bytes % factor === 0) return `${bytes / factor}${suffix}`;
  }
  return String(bytes);
}

/** seconds → a Prometheus/Kubernetes duration string: 30 → "30s", 300 → "5m", 0.5 → "500ms". */
export function formatDuration(seconds: number): string {
  if (seconds >= 3600 && seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds >= 60 && seconds % 60 === 0) return `${seconds / 60}m`;
  if (Number.isInteger(seconds)) return `${seconds}s`;
  return `${Math.round(seconds * 1000)}ms`;
}

/** A lower bound the target system needs, and why, for the message. */
export interface Floor {
  min: number;
  why: string;
}

/**
 * The TypeScript input type of a schema that is wider at run time (a unit is any string there, a template literal
 * type at compile time), by name: the generated config declaration (bin/config-declaration.ts) writes it out.
 */
export const inputTypeName = z.registry<{ type: string }>();

/**
 * A zod schema that accepts the typed unit string `I` (named `name` for the generated declaration), reports
 * `expected` with the offending value, and outputs the canonical number, at least `floor.min` when given. The
 * regex also goes into the exported JSON Schema for editors.
 */
function unit<I extends string>(
  name: string,
  parse: (s: string) => number | undefined,
  pattern: RegExp,
  expected: string,
  floor?: Floor,
) {
  const schema = z
    .string({ error: (iss) => `expected ${expected}, got ${JSON.stringify(iss.input)}` })
    .regex(pattern, { error: (iss) => `expected ${expected}, got ${JSON.stringify(iss.input)}` })
    .transform((s, ctx) => {
      const n = parse(s);
      if (n === undefined) {
        ctx.addIssue({ code: "custom", message: `expected ${expected}, got ${JSON.stringify(s)}`, input: s });
        return z.NEVER;
      }
      if (floor && n < floor.min) {
        ctx.addIssue({ code: "custom", message: `${JSON.stringify(s)} is too small: ${floor.why}`, input: s });
        return z.NEVER;
      }
      return n;
    }) as unknown as z.ZodType<number, I>;
  inputTypeName.add(schema, { type: name });
  return schema;
}

export const cpu = (floor?: Floor) =>
  unit<CpuQuantity>("CpuQuantity", parseCpu, CPU_RE, 'a CPU quantity like "2" or "500m"', floor);
export const bytes = (floor?: Floor) =>
  unit<ByteQuantity>("ByteQuantity", parseBytes, BYTES_RE, 'a memory quantity like "512Mi" or "1Gi"', floor);
export const duration = (floor?: Floor) =>
  unit<Duration>("Duration", parseDuration, DURATION_RE, 'a duration like "3us", "500ms", "30s" or "5m"', floor);
export const percent = () => unit<Percent>("Percent", parsePercent, PERCENT_RE, 'a percentage like "95%" or "1%"');

/** Floors written once: what Prometheus and Kubernetes refuse, or silently replace, below them. */
export const FLOOR = {
  /** Prometheus replaces a zero interval or window with its default and counts in milliseconds. */
  prometheus: {
    min: 1e-3,
    why: "Prometheus needs at least 1ms (it silently replaces 0 with its 15s default, or the rule fails)",
  },
  /** Probe and HPA periods are whole seconds in the API, at least 1. */
  kubernetesPeriod: { min: 1, why: "Kubernetes counts this period in whole seconds, at least 1" },
  storage: { min: 1, why: "a volume must be larger than 0 bytes (the API server rejects a zero storage request)" },
  container: { min: 1, why: "a container needs a request above 0" },
} as const satisfies Record<string, Floor>;

/**
 * Periods the API server takes in whole seconds: `1500ms` would be rounded, so it is refused. At
 * least 1s unless `zero` is allowed (a stabilization window of 0 means "act at once").
 */
export const seconds = (opts: { max?: number; zero?: boolean } = {}) =>
  duration(opts.zero ? undefined : FLOOR.kubernetesPeriod)
    .refine((n) => Number.isInteger(n), { error: "Kubernetes counts this period in whole seconds" })
    .refine((n) => opts.max === undefined || n <= opts.max, {
      error: `Kubernetes accepts at most ${opts.max === undefined ? "" : formatDuration(opts.max)} here`,
    });
