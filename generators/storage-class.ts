import type { StorageClass } from "kubernetes-types/storage/v1.js";
import type { Platform } from "../schemas/platform.ts";
import { labels } from "./meta.ts";

/**
 * The classes the config owns. Cluster-scoped and named as declared (claims name them): a class the
 * cluster already provides is a prerequisite instead, never generated.
 */
export function storageClasses(platform: Platform): StorageClass[] {
  return Object.entries(platform.storageClasses)
    .filter(([, c]) => !c.provided)
    .map(([name, c]) => ({
      apiVersion: "storage.k8s.io/v1",
      kind: "StorageClass",
      metadata: { name, labels: labels(platform, name, "storage") },
      provisioner: c.provisioner,
      ...(Object.keys(c.parameters).length > 0 ? { parameters: { ...c.parameters } } : {}),
      reclaimPolicy: c.reclaimPolicy,
      volumeBindingMode: c.volumeBindingMode,
      allowVolumeExpansion: c.allowVolumeExpansion,
    }));
}
