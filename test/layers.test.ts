/**
 * The two layers of out/ (core/layout.ts): the cluster layer holds the Namespaces, every cluster-scoped object and
 * what we place in namespaces we do not own; the app layer only namespaced objects of our own namespaces, so
 * `kubectl delete -k out/overlays/<env>` cannot delete a namespace. Proven with the real kustomize.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { KubeObject } from "../core/finding.ts";
import { byLayer, LAYER_DIRS, layerOf, objectKey, ownNamespaces } from "../core/layout.ts";
import { isClusterScoped } from "../core/k8s/scope.ts";
import { checkKustomize, compareObjects, kustomizeBuild } from "../engines/kustomize.ts";
import { bundleOf, ROOT } from "./support/config.ts";

const object = (kind: string, name: string, namespace?: string, apiVersion = "v1"): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name, ...(namespace ? { namespace } : {}) },
});

function build(overlay: string): KubeObject[] {
  const r = kustomizeBuild(overlay);
  if (!r.ok) throw new Error(r.message);
  return r.objects;
}

const own = new Set(["nautilus-trading", "nautilus-engines"]);
const rows: { description: string; o: KubeObject; layer: "cluster" | "app" }[] = [
  { description: "a Namespace", o: object("Namespace", "nautilus-trading"), layer: "cluster" },
  {
    description: "a ClusterRole",
    o: object("ClusterRole", "x", undefined, "rbac.authorization.k8s.io/v1"),
    layer: "cluster",
  },
  { description: "an APIService", o: object("APIService", "v1beta1.custom.metrics.k8s.io"), layer: "cluster" },
  {
    description: "a StorageClass",
    o: object("StorageClass", "fast", undefined, "storage.k8s.io/v1"),
    layer: "cluster",
  },
  {
    description: "a cluster-scoped kind even with a namespace written on it",
    o: object("PriorityClass", "p", "nautilus-trading", "scheduling.k8s.io/v1"),
    layer: "cluster",
  },
  {
    description: "a custom resource of a kind we do not know, written without a namespace",
    o: object("ClusterIssuer", "letsencrypt", undefined, "cert-manager.io/v1"),
    layer: "cluster",
  },
  {
    description: "a grant in a namespace we do not own",
    o: object("RoleBinding", "auth-reader", "kube-system", "rbac.authorization.k8s.io/v1"),
    layer: "cluster",
  },
  {
    description: "a Deployment in our namespace",
    o: object("Deployment", "d", "nautilus-engines", "apps/v1"),
    layer: "app",
  },
  {
    description: "a claim in our namespace",
    o: object("PersistentVolumeClaim", "c", "nautilus-trading"),
    layer: "app",
  },
  {
    description: "a custom resource of a kind we do not know, in our namespace",
    o: object("ServiceMonitor", "s", "nautilus-trading", "monitoring.coreos.com/v1"),
    layer: "app",
  },
];
for (const row of rows)
  test(`the layer of ${row.description} is ${row.layer}`, () => {
    assert.is(layerOf(row.o, own), row.layer);
  });

test("every environment's objects split into the layers once each; the app layer holds only our namespaces'", () => {
  for (const env of bundleOf().environments) {
    const layers = byLayer(env.objects);
    assert.is(layers.cluster.length + layers.app.length, env.objects.length);
    assert.equal(
      [...ownNamespaces(env.objects)].sort(),
      ["nautilus-engines", "nautilus-trading"],
      "the platform's namespaces are created by the cluster layer",
    );
    for (const o of layers.app) {
      assert.not.ok(isClusterScoped(o), `${o.kind} ${o.metadata.name}`);
      assert.ok(own.has(o.metadata.namespace!), `${o.kind} ${o.metadata.name}`);
    }
    const clusterKinds = new Set(layers.cluster.map((o) => o.kind));
    for (const kind of ["Namespace", "PriorityClass", "ValidatingAdmissionPolicy", "ClusterRole", "APIService"])
      assert.ok(clusterKinds.has(kind), kind);
  }
});

test(
  "kubectl kustomize: the app overlay renders no Namespace and nothing cluster-scoped, and both layers together " +
    "render exactly the environment's objects, none twice",
  () => {
    for (const env of bundleOf().environments) {
      const cluster = build(join(ROOT, "out", LAYER_DIRS.cluster.overlay(env.environment)));
      const app = build(join(ROOT, "out", LAYER_DIRS.app.overlay(env.environment)));
      assert.equal(
        app
          .filter((o) => o.kind === "Namespace" || isClusterScoped(o) || !own.has(o.metadata.namespace!))
          .map(objectKey),
        [],
        env.environment,
      );
      assert.ok(
        cluster.some((o) => o.kind === "Namespace"),
        env.environment,
      );
      const keys = [...cluster, ...app].map(objectKey);
      assert.equal(
        keys.filter((k, i) => keys.indexOf(k) !== i),
        [],
        `${env.environment}: duplicated`,
      );
      assert.equal(
        compareObjects(env.environment, env.objects, [...cluster, ...app], "both layers"),
        [],
        env.environment,
      );
    }
  },
);

test("a StorageClass the config creates goes to the cluster layer by its scope, with no list of names", () => {
  const bundle = bundleOf({ storageClasses: { "shared-files": { provided: false } } });
  const prod = bundle.environments.find((e) => e.environment === "prod")!;
  const created = prod.objects.find((o) => o.kind === "StorageClass")!;
  assert.ok(created, "the class is generated");
  assert.ok(bundle.files.has(`${LAYER_DIRS.cluster.rendered("prod")}/_cluster/storageclass-shared-files.yaml`));
  assert.ok(bundle.files.has("cluster/base/storage/storageclass-shared-files.yaml"));
  assert.not.ok([...bundle.files.keys()].some((p) => !p.startsWith("cluster/") && p.includes("storageclass-")));
});

test("check refuses an app overlay that would let `kubectl delete -k` take a namespace, naming the rule once", () => {
  const bundle = bundleOf();
  const dir = mkdtempSync(join(tmpdir(), "platform-layers-"));
  try {
    for (const [path, content] of bundle.files) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), content);
    }
    const overlay = join(dir, LAYER_DIRS.app.overlay("prod"));
    writeFileSync(
      join(overlay, "namespace.yaml"),
      readFileSync(join(dir, LAYER_DIRS.cluster.rendered("prod"), "_cluster/namespace-nautilus-trading.yaml")),
    );
    const kustomization = join(overlay, "kustomization.yaml");
    writeFileSync(
      kustomization,
      readFileSync(kustomization, "utf8").replace("resources:\n", "resources:\n  - namespace.yaml\n"),
    );
    const total = bundle.environments.reduce((n, e) => n + e.objects.length, 0);
    const findings = checkKustomize(dir, bundle.environments, total);
    assert.equal(
      findings.map((f) => [f.environment, f.rule, f.resource?.kind, f.resource?.name]),
      [["prod", "wrong-layer", "Namespace", "nautilus-trading"]],
    );
    assert.match(findings[0]!.message, `\`kubectl delete -k ${overlay}\` would delete it`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
