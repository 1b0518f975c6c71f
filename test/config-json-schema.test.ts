/**
 * out/platform.schema.json, the config schema editors and non-TypeScript tools read: standard
 * JSON Schema 2020-12 that Ajv compiles in strict mode, that accepts the real config and refuses bad
 * ones, and that documents every field with its default.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
// Named import: under NodeNext the default import of ajv's CommonJS build is the module object, not the class.
import { Ajv2020, type ErrorObject } from "ajv/dist/2020.js";
import { configJsonSchema } from "../generators/bundle.ts";
import { configInput, ROOT } from "./support/config.ts";

type Schema = Record<string, unknown>;
const schema = configJsonSchema() as Schema;
const validate = new Ajv2020({ strict: true, allErrors: true }).compile(schema);

/** The config as a JSON or YAML file would hold it. */
const asJson = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

/** Every subschema with the JSON pointer of the instance location it describes. */
function* subschemas(node: unknown, path = ""): Generator<[string, Schema]> {
  if (!node || typeof node !== "object" || Array.isArray(node)) return;
  const s = node as Schema;
  yield [path, s];
  for (const [k, sub] of Object.entries((s.properties as Record<string, unknown>) ?? {}))
    yield* subschemas(sub, `${path}/${k}`);
  if (typeof s.additionalProperties === "object") yield* subschemas(s.additionalProperties, `${path}/*`);
  if (typeof s.items === "object") yield* subschemas(s.items, `${path}/[]`);
  for (const k of ["anyOf", "oneOf", "allOf"])
    for (const [i, sub] of ((s[k] as unknown[]) ?? []).entries()) yield* subschemas(sub, `${path}(${k}${i})`);
}

test("the schema compiles under Ajv strict mode, as draft 2020-12", () => {
  assert.is(schema.$schema, "https://json-schema.org/draft/2020-12/schema");
  assert.not.throws(() => new Ajv2020({ strict: true }).compile(schema));
});

test("the committed out/platform.schema.json is the schema the code exports", () => {
  const committed = JSON.parse(readFileSync(join(ROOT, "out/platform.schema.json"), "utf8"));
  assert.equal(committed, asJson(schema));
});

test("the schema uses no formats (validators differ on them, and Ajv strict refuses unknown ones)", () => {
  for (const [path, s] of subschemas(schema)) assert.is(s.format, undefined, path);
});

test("the real config (the input of platform.config.ts) is valid against the schema", () => {
  const ok = validate(asJson(configInput()));
  assert.ok(ok, JSON.stringify(validate.errors, null, 2));
});

const refused: { description: string; overrides: unknown; at: string; keyword: string }[] = [
  {
    description: "a misspelt key",
    overrides: { services: { "risk-engine": { replcias: 2 } } },
    at: "/services/risk-engine",
    keyword: "additionalProperties",
  },
  {
    description: "a CPU quantity in words",
    overrides: { services: { "risk-engine": { resources: { requests: { cpu: "2 cores" } } } } },
    at: "/services/risk-engine/resources/requests/cpu",
    keyword: "pattern",
  },
  {
    description: "an image reference with a space",
    overrides: { services: { "order-manager": { image: "x:1 --privileged" } } },
    at: "/services/order-manager/image",
    keyword: "pattern",
  },
  {
    description: "a probe path with a line break",
    overrides: { services: { "order-manager": { probes: { liveness: { path: "/health\nx" } } } } },
    at: "/services/order-manager/probes/liveness/path",
    keyword: "pattern",
  },
  {
    description: "a rollout surge that is neither a count nor a percentage",
    overrides: { tiers: { "high-performance": { rollout: { maxSurge: "25" } } } },
    at: "/tiers/high-performance/rollout/maxSurge",
    keyword: "anyOf",
  },
  {
    description: "an alert threshold that is neither a duration, a percentage nor a number",
    overrides: { monitoring: { alerts: { HighErrorRate: { threshold: true } } } },
    at: "/monitoring/alerts/HighErrorRate/threshold",
    keyword: "anyOf",
  },
  {
    description: "an alert of an unknown kind",
    overrides: { monitoring: { alerts: { HighErrorRate: { kind: "rate" } } } },
    at: "/monitoring/alerts/HighErrorRate",
    keyword: "oneOf",
  },
  {
    description: "a missing required field",
    overrides: { monitoring: { scrapeInterval: null } },
    at: "/monitoring",
    keyword: "required",
  },
];

for (const row of refused) {
  test(`the schema refuses ${row.description}, at its instance path`, () => {
    const ok = validate(asJson(configInput(row.overrides)));
    assert.is(ok, false);
    const errors = (validate.errors ?? []) as ErrorObject[];
    assert.ok(
      errors.some((e) => e.instancePath === row.at && e.keyword === row.keyword),
      `expected ${row.keyword} at ${row.at}, got ${JSON.stringify(errors.map((e) => [e.instancePath, e.keyword]))}`,
    );
  });
}

test("every field has a description", () => {
  const undocumented: string[] = [];
  for (const [path, s] of subschemas(schema)) if (typeof s.description !== "string") undocumented.push(path);
  assert.equal(undocumented, []);
});

test("every default is in the schema, valid against its own field, and named in the description", () => {
  let defaults = 0;
  for (const [path, s] of subschemas(schema)) {
    if (!("default" in s)) continue;
    defaults++;
    const { default: value, ...field } = s;
    const own = new Ajv2020({ strict: true }).compile(field);
    assert.ok(own(value), `${path}: default ${JSON.stringify(value)} is invalid: ${JSON.stringify(own.errors)}`);
    assert.ok(String(s.description).endsWith(`@default ${JSON.stringify(value)}`), `${path}: ${s.description}`);
  }
  // Unit fields (durations) carry their defaults as written ("10s"), not as canonical numbers.
  const probe = (schema.properties as Schema).services as Schema;
  const period = JSON.stringify(probe).match(/"default":"10s"/g) ?? [];
  assert.ok(period.length >= 2, "probe periods default to 10s as written");
  assert.ok(defaults >= 35, `only ${defaults} defaults`);
});

test("descriptions carry what the schema's comments said", () => {
  const text = JSON.stringify(schema);
  for (const phrase of [
    "PriorityClass value; higher preempts lower.",
    "Mount the ServiceAccount token only for services that call the Kubernetes API.",
    "the static CPU manager needs a non-zero reservation",
    "The node subnets of the cluster.",
    "Port the Service exposes for HTTP (the seed's 8000).",
  ])
    assert.ok(text.includes(phrase), phrase);
});

test.run();
