/**
 * The cel engine's admission semantics: which objects a policy matches, matchConditions,
 * variables, messages, failurePolicy, and policies that do not compile.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { stringify } from "yaml";
import { compilePolicies, evaluatePolicies, type EvaluateOptions } from "../engines/cel.ts";
import type { KubeObject } from "../core/finding.ts";
import { resourceOf } from "../engines/cel/match.ts";

interface PolicyOptions {
  name?: string;
  resourceRules?: unknown[];
  excludeResourceRules?: unknown[];
  objectSelector?: unknown;
  namespaceSelector?: unknown;
  matchConditions?: unknown[];
  variables?: unknown[];
  validations?: unknown[];
  failurePolicy?: string;
  fieldPaths?: string;
  paramKind?: unknown;
}

const deploymentsRule = {
  apiGroups: ["apps"],
  apiVersions: ["v1"],
  operations: ["CREATE", "UPDATE"],
  resources: ["deployments"],
};

/** A policy as YAML text, denying every matched object unless its name starts with "ok". */
function policyText(o: PolicyOptions = {}): string {
  return stringify({
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingAdmissionPolicy",
    metadata: {
      name: o.name ?? "test-policy",
      annotations: {
        "platform.nautilus.io/description": "test",
        "platform.nautilus.io/fix": "rename it",
        ...(o.fieldPaths ? { "platform.nautilus.io/field-paths": o.fieldPaths } : {}),
      },
    },
    spec: {
      ...(o.failurePolicy ? { failurePolicy: o.failurePolicy } : {}),
      ...(o.paramKind ? { paramKind: o.paramKind } : {}),
      matchConstraints: {
        resourceRules: o.resourceRules ?? [deploymentsRule],
        ...(o.excludeResourceRules ? { excludeResourceRules: o.excludeResourceRules } : {}),
        ...(o.objectSelector ? { objectSelector: o.objectSelector } : {}),
        ...(o.namespaceSelector ? { namespaceSelector: o.namespaceSelector } : {}),
      },
      ...(o.matchConditions ? { matchConditions: o.matchConditions } : {}),
      ...(o.variables ? { variables: o.variables } : {}),
      validations: o.validations ?? [
        { expression: "object.metadata.name.startsWith('ok')", message: "name must start with ok" },
      ],
    },
  });
}

function run(o: PolicyOptions, objects: KubeObject[], options: EvaluateOptions = {}) {
  const { policies, findings } = compilePolicies([{ file: "policies/test-policy.yaml", text: policyText(o) }]);
  assert.equal(findings, [], findings.map((f) => f.message).join("\n"));
  return evaluatePolicies(policies, [{ environment: "dev", objects }], options);
}

function obj(
  kind: string,
  apiVersion: string,
  name: string,
  extra: Partial<KubeObject> = {},
  labels?: Record<string, string>,
): KubeObject {
  return {
    apiVersion,
    kind,
    metadata: { name, namespace: "nautilus-trading", ...(labels ? { labels } : {}) },
    ...extra,
  };
}

const deploy = (name: string, labels?: Record<string, string>, extra: Partial<KubeObject> = {}) =>
  obj("Deployment", "apps/v1", name, extra, labels);

test("a validation that is false becomes an error finding with the policy's name, file, fix and the object", () => {
  const [f, ...rest] = run({}, [deploy("bad")]);
  assert.is(rest.length, 0);
  assert.equal(f, {
    engine: "cel",
    rule: "test-policy",
    severity: "error",
    environment: "dev",
    resource: { apiVersion: "apps/v1", kind: "Deployment", namespace: "nautilus-trading", name: "bad" },
    file: "policies/test-policy.yaml",
    message: "name must start with ok",
    hint: "rename it",
  });
});

test("a validation that is true gives no finding", () => {
  assert.equal(run({}, [deploy("ok-1")]), []);
});

test("resourceRules match by API group, version and plural resource", () => {
  assert.equal(
    run({}, [
      obj("StatefulSet", "apps/v1", "bad"),
      obj("Deployment", "apps/v1beta1", "bad"),
      obj("Deployment", "example.com/v1", "bad"),
    ]),
    [],
  );
  assert.is(
    run({ resourceRules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["pods"] }] }, [
      obj("Pod", "v1", "bad"),
    ]).length,
    1,
  );
  assert.is(
    run(
      {
        resourceRules: [
          {
            apiGroups: ["monitoring.coreos.com"],
            apiVersions: ["v1"],
            operations: ["CREATE"],
            resources: ["prometheusrules"],
          },
        ],
      },
      [obj("PrometheusRule", "monitoring.coreos.com/v1", "bad")],
    ).length,
    1,
  );
});

test("wildcards match any group, version and resource", () => {
  const all = { apiGroups: ["*"], apiVersions: ["*"], operations: ["*"], resources: ["*"] };
  assert.is(
    run({ resourceRules: [all] }, [
      deploy("bad"),
      obj("Secret", "v1", "bad"),
      obj("NetworkPolicy", "networking.k8s.io/v1", "bad"),
    ]).length,
    3,
  );
});

test("a rule without the CREATE operation does not match: objects are checked as CREATE requests", () => {
  assert.equal(run({ resourceRules: [{ ...deploymentsRule, operations: ["UPDATE", "DELETE"] }] }, [deploy("bad")]), []);
});

test("a subresource rule such as deployments/scale does not match the object itself", () => {
  assert.equal(run({ resourceRules: [{ ...deploymentsRule, resources: ["deployments/scale"] }] }, [deploy("bad")]), []);
});

test("excludeResourceRules remove objects the resourceRules matched", () => {
  const all = { apiGroups: ["*"], apiVersions: ["*"], operations: ["*"], resources: ["*"] };
  const found = run({ resourceRules: [all], excludeResourceRules: [deploymentsRule] }, [
    deploy("bad"),
    obj("StatefulSet", "apps/v1", "bad"),
  ]);
  assert.equal(
    found.map((f) => f.resource?.kind),
    ["StatefulSet"],
  );
});

test("kinds map to their plural resource names, with a lower-case + s fallback", () => {
  assert.is(resourceOf("HorizontalPodAutoscaler"), "horizontalpodautoscalers");
  assert.is(resourceOf("PodDisruptionBudget"), "poddisruptionbudgets");
  assert.is(resourceOf("NetworkPolicy"), "networkpolicies");
  assert.is(resourceOf("Ingress"), "ingresses");
  assert.is(resourceOf("Widget"), "widgets");
});

test(
  "objectSelector matchLabels and matchExpressions (In, NotIn, Exists, DoesNotExist) select by the " +
    "object's labels",
  () => {
    const objects = [
      deploy("bad-ull", { tier: "ull", team: "risk" }),
      deploy("bad-std", { tier: "std" }),
      deploy("bad-none"),
    ];
    const names = (sel: unknown) => run({ objectSelector: sel }, objects).map((f) => f.resource?.name);
    assert.equal(names({ matchLabels: { tier: "ull" } }), ["bad-ull"]);
    assert.equal(names({ matchExpressions: [{ key: "tier", operator: "In", values: ["ull", "std"] }] }), [
      "bad-ull",
      "bad-std",
    ]);
    assert.equal(names({ matchExpressions: [{ key: "tier", operator: "NotIn", values: ["ull"] }] }), [
      "bad-std",
      "bad-none",
    ]);
    assert.equal(names({ matchExpressions: [{ key: "team", operator: "Exists" }] }), ["bad-ull"]);
    assert.equal(names({ matchExpressions: [{ key: "tier", operator: "DoesNotExist" }] }), ["bad-none"]);
  },
);

test("namespaceSelector is treated as matching, since namespace labels are not known offline", () => {
  assert.is(run({ namespaceSelector: { matchLabels: { env: "prod" } } }, [deploy("bad")]).length, 1);
});

test("matchConditions must all be true for the policy to apply", () => {
  const matchConditions = [
    {
      name: "is-ull",
      expression:
        "has(object.metadata.labels) && 'tier' in object.metadata.labels && object.metadata.labels.tier == 'ull'",
    },
    { name: "not-excluded", expression: "!object.metadata.name.endsWith('-excluded')" },
  ];
  const found = run({ matchConditions }, [
    deploy("bad", { tier: "ull" }),
    deploy("bad-std", { tier: "std" }),
    deploy("bad-excluded", { tier: "ull" }),
  ]);
  assert.equal(
    found.map((f) => f.resource?.name),
    ["bad"],
  );
});

test("a matchCondition that errors denies under failurePolicy Fail and is ignored under Ignore", () => {
  const matchConditions = [{ name: "broken", expression: "object.spec.missing.field == 1" }];
  const [f] = run({ matchConditions }, [deploy("bad", undefined, { spec: {} })]);
  assert.match(f!.message, /matchCondition 'broken' resulted in error/);
  assert.equal(run({ matchConditions, failurePolicy: "Ignore" }, [deploy("bad", undefined, { spec: {} })]), []);
});

test("a false matchCondition skips the policy even when an earlier one errors", () => {
  const matchConditions = [
    { name: "broken", expression: "object.spec.missing.field == 1" },
    { name: "never", expression: "false" },
  ];
  assert.equal(run({ matchConditions }, [deploy("bad", undefined, { spec: {} })]), []);
});

test("variables are available as variables.<name> and may use earlier variables", () => {
  const variables = [
    { name: "podSpec", expression: "object.kind == 'Pod' ? object.spec : object.spec.template.spec" },
    { name: "names", expression: "variables.podSpec.containers.map(c, c.name)" },
  ];
  const validations = [
    {
      expression: "!('sidecar' in variables.names)",
      messageExpression: "'containers ' + variables.names.join(', ') + ' include sidecar'",
    },
  ];
  const spec = { template: { spec: { containers: [{ name: "app" }, { name: "sidecar" }] } } };
  const [f] = run({ variables, validations }, [deploy("d", undefined, { spec })]);
  assert.is(f!.message, "containers app, sidecar include sidecar");
});

test("a variable that errors only matters when a validation uses it", () => {
  const variables = [
    { name: "broken", expression: "object.spec.nope" },
    { name: "fine", expression: "object.metadata.name" },
  ];
  assert.equal(
    run({ variables, validations: [{ expression: "variables.fine == 'd'" }] }, [deploy("d", undefined, { spec: {} })]),
    [],
  );
  const [f] = run({ variables, validations: [{ expression: "variables.broken == 1" }] }, [
    deploy("d", undefined, { spec: {} }),
  ]);
  assert.match(f!.message, /variable 'broken' resulted in error/);
});

test(
  "messageExpression is evaluated; an empty or failing messageExpression falls back to message, then to " +
    "the expression",
  () => {
    const expression = "object.metadata.name.startsWith('ok')";
    const message = (v: Record<string, unknown>) =>
      run({ validations: [{ expression, ...v }] }, [deploy("bad")])[0]!.message;
    assert.is(
      message({ messageExpression: "'deployment ' + object.metadata.name + ' is bad'", message: "static" }),
      "deployment bad is bad",
    );
    assert.is(message({ messageExpression: "''", message: "static" }), "static");
    assert.is(message({ messageExpression: "'two\\nlines'", message: "static" }), "static");
    assert.is(message({ messageExpression: "object.nope + 'x'", message: "static" }), "static");
    assert.is(message({}), `failed expression: ${expression}`);
  },
);

test("a validation's field path comes from the field-paths annotation, with {podSpec} resolved per kind", () => {
  const fieldPaths = JSON.stringify(["{podSpec}.containers[*].image"]);
  const all = { apiGroups: ["*"], apiVersions: ["*"], operations: ["CREATE"], resources: ["*"] };
  const found = run({ fieldPaths, resourceRules: [all] }, [
    deploy("bad"),
    obj("Pod", "v1", "bad"),
    obj("CronJob", "batch/v1", "bad"),
  ]);
  assert.equal(
    found.map((f) => [f.resource?.kind, f.path]),
    [
      ["Deployment", "spec.template.spec.containers[*].image"],
      ["Pod", "spec.containers[*].image"],
      ["CronJob", "spec.jobTemplate.spec.template.spec.containers[*].image"],
    ],
  );
  const wrongCount = compilePolicies([
    { file: "policies/test-policy.yaml", text: policyText({ fieldPaths: "[]" }) },
  ]).findings;
  assert.equal(
    wrongCount.map((f) => f.message),
    [
      'policies/test-policy.yaml: metadata.annotations["platform.nautilus.io/field-paths"] must list one ' +
        "field path per validation (1)",
    ],
  );
});

test("every failing validation is its own finding, and each environment is reported separately", () => {
  const { policies } = compilePolicies([
    {
      file: "policies/test-policy.yaml",
      text: policyText({
        validations: [
          { expression: "false", message: "a" },
          { expression: "false", message: "b" },
        ],
      }),
    },
  ]);
  const found = evaluatePolicies(policies, [
    { environment: "dev", objects: [deploy("d")] },
    { environment: "prod", objects: [deploy("d")] },
  ]);
  assert.equal(
    found.map((f) => `${f.environment}:${f.message}`),
    ["dev:a", "dev:b", "prod:a", "prod:b"],
  );
});

test("a validation that errors at evaluation denies with the error under failurePolicy Fail", () => {
  const [f] = run({ validations: [{ expression: "object.spec.replicas > 1", message: "replicas" }] }, [
    deploy("d", undefined, { spec: {} }),
  ]);
  assert.match(f!.message, /expression 'object.spec.replicas > 1' resulted in error/);
});

test("the request, oldObject, params and namespaceObject variables look like a CREATE admission request", () => {
  const validations = [
    {
      expression:
        "request.operation == 'CREATE' && request.kind.kind == 'Deployment' && request.kind.group == 'apps' " +
        "&& request.resource.resource == 'deployments' && request.namespace == 'nautilus-trading' && " +
        "request.name == 'd' && oldObject == null && params == null && namespaceObject == null",
      message: "request mismatch",
    },
  ];
  assert.equal(run({ validations }, [deploy("d")]), []);
});

test("a policy with a CEL syntax error is a policy-compile finding, not a crash", () => {
  const text = policyText({ validations: [{ expression: "object.metadata.name ==", message: "x" }] });
  const { policies, findings } = compilePolicies([{ file: "policies/broken.yaml", text }]);
  assert.is(policies.length, 0);
  assert.is(findings.length, 1);
  assert.is(findings[0]!.engine, "cel");
  assert.is(findings[0]!.rule, "policy-compile");
  assert.is(findings[0]!.severity, "error");
  assert.is(findings[0]!.file, "policies/broken.yaml");
  assert.is(findings[0]!.path, "spec.validations[0].expression");
});

test("a policy calling a function Kubernetes does not have is a policy-compile finding", () => {
  const text = policyText({
    validations: [{ expression: "quantity('1').isEqualTo(quantity('1000m'))", message: "x" }],
  });
  const { findings } = compilePolicies([{ file: "policies/broken.yaml", text }]);
  assert.match(findings[0]!.message, /undeclared reference to 'isEqualTo'/);
});

test(
  "invalid YAML, a wrong kind and missing validations are policy-compile findings; good policies still " + "compile",
  () => {
    const { policies, findings } = compilePolicies([
      { file: "policies/a.yaml", text: "apiVersion: [unclosed" },
      { file: "policies/b.yaml", text: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n" },
      { file: "policies/c.yaml", text: policyText({ validations: [] }) },
      { file: "policies/test-policy.yaml", text: policyText() },
    ]);
    assert.equal(
      findings.map((f) => f.file),
      ["policies/a.yaml", "policies/b.yaml", "policies/c.yaml"],
    );
    assert.ok(findings.every((f) => f.rule === "policy-compile"));
    assert.equal(
      policies.map((p) => p.name),
      ["test-policy"],
    );
  },
);

// Params: a policy with a paramKind reads `params`, the object its binding's paramRef names.
const withParams: PolicyOptions = {
  paramKind: { apiVersion: "v1", kind: "ConfigMap" },
  validations: [
    {
      expression: "object.spec.replicas <= int(params.data.maxReplicas)",
      messageExpression: "'at most ' + params.data.maxReplicas + ' replicas'",
    },
  ],
};
const limit = (name: string, max: number, labels?: Record<string, string>, namespace = "nautilus-trading") =>
  ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace, ...(labels ? { labels } : {}) },
    data: { maxReplicas: String(max) },
  }) as KubeObject;
const binding = (paramRef: Record<string, unknown> | undefined, policyName = "test-policy") =>
  ({
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingAdmissionPolicyBinding",
    metadata: { name: `${policyName}-binding` },
    spec: { policyName, validationActions: ["Deny"], ...(paramRef ? { paramRef } : {}) },
  }) as unknown as KubeObject;
const scaled = (replicas: number) => deploy("ok-app", undefined, { spec: { replicas } });
const messages = (findings: { message: string }[]) => findings.map((f) => f.message);

test("params: the binding's paramRef names the param object among the evaluated objects, and CEL reads it", () => {
  const ref = { name: "limits", namespace: "nautilus-trading", parameterNotFoundAction: "Deny" };
  assert.equal(run(withParams, [scaled(3), binding(ref), limit("limits", 3)]), []);
  assert.equal(messages(run(withParams, [scaled(4), binding(ref), limit("limits", 3)])), ["at most 3 replicas"]);
  // Another ConfigMap of the same name elsewhere is not the param.
  assert.equal(
    messages(run(withParams, [scaled(4), binding(ref), limit("limits", 9, undefined, "other"), limit("limits", 3)])),
    ["at most 3 replicas"],
  );
});

test("params: without a namespace, the paramRef looks in the admitted object's namespace", () => {
  const ref = { name: "limits", parameterNotFoundAction: "Deny" };
  assert.equal(run(withParams, [scaled(5), binding(ref), limit("limits", 5)]), []);
  assert.is(run(withParams, [scaled(5), binding(ref), limit("limits", 5, undefined, "other")]).length, 1);
});

test("params: a selector evaluates every matching param, and any denial denies", () => {
  const ref = { selector: { matchLabels: { team: "a" } }, parameterNotFoundAction: "Deny" };
  const params = [limit("one", 5, { team: "a" }), limit("two", 2, { team: "a" }), limit("three", 1, { team: "b" })];
  assert.equal(messages(run(withParams, [scaled(3), binding(ref), ...params])), ["at most 2 replicas"]);
  assert.equal(run(withParams, [scaled(2), binding(ref), ...params]), []);
});

test("params: a missing param follows parameterNotFoundAction (Deny by default) and then the failurePolicy", () => {
  const deny = run(withParams, [scaled(1), binding({ name: "absent", parameterNotFoundAction: "Deny" })]);
  assert.is(deny.length, 1);
  assert.match(
    deny[0]!.message,
    /binding test-policy-binding refers to v1 ConfigMap absent in namespace nautilus-trading, which does not exist/,
  );
  assert.is(run(withParams, [scaled(1), binding({ name: "absent" })]).length, 1);
  assert.equal(run(withParams, [scaled(1), binding({ name: "absent", parameterNotFoundAction: "Allow" })]), []);
  assert.equal(
    run({ ...withParams, failurePolicy: "Ignore" }, [
      scaled(1),
      binding({ name: "absent", parameterNotFoundAction: "Deny" }),
    ]),
    [],
  );
  // Objects the policy does not match are never denied for a missing param.
  assert.equal(run(withParams, [obj("StatefulSet", "apps/v1", "x"), binding({ name: "absent" })]), []);
});

test("params: a binding may name the policy's generated copy, found by its app.kubernetes.io/name label", () => {
  const copy = {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingAdmissionPolicy",
    metadata: { name: "nautilus-test-policy", labels: { "app.kubernetes.io/name": "test-policy" } },
  } as KubeObject;
  const ref = { name: "limits", parameterNotFoundAction: "Deny" };
  const objects = [scaled(4), copy, binding(ref, "nautilus-test-policy"), limit("limits", 3)];
  assert.equal(messages(run(withParams, objects)), ["at most 3 replicas"]);
});

test("params: with no binding, a passed-in param is used, null is a missing one, nothing leaves it unevaluated", () => {
  assert.equal(run(withParams, [scaled(2)], { params: { "test-policy": limit("limits", 2) } }), []);
  assert.equal(messages(run(withParams, [scaled(3)], { params: { "test-policy": limit("limits", 2) } })), [
    "at most 2 replicas",
  ]);
  assert.match(
    run(withParams, [scaled(1)], { params: { "test-policy": null } })[0]!.message,
    /its v1 ConfigMap param object does not exist/,
  );
  // Unbound and nothing passed in: not evaluated, as the API server enforces only bound policies, and said so.
  const unbound = run(withParams, [scaled(9)]);
  assert.equal(
    unbound.map((f) => [f.severity, f.message]),
    [
      [
        "warning",
        "policy 'test-policy' was not evaluated: it takes a v1 ConfigMap param (spec.paramKind) and no " +
          "ValidatingAdmissionPolicyBinding among these objects names it with a paramRef",
      ],
    ],
  );
  assert.match(unbound[0]!.hint!, /vet the manifests together with a binding of test-policy and the param object/);
});

test("params: a policy without a paramKind sees params as null", () => {
  const o = { validations: [{ expression: "params == null", message: "params must be null" }] };
  assert.equal(run(o, [deploy("x"), binding({ name: "limits" }), limit("limits", 1)]), []);
});

test("a paramKind without apiVersion and kind is a policy-compile finding", () => {
  const { findings } = compilePolicies([
    { file: "policies/broken.yaml", text: policyText({ ...withParams, paramKind: { kind: "ConfigMap" } }) },
  ]);
  assert.is(findings[0]?.path, "spec.paramKind");
});

test.run();
