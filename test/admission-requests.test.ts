/**
 * Policies judge requests as the API server does: `request.operation`, `object` and `oldObject` are bound per
 * operation, and the shipped policies judge an UPDATE only when it changes the pod template, so the Deployment
 * controller can scale an old ReplicaSet down after a policy tightens.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { fixtureFindings, policiesByRule, readPolicyFixtures, readPolicySources } from "../bin/policies.ts";
import { compilePolicies, evaluateRequest, type CompiledPolicy } from "../engines/cel.ts";
import { ruleMatches } from "../engines/cel/match.ts";
import type { KubeObject } from "../core/finding.ts";
import { isParamFixture, isRequestFixture, replicaSet, scaled, updated, type Fixture } from "../policies/builders.ts";
import type { Deployment, ReplicaSet } from "kubernetes-types/apps/v1.js";

const { policies } = compilePolicies(readPolicySources());

const policy = (text: string): CompiledPolicy => {
  const {
    policies: [p],
    findings,
  } = compilePolicies([{ file: "test.yaml", text }]);
  assert.equal(findings, []);
  return p!;
};

const operationPolicy = policy(`apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: { name: no-shrink }
spec:
  matchConstraints:
    resourceRules:
      - { apiGroups: ["apps"], apiVersions: ["v1"], operations: ["UPDATE"], resources: ["replicasets"] }
  validations:
    - expression: "request.operation == 'UPDATE' && object.spec.replicas >= oldObject.spec.replicas"
      messageExpression: "'shrinks from ' + string(oldObject.spec.replicas) + ' to ' + string(object.spec.replicas)"
`);

const rs = replicaSet({}, 3) as unknown as KubeObject;
const asKube = (o: unknown) => o as KubeObject;

test("oldObject and request.operation are bound as the API server binds them; rules match by operation", () => {
  assert.equal(
    evaluateRequest([operationPolicy], { operation: "CREATE", object: rs }, [rs]),
    [],
    "CREATE is not matched",
  );
  const shrink = scaled(replicaSet({}, 3), 1);
  const found = evaluateRequest(
    [operationPolicy],
    { operation: "UPDATE", object: asKube(shrink.object), oldObject: asKube(shrink.oldObject) },
    [],
  );
  assert.equal(
    found.map((f) => f.message),
    ["shrinks from 3 to 1"],
  );
  const grow = scaled(replicaSet({}, 3), 4);
  assert.equal(
    evaluateRequest(
      [operationPolicy],
      { operation: "UPDATE", object: asKube(grow.object), oldObject: asKube(grow.oldObject) },
      [],
    ),
    [],
  );
});

test("on CREATE oldObject is null, on DELETE object is null", () => {
  const nulls = policy(`apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: { name: nulls }
spec:
  matchConstraints:
    resourceRules:
      - { apiGroups: ["apps"], apiVersions: ["v1"], operations: ["*"], resources: ["replicasets"] }
  validations:
    - expression: >-
        request.operation == 'CREATE' ? oldObject == null && object != null
          : object == null && oldObject != null
      message: wrong binding
`);
  assert.equal(evaluateRequest([nulls], { operation: "CREATE", object: rs }, []), []);
  assert.equal(evaluateRequest([nulls], { operation: "DELETE", object: null, oldObject: rs }, []), []);
});

/** The ReplicaSet the Deployment controller made from a Deployment: the same pod template. */
function replicaSetOf(d: Deployment, replicas = 3): ReplicaSet {
  return {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: { ...d.metadata, name: `${d.metadata!.name}-5d8f7c` },
    spec: { replicas, selector: d.spec!.selector, template: d.spec!.template },
  };
}

const templatePolicies = policies.filter((p) =>
  (p.matchConstraints.resourceRules ?? []).some((r) => ruleMatches(r, rs, "UPDATE")),
);

test("every policy that judges ReplicaSets lets an old one scale down, and judges a changed template", async () => {
  assert.ok(templatePolicies.length >= 7, templatePolicies.map((p) => p.name).join(", "));
  for (const p of templatePolicies) {
    const { deny = [], allow = [], params } = await readPolicyFixtures(p.rule);
    const plain = (fs: Fixture[]) =>
      fs.filter((f): f is Deployment => !isParamFixture(f) && !isRequestFixture(f) && f.kind === "Deployment");
    const bad = plain(deny);
    const good = plain(allow)[0];
    assert.ok(bad.length > 0 && good, `${p.name} has Deployment fixtures to allow and deny`);
    for (const d of bad) {
      const old = replicaSetOf(d);
      const name = `${p.name}: ${d.metadata!.name}`;
      assert.ok(fixtureFindings(p, old, params).length > 0, `${name}: its ReplicaSet is denied on CREATE`);
      assert.equal(fixtureFindings(p, scaled(old, 0), params), [], `${name}: scaling it to 0 is allowed`);
      assert.ok(
        fixtureFindings(p, updated(replicaSetOf(good!), { ...old, metadata: replicaSetOf(good!).metadata }), params)
          .length > 0,
        `${name}: an UPDATE that brings in its template is denied`,
      );
    }
  }
});

test("without the pod-template-changed condition the old ReplicaSet could not scale down", async () => {
  const nonRoot = policiesByRule(policies).get("non-root")!;
  const stalling = nonRoot.map((p) => ({
    ...p,
    matchConditions: p.matchConditions.filter((c) => c.name !== "pod-template-changed"),
  }));
  assert.equal(
    stalling.map((p) => p.matchConditions.length),
    nonRoot.map((p) => p.matchConditions.length - 1),
  );
  const { allow = [] } = await readPolicyFixtures("non-root");
  const scaleDowns = allow.filter(isRequestFixture);
  assert.ok(scaleDowns.length > 0);
  for (const f of scaleDowns) {
    assert.equal(fixtureFindings(nonRoot, f), []);
    assert.ok(fixtureFindings(stalling, f).length > 0);
  }
});

test("a rule emitted per kind judges each kind by its own policy: the workload policy never sees a Pod", () => {
  const nonRoot = policiesByRule(policies).get("non-root")!;
  assert.equal(
    nonRoot.map((p) => p.name),
    ["non-root-workload", "non-root-cronjob", "non-root-pod"],
  );
  const kindsOf = (p: CompiledPolicy) => (p.matchConstraints.resourceRules ?? []).flatMap((r) => r.resources ?? []);
  assert.equal(nonRoot.map(kindsOf), [
    ["deployments", "statefulsets", "daemonsets", "replicasets", "jobs"],
    ["cronjobs"],
    ["pods"],
  ]);
  // The pod policy compares a Pod's spec, the workload policy the whole template (labels included): a label change
  // on an old pod is not judged, a label change in a Deployment's template is a new rollout and is.
  const [workload, , podPolicy] = nonRoot;
  assert.match(podPolicy!.matchConditions[0]!.expression, /object\.spec != oldObject\.spec$/);
  assert.match(workload!.matchConditions[0]!.expression, /object\.spec\.template != oldObject\.spec\.template$/);
});

test.run();
