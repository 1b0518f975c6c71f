/**
 * Kubernetes resource quantities (`resource.Quantity`), exact: the one parser that the CEL library,
 * the API-server rules and everything else share.
 *
 * Grammar (k8s.io/apimachinery/pkg/api/resource/quantity.go):
 *   <quantity> ::= <signedNumber><suffix>
 *   <number>   ::= <digits> | <digits>.<digits> | <digits>. | .<digits>
 *   <suffix>   ::= <binarySI> (Ki Mi Gi Ti Pi Ei) | <decimalSI> (n u m "" k M G T P E) | e<int> | E<int>
 *
 * resource.ParseQuantity rounds every value up (away from zero) to a whole nano-unit, so a
 * quantity is exactly a bigint count of nano-units: "1.5Gi", "1536Mi" and "1610612736" are equal,
 * and "0.1" is never a binary float. `E` alone is exa; `E3` is 10^3.
 */
/** A quantity as the reduced fraction `num / den` of its value in units (den > 0). */
export interface Quantity {
  readonly num: bigint;
  readonly den: bigint;
}

export const NANO_PER_UNIT = 1_000_000_000n;
export const MAX_INT64 = (1n << 63n) - 1n;
export const MIN_INT64 = -(1n << 63n);
/** Exponents past this would build absurd bigints; Kubernetes' own inf.Dec would not get there either. */
const MAX_EXPONENT = 1000;

const DECIMAL_SUFFIX: Record<string, number> = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIX: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };

/** `<sign><digits>[.<digits>]<suffix>` where suffix is decimal SI, binary SI or `e<int>`/`E<int>`. */
const QUANTITY_PATTERN = /^([+-]?)(\d*)(?:\.(\d*))?(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

export class QuantityParseError extends Error {}

/** Parses like resource.ParseQuantity and returns the value in nano-units (rounded up away from zero). */
export function parseQuantityNano(text: string): bigint {
  const m = QUANTITY_PATTERN.exec(text);
  if (!m || text.length === 0)
    throw new QuantityParseError(
      `quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
    );
  const [, sign = "", whole = "", fraction = "", suffix = ""] = m;
  if (whole === "" && fraction === "")
    throw new QuantityParseError(
      `quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
    );
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

/** Parses a quantity string (or a YAML number); `undefined` when it is not a Kubernetes quantity. */
export function parseQuantity(value: unknown): Quantity | undefined {
  let text: string;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return undefined;
    // String(1e21) is "1e+21", which the grammar accepts; String(1e-7) is "1e-7", also accepted.
    text = String(value);
  } else if (typeof value === "string") text = value;
  else return undefined;
  try {
    return reduce(parseQuantityNano(text), NANO_PER_UNIT);
  } catch (e) {
    if (e instanceof QuantityParseError) return undefined;
    throw e;
  }
}

function gcd(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

function reduce(num: bigint, den: bigint): Quantity {
  const g = gcd(num, den) || 1n;
  return { num: num / g, den: den / g };
}

/** -1, 0 or 1 as `a` is less than, equal to or greater than `b`. */
export function compareQuantities(a: Quantity, b: Quantity): -1 | 0 | 1 {
  const l = a.num * b.den;
  const r = b.num * a.den;
  return l < r ? -1 : l > r ? 1 : 0;
}

/** True when `a` is a whole (possibly zero) multiple of `unit`; `unit` must not be zero. */
export function isMultipleOf(a: Quantity, unit: Quantity): boolean {
  if (unit.num === 0n) return false;
  return (a.num * unit.den) % (unit.num * a.den) === 0n;
}

export function isZero(q: Quantity): boolean {
  return q.num === 0n;
}

export function isInteger(q: Quantity): boolean {
  return q.den === 1n;
}
