/** Where each object lives under out/: the file-naming rules of the `out/` contract. */
import type { KubeObject } from "./finding.ts";
import { LABEL } from "./conventions.ts";

export const OUT = {
  base: "base",
  overlay: (env: string) => `overlays/${env}`,
  rendered: (env: string) => `rendered/${env}`,
  configSchema: "platform.schema.json",
  /** Argo CD Applications and ApplicationSets, applied to the Argo CD namespace, not synced by themselves. */
  argocd: "argocd",
} as const;

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

/** Rendered manifests: `<namespace>/<kind>-<name>.yaml`, cluster-scoped objects under `_cluster/`. */
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
