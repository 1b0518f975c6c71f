/**
 * What the platform's pods rely on the cluster to provide besides nodes: storage classes, and the
 * Secrets that hold credentials. Each is declared here once; generators create what we own, and checks
 * hold every claim and every Secret reference to what is declared.
 */
import { z } from "zod";
import { dnsLabel } from "./names.ts";
import { duration } from "./units.ts";

export const ACCESS_MODES = ["ReadWriteOnce", "ReadWriteMany", "ReadOnlyMany", "ReadWriteOncePod"] as const;

/** A DNS subdomain, as the API server requires of StorageClass and Secret names. */
const subdomain = (what: string) =>
  z
    .string()
    .max(253)
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, {
      error: (iss) => `${what} is a lower-case DNS name like "fast-ssd", got ${JSON.stringify(iss.input)}`,
    });

export const storageClassSchema = z
  .strictObject({
    description: z.string().min(1).describe("What the class is for, for people reading the config."),
    provided: z
      .boolean()
      .default(false)
      .describe(
        "The cluster already has this class (a prerequisite `check` lists and `deploy` verifies); when false " +
          "the StorageClass is generated from `provisioner` and `parameters`.",
      ),
    provisioner: z
      .string()
      .min(1)
      .describe('The CSI driver that provisions its volumes ("ebs.csi.aws.com", "nfs.csi.k8s.io").'),
    parameters: z
      .record(z.string(), z.string().describe("A parameter's value."))
      .default({})
      .describe("The driver's provisioning parameters (StorageClass `parameters`)."),
    reclaimPolicy: z
      .enum(["Delete", "Retain"])
      .default("Delete")
      .describe(
        "What happens to a volume when its claim is deleted (also by `kubectl delete -k` or a deleted " +
          "namespace): Retain keeps the volume and its data.",
      ),
    volumeBindingMode: z
      .enum(["WaitForFirstConsumer", "Immediate"])
      .default("WaitForFirstConsumer")
      .describe("WaitForFirstConsumer provisions in the zone of the pod that mounts the claim."),
    allowVolumeExpansion: z.boolean().default(true).describe("Whether a claim's size may grow in place."),
    accessModes: z
      .array(z.enum(ACCESS_MODES).describe("An access mode."))
      .min(1)
      .describe("The access modes the driver supports; a claim asking for another one never binds."),
    nodeLocal: z
      .boolean()
      .default(false)
      .describe(
        "Volumes live on the node's own disks (local volumes, TopoLVM); false means network storage, whose " +
          "writes wait on the network.",
      ),
    fsGroupPolicy: z
      .enum(["File", "ReadWriteOnceWithFSType", "None"])
      .default("ReadWriteOnceWithFSType")
      .describe(
        "The driver's CSIDriver `fsGroupPolicy`: whether the kubelet gives the volume to the pod's fsGroup. " +
          "Under the default, ReadWriteMany volumes keep the server's ownership.",
      ),
  })
  .describe("A StorageClass the platform's claims use.");

export const secretStoreSchema = z
  .strictObject({
    kind: z
      .enum(["ClusterSecretStore", "SecretStore"])
      .default("ClusterSecretStore")
      .describe("The External Secrets Operator store kind the ExternalSecrets read from."),
    name: dnsLabel("a secret store name").describe("The store's name (created with the operator, outside this tool)."),
    refreshInterval: duration().prefault("1h").describe("How often the operator re-reads each secret from the store."),
  })
  .describe("Where declared secrets come from: an External Secrets Operator store.");

export const secretSchema = z
  .strictObject({
    description: z.string().min(1).describe("What the credential is, for people reading the config."),
    remoteKey: z
      .string()
      .min(1)
      .optional()
      .describe("The secret's key in the store (a Vault path, an AWS Secrets Manager name); needs `secretStore`."),
    version: z
      .string()
      .min(1)
      .optional()
      .describe(
        "The version of the remote secret to read (a Vault KV version, an AWS version id); the latest when unset. " +
          "Pods that read the secret roll when it (or the store, remote key or property) changes.",
      ),
    keys: z
      .record(
        z.string().regex(/^[-._a-zA-Z0-9]+$/, { error: "a Secret key is made of letters, digits, '-', '_' and '.'" }),
        z.string().min(1).describe("The property of the remote secret this key is read from."),
      )
      .refine((k) => Object.keys(k).length > 0, { error: "a secret needs at least one key" })
      .describe("The Secret's keys, each with the remote property it comes from."),
  })
  .describe(
    "A Secret pods read by name. With `secretStore` an ExternalSecret delivers it; without, it is a " +
      "prerequisite created outside this tool. Its value is never in the config or in out/.",
  );

export const secretNameSchema = subdomain("a Secret name");
export const storageClassNameSchema = subdomain("a StorageClass name");

export type StorageClass = z.output<typeof storageClassSchema>;
export type DeclaredSecret = z.output<typeof secretSchema>;

type Issue = { path: (string | number)[]; message: string };

/** Claims name declared classes, access modes the class supports; secret references name declared keys. */
export function storageReferenceIssues(p: {
  storage: Record<string, { storageClass?: string | undefined; accessMode: string; retain: boolean }>;
  storageClasses: Record<string, StorageClass>;
  secrets: Record<string, DeclaredSecret>;
  secretStore?: unknown;
  services: Record<string, { env: Record<string, string>; secretEnv: Record<string, { secret: string; key: string }> }>;
}): Issue[] {
  const issues: Issue[] = [];
  const classes = Object.keys(p.storageClasses);
  for (const [name, claim] of Object.entries(p.storage)) {
    const path = ["storage", name, "storageClass"];
    if (claim.storageClass === undefined) {
      issues.push({
        path,
        message:
          "required: the claim's StorageClass, declared under storageClasses (the cluster's default class " +
          "may not exist, and then the claim and every pod mounting it stay Pending)",
      });
      continue;
    }
    const cls = p.storageClasses[claim.storageClass];
    if (!cls) {
      issues.push({
        path,
        message:
          `unknown storage class ${JSON.stringify(claim.storageClass)}; declared: ${classes.join(", ") || "none"}` +
          " (declare it under storageClasses, with provided: true if the cluster already has it)",
      });
      continue;
    }
    if (!cls.accessModes.includes(claim.accessMode as (typeof ACCESS_MODES)[number]))
      issues.push({
        path: ["storage", name, "accessMode"],
        message:
          `storage class ${claim.storageClass} supports ${cls.accessModes.join(", ")}, not ${claim.accessMode}: ` +
          "the claim would never bind",
      });
    if (claim.retain && cls.reclaimPolicy !== "Retain")
      issues.push({
        path: ["storage", name, "retain"],
        message:
          `the claim's data must outlive it, but storage class ${claim.storageClass} reclaims with ` +
          `${cls.reclaimPolicy}: deleting the claim (or the namespace, or \`kubectl delete -k\`) deletes the data; ` +
          "use a class with reclaimPolicy: Retain",
      });
  }
  for (const [name, secret] of Object.entries(p.secrets))
    if (secret.remoteKey !== undefined && !p.secretStore)
      issues.push({
        path: ["secrets", name, "remoteKey"],
        message: "a remote key needs secretStore: the store the External Secrets Operator reads it from",
      });
    else if (secret.remoteKey === undefined && p.secretStore)
      issues.push({
        path: ["secrets", name, "remoteKey"],
        message: "required with secretStore: the secret's key in the store",
      });
  for (const [name, secret] of Object.entries(p.secrets))
    if (secret.version !== undefined && !p.secretStore)
      issues.push({
        path: ["secrets", name, "version"],
        message: "a version needs secretStore: it is the version of the remote secret the store holds",
      });
  for (const [svc, { secretEnv }] of Object.entries(p.services))
    for (const [variable, ref] of Object.entries(secretEnv)) {
      if (variable in p.services[svc]!.env)
        issues.push({
          path: ["services", svc, "secretEnv", variable],
          message: `${variable} is also set in env: a variable comes from env or from a secret, not both`,
        });
      const declared = p.secrets[ref.secret];
      if (!declared)
        issues.push({
          path: ["services", svc, "secretEnv", variable, "secret"],
          message:
            `unknown secret ${JSON.stringify(ref.secret)}; declared: ${Object.keys(p.secrets).join(", ") || "none"}` +
            " (declare it under secrets)",
        });
      else if (!(ref.key in declared.keys))
        issues.push({
          path: ["services", svc, "secretEnv", variable, "key"],
          message:
            `secret ${ref.secret} has no key ${JSON.stringify(ref.key)}; its keys: ` +
            Object.keys(declared.keys).join(", "),
        });
    }
  return issues;
}
