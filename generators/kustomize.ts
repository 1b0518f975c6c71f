/**
 * The Kustomize tree of one layer (core/layout.ts): a base with the layer's objects of the un-patched config, and
 * one overlay per environment holding only the differences, as RFC 6902 patches computed from the objects.
 */
import type { KubeObject } from "../core/finding.ts";
import { jsonPatch } from "./json-patch.ts";
import { baseFromOverlay, basePath, distinctPaths, type LayerDirs, objectFileName, objectKey } from "../core/layout.ts";
import { yamlFile } from "../core/yaml.ts";

const KUSTOMIZATION = { apiVersion: "kustomize.config.k8s.io/v1beta1", kind: "Kustomization" };

export function baseFiles(dirs: LayerDirs, objects: readonly KubeObject[]): Map<string, string> {
  const files = new Map<string, string>();
  const paths = distinctPaths(objects, basePath);
  for (const o of objects) files.set(`${dirs.base}/${paths.get(o)}`, yamlFile([o]));
  files.set(
    `${dirs.base}/kustomization.yaml`,
    yamlFile([{ ...KUSTOMIZATION, resources: objects.map((o) => paths.get(o)!) }]),
  );
  return files;
}

function target(o: KubeObject) {
  const [group, version] = o.apiVersion.includes("/") ? o.apiVersion.split("/") : ["", o.apiVersion];
  return {
    ...(group ? { group } : {}),
    version,
    kind: o.kind,
    name: o.metadata.name,
    ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}),
  };
}

export function overlayFiles(
  dirs: LayerDirs,
  env: string,
  base: readonly KubeObject[],
  final: readonly KubeObject[],
): Map<string, string> {
  const dir = dirs.overlay(env);
  const files = new Map<string, string>();
  const baseByKey = new Map(base.map((o) => [objectKey(o), o]));
  const finalKeys = new Set(final.map(objectKey));
  const resources: string[] = [baseFromOverlay(dirs, env)];
  const patches: { path: string; target?: ReturnType<typeof target> }[] = [];
  const names = distinctPaths([...final, ...base], objectFileName);

  for (const o of final) {
    const from = baseByKey.get(objectKey(o));
    if (!from) {
      const path = `resources/${names.get(o)}`;
      files.set(`${dir}/${path}`, yamlFile([o]));
      resources.push(path);
      continue;
    }
    const ops = jsonPatch(from, o);
    if (ops.length === 0) continue;
    const path = `patches/${names.get(o)}`;
    files.set(`${dir}/${path}`, yamlFile([ops]));
    patches.push({ path, target: target(o) });
  }
  for (const o of base) {
    if (finalKeys.has(objectKey(o))) continue;
    // A strategic-merge delete removes a base object this environment does not run.
    const path = `patches/${names.get(o)!.replace(/[^/]+$/, (file) => `delete-${file}`)}`;
    files.set(
      `${dir}/${path}`,
      yamlFile([
        {
          apiVersion: o.apiVersion,
          kind: o.kind,
          metadata: { name: o.metadata.name, ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}) },
          $patch: "delete",
        },
      ]),
    );
    patches.push({ path });
  }
  files.set(
    `${dir}/kustomization.yaml`,
    yamlFile([{ ...KUSTOMIZATION, resources, ...(patches.length > 0 ? { patches } : {}) }]),
  );
  return files;
}
