/** Where each object lives under out/: the file-naming rules of the `out/` contract. */
import { posix } from "node:path";
import type { KubeObject } from "./finding.ts";
import { LABEL } from "./conventions.ts";
import { isClusterScoped } from "./k8s/scope.ts";

/**
 * out/ holds two layers, applied apart so that deleting the app never deletes what outlives it. The cluster layer
 * holds the platform's Namespaces, every cluster-scoped object (PriorityClasses, admission policies and bindings,
 * ClusterRoles and bindings, the APIService, StorageClasses) and the objects it places in namespaces it does not own
 * (grants in kube-system); the app layer holds only namespaced objects of the platform's own namespaces, so
 * `kubectl delete -k out/overlays/<env>` cannot delete a namespace, and with it every claim in it.
 */
export type Layer = "cluster" | "app";

/** In apply order: the namespaces and admission policies exist before anything is created in or judged by them. */
export const LAYERS: readonly Layer[] = ["cluster", "app"];

export const LAYER_TITLE: Readonly<Record<Layer, string>> = {
  cluster: "cluster layer",
  app: "app layer",
};

/** Each layer's Kustomize base, overlays and rendered manifests: every folder of out/ belongs to one layer. */
export interface LayerDirs {
  base: string;
  overlay: (env: string) => string;
  rendered: (env: string) => string;
}

export const LAYER_DIRS: Readonly<Record<Layer, LayerDirs>> = {
  cluster: {
    base: "cluster/base",
    overlay: (env) => `cluster/overlays/${env}`,
    rendered: (env) => `cluster/rendered/${env}`,
  },
  app: { base: "base", overlay: (env) => `overlays/${env}`, rendered: (env) => `rendered/${env}` },
};

export const OUT = {
  /** The app layer's folders; the cluster layer's are under `cluster/` (LAYER_DIRS). */
  ...LAYER_DIRS.app,
  configSchema: "platform.schema.json",
  /** Argo CD Applications and ApplicationSets, applied to the Argo CD namespace, not synced by themselves. */
  argocd: "argocd",
} as const;

/** The namespaces the platform creates: the app layer may hold objects of these, and of no other. */
export function ownNamespaces(objects: readonly KubeObject[]): Set<string> {
  return new Set(objects.filter((o) => o.kind === "Namespace").map((o) => o.metadata.name));
}

/** The layer of `o`, by its kind, scope and namespace: the one rule every generator, engine and command reads. */
export function layerOf(o: KubeObject, own: ReadonlySet<string>): Layer {
  const namespace = o.metadata?.namespace;
  return isClusterScoped(o) || !namespace || !own.has(namespace) ? "cluster" : "app";
}

/** `objects` split by layer, each in its original order. */
export function byLayer(objects: readonly KubeObject[]): Record<Layer, KubeObject[]> {
  const own = ownNamespaces(objects);
  const out: Record<Layer, KubeObject[]> = { cluster: [], app: [] };
  for (const o of objects) out[layerOf(o, own)].push(o);
  return out;
}

/** The path from a layer's overlay to its base, as the overlay's kustomization names it. */
export function baseFromOverlay(dirs: LayerDirs, env: string): string {
  return posix.relative(dirs.overlay(env), dirs.base);
}

/** The observability files of out/, read by people and tools directly. */
export const OBSERVABILITY_OUT = {
  rules: "prometheus/rules",
  config: "prometheus/prometheus.yml",
  tests: "prometheus/tests",
  dashboards: "grafana/dashboards",
  alertmanagerConfig: "alertmanager/alertmanager.yml",
  alertmanagerTests: "alertmanager/tests",
  runbooks: "runbooks",
} as const;

/** `deployment-nautilus-risk-engine.yaml` */
export function objectFileName(o: KubeObject): string {
  return `${o.kind.toLowerCase()}-${o.metadata.name}.yaml`;
}

/**
 * Rendered manifests, within their layer's `rendered/<env>/`: `<namespace>/<kind>-<name>.yaml`, cluster-scoped
 * objects under `_cluster/`.
 */
export function renderedPath(o: KubeObject): string {
  return `${o.metadata.namespace ?? "_cluster"}/${objectFileName(o)}`;
}

/** Base files are grouped by what they belong to: `services/risk-engine/`, `platform/`, `monitoring/`, `policies/`. */
export function basePath(o: KubeObject): string {
  const component = o.metadata.labels?.[LABEL.component] ?? "platform";
  const folder =
    component === "service"
      ? `services/${o.metadata.labels?.[LABEL.name] ?? o.metadata.name}`
      : component === "policy"
        ? "policies"
        : component;
  return `${folder}/${objectFileName(o)}`;
}

/**
 * `path(o)` for each object, except that objects whose paths clash (one kind and name in two namespaces, such as
 * the environment ConfigMap of each namespace) move into a folder named after their namespace.
 */
export function distinctPaths(
  objects: readonly KubeObject[],
  path: (o: KubeObject) => string,
): Map<KubeObject, string> {
  const keys = new Map<string, Set<string>>();
  for (const o of objects) keys.set(path(o), (keys.get(path(o)) ?? new Set()).add(objectKey(o)));
  return new Map(
    objects.map((o) => {
      const p = path(o);
      if ((keys.get(p)?.size ?? 0) < 2 || !o.metadata.namespace) return [o, p];
      const slash = p.lastIndexOf("/");
      return [o, `${p.slice(0, slash + 1)}${o.metadata.namespace}/${p.slice(slash + 1)}`];
    }),
  );
}

/** Identity of an object within one environment. */
export function objectKey(o: KubeObject): string {
  return `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;
}
