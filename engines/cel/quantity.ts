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
import { MAX_INT64, MIN_INT64, NANO_PER_UNIT, parseQuantityNano as parseQuantity } from "../../core/k8s/quantity.ts";
import { celFunc, celMap, celMethod, CelScalar, isCelMap, mapType, type CelFunc, type CelMap } from "@bufbuild/cel";

const QUANTITY_KEY = "__kubernetes_quantity_nano__";

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
