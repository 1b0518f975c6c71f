/**
 * What pods rely on the cluster for besides nodes (issue 12): storage classes that exist and can bind the
 * claims, data that survives the namespace, secrets delivered by reference, and pods that drain before they stop.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { ConfigContext } from "../checks/check.ts";
import { latencyTierLocalStorage } from "../checks/platform/latency-tier-local-storage.ts";
import { secretDelivered } from "../checks/platform/secret-delivered.ts";
import { volumeOwnership } from "../checks/platform/volume-ownership.ts";
import { findingLine, type KubeObject } from "../core/finding.ts";
import { validateSchemas } from "../engines/schema.ts";
import { parsePlatform } from "../schemas/parse.ts";
import { bundleOf, configInput, platformOf } from "./support/config.ts";

const configErrors = (overrides: unknown): string[] => {
  const r = parsePlatform(configInput(overrides));
  return r.ok ? [] : r.errors.map(findingLine);
};

const refused: { description: string; overrides: unknown; message: string }[] = [
  {
    description: "a claim without a storage class (the cluster's default is not a contract)",
    overrides: { storage: { metrics: { storageClass: null } } },
    message: "storage.metrics.storageClass: required: the claim's StorageClass",
  },
  {
    description: "a claim naming an undeclared class",
    overrides: { storage: { cache: { storageClass: "gold" } } },
    message: 'storage.cache.storageClass: unknown storage class "gold"; declared: fast-ssd, shared-files',
  },
  {
    description: "a claim asking for an access mode its class does not support",
    overrides: { storage: { logs: { storageClass: "fast-ssd" } } },
    message:
      "storage.logs.accessMode: storage class fast-ssd supports ReadWriteOnce, ReadWriteOncePod, not " +
      "ReadWriteMany: the claim would never bind",
  },
  {
    description: "audit data on a class that deletes volumes with their claim",
    overrides: { storageClasses: { "shared-files": { reclaimPolicy: "Delete" } } },
    message:
      "storage.logs.retain: the claim's data must outlive it, but storage class shared-files reclaims with Delete",
  },
  {
    description: "a remote key without a secret store",
    overrides: { secretStore: null },
    message: "secrets.venue-api-keys.remoteKey: a remote key needs secretStore",
  },
  {
    description: "a secret variable naming an undeclared secret",
    overrides: { services: { "order-manager": { secretEnv: { FIX_PASSWORD: { secret: "fix", key: "password" } } } } },
    message: 'services.order-manager.secretEnv.FIX_PASSWORD.secret: unknown secret "fix"',
  },
  {
    description: "a secret variable naming a key its secret does not have",
    overrides: {
      services: { "smart-order-router": { secretEnv: { VENUE_API_KEY: { secret: "venue-api-keys", key: "token" } } } },
    },
    message:
      "services.smart-order-router.secretEnv.VENUE_API_KEY.key: secret venue-api-keys has no key " +
      '"token"; its keys: api-key',
  },
  {
    description: "a variable set both in env and from a secret",
    overrides: { services: { "smart-order-router": { env: { VENUE_API_KEY: "plain" } } } },
    message: "services.smart-order-router.secretEnv.VENUE_API_KEY: VENUE_API_KEY is also set in env",
  },
  {
    description: "a grace period no longer than the drain delay",
    overrides: { tiers: { "high-performance": { shutdown: { drainDelay: "60s", gracePeriod: "60s" } } } },
    message: "tiers.high-performance.shutdown.gracePeriod: gracePeriod must be longer than drainDelay",
  },
];

for (const row of refused)
  test(`the config refuses ${row.description}`, () => {
    const errors = configErrors(row.overrides);
    assert.ok(
      errors.some((e) => e.includes(row.message)),
      `expected an error containing ${JSON.stringify(row.message)}, got:\n${errors.join("\n")}`,
    );
  });

const prod = (overrides: unknown = {}) => bundleOf(overrides).environments.find((e) => e.environment === "prod")!;
const ofKind = (objects: readonly KubeObject[], kind: string) => objects.filter((o) => o.kind === kind);

test("a class the cluster provides is not generated; a class the config owns is, as declared", () => {
  assert.equal(ofKind(prod().objects, "StorageClass"), []);
  const owned = prod({
    storageClasses: {
      "local-nvme": {
        description: "Node-local NVMe.",
        provisioner: "topolvm.io",
        parameters: { "csi.storage.k8s.io/fstype": "xfs" },
        reclaimPolicy: "Retain",
        accessModes: ["ReadWriteOnce"],
        nodeLocal: true,
      },
    },
  });
  const [cls] = ofKind(owned.objects, "StorageClass");
  assert.equal(
    { ...cls, metadata: { name: cls?.metadata.name, namespace: cls?.metadata.namespace } },
    {
      apiVersion: "storage.k8s.io/v1",
      kind: "StorageClass",
      metadata: { name: "local-nvme", namespace: undefined },
      provisioner: "topolvm.io",
      parameters: { "csi.storage.k8s.io/fstype": "xfs" },
      reclaimPolicy: "Retain",
      volumeBindingMode: "WaitForFirstConsumer",
      allowVolumeExpansion: true,
    },
  );
});

test("each declared secret is delivered by an ExternalSecret from the store; none without a store", () => {
  const secrets = ofKind(prod().objects, "ExternalSecret");
  assert.equal(
    secrets.map((s) => s.metadata.name),
    ["venue-api-keys", "alertmanager-pagerduty", "alertmanager-slack", "grafana-admin", "alertmanager-heartbeat"],
  );
  assert.equal(secrets[0]?.spec, {
    refreshInterval: "1h",
    secretStoreRef: { kind: "ClusterSecretStore", name: "vault-backend" },
    target: { name: "venue-api-keys", creationPolicy: "Owner" },
    data: [{ secretKey: "api-key", remoteRef: { key: "nautilus/trading/venues", property: "api-key" } }],
  });
  const withoutStore = Object.fromEntries(Object.keys(platformOf().secrets).map((name) => [name, { remoteKey: null }]));
  assert.equal(ofKind(prod({ secretStore: null, secrets: withoutStore }).objects, "ExternalSecret"), []);
});

test("no secret value is ever in out/: the router reads its key by reference", () => {
  const router = prod().objects.find(
    (o) => o.kind === "Deployment" && o.metadata.name === "nautilus-smart-order-router",
  );
  const env = (router!.spec as { template: { spec: { containers: { env: unknown[] }[] } } }).template.spec.containers[0]
    ?.env;
  assert.ok(
    env?.some(
      (e) =>
        JSON.stringify(e) ===
        JSON.stringify({
          name: "VENUE_API_KEY",
          valueFrom: { secretKeyRef: { name: "venue-api-keys", key: "api-key" } },
        }),
    ),
  );
  for (const env of bundleOf().environments)
    assert.equal(
      env.objects.filter((o) => o.kind === "Secret").map((o) => o.metadata.name),
      [],
      `${env.environment} holds a Secret`,
    );
});

test("pods drain for the tier's delay before SIGTERM, within the tier's grace period", () => {
  const pod = (name: string) => {
    const d = prod().objects.find((o) => o.kind === "Deployment" && o.metadata.name === `nautilus-${name}`);
    return (d!.spec as { template: { spec: Record<string, unknown> & { containers: Record<string, unknown>[] } } })
      .template.spec;
  };
  assert.is(pod("risk-engine").terminationGracePeriodSeconds, 30);
  assert.equal(pod("risk-engine").containers[0]?.lifecycle, { preStop: { sleep: { seconds: 10 } } });
  assert.is(pod("market-data").terminationGracePeriodSeconds, 60);
  assert.equal(pod("market-data").containers[0]?.lifecycle, { preStop: { sleep: { seconds: 15 } } });
  const noDrain = bundleOf({ tiers: { "high-performance": { shutdown: { drainDelay: "0s" } } } });
  const md = noDrain.environments
    .find((e) => e.environment === "prod")!
    .objects.find((o) => o.metadata.name === "nautilus-market-data" && o.kind === "Deployment");
  assert.not.ok(JSON.stringify(md).includes("preStop"));
});

const context = (overrides: unknown): ConfigContext => {
  const bundle = bundleOf(overrides);
  return {
    environments: bundle.environments,
    platform: platformOf(overrides),
    out: { dir: "out", files: bundle.files },
  };
};
const lines = (check: { run(ctx: ConfigContext): { path?: string; message: string }[] }, overrides: unknown) =>
  check.run(context(overrides)).map((f) => `${f.path} ${f.message}`);

test("the real config passes the storage and secret checks", () => {
  for (const check of [secretDelivered, latencyTierLocalStorage, volumeOwnership]) assert.equal(lines(check, {}), []);
});

const MOUNTED_UNDECLARED =
  /^spec\.template\.spec\.volumes\[\d+\]\.secret(\.items\[\d+\])? reads Secret slack-webhook, which is not declared/;

test("secret-delivered: a receiver reading an undeclared Secret is refused, at the mounting volume", () => {
  const found = lines(secretDelivered, {
    monitoring: { alerting: { receivers: { "trading-chat": { apiUrl: { secret: "slack-webhook", key: "url" } } } } },
  });
  assert.ok(found.length > 0);
  assert.ok(
    found.every((l) => MOUNTED_UNDECLARED.test(l)),
    found.join("\n"),
  );
});

test("secret-delivered: a key the declaration lacks is refused, at the env entry that reads it", () => {
  const ctx = context({});
  const env = ctx.environments.find((e) => e.environment === "prod")!;
  const job: KubeObject = {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: "venue-sync", namespace: "nautilus-trading" },
    spec: {
      template: {
        spec: {
          containers: [
            {
              name: "sync",
              image: "x:1",
              env: [{ name: "KEY", valueFrom: { secretKeyRef: { name: "venue-api-keys", key: "token" } } }],
            },
          ],
        },
      },
    },
  };
  const found = secretDelivered.run({ ...ctx, environments: [{ ...env, objects: [...env.objects, job] }] });
  assert.equal(
    found.map((f) => `${f.resource?.name} ${f.path} ${f.message}`),
    [
      "venue-sync spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef reads key token of Secret " +
        "venue-api-keys, which declares only api-key",
    ],
  );
});

test("latency-tier-local-storage: an engine logging to NFS is refused; a node-local class is allowed", () => {
  const mount = { services: { "risk-engine": { volumes: [{ claim: "logs", mountPath: "/var/log/nautilus" }] } } };
  const expected =
    "services.risk-engine.volumes[0].claim risk-engine is in tier ultra-low-latency (latency budget) but mounts " +
    "claim logs on network storage (class shared-files, nfs.csi.k8s.io): its writes wait on the network";
  // One finding per environment; check merges identical ones into one line naming the three.
  assert.equal(lines(latencyTierLocalStorage, mount), [expected, expected, expected]);
  assert.equal(
    lines(latencyTierLocalStorage, { ...mount, storageClasses: { "shared-files": { nodeLocal: true } } }),
    [],
  );
});

test("volume-ownership: a shared volume whose driver ignores fsGroup is refused; read-only mounts are not", () => {
  const ignoring = { storageClasses: { "shared-files": { fsGroupPolicy: "None" } } };
  const found = lines(volumeOwnership, ignoring);
  assert.ok(
    found.includes(
      "services.strategy-engine.volumes[0].claim strategy-engine runs as user 10001 and writes to claim logs " +
        "(ReadWriteMany, class shared-files), but the class' driver applies no fsGroup to it (fsGroupPolicy None): " +
        "the volume keeps the server's owner and writes fail",
    ),
    found.join("\n"),
  );
  const readOnly = {
    ...ignoring,
    services: {
      "market-data": { volumes: [{ claim: "cache", mountPath: "/var/cache/nautilus", readOnly: true }] },
      "strategy-engine": { volumes: [] },
      "smart-order-router": { volumes: [] },
    },
  };
  assert.equal(lines(volumeOwnership, readOnly), []);
});

test("the schema engine judges ExternalSecrets by the operator's schema", async () => {
  const secret = ofKind(prod().objects, "ExternalSecret")[0]!;
  const broken = { ...secret, spec: { ...(secret.spec as object), secretStoreRef: { kind: "Vault", nme: "x" } } };
  const findings = await validateSchemas([{ environment: "prod", objects: [secret, broken as KubeObject] }]);
  assert.ok(findings.length > 0, "a misspelt field of an ExternalSecret passed");
  assert.ok(findings.every((f) => f.resource?.name === "venue-api-keys"));
  assert.equal(await validateSchemas([{ environment: "prod", objects: [secret] }]), []);
});

test.run();
