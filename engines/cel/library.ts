/**
 * The CEL environment of a ValidatingAdmissionPolicy, as far as our policies need it:
 * CEL's standard library and macros (from @bufbuild/cel), cel-go's string extensions
 * (`indexOf`, `lastIndexOf`, `lowerAscii`, `split`, `substring`, `join`, ..., from @bufbuild/cel/ext),
 * and Kubernetes' quantity library (./quantity.ts).
 *
 * Not here (Kubernetes has them, our policies do not use them): the lists, regex (`find`),
 * url, ip/cidr, authz, format and semver libraries.
 */
import {
  celEnv,
  celError,
  celList,
  celMap,
  isCelError,
  isCelList,
  isCelMap,
  parse,
  plan,
  type CelEnv,
  type CelError,
  type CelInput,
  type CelResult,
} from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";
import { quantityFuncs } from "./quantity.ts";

export const kubernetesEnv: CelEnv = celEnv({ funcs: [...strings, ...quantityFuncs] });

/** A compiled expression: call it with the activation (values converted by toCelInput). */
export type Program = (vars: Record<string, unknown>) => CelResult;

const parsed = new Map<string, ReturnType<typeof parse>>();
const programs = new Map<string, Program>();

/**
 * Parses an expression once per text (the per-kind variants of a policy repeat most of its expressions, and the
 * type checker reads them again); throws with the parser's message (line:column) on a syntax error. The tree is
 * shared: callers only read it.
 */
export function parseExpression(expression: string): ReturnType<typeof parse> {
  let p = parsed.get(expression);
  if (!p) {
    p = parse(expression);
    parsed.set(expression, p);
  }
  return p;
}

/** Compiles an expression once per text (a program keeps no state between calls); throws as parseExpression. */
export function compileExpression(expression: string): Program {
  let program = programs.get(expression);
  if (!program) {
    const evaluate = plan(kubernetesEnv, parseExpression(expression));
    program = (vars) => {
      try {
        return evaluate(vars as never);
      } catch (e) {
        // @bufbuild/cel reports evaluation errors as values; this only catches bad inputs.
        return celError(e);
      }
    };
    programs.set(expression, program);
  }
  return program;
}

export function isError(r: CelResult): r is CelError {
  return isCelError(r);
}

/**
 * Converts parsed YAML/JSON to the values the API server gives CEL: whole numbers are `int`
 * (Kubernetes schemas type counts and ids as integers; JSON numbers would otherwise be doubles),
 * and absent (`undefined`) fields are left out so `has()` sees them as absent. Objects and arrays become CEL
 * maps and lists here, once: @bufbuild/cel converts a plain object to a map again on every access to it (a new
 * Map of all its entries each time an expression reads `object.spec`), which was most of the evaluation time.
 */
export function toCelInput(v: unknown): unknown {
  if (typeof v === "number") return Number.isInteger(v) ? BigInt(v) : v;
  if (Array.isArray(v)) {
    const items: CelInput[] = [];
    for (const x of v) if (x !== undefined) items.push(toCelInput(x) as CelInput);
    return celList(items);
  }
  if (v !== null && typeof v === "object" && !isCelMap(v) && !isCelList(v)) {
    const out = new Map<string, CelInput>();
    for (const k in v) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined && Object.hasOwn(v, k)) out.set(k, toCelInput(x) as CelInput);
    }
    return celMap(out);
  }
  return v;
}

/** An activation (variable name to value) of plain data, each value converted by toCelInput. */
export function toCelActivation(vars: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(vars)) out[k] = toCelInput(v);
  return out;
}

/** Converts a CEL result back to plain data: lists to arrays, maps to objects. */
export function fromCel(v: unknown): unknown {
  if (isCelList(v)) return [...v].map(fromCel);
  if (isCelMap(v)) return Object.fromEntries([...v.entries()].map(([k, x]) => [String(k), fromCel(x)]));
  return v;
}

/** Evaluates one expression with no variables: for tests and the library's documented examples. */
export function evaluateExpression(expression: string, vars: Record<string, unknown> = {}): unknown {
  const r = compileExpression(expression)(toCelActivation(vars));
  if (isError(r)) throw new Error(r.message);
  return fromCel(r);
}
