/** Names and labels shared by every generator, derived from conventions.ts in one place. */
import type { ObjectMeta } from "kubernetes-types/meta/v1.js";
import type { Platform } from "../schemas/platform.ts";
import { ANNOTATION, LABEL, MANAGED_BY } from "../core/conventions.ts";
import type { KubeObject } from "../core/finding.ts";
import { stageOf } from "../core/stages.ts";
import { objectName } from "../model/names.ts";
import { namespaceOfTier } from "../model/namespaces.ts";

export type Component = "service" | "platform" | "storage" | "monitoring" | "policy";

export function labels(platform: Platform, name: string, component: Component, tier?: string): Record<string, string> {
  const out: Record<string, string> = {
    [LABEL.name]: name,
    [LABEL.partOf]: platform.name,
    [LABEL.component]: component,
    [LABEL.managedBy]: MANAGED_BY,
  };
  if (tier) out[LABEL.tier] = tier;
  return out;
}

/** Selectors are immutable on a live Deployment, so they carry only labels that never change. */
export function selectorLabels(platform: Platform, service: string): Record<string, string> {
  return { [LABEL.name]: service, [LABEL.partOf]: platform.name };
}

export function metadata(
  platform: Platform,
  name: string,
  opts: { component: Component; tier?: string; labelName?: string; namespaced?: boolean },
): ObjectMeta {
  const meta: ObjectMeta = { name: objectName(platform, name) };
  // A workload's objects live where its tier runs (model/namespaces.ts); everything else in `namespace`.
  if (opts.namespaced !== false) meta.namespace = namespaceOfTier(platform, opts.tier);
  meta.labels = labels(platform, opts.labelName ?? name, opts.component, opts.tier);
  return meta;
}

/**
 * Each object with the sync wave of its stage (core/stages.ts), so Argo CD applies in the seed's order; an object
 * the table does not place is left without one, and the platform/sync-wave check refuses it.
 */
export function withSyncWaves<T extends KubeObject>(objects: readonly T[]): T[] {
  return objects.map((o) => {
    const stage = stageOf(o, objects);
    if (!stage) return o;
    const annotations = { ...o.metadata.annotations, [ANNOTATION.syncWave]: String(stage.wave) };
    return { ...o, metadata: { ...o.metadata, annotations } };
  });
}
