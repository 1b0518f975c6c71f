/**
 * Every policy in policies/ against its fixtures in policies/<id>/fixtures.ts: each deny
 * fixture is denied by that policy with the policy's own message, each allow fixture passes.
 * A policy without both kinds of fixtures fails the run. A policy with a paramKind is evaluated
 * with the fixtures' `params` export, or with a fixture's own param object (`{ object, params }`).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  fixtureFindings,
  fixtureObject,
  policiesByRule,
  policyIds,
  readPolicyFixtures,
  readPolicySources,
  type PolicyFixtures,
} from "../bin/policies.ts";
import { compilePolicies, evaluatePolicies } from "../engines/cel.ts";
import type { KubeObject } from "../core/finding.ts";
import {
  cronJob,
  daemonSet,
  deployment,
  job,
  latencyBudgetParams,
  latencyRule,
  pod,
  secret,
  statefulSet,
  type Fixture,
  type KubeObjectLike,
} from "../policies/builders.ts";

const policyFiles = policyIds();
const { policies, findings: compileFindings } = compilePolicies(readPolicySources());
const rules = policiesByRule(policies);

const fixtures = new Map<string, PolicyFixtures>();
for (const id of policyFiles) fixtures.set(id, await readPolicyFixtures(id));

const findingsOf = fixtureFindings;
const asKube = (o: KubeObjectLike) => o as unknown as KubeObject;
const nameOf = (f: Fixture) => `${fixtureObject(f).kind} ${fixtureObject(f).metadata?.name}`;

test("every policy file compiles", () => {
  assert.equal(compileFindings, [], compileFindings.map((f) => f.message).join("\n"));
  assert.equal([...rules.keys()], policyFiles);
});

test("every policy is named after its file and documents what, why and how to fix", () => {
  for (const p of policies) {
    assert.is(p.file, `policies/${p.rule}/policy.yaml`);
    assert.ok(p.name === p.rule || p.name.startsWith(`${p.rule}-`), `${p.name} is not named after ${p.rule}`);
    assert.ok(
      p.description && p.description.length > 40,
      `${p.file}: platform.nautilus.io/description is missing or too short`,
    );
    assert.ok(p.fix && p.fix.length > 20, `${p.file}: platform.nautilus.io/fix is missing or too short`);
    for (const v of p.validations) {
      assert.ok(v.message || v.messageExpression, `${p.file}: validation '${v.expression}' has no message`);
      assert.ok(
        v.fieldPath,
        `${p.file}: validation '${v.expression}' names no field (platform.nautilus.io/field-paths)`,
      );
    }
  }
});

test("every policy has allow and deny fixtures", () => {
  const missing = [...fixtures].filter(([, f]) => !f.allow?.length || !f.deny?.length).map(([id]) => id);
  assert.equal(
    missing,
    [],
    `policies without both allow and deny fixtures in policies/<id>/fixtures.ts: ${missing.join(", ")}`,
  );
});

// `POLICY=guaranteed-qos npm test -- policies` runs one policy's fixtures.
// A rule emitted per kind is judged by all its per-kind policies: each fixture meets the one of its kind.
for (const [rule, variants] of [...rules].filter(([id]) => !process.env.POLICY || id === process.env.POLICY)) {
  const policy = variants[0]!;
  const { allow = [], deny = [], params } = fixtures.get(rule) ?? {};
  if (policy.paramKind)
    test(`${rule} takes a param, and its fixtures provide one`, () => {
      assert.ok(params, `policies/${rule}/fixtures.ts exports no params`);
      assert.is(`${params!.apiVersion} ${params!.kind}`, `${policy.paramKind!.apiVersion} ${policy.paramKind!.kind}`);
    });
  for (const obj of allow) {
    test(`${rule} allows ${nameOf(obj)}`, () => {
      const found = findingsOf(variants, obj, params);
      assert.equal(
        found.map((f) => f.message),
        [],
      );
    });
  }
  for (const obj of deny) {
    test(`${rule} denies ${nameOf(obj)} with the policy's message`, () => {
      const found = findingsOf(variants, obj, params);
      assert.ok(found.length > 0, `${rule} did not deny ${nameOf(obj)}`);
      for (const f of found) {
        assert.is(f.rule, rule);
        assert.is(f.file, policy.file);
        assert.is(f.hint, policy.fix);
        // The messageExpression evaluated: no fallback message, no evaluation error.
        assert.not.match(f.message, /failed expression|resulted in error/, f.message);
        assert.ok(f.message.length > 30, f.message);
      }
    });
  }
}

test("the builders' baseline objects pass every policy", () => {
  const objects = [
    deployment(),
    statefulSet(),
    daemonSet(),
    job(),
    cronJob(),
    pod(),
    secret("placeholder"),
    latencyRule("budget", "nautilus_risk_check_latency_microseconds_p99 > 2.75"),
  ];
  const found = evaluatePolicies(policies, [{ environment: "test", objects: objects.map(asKube) }], {
    params: { "latency-alert": asKube(latencyBudgetParams(2.75e-6)) },
  });
  assert.equal(
    found.map((f) => `${f.rule}: ${f.message}`),
    [],
  );
});

test("a denial names the offending container and the fix", () => {
  const qos = rules.get("exclusive-cpus")!;
  const obj = deployment({
    spec: {
      containers: [
        {
          name: "position-keeper",
          image: "r/p:1",
          resources: { requests: { cpu: "1500m", memory: "512Mi" }, limits: { cpu: "1500m", memory: "512Mi" } },
        },
      ],
    },
  });
  const [f] = findingsOf(qos, obj);
  assert.match(f!.message, /position-keeper \(cpu "1500m"\)/);
  assert.match(f!.message, /use "1" or "2"/);
  assert.equal(f!.resource, {
    apiVersion: "apps/v1",
    kind: "Deployment",
    namespace: "nautilus-trading",
    name: "risk-engine",
  });
  assert.is(f!.environment, undefined, "fixtures are judged outside any environment, as vet judges manifests");
});

test.run();
