import type { KubeObject } from "../core/finding.ts";
import type { Platform } from "../schemas/platform.ts";
import { formatDuration } from "../schemas/units.ts";
import { labels } from "./meta.ts";

/**
 * One ExternalSecret per declared secret when a store is configured: the External Secrets Operator
 * creates the Secret (named as declared, which is what pods reference) from the store, so no value is
 * ever in the config or in out/. Without a store the secrets are prerequisites and nothing is generated.
 */
export function externalSecrets(platform: Platform): KubeObject[] {
  const store = platform.secretStore;
  if (!store) return [];
  return Object.entries(platform.secrets).map(([name, secret]) => ({
    apiVersion: "external-secrets.io/v1beta1",
    kind: "ExternalSecret",
    metadata: { name, namespace: platform.namespace, labels: labels(platform, name, "platform") },
    spec: {
      refreshInterval: formatDuration(store.refreshInterval),
      secretStoreRef: { kind: store.kind, name: store.name },
      target: { name, creationPolicy: "Owner" },
      data: Object.entries(secret.keys).map(([secretKey, property]) => ({
        secretKey,
        remoteRef: { key: secret.remoteKey ?? "", property },
      })),
    },
  }));
}
