import type { PersistentVolumeClaim } from "kubernetes-types/core/v1.js";
import type { Platform } from "../schemas/platform.ts";
import { formatBytes } from "../schemas/units.ts";
import { metadata } from "./meta.ts";

export function persistentVolumeClaims(platform: Platform): PersistentVolumeClaim[] {
  return Object.entries(platform.storage).map(([name, claim]) => ({
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: metadata(platform, name, { component: "storage" }),
    spec: {
      accessModes: [claim.accessMode],
      resources: { requests: { storage: formatBytes(claim.size) } },
      ...(claim.storageClass ? { storageClassName: claim.storageClass } : {}),
    },
  }));
}
