import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import type { Finding, KubeObject } from "../core/finding.ts";
import { CHECKS, runObjectChecks } from "../checks/registry.ts";
import { groupOf, nameOf } from "../checks/check.ts";
import { selects } from "../checks/apiserver/context.ts";
import { dns1035Label, dns1123Subdomain, ianaServiceName, labelValue, qualifiedName } from "../core/k8s/names.ts";
import { resourceNameProblem } from "../checks/apiserver/resource-names.ts";
import { validateSchemas } from "../engines/schema.ts";
import { compareQuantities, isMultipleOf, parseQuantity, type Quantity } from "../core/k8s/quantity.ts";

const fixtures = new URL("../test/fixtures/schema/", import.meta.url);

function load(rule: string, kind: "good" | "bad", file: string): KubeObject[] {
  return parseAllDocuments(readFileSync(new URL(`${rule}/${kind}/${file}`, fixtures), "utf8")).map(
    (d) => d.toJS() as KubeObject,
  );
}

/** The API-server rules of the registry, by name (the fixture folders are named after them). */
const apiServerRules = CHECKS.filter((c) => groupOf(c.id) === "apiserver");

/** Every API-server rule over one environment's objects, as `check` and `vet` run them. */
function checkApiServerRules(env: { environment: string; objects: KubeObject[] }): Finding[] {
  return runObjectChecks({ environments: [env] }, apiServerRules);
}

function show(findings: Finding[]): string {
  return findings.map((f) => `${f.rule} ${f.path ?? ""}: ${f.message}`).join("\n");
}

/** What `check` and `vet` run on objects before policies: the schema engine and the API-server rules. */
async function schemaAndRules(objects: KubeObject[]): Promise<Finding[]> {
  const env = { environment: "dev", objects };
  return [...(await validateSchemas([env])), ...checkApiServerRules(env)];
}

// Fixtures run through the whole schema engine, so a bad fixture must trip its own rule and no
// other (schema, unknown fields, names...), and its good twin must be clean everywhere.
test("the API-server rules report under engine apiserver, named by their id", () => {
  assert.equal(apiServerRules.length, 10);
  const findings = checkApiServerRules({
    environment: "prod",
    objects: load("hugepages", "bad", "request_without_limit.yaml"),
  });
  assert.equal([...new Set(findings.map((f) => `${f.engine}/${f.rule}`))], ["apiserver/hugepages"]);
});

for (const rule of apiServerRules.map((r) => nameOf(r.id))) {
  const badDir = new URL(`${rule}/bad/`, fixtures);
  const files = existsSync(badDir) ? readdirSync(badDir).filter((f) => f.endsWith(".yaml")) : [];
  test(`API-server rule ${rule} has bad fixtures, each with a good twin`, () => {
    assert.ok(files.length > 0, `no fixtures in test/fixtures/schema/${rule}/bad`);
    for (const f of files)
      assert.ok(existsSync(new URL(`${rule}/good/${f}`, fixtures)), `missing good twin ${rule}/good/${f}`);
  });
  for (const file of files) {
    const scenario = file.replace(/\.yaml$/, "").replace(/_/g, " ");
    test(`${rule}: "${scenario}" is reported, only by ${rule}`, async () => {
      const findings = await schemaAndRules(load(rule, "bad", file));
      assert.ok(
        findings.some((f) => f.rule === rule),
        `expected a ${rule} finding, got:\n${show(findings)}`,
      );
      assert.equal(
        findings.filter((f) => f.rule !== rule),
        [],
        `unexpected findings:\n${show(findings)}`,
      );
    });
    test(`${rule}: the corrected twin of "${scenario}" has no finding`, async () => {
      const findings = await schemaAndRules(load(rule, "good", file));
      assert.equal(findings, [], show(findings));
    });
  }
}

function run(rule: string, file: string): Finding[] {
  return checkApiServerRules({ environment: "prod", objects: load(rule, "bad", file) }).filter((f) => f.rule === rule);
}

test("a hugepages request without a limit points at the missing limit", () => {
  const [f] = run("hugepages", "request_without_limit.yaml");
  assert.is(f?.path, "spec.template.spec.containers[0].resources.limits.hugepages-2Mi");
  assert.is(f?.severity, "error");
  assert.is(f?.environment, "prod");
});

test("hugepages that are not a whole number of pages name the page size", () => {
  const [f] = run("hugepages", "not_page_multiple.yaml");
  assert.match(f?.message ?? "", /"1536Mi", which is not a whole multiple of the page size 1Gi/);
});

test("requests above limits are compared exactly across units", () => {
  const [f] = run("requests-within-limits", "memory_mixed_units.yaml");
  assert.match(f?.message ?? "", /requests memory "1537Mi", more than its limit "1.5Gi"/);
  assert.equal(
    run("requests-within-limits", "cpu_request_above_limit.yaml").map((x) => x.path),
    ["spec.template.spec.containers[0].resources.requests.cpu"],
  );
});

test("Service and PodDisruptionBudget selectors that select nothing are warnings", () => {
  const findings = [
    ...run("selector-targets-workload", "service_selects_nothing.yaml"),
    ...run("selector-targets-workload", "pdb_other_namespace.yaml"),
  ];
  assert.equal(
    findings.map((f) => [f.resource?.kind, f.severity]),
    [
      ["Service", "warning"],
      ["PodDisruptionBudget", "warning"],
    ],
  );
});

test("an HPA whose target does not exist names the missing target", () => {
  const [f] = run("hpa-target-exists", "target_name_misspelt.yaml");
  assert.match(
    f?.message ?? "",
    /scaleTargetRef Deployment "order-manger" does not exist in namespace "nautilus-trading" of environment prod/,
  );
});

test("cross-object rules look only inside one environment", () => {
  const [deployment, hpa] = load("hpa-target-exists", "good", "target_name_misspelt.yaml");
  const findings = checkApiServerRules({ environment: "staging", objects: [hpa!] });
  assert.equal(
    findings.map((f) => f.rule),
    ["hpa-target-exists"],
  );
  assert.equal(checkApiServerRules({ environment: "staging", objects: [deployment!, hpa!] }), []);
});

test("duplicate port names are reported at the second use", () => {
  const [f] = run("container-ports", "duplicate_port_name_across_containers.yaml");
  assert.is(f?.path, "spec.template.spec.containers[1].ports[0].name");
  assert.match(f?.message ?? "", /already used by spec\.template\.spec\.containers\[0\]\.ports\[0\]/);
});

test("maxSurge 0 with maxUnavailable 0% cannot roll out; the 25% defaults can", () => {
  assert.equal(
    run("rollout-progress", "surge_and_unavailable_zero.yaml").map((f) => f.path),
    ["spec.strategy.rollingUpdate"],
  );
  const [deployment] = load("rollout-progress", "good", "surge_and_unavailable_zero.yaml");
  const spec = deployment!.spec as { strategy: unknown };
  spec.strategy = { type: "RollingUpdate", rollingUpdate: { maxSurge: 0 } };
  assert.equal(checkApiServerRules({ environment: "", objects: [deployment!] }), []);
});

test("findings from vet (no environment) carry no environment", () => {
  const findings = checkApiServerRules({
    environment: "",
    objects: load("object-names", "bad", "uppercase_deployment_name.yaml"),
  });
  assert.ok(findings.length > 0);
  assert.ok(findings.every((f) => f.environment === undefined && f.engine === "apiserver"));
});

// Quantities: Kubernetes semantics, exact.
const q = (s: string | number): Quantity => {
  const v = parseQuantity(s);
  if (!v) throw new Error(`not a quantity: ${s}`);
  return v;
};

test("quantities with different suffixes compare by value", () => {
  const equal: [string | number, string | number][] = [
    ["1", "1000m"],
    ["1.5Gi", "1536Mi"],
    ["1Ki", "1024"],
    ["1k", "1000"],
    ["1e3", "1k"],
    ["1E3", "1000"],
    ["0.5", "500m"],
    ["100n", "0.1u"],
    ["1E", "1000P"],
    [2, "2"],
    ["+1", "1"],
    [".5", "0.5"],
    ["1.", "1"],
  ];
  for (const [a, b] of equal) assert.is(compareQuantities(q(a), q(b)), 0, `${a} = ${b}`);
  const less: [string, string][] = [
    ["999m", "1"],
    ["1Gi", "1.1G"],
    ["1G", "1Gi"],
    ["-1", "0"],
    ["1536Mi", "1537Mi"],
    ["1n", "1u"],
  ];
  for (const [a, b] of less) assert.is(compareQuantities(q(a), q(b)), -1, `${a} < ${b}`);
});

test("quantity parsing rejects what the API server rejects", () => {
  for (const bad of ["1GB", "1gi", "", "Gi", "1.5.5", "1 Gi", "--1", "1e", "0x10", "1ki", "abc"])
    assert.is(parseQuantity(bad), undefined, bad);
  assert.is(parseQuantity(true), undefined);
});

test("multiples of a page size are exact, even for decimal suffixes", () => {
  assert.ok(isMultipleOf(q("1Gi"), q("2Mi")));
  assert.ok(isMultipleOf(q("2Gi"), q("1Gi")));
  assert.ok(isMultipleOf(q("0"), q("2Mi")));
  assert.not.ok(isMultipleOf(q("1536Mi"), q("1Gi")));
  assert.not.ok(isMultipleOf(q("1G"), q("2Mi")));
  assert.not.ok(isMultipleOf(q("3Mi"), q("2Mi")));
});

test("label selectors follow matchLabels and every matchExpressions operator", () => {
  const labels = { app: "risk", tier: "ull" };
  assert.ok(selects({ matchLabels: { app: "risk" } }, labels));
  assert.ok(selects({}, labels), "an empty LabelSelector selects everything");
  assert.ok(selects({ matchExpressions: [{ key: "tier", operator: "In", values: ["ull", "hp"] }] }, labels));
  assert.not.ok(selects({ matchExpressions: [{ key: "tier", operator: "NotIn", values: ["ull"] }] }, labels));
  assert.ok(selects({ matchExpressions: [{ key: "zone", operator: "NotIn", values: ["a"] }] }, labels));
  assert.ok(selects({ matchExpressions: [{ key: "app", operator: "Exists" }] }, labels));
  assert.not.ok(selects({ matchExpressions: [{ key: "app", operator: "DoesNotExist" }] }, labels));
  assert.not.ok(selects({ matchExpressions: [{ key: "app", operator: "Bogus" }] }, labels));
  assert.ok(selects({ app: "risk" }, labels, true));
  assert.not.ok(selects({ app: "risk", tier: "hp" }, labels, true));
});

test("name syntaxes follow k8s.io/apimachinery validation", () => {
  assert.equal(dns1123Subdomain("risk-engine.v2"), []);
  assert.ok(dns1123Subdomain("Risk").length > 0);
  assert.ok(dns1123Subdomain("a".repeat(254)).length > 0);
  assert.equal(dns1035Label("risk-engine"), []);
  assert.ok(dns1035Label("1risk").length > 0);
  assert.ok(dns1035Label("a".repeat(64)).length > 0);
  assert.equal(qualifiedName("app.kubernetes.io/name"), []);
  assert.equal(qualifiedName("Name_1.x"), []);
  assert.ok(qualifiedName("a/b/c").length > 0);
  assert.ok(qualifiedName("/name").length > 0);
  assert.ok(qualifiedName("Example.com/name").length > 0);
  assert.ok(qualifiedName("x".repeat(64)).length > 0);
  assert.equal(labelValue(""), []);
  assert.ok(labelValue("-a").length > 0);
  assert.equal(ianaServiceName("metrics"), []);
  assert.ok(ianaServiceName("8080").length > 0);
  assert.ok(ianaServiceName("a--b").length > 0);
  assert.ok(ianaServiceName("a".repeat(16)).length > 0);
});

test("container resource names: standard, hugepages with a size, or domain-prefixed", () => {
  for (const ok of [
    "cpu",
    "memory",
    "ephemeral-storage",
    "hugepages-2Mi",
    "hugepages-1Gi",
    "nvidia.com/gpu",
    "example.com/fpga",
  ])
    assert.is(resourceNameProblem(ok), undefined, ok);
  for (const bad of ["gpu", "storage", "hugepages-", "hugepages-big", "kubernetes.io/gpu", "a/b/c"])
    assert.ok(resourceNameProblem(bad), bad);
});

test.run();
