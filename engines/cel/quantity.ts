/**
 * Kubernetes' CEL quantity library (k8s.io/apiserver/pkg/cel/library/quantity.go) on @bufbuild/cel,
 * with resource.Quantity's parsing rules (k8s.io/apimachinery/pkg/api/resource).
 *
 * A quantity is held exactly as a whole number of nano-units (bigint): ParseQuantity rounds every
 * value up (away from zero) to a multiple of 1n, so nano-units lose nothing and compare exactly.
 *
 * @bufbuild/cel has no way to declare an opaque type without a protobuf descriptor, so a Quantity
 * is a CEL map with a single reserved key holding its canonical nano value. Two consequences, both
 * matching Kubernetes: `quantity("1") == quantity("1000m")` is true (Kubernetes compares with Cmp),
 * and the methods below accept only such maps. `type(q)` says map rather than Quantity.
 */
import { celFunc, celMap, celMethod, CelScalar, isCelMap, mapType, type CelFunc, type CelMap } from "@bufbuild/cel";

const NANO_PER_UNIT = 1_000_000_000n;
const MAX_INT64 = (1n << 63n) - 1n;
const MIN_INT64 = -(1n << 63n);
/** Exponents past this would build absurd bigints; Kubernetes' own inf.Dec would not get there either. */
const MAX_EXPONENT = 1000;

const QUANTITY_KEY = "__kubernetes_quantity_nano__";

const DECIMAL_SUFFIX: Record<string, number> = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIX: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };

/** `<sign><digits>[.<digits>]<suffix>` where suffix is decimal SI, binary SI or `e<int>`/`E<int>`. */
const QUANTITY_PATTERN = /^([+-]?)(\d*)(?:\.(\d*))?(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

export class QuantityParseError extends Error {}

/** Parses like resource.ParseQuantity and returns the value in nano-units (rounded up away from zero). */
export function parseQuantity(text: string): bigint {
  const m = QUANTITY_PATTERN.exec(text);
  if (!m || text.length === 0) throw new QuantityParseError(`quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`);
  const [, sign = "", whole = "", fraction = "", suffix = ""] = m;
  if (whole === "" && fraction === "") throw new QuantityParseError(`quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`);
  // value = digits / 10^fraction.length, scaled by the suffix, all as one fraction num/den.
  let num = BigInt(whole + fraction || "0");
  let den = 10n ** BigInt(fraction.length);
  let binary = false;
  if (suffix in BINARY_SUFFIX) {
    num *= 1n << BigInt(BINARY_SUFFIX[suffix]!);
    binary = true;
  } else {
    const exp = suffix in DECIMAL_SUFFIX ? DECIMAL_SUFFIX[suffix]! : Number(suffix.slice(1));
    if (Math.abs(exp) > MAX_EXPONENT) throw new QuantityParseError(`quantity exponent out of range: ${text}`);
    if (exp >= 0) num *= 10n ** BigInt(exp);
    else den *= 10n ** BigInt(-exp);
  }
  num *= NANO_PER_UNIT;
  let nano = num / den;
  if (num % den !== 0n) nano += 1n; // inf.RoundUp to nano precision (magnitude, the sign comes next)
  // resource.ParseQuantity caps binary-SI values at 2^63-1; decimal ones are not capped.
  if (binary && nano > MAX_INT64 * NANO_PER_UNIT) nano = MAX_INT64 * NANO_PER_UNIT;
  return sign === "-" ? -nano : nano;
}

export function isQuantityText(text: string): boolean {
  try {
    parseQuantity(text);
    return true;
  } catch {
    return false;
  }
}

/** The CEL value of a quantity: a one-entry map keyed by a reserved name (see the file comment). */
export function quantityValue(nano: bigint): CelMap {
  return celMap(new Map([[QUANTITY_KEY, nano.toString()]]));
}

/** The nano value of a CEL quantity, or an error naming the misuse (like cel-go's no-such-overload). */
export function nanoOf(v: unknown, fn: string): bigint {
  if (isCelMap(v) && v.size === 1) {
    const s = v.get(QUANTITY_KEY);
    if (typeof s === "string") return BigInt(s);
  }
  throw new Error(`no such overload: ${fn} expects a Quantity (from quantity("..."))`);
}

function cmp(a: bigint, b: bigint): bigint {
  return a === b ? 0n : a > b ? 1n : -1n;
}

function asInt64(nano: bigint): bigint | undefined {
  if (nano % NANO_PER_UNIT !== 0n) return undefined;
  const v = nano / NANO_PER_UNIT;
  return v > MAX_INT64 || v < MIN_INT64 ? undefined : v;
}

/** float64 of nano/1e9, correctly rounded for realistic values (exact integers up to 2^53). */
function approximateFloat(nano: bigint): number {
  const whole = nano / NANO_PER_UNIT;
  const rest = nano % NANO_PER_UNIT;
  return Number(whole) + Number(rest) / 1e9;
}

const ANY_MAP = mapType(CelScalar.DYN, CelScalar.DYN);
const { STRING, BOOL, INT, DOUBLE } = CelScalar;

/** The Kubernetes quantity functions, with Kubernetes' names and overloads. */
export const quantityFuncs: CelFunc[] = [
  celFunc("quantity", [STRING], ANY_MAP, (s) => quantityValue(parseQuantity(s))),
  celFunc("isQuantity", [STRING], BOOL, (s) => isQuantityText(s)),
  // Kubernetes declares sign as a global overload but documents `<Quantity>.sign()`: accept both.
  celFunc("sign", [ANY_MAP], INT, (q) => cmp(nanoOf(q, "sign"), 0n)),
  celMethod("sign", ANY_MAP, [], INT, function () {
    return cmp(nanoOf(this, "sign"), 0n);
  }),
  celMethod("isGreaterThan", ANY_MAP, [ANY_MAP], BOOL, function (o) {
    return nanoOf(this, "isGreaterThan") > nanoOf(o, "isGreaterThan");
  }),
  celMethod("isLessThan", ANY_MAP, [ANY_MAP], BOOL, function (o) {
    return nanoOf(this, "isLessThan") < nanoOf(o, "isLessThan");
  }),
  celMethod("compareTo", ANY_MAP, [ANY_MAP], INT, function (o) {
    return cmp(nanoOf(this, "compareTo"), nanoOf(o, "compareTo"));
  }),
  celMethod("isInteger", ANY_MAP, [], BOOL, function () {
    return asInt64(nanoOf(this, "isInteger")) !== undefined;
  }),
  celMethod("asInteger", ANY_MAP, [], INT, function () {
    const v = asInt64(nanoOf(this, "asInteger"));
    if (v === undefined) throw new Error("cannot convert value to integer");
    return v;
  }),
  celMethod("asApproximateFloat", ANY_MAP, [], DOUBLE, function () {
    return approximateFloat(nanoOf(this, "asApproximateFloat"));
  }),
  celMethod("add", ANY_MAP, [ANY_MAP], ANY_MAP, function (o) {
    return quantityValue(nanoOf(this, "add") + nanoOf(o, "add"));
  }),
  celMethod("add", ANY_MAP, [INT], ANY_MAP, function (i) {
    return quantityValue(nanoOf(this, "add") + i * NANO_PER_UNIT);
  }),
  celMethod("sub", ANY_MAP, [ANY_MAP], ANY_MAP, function (o) {
    return quantityValue(nanoOf(this, "sub") - nanoOf(o, "sub"));
  }),
  celMethod("sub", ANY_MAP, [INT], ANY_MAP, function (i) {
    return quantityValue(nanoOf(this, "sub") - i * NANO_PER_UNIT);
  }),
];
