import { type Finding, type KubeObject, refOf } from "../../core/finding.ts";
import { joinPath } from "../../core/field-path.ts";
import { asArray, containersOf, get, isObject, podTemplateOf } from "../apiserver/context.ts";
import type { ConfigCheck } from "../check.ts";
import { findingOf } from "../check.ts";

/** A Secret a pod reads: its name, the key when one is named, and where in the object. */
interface SecretUse {
  secret: string;
  key?: string;
  path: string;
}

/** Every Secret a pod template reads: env and envFrom of each container, secret and projected volumes. */
export function secretUses(o: KubeObject): SecretUse[] {
  const t = podTemplateOf(o);
  if (!t) return [];
  const uses: SecretUse[] = [];
  for (const { container, path } of containersOf(t)) {
    asArray(container.env).forEach((e, i) => {
      const ref = get(e, "valueFrom", "secretKeyRef");
      const name = get(ref, "name");
      if (typeof name === "string")
        uses.push({
          secret: name,
          key: String(get(ref, "key")),
          path: `${joinPath(joinPath(path, "env"), i)}.valueFrom.secretKeyRef`,
        });
    });
    asArray(container.envFrom).forEach((e, i) => {
      const name = get(e, "secretRef", "name");
      if (typeof name === "string")
        uses.push({ secret: name, path: `${joinPath(joinPath(path, "envFrom"), i)}.secretRef` });
    });
  }
  asArray(t.spec.volumes).forEach((v, i) => {
    const at = joinPath(joinPath(t.specPath, "volumes"), i);
    const name = get(v, "secret", "secretName");
    if (typeof name === "string") {
      const items = asArray(get(v, "secret", "items")).filter(isObject);
      if (items.length === 0) uses.push({ secret: name, path: `${at}.secret` });
      items.forEach((item, j) => {
        uses.push({ secret: name, key: String(item.key), path: `${at}.secret.items[${j}]` });
      });
    }
    asArray(get(v, "projected", "sources")).forEach((s, j) => {
      const projected = get(s, "secret", "name");
      if (typeof projected === "string") uses.push({ secret: projected, path: `${at}.projected.sources[${j}].secret` });
    });
  });
  return uses;
}

/** The namespaces in which an ExternalSecret delivers each Secret, by Secret name. */
function deliveredIn(objects: readonly KubeObject[]): Map<string, Set<string>> {
  const delivered = new Map<string, Set<string>>();
  for (const o of objects) {
    if (o.kind !== "ExternalSecret") continue;
    const target = get(o.spec, "target", "name");
    const name = typeof target === "string" ? target : o.metadata.name;
    delivered.set(name, new Set([...(delivered.get(name) ?? []), o.metadata.namespace ?? ""]));
  }
  return delivered;
}

/**
 * A pod that reads a Secret nobody creates never starts (CreateContainerConfigError, or a volume that
 * never mounts). Every Secret a generated pod reads must be declared, so the ExternalSecret that
 * delivers it is generated (or the prerequisite is listed), with the key the pod reads; and a pod reads
 * Secrets of its own namespace only, so with a store the ExternalSecret must be in the pod's namespace.
 */
export const secretDelivered: ConfigCheck = {
  id: "platform/secret-delivered",
  needs: "config",
  description:
    "Every Secret a generated pod reads is declared under `secrets`, with the key, and delivered in its namespace.",
  severity: "error",
  doc: {
    catches:
      "A generated pod template that reads a Secret (an env `secretKeyRef`, `envFrom`, a `secret` or " +
      "`projected` volume) not declared under `secrets`, or a key its declaration does not list; with " +
      "`secretStore`, a Secret whose ExternalSecret is not in the reading pod's namespace.",
    why:
      "Nothing creates an undeclared Secret: the pod stays in CreateContainerConfigError (env) or " +
      "ContainerCreating (volume) until someone makes it by hand, which is exactly the credential that then " +
      "lives outside review and rotation. A pod reads Secrets of its own namespace only: one delivered in another " +
      "namespace is as absent.",
    fix:
      "Declare the Secret under `secrets` with its keys and `remoteKey`, so an ExternalSecret delivers it " +
      "from `secretStore`; or correct the reference.",
    example: {
      config: {
        monitoring: {
          alerting: { receivers: { "trading-chat": { apiUrl: { secret: "slack-webhook", key: "url" } } } },
        },
      },
    },
  },
  run({ environments }) {
    return environments.flatMap((env) => {
      const delivered = deliveredIn(env.objects);
      return env.objects.flatMap((o) =>
        secretUses(o).flatMap((use): Finding[] => {
          const declared = env.platform.secrets[use.secret];
          const namespace = o.metadata.namespace ?? "";
          const where = [...(delivered.get(use.secret) ?? [])].sort();
          const problem = !declared
            ? `reads Secret ${use.secret}, which is not declared under secrets: nothing creates it, so the pod ` +
              "never starts"
            : use.key !== undefined && !(use.key in declared.keys)
              ? `reads key ${use.key} of Secret ${use.secret}, which declares only ` +
                Object.keys(declared.keys).join(", ")
              : env.platform.secretStore && !where.includes(namespace)
                ? `reads Secret ${use.secret} in namespace ${namespace}, but its ExternalSecret is generated only ` +
                  `in ${where.join(", ") || "no namespace"}: a pod reads Secrets of its own namespace, so it never ` +
                  "starts"
                : undefined;
          if (!problem) return [];
          return [
            findingOf(this, {
              environment: env.environment,
              resource: refOf(o),
              path: use.path,
              message: problem,
              hint: !declared
                ? `declare secrets.${use.secret} with its keys and remoteKey, so an ExternalSecret delivers it`
                : use.key !== undefined && !(use.key in declared.keys)
                  ? `add the key to secrets.${use.secret}.keys, or read one it has`
                  : `regenerate out/: an ExternalSecret is generated in each namespace that reads the secret`,
            }),
          ];
        }),
      );
    });
  },
};
