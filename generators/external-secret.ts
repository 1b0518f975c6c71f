import type { KubeObject } from "../core/finding.ts";
import type { Platform } from "../schemas/platform.ts";
import { formatDuration } from "../schemas/units.ts";
import { podReads } from "./config-checksum.ts";
import { labels } from "./meta.ts";

/**
 * One ExternalSecret per declared secret and namespace that reads it, when a store is configured: the External
 * Secrets Operator creates the Secret (named as declared, which is what pods reference) from the store, so no value
 * is ever in the config or in out/. A pod reads Secrets of its own namespace only, so the secret is delivered in
 * every namespace where a pod reads it (or a Gateway or Ingress, for its TLS certificate, or prometheus-operator,
 * for an AlertmanagerConfig's receivers), and nowhere else: an engine's credential is not copied into the platform
 * namespace, nor the router's into the engines'. A declared secret nothing reads is delivered in the platform
 * namespace, its declared home. Without a store the secrets are prerequisites and nothing is generated. `readers`
 * are the environment's other objects.
 */
export function externalSecrets(platform: Platform, readers: readonly KubeObject[]): KubeObject[] {
  const store = platform.secretStore;
  if (!store) return [];
  const readIn = secretReaders(readers);
  return Object.entries(platform.secrets).flatMap(([name, secret]) =>
    [...(readIn.get(name) ?? [platform.namespace])].sort(namespaceOrder(platform)).map((namespace) => ({
      apiVersion: "external-secrets.io/v1beta1",
      kind: "ExternalSecret",
      metadata: { name, namespace, labels: labels(platform, name, "platform") },
      spec: {
        refreshInterval: formatDuration(store.refreshInterval),
        secretStoreRef: { kind: store.kind, name: store.name },
        target: { name, creationPolicy: "Owner" },
        data: Object.entries(secret.keys).map(([secretKey, property]) => ({
          secretKey,
          remoteRef: {
            key: secret.remoteKey ?? "",
            property,
            ...(secret.version !== undefined ? { version: secret.version } : {}),
          },
        })),
      },
    })),
  );
}

/** The platform namespace first, then the others by name: a stable order for out/. */
const namespaceOrder = (platform: Platform) => (a: string, b: string) =>
  a === b ? 0 : a === platform.namespace ? -1 : b === platform.namespace ? 1 : a < b ? -1 : 1;

/** Kinds whose `spec.template` is a pod template (CronJob's lies one level deeper). */
const POD_TEMPLATE_KINDS = new Set(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"]);

/** The namespaces in which each Secret is read, by Secret name. */
export function secretReaders(objects: readonly KubeObject[]): Map<string, Set<string>> {
  const readIn = new Map<string, Set<string>>();
  const add = (secret: unknown, namespace: string | undefined) => {
    if (typeof secret !== "string" || !namespace) return;
    readIn.set(secret, new Set([...(readIn.get(secret) ?? []), namespace]));
  };
  for (const o of objects) {
    const ns = o.metadata.namespace;
    const spec = o.spec as Record<string, unknown> | undefined;
    if (POD_TEMPLATE_KINDS.has(o.kind)) {
      const pod = (spec?.template as { spec?: Parameters<typeof podReads>[0] } | undefined)?.spec;
      for (const id of podReads(pod ?? {}).keys()) if (id.startsWith("Secret/")) add(id.slice("Secret/".length), ns);
    } else if (o.kind === "Gateway") {
      const listeners = (spec?.listeners ?? []) as { tls?: { certificateRefs?: { kind?: string; name?: string }[] } }[];
      for (const l of listeners)
        for (const ref of l.tls?.certificateRefs ?? []) if ((ref.kind ?? "Secret") === "Secret") add(ref.name, ns);
    } else if (o.kind === "Ingress") {
      for (const tls of (spec?.tls ?? []) as { secretName?: string }[]) add(tls.secretName, ns);
    } else if (o.kind === "AlertmanagerConfig") {
      // prometheus-operator reads each receiver's SecretKeySelector in the AlertmanagerConfig's namespace.
      for (const name of keySelectors(spec?.receivers)) add(name, ns);
    }
  }
  return readIn;
}

/** The `name` of every `{ name, key }` selector under `value`. */
function keySelectors(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keySelectors);
  if (typeof value !== "object" || value === null) return [];
  const record = value as Record<string, unknown>;
  if (typeof record.name === "string" && typeof record.key === "string") return [record.name];
  return Object.values(record).flatMap(keySelectors);
}
