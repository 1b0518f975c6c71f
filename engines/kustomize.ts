/**
 * Proves that what `kubectl apply -k out/cluster/overlays/<env>` and `kubectl apply -k out/overlays/<env>` deploy
 * is exactly what the other engines checked (the in-memory final objects), by building each layer's overlay with the
 * real kustomize: together the two layers hold every object once, and the app layer holds nothing that
 * `kubectl delete -k` must not take (a Namespace, a cluster-scoped object, an object of a namespace it does not own).
 * Kustomize's time grows with the square of the object count (measured here: 500 objects 0.44 s,
 * 1,500 objects 4.3 s, 5,000 objects 112 s), so `check` compares only below a threshold and says so above it.
 */
import { spawnSync } from "node:child_process";
import { parseYamlDocuments } from "../core/yaml.ts";
import { deepEqual } from "../core/plain.ts";
import {
  byLayer,
  type Layer,
  LAYER_DIRS,
  LAYER_TITLE,
  LAYERS,
  layerOf,
  objectKey,
  ownNamespaces,
} from "../core/layout.ts";
import { refOf, type EnvironmentObjects, type Finding, type KubeObject } from "../core/finding.ts";

/** Above this many objects in all environments together, `check` leaves the comparison to `npm test`. */
export const KUSTOMIZE_OBJECT_LIMIT = 1500;

export function kustomizeBuild(
  overlayDir: string,
): { ok: true; objects: KubeObject[] } | { ok: false; message: string } {
  const r = spawnSync("kubectl", ["kustomize", overlayDir], { encoding: "utf8", maxBuffer: 512 * 1024 * 1024 });
  if (r.error)
    return {
      ok: false,
      message: `could not run kubectl: ${r.error.message}; install kubectl (it bundles kustomize v5)`,
    };
  if (r.status !== 0) return { ok: false, message: (r.stderr || r.stdout).trim() };
  try {
    return { ok: true, objects: parseYamlDocuments(r.stdout) as KubeObject[] };
  } catch (e) {
    return { ok: false, message: `kustomize printed YAML that does not parse: ${(e as Error).message}` };
  }
}

/** Compares kustomize's objects with ours as objects, ignoring order. */
export function compareObjects(
  environment: string,
  expected: readonly KubeObject[],
  built: readonly KubeObject[],
  overlay: string,
): Finding[] {
  const findings: Finding[] = [];
  const builtByKey = new Map(built.map((o) => [objectKey(o), o]));
  const expectedKeys = new Set(expected.map(objectKey));
  for (const o of expected) {
    const b = builtByKey.get(objectKey(o));
    if (!b)
      findings.push({
        engine: "kustomize",
        rule: "missing-object",
        severity: "error",
        environment,
        resource: refOf(o),
        file: overlay,
        message: `kubectl kustomize ${overlay} does not produce this object, but the rendered manifests have it`,
      });
    else if (!deepEqual(o, b))
      findings.push({
        engine: "kustomize",
        rule: "object-differs",
        severity: "error",
        environment,
        resource: refOf(o),
        file: overlay,
        path: firstDifference(o, b),
        message: `kubectl kustomize ${overlay} produces a different object than the rendered manifests`,
      });
  }
  for (const b of built) {
    if (!expectedKeys.has(objectKey(b)))
      findings.push({
        engine: "kustomize",
        rule: "extra-object",
        severity: "error",
        environment,
        resource: refOf(b),
        file: overlay,
        message: `kubectl kustomize ${overlay} produces an object the rendered manifests do not have`,
      });
  }
  return findings;
}

function firstDifference(a: unknown, b: unknown, path = ""): string {
  if (a && b && typeof a === "object" && typeof b === "object") {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) {
      const va = (a as Record<string, unknown>)[k];
      const vb = (b as Record<string, unknown>)[k];
      if (!deepEqual(va, vb))
        return firstDifference(va, vb, Array.isArray(a) ? `${path}[${k}]` : path ? `${path}.${k}` : k);
    }
  }
  return path;
}

/**
 * Objects that kustomize builds into the overlay of `layer` but that belong to the other one (core/layout.ts), judged
 * with the namespaces the environment creates. An app-layer overlay with a Namespace would let `kubectl delete -k`
 * take the namespace and every claim in it.
 */
export function wrongLayer(
  environment: string,
  layer: Layer,
  built: readonly KubeObject[],
  own: ReadonlySet<string>,
  overlay: string,
): Finding[] {
  return built
    .filter((o) => layerOf(o, own) !== layer)
    .map((o) => ({
      engine: "kustomize",
      rule: "wrong-layer",
      severity: "error" as const,
      environment,
      resource: refOf(o),
      file: overlay,
      message:
        layer === "app"
          ? `kubectl kustomize ${overlay} produces a ${o.kind} of the cluster layer: ` +
            `\`kubectl delete -k ${overlay}\` ` +
            "would delete it"
          : `kubectl kustomize ${overlay} produces a ${o.kind} of the app layer, which the ${LAYER_TITLE.cluster} ` +
            "must not hold",
      hint: "the layer of an object follows from its kind, scope and namespace (core/layout.ts); regenerate out/",
    }));
}

/**
 * `drifted`: out/-relative files that differ from what the config generates. An overlay that reads one
 * of them is not compared: drift already names the file, and the object differences would only restate it.
 * `build` runs kustomize on one overlay (bin/tool-cache.ts answers it from a cache).
 */
export function checkKustomize(
  outDir: string,
  envs: readonly EnvironmentObjects[],
  limit = KUSTOMIZE_OBJECT_LIMIT,
  drifted: readonly string[] = [],
  build: typeof kustomizeBuild = kustomizeBuild,
): Finding[] {
  const total = envs.reduce((n, e) => n + e.objects.length, 0);
  if (total > limit) {
    return [
      {
        engine: "kustomize",
        rule: "skipped",
        severity: "info",
        message:
          `kustomize equivalence not checked: ${total} objects is over the limit of ${limit} ` +
          `(kustomize grows with the square of the object count); npm test still checks it`,
      },
    ];
  }
  const reads = (environment: string, path: string) =>
    LAYERS.some(
      (layer) =>
        path.startsWith(`${LAYER_DIRS[layer].base}/`) || path.startsWith(`${LAYER_DIRS[layer].overlay(environment)}/`),
    );
  const stale = envs.filter(({ environment }) => drifted.some((p) => reads(environment, p)));
  const skipped: Finding[] =
    stale.length > 0
      ? [
          {
            engine: "kustomize",
            rule: "skipped",
            severity: "info",
            message:
              `kustomize equivalence not checked for ${stale.map((e) => e.environment).join(", ")}: the files their ` +
              `overlays read are stale (see drift); it is checked again once ${outDir}/ is regenerated`,
          },
        ]
      : [];
  return [
    ...skipped,
    ...envs
      .filter((e) => !stale.includes(e))
      .flatMap(({ environment, objects }) => {
        const layers = byLayer(objects);
        const own = ownNamespaces(objects);
        return LAYERS.flatMap((layer): Finding[] => {
          const overlay = `${outDir}/${LAYER_DIRS[layer].overlay(environment)}`;
          const built = build(overlay);
          if (!built.ok)
            return [
              {
                engine: "kustomize",
                rule: "build-failed",
                severity: "error",
                environment,
                file: overlay,
                message: `kubectl kustomize ${overlay} failed: ${built.message}`,
              },
            ];
          return [
            ...wrongLayer(environment, layer, built.objects, own, overlay),
            // An object in the wrong layer is said once, as such, not again as an extra object.
            ...compareObjects(
              environment,
              layers[layer],
              built.objects.filter((o) => layerOf(o, own) === layer),
              overlay,
            ),
          ];
        });
      }),
  ];
}
