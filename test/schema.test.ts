import { test } from "uvu";
import * as assert from "uvu/assert";
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import type { Finding, KubeObject } from "../core/finding.ts";
import { validateSchemas } from "../engines/schema.ts";
import { notServedReason } from "../engines/schema/api-versions.ts";
import { didYouMean } from "../core/field-path.ts";

const fixtures = new URL("../test/fixtures/schema/", import.meta.url);

function load(rule: string, kind: "good" | "bad", file: string): { objects: KubeObject[]; kubernetesVersion?: string } {
  const text = readFileSync(new URL(`${rule}/${kind}/${file}`, fixtures), "utf8");
  const version = /^# kubernetesVersion: (\S+)$/m.exec(text)?.[1];
  const objects = parseAllDocuments(text).map((d) => d.toJS() as KubeObject);
  return version ? { objects, kubernetesVersion: version } : { objects };
}

async function check(objects: KubeObject[], kubernetesVersion?: string): Promise<Finding[]> {
  return validateSchemas([{ environment: "dev", objects }], kubernetesVersion ? { kubernetesVersion } : {});
}

function show(findings: Finding[]): string {
  return findings.map((f) => `${f.rule} ${f.path ?? ""}: ${f.message}`).join("\n");
}

/** Every bad fixture of a rule produces findings of that rule only; its good twin produces none. */
export function fixtureTests(rules: readonly string[]): void {
  for (const rule of rules) {
    const badDir = new URL(`${rule}/bad/`, fixtures);
    const files = existsSync(badDir) ? readdirSync(badDir).filter((f) => f.endsWith(".yaml")) : [];
    test(`rule ${rule} has bad fixtures, each with a good twin`, () => {
      assert.ok(files.length > 0, `no fixtures in test/fixtures/schema/${rule}/bad`);
      for (const f of files)
        assert.ok(existsSync(new URL(`${rule}/good/${f}`, fixtures)), `missing good twin ${rule}/good/${f}`);
    });
    for (const file of files) {
      const scenario = file.replace(/\.yaml$/, "").replace(/_/g, " ");
      test(`${rule}: "${scenario}" is reported, only by ${rule}`, async () => {
        const { objects, kubernetesVersion } = load(rule, "bad", file);
        const findings = await check(objects, kubernetesVersion);
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
        const { objects, kubernetesVersion } = load(rule, "good", file);
        const findings = await check(objects, kubernetesVersion);
        assert.equal(findings, [], show(findings));
      });
    }
  }
}

fixtureTests(["schema", "unknown-field", "api-version", "unknown-kind"]);

test("a realistic environment of every kind the platform emits has no finding", async () => {
  const { objects } = load("clean", "good", "realistic_platform.yaml");
  const kinds = objects.map((o) => o.kind).sort();
  assert.equal(kinds, [
    "Deployment",
    "HorizontalPodAutoscaler",
    "NetworkPolicy",
    "PersistentVolumeClaim",
    "PodDisruptionBudget",
    "PriorityClass",
    "PrometheusRule",
    "Service",
    "ServiceAccount",
    "ServiceMonitor",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
  ]);
  const findings = await check(objects);
  assert.equal(findings, [], show(findings));
});

test("a misspelt field is reported at metadata, spec and container depth with its path and a suggestion", async () => {
  const cases = [
    ["extra_property_metadata.yaml", 'unknown field "metadata.lables" (did you mean "labels"?)', "metadata.lables"],
    ["extra_property_spec.yaml", 'unknown field "spec.replica" (did you mean "replicas"?)', "spec.replica"],
    [
      "extra_property_deep.yaml",
      'unknown field "spec.template.spec.containers[0].resource" (did you mean "resources"?)',
      "spec.template.spec.containers[0].resource",
    ],
    [
      "extra_property_custom_resource.yaml",
      'unknown field "spec.groups[0].rules[0].fro" (did you mean "for"?)',
      "spec.groups[0].rules[0].fro",
    ],
  ] as const;
  for (const [file, message, path] of cases) {
    const findings = await check(load("unknown-field", "bad", file).objects);
    assert.equal(
      findings.map((f) => [f.rule, f.severity, f.path, f.message]),
      [["unknown-field", "error", path, message]],
    );
  }
});

test("a field newer than the target version is unknown to it, and known from the version that added it", async () => {
  const { objects } = load("unknown-field", "bad", "field_newer_than_target.yaml");
  const on130 = (await check(objects)).filter((f) => f.rule === "unknown-field");
  assert.equal(
    on130.map((f) => [f.path, f.message]),
    [
      [
        "spec.template.spec.hostnameOverride",
        'unknown field "spec.template.spec.hostnameOverride" for Kubernetes 1.30: it was added in 1.34',
      ],
    ],
  );
  assert.equal(
    (await check(objects, "1.34")).filter((f) => f.rule === "unknown-field"),
    [],
  );
});

test("findings carry engine, environment and the object's reference", async () => {
  const [f] = await check(load("unknown-field", "bad", "extra_property_spec.yaml").objects);
  assert.equal(f?.engine, "schema");
  assert.equal(f?.environment, "dev");
  assert.equal(f?.resource, {
    apiVersion: "apps/v1",
    kind: "Deployment",
    namespace: "nautilus-trading",
    name: "order-manager",
  });
});

test("a type error names the field path and the value found", async () => {
  const findings = await check(load("schema", "bad", "wrong_type_replicas.yaml").objects);
  assert.equal(
    findings.map((f) => [f.path, f.message]),
    [["spec.replicas", 'spec.replicas: must be integer, got "2"']],
  );
});

test("an invalid quantity is reported once, not once per int-or-string alternative", async () => {
  const findings = await check(load("schema", "bad", "invalid_quantity.yaml").objects);
  assert.equal(
    findings.map((f) => f.message),
    ['spec.template.spec.containers[0].resources.requests.memory: "1GB" is not a valid quantity'],
  );
});

test("a missing required field is reported at the field's own path", async () => {
  const findings = await check(load("schema", "bad", "missing_required_port.yaml").objects);
  assert.equal(
    findings.map((f) => f.path),
    ["spec.ports[0].port"],
  );
});

test("apiVersions removed before the target version are reported with their replacement", () => {
  assert.match(notServedReason("policy/v1beta1", "PodDisruptionBudget", 30) ?? "", /removed in 1\.25.*policy\/v1/);
  assert.match(notServedReason("autoscaling/v2beta2", "HorizontalPodAutoscaler", 30) ?? "", /removed in 1\.26/);
  assert.match(notServedReason("flowcontrol.apiserver.k8s.io/v1beta2", "FlowSchema", 30) ?? "", /removed in 1\.29/);
  assert.match(notServedReason("batch/v1beta1", "CronJob", 30) ?? "", /removed in 1\.25/);
  assert.match(notServedReason("networking.k8s.io/v1beta1", "Ingress", 30) ?? "", /removed in 1\.22/);
  assert.is(notServedReason("policy/v1beta1", "PodDisruptionBudget", 24), undefined);
});

test("ValidatingAdmissionPolicy v1 needs 1.30 and v1beta1 needs 1.28", () => {
  assert.match(
    notServedReason("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicy", 29) ?? "",
    /served from 1\.30/,
  );
  assert.is(notServedReason("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicy", 30), undefined);
  assert.match(
    notServedReason("admissionregistration.k8s.io/v1beta1", "ValidatingAdmissionPolicyBinding", 27) ?? "",
    /served from 1\.28/,
  );
  assert.is(notServedReason("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", 29), undefined);
});

test("the target version defaults to 1.30 and a malformed one is reported", async () => {
  const cronjob = load("api-version", "bad", "cronjob_batch_v1beta1.yaml").objects;
  assert.ok((await check(cronjob)).some((f) => f.rule === "api-version"));
  assert.equal(
    (await check(cronjob, "1.24")).filter((f) => f.rule === "api-version"),
    [],
  );
  const bad = await validateSchemas([], { kubernetesVersion: "thirty" });
  assert.equal(
    bad.map((f) => f.rule),
    ["api-version"],
  );
});

test("a document without apiVersion or kind is a schema error, not a crash", async () => {
  const findings = await check([{ metadata: { name: "x" } } as unknown as KubeObject]);
  assert.equal(
    findings.map((f) => f.rule),
    ["schema"],
  );
});

test("a kind without a schema is a warning naming it", async () => {
  const findings = await check(load("unknown-kind", "bad", "kind_typo.yaml").objects);
  assert.equal(
    findings.map((f) => [f.severity, f.message]),
    [["warning", "no schema for apps/v1 Deploymnet; it was not validated"]],
  );
});

test("every environment is validated and reported under its own name", async () => {
  const { objects } = load("unknown-field", "bad", "extra_property_spec.yaml");
  const findings = await validateSchemas([
    { environment: "dev", objects },
    { environment: "prod", objects },
  ]);
  assert.equal(
    findings.map((f) => f.environment),
    ["dev", "prod"],
  );
});

test("did-you-mean suggests only close names", () => {
  assert.is(didYouMean("resource", ["resources", "name"]), "resources");
  assert.is(didYouMean("Replicas", ["replicas"]), "replicas");
  assert.is(didYouMean("zzzzzz", ["replicas", "selector"]), undefined);
});

test("custom resources are strict at metadata, spec and endpoint depth too", async () => {
  const objects = load("clean", "good", "realistic_platform.yaml").objects.filter((o) => o.kind === "ServiceMonitor");
  const monitor = structuredClone(objects[0]!) as KubeObject & {
    spec: { endpoints: Record<string, unknown>[]; [k: string]: unknown };
  };
  monitor.metadata.lables = {};
  monitor.spec.namespaceSelectors = {};
  monitor.spec.endpoints[0]!.scrapeTimout = "5s";
  const findings = await check([monitor]);
  assert.equal(findings.map((f) => f.message).sort(), [
    'unknown field "metadata.lables" (did you mean "labels"?)',
    'unknown field "spec.endpoints[0].scrapeTimout" (did you mean "scrapeTimeout"?)',
    'unknown field "spec.namespaceSelectors" (did you mean "namespaceSelector"?)',
  ]);
});

test("a built-in kind without a client-node model is still strict, through its validator", async () => {
  const pdb = {
    apiVersion: "policy/v1beta1",
    kind: "PodDisruptionBudget",
    metadata: { name: "p" },
    spec: { minAvailable: 1, selectr: {} },
  } as KubeObject;
  const findings = await check([pdb], "1.24");
  assert.equal(
    findings.map((f) => [f.rule, f.path]),
    [["unknown-field", "spec.selectr"]],
  );
});

test.run();
