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

test("out/ holds an Application per environment and layer: the cluster layer's syncs its own overlay first", () => {
  const files = [...bundleOf().files.keys()].filter((p) => p.startsWith("argocd/"));
  assert.equal(files, [
    "argocd/application-nautilus-dev-cluster.yaml",
    "argocd/application-nautilus-dev.yaml",
    "argocd/application-nautilus-prod-cluster.yaml",
    "argocd/application-nautilus-prod.yaml",
    "argocd/application-nautilus-staging-cluster.yaml",
    "argocd/application-nautilus-staging.yaml",
  ]);
  const read = (name: string) =>
    parseYamlDocuments(bundleOf().files.get(`argocd/application-${name}.yaml`)!)[0] as KubeObject;
  const [prod, cluster] = [read("nautilus-prod"), read("nautilus-prod-cluster")];
  assert.is(specOf(prod).source.path, "out/overlays/prod");
  assert.is(specOf(cluster).source.path, "out/cluster/overlays/prod");
  assert.equal(specOf(prod).destination, { namespace: "nautilus-trading", server: "https://kubernetes.default.svc" });
  // An app of apps syncing out/argocd creates the cluster layer's Application in an earlier wave.
  const wave = (o: KubeObject) => Number(o.metadata.annotations?.["argocd.argoproj.io/sync-wave"]);
  assert.ok(wave(cluster) < wave(prod));
});

test("Argo CD never prunes the cluster layer, and never deletes a namespace or a claim", () => {
  const objects = objectsFor();
  for (const env of ["dev", "staging", "prod"]) {
    const spec = specOf(byName(objects, `nautilus-${env}-cluster`));
    assert.ok(spec.syncPolicy.syncOptions.includes("Prune=false"), env);
    if (spec.syncPolicy.automated) assert.is(spec.syncPolicy.automated.prune, false, env);
  }
  assert.equal(specOf(byName(objects, "nautilus-dev-cluster")).syncPolicy.automated, { prune: false, selfHeal: true });
  // An app layer synced before its namespaces exist is retried, not left failed until the next commit.
  const retry = (name: string) =>
    (byName(objects, name).spec as { syncPolicy: { retry?: { limit: number } } }).syncPolicy.retry;
  assert.is(retry("nautilus-dev")?.limit, 5);
  assert.is(retry("nautilus-prod"), undefined);
  for (const env of bundleOf().environments) {
    const kept = env.objects.filter((o) => o.kind === "Namespace" || o.kind === "PersistentVolumeClaim");
    assert.ok(kept.some((o) => o.kind === "Namespace") && kept.some((o) => o.kind === "PersistentVolumeClaim"));
    for (const o of kept)
      assert.is(
        o.metadata.annotations?.["argocd.argoproj.io/sync-options"],
        "Prune=false,Delete=false",
        o.metadata.name,
      );
  }
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
    [
      "Application nautilus-dev-cluster",
      "Application nautilus-dev",
      "Application nautilus-staging-cluster",
      "Application nautilus-staging",
      "ApplicationSet nautilus-prod-cluster",
      "ApplicationSet nautilus-prod",
    ],
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
  const clusterSet = byName(objects, "nautilus-prod-cluster").spec as typeof set;
  assert.is(clusterSet.template.metadata.name, "nautilus-prod-cluster-{{.cluster}}");
  assert.is(clusterSet.template.spec.source.path, "out/cluster/overlays/prod");
});

test("the rendered manifests can be synced instead of the overlays", () => {
  const objects = objectsFor({ gitops: { source: "rendered" } });
  const spec = specOf(byName(objects, "nautilus-staging"));
  assert.equal(spec.source.path, "out/rendered/staging");
  assert.equal(spec.source.directory, { recurse: true });
  // Each layer's rendered manifests are a folder of their own: no include or exclude pattern needed.
  assert.equal(specOf(byName(objects, "nautilus-staging-cluster")).source.path, "out/cluster/rendered/staging");
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
