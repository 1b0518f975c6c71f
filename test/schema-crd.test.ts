/**
 * Custom resources judged by the CRDs beside them, in process: one table row per rule of the structural schema, and
 * CRDs themselves loading and validating (their schema type refers to itself).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Finding, KubeObject } from "../core/finding.ts";
import { validateSchemas } from "../engines/schema.ts";
import { loadModel } from "../engines/schema/known-fields.ts";

const crd = (openAPIV3Schema: unknown, versions: { name: string; served: boolean }[] = []): KubeObject => ({
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: "widgets.example.com" },
  spec: {
    group: "example.com",
    scope: "Namespaced",
    names: { kind: "Widget", plural: "widgets" },
    versions: [
      { name: "v1", served: true, storage: true, schema: { openAPIV3Schema } },
      ...versions.map((v) => ({ ...v, storage: false, schema: { openAPIV3Schema } })),
    ],
  },
});

const widget = (spec: unknown, apiVersion = "example.com/v1"): KubeObject => ({
  apiVersion,
  kind: "Widget",
  metadata: { name: "w", namespace: "x" },
  spec,
});

const SCHEMA = {
  type: "object",
  properties: {
    spec: {
      type: "object",
      required: ["size"],
      properties: {
        size: { type: "integer", minimum: 1, maximum: 10, exclusiveMaximum: true },
        ratio: { type: "number", multipleOf: 0.5 },
        name: { type: "string", minLength: 2, maxLength: 3 },
        mode: { type: "string", enum: ["fast", "safe"] },
        port: { "x-kubernetes-int-or-string": true },
        note: { type: "string", nullable: true },
        free: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
        labels: { type: "object", additionalProperties: { type: "string" } },
        tags: { type: "array", items: { type: "string" }, uniqueItems: true, maxItems: 3 },
        template: {
          type: "object",
          "x-kubernetes-embedded-resource": true,
          properties: { spec: { type: "object", properties: { image: { type: "string" } } } },
        },
        choice: { type: "string", anyOf: [{ enum: ["a"] }, { enum: ["b"] }] },
        exclusive: { type: "integer", oneOf: [{ minimum: 5 }, { maximum: 7 }] },
        notZero: { type: "integer", not: { enum: [0] } },
      },
    },
  },
};

async function judge(spec: unknown, apiVersion?: string, extraVersions?: { name: string; served: boolean }[]) {
  const findings = await validateSchemas([
    { environment: "", objects: [crd(SCHEMA, extraVersions), widget(spec, apiVersion)] },
  ]);
  return findings.map((f: Finding) => `${f.rule} ${f.path ?? ""}`);
}

test("a self-referencing model loads (V1JSONSchemaProps.items is one) and a CRD is judged", async () => {
  assert.is(await loadModel("V1JSONSchemaProps"), true);
  const findings = await validateSchemas([{ environment: "", objects: [crd(SCHEMA)] }]);
  assert.equal(findings, []);
  const typo = crd({ type: "object", properties: { spec: { type: "object", propertiez: {} } } });
  const bad = await validateSchemas([{ environment: "", objects: [typo] }]);
  assert.equal(
    bad.map((f) => `${f.rule} ${f.path}`),
    ["unknown-field spec.versions[0].schema.openAPIV3Schema.properties.spec.propertiez"],
  );
});

const rows: { description: string; spec: unknown; expect: string[]; apiVersion?: string }[] = [
  {
    description: "a valid resource using every extension passes",
    spec: {
      size: 9,
      ratio: 1.5,
      name: "ab",
      mode: "fast",
      port: "http",
      note: null,
      free: { any: { thing: [1] } },
      labels: { a: "b" },
      tags: ["x", "y"],
      template: { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { image: "i" } },
      choice: "b",
      exclusive: 3,
      notZero: 1,
    },
    expect: [],
  },
  { description: "a missing required field", spec: {}, expect: ["schema spec.size"] },
  { description: "a wrong type", spec: { size: "3" }, expect: ["schema spec.size"] },
  { description: "an integer must be whole", spec: { size: 2.5 }, expect: ["schema spec.size"] },
  { description: "exclusive and inclusive bounds", spec: { size: 10 }, expect: ["schema spec.size"] },
  { description: "below the minimum", spec: { size: 0 }, expect: ["schema spec.size"] },
  { description: "multipleOf", spec: { size: 1, ratio: 0.7 }, expect: ["schema spec.ratio"] },
  { description: "lengths count characters", spec: { size: 1, name: "ééé" }, expect: [] },
  { description: "too long", spec: { size: 1, name: "abcd" }, expect: ["schema spec.name"] },
  { description: "an enum", spec: { size: 1, mode: "slow" }, expect: ["schema spec.mode"] },
  { description: "int-or-string refuses a fraction", spec: { size: 1, port: 1.5 }, expect: ["schema spec.port"] },
  { description: "null passes only where nullable or dropped", spec: { size: 1, mode: null }, expect: [] },
  { description: "an unknown field", spec: { size: 1, sise: 2 }, expect: ["unknown-field spec.sise"] },
  {
    description: "additionalProperties types the values of a map",
    spec: { size: 1, labels: { a: 1 } },
    expect: ["schema spec.labels.a"],
  },
  {
    description: "unique items and item counts",
    spec: { size: 1, tags: ["x", "x", "y", "z"] },
    expect: ["schema spec.tags", "schema spec.tags"],
  },
  {
    description: "embedded resources allow apiVersion, kind and metadata, nothing else undeclared",
    spec: { size: 1, template: { apiVersion: "v1", kind: "Pod", metadata: {}, extra: 1 } },
    expect: ["unknown-field spec.template.extra"],
  },
  { description: "anyOf", spec: { size: 1, choice: "c" }, expect: ["schema spec.choice"] },
  { description: "oneOf matching both", spec: { size: 1, exclusive: 6 }, expect: ["schema spec.exclusive"] },
  { description: "not", spec: { size: 1, notZero: 0 }, expect: ["schema spec.notZero"] },
  {
    description: "a version the CRD does not define",
    spec: { size: 1 },
    apiVersion: "example.com/v9",
    expect: ["api-version apiVersion"],
  },
];

for (const row of rows)
  test(`custom resource: ${row.description}`, async () => {
    assert.equal(await judge(row.spec, row.apiVersion), row.expect);
  });

test("custom resource: a version defined but not served is refused; a served second version is judged", async () => {
  const versions = [
    { name: "v1beta1", served: false },
    { name: "v2", served: true },
  ];
  assert.equal(await judge({ size: 1 }, "example.com/v1beta1", versions), ["api-version apiVersion"]);
  assert.equal(await judge({ size: 1 }, "example.com/v2", versions), []);
  assert.equal(await judge({ size: "1" }, "example.com/v2", versions), ["schema spec.size"]);
});

test("a CRD judges resources of its own environment only; elsewhere they stay unknown kinds", async () => {
  const findings = await validateSchemas([
    { environment: "dev", objects: [crd(SCHEMA)] },
    { environment: "prod", objects: [widget({ size: "x" })] },
  ]);
  assert.equal(
    findings.map((f) => `${f.environment} ${f.severity} ${f.rule}`),
    ["prod warning unknown-kind"],
  );
});

test.run();
