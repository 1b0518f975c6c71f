/**
 * Kubernetes' CEL quantity library and the string extensions, checked against the examples
 * Kubernetes documents in k8s.io/apiserver/pkg/cel/library/quantity.go and the "CEL in Kubernetes"
 * page, plus resource.Quantity's parsing rules.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { evaluateExpression } from "../engines/cel/library.ts";
import { parseQuantityNano as parseQuantity } from "../core/k8s/quantity.ts";

const ev = (expr: string, vars?: Record<string, unknown>) => evaluateExpression(expr, vars);

/** [expression, expected] from quantity.go's doc comment (the examples that type-check there). */
const documented: [string, unknown][] = [
  [`isQuantity('1.3G')`, true],
  [`isQuantity('1.3Gi')`, true],
  [`isQuantity('1,3G')`, false],
  [`isQuantity('10000k')`, true],
  [`isQuantity('200K')`, false],
  [`isQuantity('Three')`, false],
  [`isQuantity('Mi')`, false],
  [`quantity("50000000G").isInteger()`, true],
  [`quantity("50k").isInteger()`, true],
  [`quantity("9999999999999999999999999999999999999G").isInteger()`, false],
  [`quantity("50k").asInteger() == 50000`, true],
  [`quantity("50k").sub(20000).asApproximateFloat() == 30000.0`, true],
  [`quantity("50k").add(quantity("20k")) == quantity("70k")`, true],
  [`quantity("50k").add(20) == quantity("50020")`, true],
  [`quantity("50k").sub(quantity("20k")) == quantity("30k")`, true],
  [`quantity("50k").sub(20000) == quantity("30k")`, true],
  [`quantity("50k").add(20).sub(quantity("100k")).sub(-50000) == quantity("20")`, true],
  [`quantity("200M").compareTo(quantity("0.2G"))`, 0n],
  [`quantity("50M").compareTo(quantity("50Mi"))`, -1n],
  [`quantity("50Mi").compareTo(quantity("50M"))`, 1n],
  [`quantity("150Mi").isGreaterThan(quantity("100Mi"))`, true],
  [`quantity("50Mi").isGreaterThan(quantity("100Mi"))`, false],
  [`quantity("50M").isLessThan(quantity("100M"))`, true],
  [`quantity("100M").isLessThan(quantity("50M"))`, false],
];

for (const [expr, expected] of documented) {
  test(`the documented example ${expr} gives ${String(expected)}`, () => {
    assert.equal(ev(expr), expected);
  });
}

for (const bad of ["200K", "Three", "Mi", ""]) {
  test(`quantity('${bad}') is an error, as Kubernetes documents`, () => {
    assert.throws(() => ev(`quantity('${bad}')`), /quantities must match/);
  });
}

test("asInteger of a value beyond int64 is the error Kubernetes documents", () => {
  assert.throws(
    () => ev(`quantity("9999999999999999999999999999999999999G").asInteger()`),
    /cannot convert value to integer/,
  );
});

test("cpu quantities compare exactly across notations: 2 equals 2000m and 2.0, 1500m is 1.5", () => {
  assert.is(ev(`quantity('2').compareTo(quantity('2000m'))`), 0n);
  assert.is(ev(`quantity('2.0').compareTo(quantity('2'))`), 0n);
  assert.is(ev(`quantity('1500m').compareTo(quantity('1.5'))`), 0n);
  assert.is(ev(`quantity('1') == quantity('1000m')`), true);
});

test("whole CPUs are integers and fractions are not", () => {
  assert.is(ev(`quantity('2000m').isInteger()`), true);
  assert.is(ev(`quantity('1500m').isInteger()`), false);
  assert.is(ev(`quantity('0.5').isInteger()`), false);
  assert.is(ev(`quantity('2000m').asInteger()`), 2n);
});

test("memory quantities compare binary and decimal suffixes exactly", () => {
  assert.is(ev(`quantity('1Gi').compareTo(quantity('1024Mi'))`), 0n);
  assert.is(ev(`quantity('1Gi').isGreaterThan(quantity('1G'))`), true);
  assert.is(ev(`quantity('1.5Gi').compareTo(quantity('1536Mi'))`), 0n);
  assert.is(ev(`quantity('1Ki').asInteger()`), 1024n);
});

test("every suffix and exponent form parses to its exact value", () => {
  const nano = (s: string) => parseQuantity(s);
  assert.is(nano("1n"), 1n);
  assert.is(nano("1u"), 1000n);
  assert.is(nano("1m"), 1_000_000n);
  assert.is(nano("1"), 1_000_000_000n);
  assert.is(nano("1k"), 10n ** 12n);
  assert.is(nano("1M"), 10n ** 15n);
  assert.is(nano("1G"), 10n ** 18n);
  assert.is(nano("1T"), 10n ** 21n);
  assert.is(nano("1P"), 10n ** 24n);
  assert.is(nano("1E"), 10n ** 27n);
  assert.is(nano("1Ei"), 2n ** 60n * 10n ** 9n);
  assert.is(nano("1e3"), 10n ** 12n);
  assert.is(nano("1E3"), 10n ** 12n);
  assert.is(nano("1.5e-3"), 1_500_000n);
  assert.is(nano("-2"), -2_000_000_000n);
  assert.is(nano("+.5"), 500_000_000n);
});

test("values finer than a nano-unit round up away from zero, as resource.ParseQuantity does", () => {
  assert.is(parseQuantity("0.1n"), 1n);
  assert.is(parseQuantity("-0.1n"), -1n);
  assert.is(parseQuantity("1e-12"), 1n);
});

test("sign is 1, 0 or -1, called either as a method or as a function", () => {
  assert.is(ev(`quantity('5').sign()`), 1n);
  assert.is(ev(`quantity('0').sign()`), 0n);
  assert.is(ev(`sign(quantity('-1m'))`), -1n);
});

test("asApproximateFloat gives the float of the quantity", () => {
  assert.is(ev(`quantity('1500m').asApproximateFloat()`), 1.5);
  assert.is(ev(`quantity('1Ki').asApproximateFloat()`), 1024);
});

test("quantity methods reject a map that is not a quantity", () => {
  assert.throws(() => ev(`{'a': 'b'}.isInteger()`), /expects a Quantity/);
});

test("string extensions behave as in Kubernetes' CEL environment", () => {
  assert.is(ev(`'registry:5000/app:1.2'.lastIndexOf('/')`), 13n);
  assert.is(ev(`'registry:5000/app'.indexOf(':')`), 8n);
  assert.is(ev(`'registry:5000/app:1.2'.substring(14)`), "app:1.2");
  assert.is(ev(`'A-b'.lowerAscii()`), "a-b");
  assert.equal(ev(`'a,b,c'.split(',')`), ["a", "b", "c"]);
  assert.is(ev(`['a', 'b'].join(', ')`), "a, b");
  assert.is(ev(`' x '.trim()`), "x");
  assert.is(ev(`'a=b'.replace('=', '')`), "ab");
  assert.is(ev(`'hugepages-2Mi'.startsWith('hugepages-') && 'RiskEngineP99LatencyHigh'.endsWith('LatencyHigh')`), true);
  assert.is(ev(`'image:latest'.contains(':') && 'abc123'.matches('^[a-z]+[0-9]+$')`), true);
});

test("the list and map macros work on object data", () => {
  const vars = {
    object: {
      containers: [
        { name: "a", n: 1 },
        { name: "b", n: 2 },
      ],
      labels: { x: "1", y: "2" },
    },
  };
  assert.is(ev(`object.containers.all(c, c.n > 0)`, vars), true);
  assert.is(ev(`object.containers.exists(c, c.name == 'b')`, vars), true);
  assert.is(ev(`object.containers.exists_one(c, c.n == 2)`, vars), true);
  assert.equal(ev(`object.containers.map(c, c.name)`, vars), ["a", "b"]);
  assert.equal(ev(`object.containers.filter(c, c.n > 1).map(c, c.name)`, vars), ["b"]);
  assert.equal(ev(`object.labels.filter(k, k != 'x')`, vars), ["y"]);
  assert.is(ev(`has(object.labels) && !has(object.missing)`, vars), true);
});

test("whole numbers from YAML are CEL ints, so runAsUser == 0 and size comparisons type as in Kubernetes", () => {
  assert.is(ev(`object.runAsUser == 0 && object.runAsUser + 1 == 1`, { object: { runAsUser: 0 } }), true);
  assert.is(ev(`type(object.ratio) == double`, { object: { ratio: 0.5 } }), true);
});

test.run();
