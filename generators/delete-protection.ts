/**
 * What Argo CD must never delete: a Namespace (deleting it deletes every claim in it) and a PersistentVolumeClaim
 * (deleting it releases its volume, which a Retain class keeps but no new claim binds again by itself). `Prune=false`
 * keeps them when they leave the config, `Delete=false` when their Application is deleted with cascade. Against
 * `kubectl delete -k` only the layers protect (core/layout.ts): the Namespaces are not in the app layer at all.
 */
import { ANNOTATION } from "../core/conventions.ts";
import type { KubeObject } from "../core/finding.ts";

const KEEPS_DATA: ReadonlySet<string> = new Set(["Namespace", "PersistentVolumeClaim"]);

export const DELETE_PROTECTION = "Prune=false,Delete=false";

export function withDeleteProtection<T extends KubeObject>(objects: readonly T[]): T[] {
  return objects.map((o) => {
    if (!KEEPS_DATA.has(o.kind)) return o;
    const annotations = { ...o.metadata.annotations, [ANNOTATION.syncOptions]: DELETE_PROTECTION };
    return { ...o, metadata: { ...o.metadata, annotations } };
  });
}
