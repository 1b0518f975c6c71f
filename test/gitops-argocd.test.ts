import { test } from "uvu";
import * as assert from "uvu/assert";
import type { KubeObject } from "../core/finding.ts";
import { parseYamlDocuments } from "../core/yaml.ts";
import { validateSchemas } from "../engines/schema.ts";
import { argocdObjects } from "../generators/argocd.ts";
import { bundleOf, platformOf } from "./support/config.ts";

type Spec = {
  source: { path: string; directory?: unknown };
  destination: { server: string; namespace: string };
  syncPolicy: { automated?: { prune: boolean; selfHeal: boolean }; syncOptions: string[] };
  ignoreDifferences: { kind: string; name: string; jsonPointers: string[] }[];
};

const objectsFor = (overrides: unknown = {}) => argocdObjects(platformOf(overrides), bundleOf(overrides).environments);
const byName = (objects: KubeObject[], name: string) => objects.find((o) => o.metadata.name === name)!;
const specOf = (o: KubeObject) => o.spec as Spec;

const TWO_PROD_CLUSTERS = {
  gitops: {
    clusters: {
      prod: [
        { name: "prod-ldn", server: "https://ldn.k8s.nautilus.io", region: "eu-west-2" },
        { name: "prod-nyc", server: "https://nyc.k8s.nautilus.io", region: "us-east-1" },
      ],
    },
  },
};

test("out/ holds one Application per environment, each syncing its overlay", () => {
  const files = [...bundleOf().files.keys()].filter((p) => p.startsWith("argocd/"));
  assert.equal(files, [
    "argocd/application-nautilus-dev.yaml",
    "argocd/application-nautilus-prod.yaml",
    "argocd/application-nautilus-staging.yaml",
  ]);
  const prod = parseYamlDocuments(bundleOf().files.get("argocd/application-nautilus-prod.yaml")!)[0] as KubeObject;
  assert.is(specOf(prod).source.path, "out/overlays/prod");
  assert.equal(specOf(prod).destination, { namespace: "nautilus-trading", server: "https://kubernetes.default.svc" });
});

test("dev and staging sync automatically with prune and self-heal; prod waits for a person", () => {
  const objects = objectsFor();
  for (const env of ["dev", "staging"])
    assert.equal(specOf(byName(objects, `nautilus-${env}`)).syncPolicy.automated, { prune: true, selfHeal: true });
  assert.is(specOf(byName(objects, "nautilus-prod")).syncPolicy.automated, undefined);
});

test("the replica counts HPAs own are ignored, and a sync respects that", () => {
  const spec = specOf(byName(objectsFor(), "nautilus-prod"));
  assert.equal(
    spec.ignoreDifferences.map((d) => `${d.kind} ${d.name} ${d.jsonPointers.join(",")}`),
    ["Deployment nautilus-market-data /spec/replicas", "Deployment nautilus-strategy-engine /spec/replicas"],
  );
  assert.ok(spec.syncPolicy.syncOptions.includes("RespectIgnoreDifferences=true"));
});

test("an environment with two clusters gets an ApplicationSet with one Application per cluster", () => {
  const objects = objectsFor(TWO_PROD_CLUSTERS);
  assert.equal(
    objects.map((o) => `${o.kind} ${o.metadata.name}`),
    ["Application nautilus-dev", "Application nautilus-staging", "ApplicationSet nautilus-prod"],
  );
  const set = byName(objects, "nautilus-prod").spec as {
    generators: { list: { elements: Record<string, string>[] } }[];
    template: { metadata: { name: string }; spec: Spec };
    syncPolicy: { preserveResourcesOnDeletion: boolean };
  };
  assert.equal(set.generators[0]!.list.elements, [
    { cluster: "prod-ldn", server: "https://ldn.k8s.nautilus.io", region: "eu-west-2" },
    { cluster: "prod-nyc", server: "https://nyc.k8s.nautilus.io", region: "us-east-1" },
  ]);
  assert.is(set.template.metadata.name, "nautilus-prod-{{.cluster}}");
  assert.is(set.template.spec.destination.server, "{{.server}}");
  assert.is(set.template.spec.syncPolicy.automated, undefined);
  assert.ok(set.syncPolicy.preserveResourcesOnDeletion);
  assert.ok(bundleOf(TWO_PROD_CLUSTERS).files.has("argocd/applicationset-nautilus-prod.yaml"));
});

test("the rendered manifests can be synced instead of the overlays", () => {
  const spec = specOf(byName(objectsFor({ gitops: { source: "rendered" } }), "nautilus-staging"));
  assert.equal(spec.source.path, "out/rendered/staging");
  assert.equal(spec.source.directory, { recurse: true });
});

test("without a gitops block no Argo CD objects are generated", () => {
  assert.equal(objectsFor({ gitops: null }), []);
  assert.not.ok([...bundleOf({ gitops: null }).files.keys()].some((p) => p.startsWith("argocd/")));
});

test("the Applications and ApplicationSets pass the schema engine with Argo CD's CRD schemas", async () => {
  const objects = [...objectsFor(), ...objectsFor(TWO_PROD_CLUSTERS)];
  assert.equal(await validateSchemas([{ environment: "", objects }]), []);
});

test("the schema engine really judges Argo CD objects: a typo and a missing destination are refused", async () => {
  const app = structuredClone(byName(objectsFor(), "nautilus-dev")) as KubeObject & { spec: Record<string, unknown> };
  (app.spec.syncPolicy as { automated: Record<string, unknown> }).automated.selfHeel = true;
  delete app.spec.destination;
  const findings = (await validateSchemas([{ environment: "", objects: [app] }])).map((f) => `${f.rule}: ${f.message}`);
  assert.equal(findings, [
    "schema: spec.destination: required field is missing",
    'unknown-field: unknown field "spec.syncPolicy.automated.selfHeel" (did you mean "selfHeal"?)',
  ]);
});

test.run();
