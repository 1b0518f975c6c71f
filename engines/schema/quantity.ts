/**
 * Kubernetes resource quantities (`resource.Quantity`), exact.
 *
 * Grammar (k8s.io/apimachinery/pkg/api/resource/quantity.go):
 *   <quantity> ::= <signedNumber><suffix>
 *   <number>   ::= <digits> | <digits>.<digits> | <digits>. | .<digits>
 *   <suffix>   ::= <binarySI> (Ki Mi Gi Ti Pi Ei) | <decimalSI> (n u m "" k M G T P E) | e<int> | E<int>
 *
 * A value is kept as the fraction `num / den` of bigints (den > 0), so "1.5Gi", "1536Mi" and
 * "1610612736" compare equal and "0.1" is never a binary float. `E` alone is exa; `E3` is 10^3.
 */
export interface Quantity {
  readonly num: bigint;
  readonly den: bigint;
}

const BINARY: Record<string, bigint> = { Ki: 1n << 10n, Mi: 1n << 20n, Gi: 1n << 30n, Ti: 1n << 40n, Pi: 1n << 50n, Ei: 1n << 60n };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const PATTERN = /^([+-]?)(\d+\.?\d*|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

/** Parses a quantity string (or a YAML number); `undefined` when it is not a Kubernetes quantity. */
export function parseQuantity(value: unknown): Quantity | undefined {
  let text: string;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return undefined;
    text = String(value);
    // String(1e21) is "1e+21", which the grammar accepts; String(1e-7) is "1e-7", also accepted.
  } else if (typeof value === "string") text = value;
  else return undefined;
  const m = PATTERN.exec(text);
  if (!m) return undefined;
  const [, sign = "", digits = "", suffix = ""] = m;
  const [intPart = "", fracPart = ""] = digits.split(".");
  let num = BigInt((intPart || "0") + fracPart);
  let den = 10n ** BigInt(fracPart.length);
  if (sign === "-") num = -num;
  if (suffix in BINARY) num *= BINARY[suffix]!;
  else {
    const exp = suffix in DECIMAL ? DECIMAL[suffix]! : Number(suffix.slice(1));
    // Kubernetes caps exponents far below this; the cap only keeps bigint work bounded.
    if (Math.abs(exp) > 1000) return undefined;
    if (exp >= 0) num *= 10n ** BigInt(exp);
    else den *= 10n ** BigInt(-exp);
  }
  return reduce(num, den);
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
