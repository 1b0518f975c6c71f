/**
 * Policy expressions are type-checked against the schemas of the kinds they match, as the API server's
 * status.typeChecking would be with per-kind policies: a misspelt field is a finding naming the kinds it fails for.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { readPolicySources } from "../bin/policies.ts";
import { compilePolicies } from "../engines/cel.ts";
import { typeCheckPolicies } from "../engines/cel/type-check.ts";

const typeFindings = async (text: string) => {
  const { policies, findings } = compilePolicies([{ file: "p.yaml", text }]);
  assert.equal(findings, []);
  return typeCheckPolicies(policies);
};

const nonRoot = readFileSync("policies/non-root/policy.yaml", "utf8");

test("every shipped policy type-checks against every kind it matches", async () => {
  const { policies } = compilePolicies(readPolicySources());
  assert.equal(
    (await typeCheckPolicies(policies)).map((f) => f.message),
    [],
  );
});

test("a misspelt field under a variable, a has() and a comprehension variable is a finding", async () => {
  const found = await typeFindings(
    nonRoot
      .replace("has(c.securityContext.runAsNonRoot)", "has(c.securityContext.runAsNonRot)")
      .replace("variables.podSpec.containers\n", "variables.podSpec.contaners\n"),
  );
  assert.equal(
    found.map((f) => `${f.rule} ${f.path}`),
    ["policy-type-check spec.variables[1].expression"],
    "the containers variable no longer resolves, so the comprehension over it is not checked",
  );
  assert.match(
    found[0]!.message,
    /undefined field 'contaners' in variables\.podSpec\.contaners \(no such field in V1PodSpec\)/,
  );
  assert.match(found[0]!.message, /for Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod$/);
  const [inLoop] = await typeFindings(
    nonRoot.replace("has(c.securityContext.runAsNonRoot)", "has(c.securityContext.runAsNonRot)"),
  );
  assert.match(
    inLoop!.message,
    /undefined field 'runAsNonRot' in c\.securityContext\.runAsNonRot \(no such field in V1SecurityContext\)/,
  );
});

test("branches guarded by object.kind are checked for the kinds that reach them only", async () => {
  const [cron] = await typeFindings(
    nonRoot.replace("object.spec.jobTemplate.spec.template.spec\n", "object.spec.jobTemplate.spec.templat.spec\n"),
  );
  assert.match(cron!.message, /undefined field 'templat' .* for CronJob$/);
  // The Pod branch reads object.spec, which a Deployment also has, but object.spec.template.spec is never
  // checked for a Pod, whose spec has no template.
  const { policies } = compilePolicies([{ file: "p.yaml", text: nonRoot }]);
  assert.equal(await typeCheckPolicies(policies), []);
});

test("selecting a field of a scalar is a finding", async () => {
  const found = await typeFindings(
    nonRoot.replace("c.securityContext.runAsUser == 0", "c.securityContext.runAsUser.id == 0"),
  );
  assert.ok(
    found.some((f) => /undefined field 'id' in c\.securityContext\.runAsUser\.id \(it is a scalar\)/.test(f.message)),
    found.map((f) => f.message).join("\n"),
  );
});

test.run();
