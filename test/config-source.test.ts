import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigSource, parsePath } from "../bin/config-source.ts";
import { ROOT } from "./support/config.ts";

const real = readFileSync(join(ROOT, "platform.config.ts"), "utf8");
const realLines = real.split("\n");

/** The text at the located place: the key as written, so tests do not hard-code line numbers. */
function at(source: ConfigSource, path: string): { text: string; exact: boolean; found: string } {
  const loc = source.locate(path);
  const line = source.text.split("\n")[loc.line - 1] ?? "";
  return { text: line.slice(loc.column - 1), exact: loc.exact, found: loc.found };
}

test("paths parse into keys and indexes, with quoted keys and keys that hold dashes or slashes", () => {
  assert.equal(parsePath("services.risk-engine.volumes[0].claim"), ["services", "risk-engine", "volumes", 0, "claim"]);
  assert.equal(parsePath('metadata.labels["app.kubernetes.io/name"]'), [
    "metadata",
    "labels",
    "app.kubernetes.io/name",
  ]);
  assert.equal(parsePath("resources.requests.hugepages-2Mi"), ["resources", "requests", "hugepages-2Mi"]);
  assert.equal(parsePath(""), []);
});

const realRows: { path: string; startsWith: string; line?: (l: string) => boolean }[] = [
  { path: "name", startsWith: 'name: "nautilus"' },
  { path: "services.risk-engine", startsWith: '"risk-engine": {' },
  { path: "services.risk-engine.resources.requests.cpu", startsWith: 'cpu: "2", memory: "1Gi", "hugepages-2Mi"' },
  { path: "services.risk-engine.resources.requests.hugepages-2Mi", startsWith: '"hugepages-2Mi": "512Mi" }' },
  { path: "services.strategy-engine.volumes[0].claim", startsWith: 'claim: "logs"' },
  { path: "environments.staging.services.order-manager.replicas", startsWith: "replicas: 2 }" },
  { path: "tiers.ultra-low-latency.tolerations[0].effect", startsWith: 'effect: "NoSchedule"' },
  { path: "monitoring.alerts.HighErrorRate.threshold", startsWith: 'threshold: "1%"' },
  { path: "monitoring.metrics.nautilus_requests_total.services[6]", startsWith: '"smart-order-router"' },
  { path: "network.nodeCidrs[0]", startsWith: '"10.64.0.0/16"' },
];

for (const row of realRows) {
  test(`on the real config, ${row.path} is found where its key is written`, () => {
    const hit = at(new ConfigSource(real), row.path);
    assert.ok(hit.exact, JSON.stringify(hit));
    assert.ok(hit.text.startsWith(row.startsWith), `got: ${hit.text}`);
  });
}

test("on the real config, a value that comes from a const is found in the const's declaration", () => {
  const hit = at(new ConfigSource(real), "services.risk-engine.probes.liveness.path");
  assert.ok(hit.exact);
  assert.ok(hit.text.startsWith('path: "/health/live"'), hit.text);
  const line = new ConfigSource(real).locate("services.risk-engine.probes.liveness.path").line;
  assert.match(realLines.slice(0, line).join("\n"), /const healthProbes = \{[\s\S]*$/);
});

test("on the real config, a key not written (prod sets nothing) falls back to the nearest written ancestor", () => {
  const hit = at(new ConfigSource(real), "environments.prod.services.risk-engine.replicas");
  assert.is(hit.exact, false);
  assert.is(hit.found, "environments.prod");
  assert.ok(hit.text.startsWith("prod: {}"), hit.text);
  const unknown = at(new ConfigSource(real), "services.no-such-service.replicas");
  assert.is(unknown.found, "services");
});

const snippets: { description: string; source: string; path: string; expect: [number, number]; exact?: boolean }[] = [
  {
    description: "braces, colons and keys inside strings, template literals and comments are not code",
    source: [
      "// services: { x: 1 }",
      "/* replicas: 9, { */",
      "const s = 'a { b: \"c\" }';",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: TypeScript source text, templates included
      "const t = `x ${ { replicas: `${'}'}` } } y`;",
      "export default definePlatform({",
      "  note: `{ not: a key }`, // }",
      '  services: { "risk-engine": { replicas: 2 } },',
      "});",
    ].join("\n"),
    path: "services.risk-engine.replicas",
    expect: [7, 32],
  },
  {
    description: "a regular expression with braces and quotes does not confuse the tokenizer",
    source: 'export default {\n  pattern: /[{"]+\\/x/g,\n  b: { c: 1 },\n};\n',
    path: "b.c",
    expect: [3, 8],
  },
  {
    description: "division is not mistaken for a regular expression",
    source: "const half = 4 / 2 / 1;\nexport default {\n  a: half / 2,\n  b: { c: 1 },\n};\n",
    path: "b.c",
    expect: [4, 8],
  },
  {
    description: "shorthand properties are followed to their declaration",
    source: "const services = {\n  web: { replicas: 3 },\n};\nexport default definePlatform({ services });\n",
    path: "services.web.replicas",
    expect: [2, 10],
  },
  {
    description: "spreads are searched, the last writer of a key wins",
    source: [
      "const base = { replicas: 1, image: 'a' };",
      "export default {",
      "  services: {",
      "    web: { ...base, replicas: 3 },",
      "    api: { replicas: 5, ...base },",
      "  },",
      "};",
    ].join("\n"),
    path: "services.web.image",
    expect: [1, 29],
  },
  {
    description: "a key written after a spread beats the spread",
    source: "const base = { replicas: 1 };\nexport default { web: { ...base, replicas: 3 } };\n",
    path: "web.replicas",
    expect: [2, 34],
  },
  {
    description: "a spread after a key wins over it",
    source: "const base = { replicas: 1 };\nexport default { web: { replicas: 3, ...base } };\n",
    path: "web.replicas",
    expect: [1, 16],
  },
  {
    description: "member access on a declared object is followed",
    source: "const probes = { http: { path: '/h' } };\nexport default { svc: { probe: probes.http } };\n",
    path: "svc.probe.path",
    expect: [1, 26],
  },
  {
    description: "quoted and numeric keys, `as const` and `satisfies` are understood",
    source:
      "export default {\n  'a-b': { \"c.d\": 1, 2: 'two' } as const,\n" +
      "  e: { f: [1, { g: 1 }] } satisfies Record<string, unknown>,\n};\n",
    path: "e.f[1].g",
    expect: [3, 17],
  },
  {
    description: "a key holding dots is found when the path writes it unquoted",
    source: "export default {\n  'a-b': { \"c.d\": 1 },\n};\n",
    path: "a-b.c.d",
    expect: [2, 12],
  },
  {
    description: "a key built by code falls back to its nearest written ancestor",
    source: "const k = 'web';\nexport default {\n  services: {\n    [k]: { replicas: 2 },\n  },\n};\n",
    path: "services.web.replicas",
    expect: [3, 3],
    exact: false,
  },
  {
    description: "a value returned by a function falls back to the key that holds it",
    source: "function make() { return { replicas: 2 }; }\nexport default {\n  services: { web: make() },\n};\n",
    path: "services.web.replicas",
    expect: [3, 15],
    exact: false,
  },
  {
    description: "array indexes count elements, and stop counting at a spread",
    source: "const more = [1];\nexport default {\n  xs: [\n    'a',\n    ...more,\n    'c',\n  ],\n};\n",
    path: "xs[2]",
    expect: [3, 3],
    exact: false,
  },
  {
    description: "a default export through a variable and a wrapping call",
    source: "const config = definePlatform({\n  name: 'x',\n});\nexport default config;\n",
    path: "name",
    expect: [2, 3],
  },
  {
    description: "getters and methods are keys too",
    source: "export default {\n  get name() { return 'x'; },\n  build() { return { a: 1 }; },\n};\n",
    path: "name",
    expect: [2, 7],
  },
  {
    description: "arrow functions and ternaries inside values are skipped whole",
    source:
      "export default {\n  a: (x) => ({ b: x }),\n  c: cond ? { d: 1 } : { d: 2 },\n" +
      "  e: { f: [1, 2].map((n) => ({ n })) },\n  g: { h: 1 },\n};\n",
    path: "g.h",
    expect: [5, 8],
  },
  {
    description: "a file with no default export answers line 1",
    source: "const x = { a: 1 };\n",
    path: "a",
    expect: [1, 1],
    exact: false,
  },
  {
    description: "an unterminated string or comment does not throw: the answer is the nearest ancestor",
    source: "export default {\n  a: 'oops,\n  b: { c: 1 } /* never closed",
    path: "b.c",
    expect: [1, 16],
    exact: false,
  },
];

for (const row of snippets) {
  test(`locator: ${row.description}`, () => {
    const loc = new ConfigSource(row.source).locate(row.path);
    assert.equal([loc.line, loc.column], row.expect, JSON.stringify(loc));
    assert.is(loc.exact, row.exact ?? true);
  });
}

test("broken or hostile sources end: stray closers, self-spreading declarations, an empty file", () => {
  for (const src of [
    "export default { ) ] ; a: 1 }",
    "export default [ ) } ]",
    "export default f( ] , { a: 1 }",
    "const a = { ...a, ...a, ...a, ...a, ...a, ...a, ...a, ...a };\nexport default a;",
    "",
    "export default",
    "`unterminated ${ {",
  ]) {
    const loc = new ConfigSource(src).locate("a.b.c");
    assert.ok(loc.line >= 1 && loc.column >= 1, src);
  }
});

test.run();
