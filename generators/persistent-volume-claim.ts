import type { PersistentVolumeClaim } from "kubernetes-types/core/v1.js";
import type { Platform } from "../schemas/platform.ts";
import { formatBytes } from "../schemas/units.ts";
import { metadata } from "./meta.ts";
import { namespaceOfService } from "../model/namespaces.ts";

/**
 * A claim is namespaced: each namespace whose services mount it gets its own (the host-network tiers run in their
 * own namespace, model/namespaces.ts); a claim no service mounts (Prometheus') stays in `namespace`.
 */
export function persistentVolumeClaims(platform: Platform): PersistentVolumeClaim[] {
  return Object.entries(platform.storage).flatMap(([name, claim]) => {
    const users = Object.keys(platform.services).filter((s) =>
      platform.services[s]!.volumes.some((v) => v.claim === name),
    );
    const namespaces =
      users.length > 0 ? [...new Set(users.map((s) => namespaceOfService(platform, s)))].sort() : [platform.namespace];
    return namespaces.map((namespace) => pvc(platform, name, claim, namespace));
  });
}

function pvc(
  platform: Platform,
  name: string,
  claim: Platform["storage"][string],
  namespace: string,
): PersistentVolumeClaim {
  return {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: { ...metadata(platform, name, { component: "storage" }), namespace },
    spec: {
      accessModes: [claim.accessMode],
      resources: { requests: { storage: formatBytes(claim.size) } },
      ...(claim.storageClass ? { storageClassName: claim.storageClass } : {}),
    },
  };
}
