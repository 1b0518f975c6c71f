/**
 * Policy expressions are type-checked as the API server's status.typeChecking does: each emitted policy's every
 * expression against every kind its matchConstraints match, `object` typed as that kind, without flow analysis.
 * The shipped policies are emitted per kind, so they check clean; a misspelt field, or a switch on object.kind
 * brought back, is a finding naming the policy, the expression and the kinds.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { readPolicySources } from "../bin/policies.ts";
import { compilePolicies } from "../engines/cel.ts";
import { typeCheckPolicies } from "../engines/cel/type-check.ts";
import { generateBundle } from "../generators/bundle.ts";
import { platformOf } from "./support/config.ts";
import { toYaml } from "../core/yaml.ts";
import type { KubeObject } from "../core/finding.ts";

const typeFindings = async (text: string, file = "p.yaml") => {
  const { policies, findings } = compilePolicies([{ file, text }]);
  assert.equal(findings, []);
  return typeCheckPolicies(policies);
};

const sources = readPolicySources();
const source = (id: string) => readFileSync(`policies/${id}/policy.yaml`, "utf8");
const nonRoot = source("non-root");
const WORKLOADS = [
  "apps/v1, Kind=DaemonSet",
  "apps/v1, Kind=Deployment",
  "apps/v1, Kind=ReplicaSet",
  "apps/v1, Kind=StatefulSet",
  "batch/v1, Kind=Job",
].join("; ");

/** The emitted policies of one environment, as YAML texts: what the cluster's API server would type-check. */
function emittedPolicies(): { file: string; text: string }[] {
  const result = generateBundle(platformOf(), sources);
  assert.ok(result.ok);
  const prod = result.bundle.environments.find((e) => e.environment === "prod")!;
  return prod.objects
    .filter((o: KubeObject) => o.kind === "ValidatingAdmissionPolicy")
    .map((o) => ({ file: o.metadata.name, text: toYaml(o) }));
}

test("every emitted policy type-checks against every kind it matches", async () => {
  const emitted = emittedPolicies();
  assert.ok(emitted.length >= 20, `${emitted.length} emitted policies`);
  const { policies, findings } = compilePolicies(emitted);
  assert.equal(findings, []);
  assert.equal(
    (await typeCheckPolicies(policies)).map((f) => f.message),
    [],
  );
});

test("no emitted policy switches on object.kind", () => {
  for (const { file, text } of emittedPolicies())
    assert.not.match(text, /object\.kind\s*(==|!=|in)/, `${file} switches on object.kind`);
});

test("the engine evaluates exactly the emitted policies", () => {
  const { policies } = compilePolicies(sources);
  const emitted = compilePolicies(emittedPolicies()).policies;
  const shape = (p: (typeof policies)[number]) => ({
    name: p.name,
    rule: p.rule,
    matchConstraints: p.matchConstraints.resourceRules,
    conditions: p.matchConditions.map((c) => c.expression),
    variables: p.variables.map((v) => [v.name, v.expression]),
    validations: p.validations.map((v) => [v.expression, v.messageExpressionText, v.fieldPath]),
  });
  const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : 1);
  assert.equal(
    emitted
      .map((p) => ({ ...shape(p), name: p.name.replace(/^nautilus-/, ""), rule: p.rule.replace(/^nautilus-/, "") }))
      .sort(byName),
    policies.map(shape).sort(byName),
  );
});

test("a misspelt field in any emitted policy names the policy, the expression and the kinds", async () => {
  let checked = 0;
  for (const { file, text } of sources) {
    const misspelt = text
      .replace("variables.podSpec.containers", "variables.podSpec.contaners")
      .replace("r.verbs", "r.verbz");
    if (misspelt === text) continue;
    checked++;
    const { policies } = compilePolicies([{ file, text: misspelt }]);
    const found = await typeCheckPolicies(policies);
    assert.ok(found.length > 0, `${file}: a misspelt field is not reported`);
    for (const p of policies.filter((p) => /-(workload|cronjob|pod|role|clusterrole)$/.test(p.name)))
      assert.ok(
        found.some((f) => f.message.startsWith(`${file}: policy ${p.name} spec.`)),
        `${p.name}: ${found.map((f) => f.message).join("\n")}`,
      );
  }
  assert.is(checked, 8, "the seven pod policies and rbac");
  const found = await typeFindings(
    nonRoot
      .replace("has(c.securityContext.runAsNonRoot)", "has(c.securityContext.runAsNonRot)")
      .replace("variables.podSpec.containers\n", "variables.podSpec.contaners\n"),
  );
  assert.equal(
    found.map((f) => `${f.rule} ${f.resource?.name} ${f.path}`),
    [
      "policy-type-check non-root-workload spec.variables[1].expression",
      "policy-type-check non-root-cronjob spec.variables[1].expression",
      "policy-type-check non-root-pod spec.variables[1].expression",
    ],
    "the containers variable fails, so it is dyn to the comprehensions over it, as in the API server",
  );
  assert.is(
    found[0]!.message,
    `p.yaml: policy non-root-workload spec.variables[1].expression: ${WORKLOADS}: ` +
      "ERROR: <input>:1:18: undefined field 'contaners' (variables.podSpec.contaners)",
  );
  assert.match(found[2]!.message, /policy non-root-pod .*: \/v1, Kind=Pod: ERROR: <input>:1:18: undefined field/);
  const [inLoop] = await typeFindings(
    nonRoot.replace("has(c.securityContext.runAsNonRoot)", "has(c.securityContext.runAsNonRot)"),
  );
  assert.match(inLoop!.message, /^p\.yaml: policy non-root-workload spec\.variables\[3\]\.expression: apps\/v1, Kind=/);
  assert.match(
    inLoop!.message,
    /: ERROR: <input>:\d+:\d+: undefined field 'runAsNonRot' \(c\.securityContext\.runAsNonRot\)$/,
  );
});

test("a switch on object.kind is reported as the API server types it: every branch for every kind", async () => {
  const switched = nonRoot
    .replace("    platform.nautilus.io/per-kind: pod-template\n", "")
    .replaceAll("{podTemplate}", "spec.template")
    .replaceAll("{podMetadata}", "spec.template.metadata")
    .replace(
      "expression: object.{podSpec}",
      "expression: >-\n        object.kind == 'Pod' ? object.spec : object.spec.template.spec",
    );
  const found = await typeFindings(switched);
  const podSpec = found.filter((f) => f.path === "spec.variables[0].expression");
  assert.equal(
    podSpec.map((f) => f.message),
    [
      "p.yaml: policy non-root spec.variables[0].expression: /v1, Kind=Pod; batch/v1, Kind=CronJob: " +
        "ERROR: <input>:1:49: undefined field 'template' (object.spec.template)",
    ],
    "the Pod branch's guard does not keep the API server from typing object.spec.template for a Pod",
  );
  // The kind-switching source is what the per-kind annotation replaces: with it, nothing is reported.
  assert.equal(await typeFindings(nonRoot), []);
});

test("a variable that is not declared before its use is an undefined field of variables", async () => {
  const found = await typeFindings(nonRoot.replace("variables.rootAllowed.map", "variables.rootAlowed.map"));
  assert.ok(
    found.some((f) => /undefined field 'rootAlowed' \(variables\.rootAlowed\)$/.test(f.message)),
    found.map((f) => f.message).join("\n"),
  );
});

test("selecting a field of a scalar is a finding", async () => {
  const found = await typeFindings(
    nonRoot.replace("c.securityContext.runAsUser == 0", "c.securityContext.runAsUser.id == 0"),
  );
  assert.ok(
    found.some((f) =>
      /does not support field selection \('id'\) \(c\.securityContext\.runAsUser\.id: it is a scalar\)/.test(f.message),
    ),
    found.map((f) => f.message).join("\n"),
  );
});

test("an unknown placeholder or variant table is a policy-compile finding naming the file", () => {
  const { findings } = compilePolicies([
    { file: "a.yaml", text: nonRoot.replace("object.{podSpec}", "object.{podSpek}") },
    { file: "b.yaml", text: nonRoot.replace("per-kind: pod-template", "per-kind: pods") },
  ]);
  assert.equal(
    findings.map((f) => `${f.rule} ${f.message}`),
    [
      'policy-compile a.yaml: {podSpek} is not a placeholder of the "pod-template" variants (they define ' +
        "{podSpec}, {podMetadata}, {podTemplate})",
      'policy-compile b.yaml: metadata.annotations["platform.nautilus.io/per-kind"]: unknown variant table "pods" ' +
        "(known: pod-template, rbac)",
    ],
  );
});

test.run();
