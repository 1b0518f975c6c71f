/**
 * The config schema. Types for editors and the compiler come from the same zod schema that checks
 * a config at run time, so a config built by code gets the same rules and path-precise errors.
 * Objects are strict: an unknown key is a typo, and a typo must not be silently ignored.
 */
import { z } from "zod";
import { dnsLabel, labelMap } from "./names.ts";
import { monitoringReferenceIssues, monitoringSchema } from "./observability.ts";
import { resourceList, service } from "./service.ts";
import { networkReferenceIssues, networkSchema, nodeCidrs } from "./network.ts";
import { imageReference } from "./image-reference.ts";
import { bytes, duration, FLOOR, seconds } from "./units.ts";
import {
  ACCESS_MODES,
  secretNameSchema,
  secretSchema,
  secretStoreSchema,
  storageClassNameSchema,
  storageClassSchema,
  storageReferenceIssues,
} from "./storage.ts";
import { TIER } from "../core/conventions.ts";
import { nodePool, nodePoolPatch } from "./nodes.ts";
import { gitopsSchema } from "./gitops.ts";
import { skipSchema } from "./skip.ts";

/** Deployment rollout bounds: a count of pods or a percentage of the replicas. */
const podsOrPercent = (what: string) =>
  z
    .union([
      z.number().int().min(0).describe(`${what}, in pods.`),
      z
        .string()
        .regex(/^\d+%$/, {
          error: (iss) => `expected a count or a percentage like "25%", got ${JSON.stringify(iss.input)}`,
        })
        .describe(`${what}, in percent of the replicas.`),
    ])
    .describe(`${what}: a number of pods or a percentage like "25%".`);

/** Claim sizes: the API server refuses a claim of 0 bytes. */
const positiveBytes = () => bytes(FLOOR.storage);

const tier = z
  .strictObject({
    description: z
      .string()
      .min(1)
      .describe("What runs in the tier and why it is separate; becomes its PriorityClass description."),
    priority: z.number().int().min(0).max(1_000_000_000).describe("PriorityClass value; higher preempts lower."),
    nodeSelector: labelMap.default({}).describe("Node labels the tier's pods must run on."),
    tolerations: z
      .array(
        z
          .strictObject({
            key: z.string().describe("Taint key tolerated."),
            operator: z
              .enum(["Equal", "Exists"])
              .default("Equal")
              .describe("Equal matches `value`; Exists matches any value of the key."),
            value: z.string().optional().describe("Taint value tolerated (with operator Equal)."),
            effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]).describe("Taint effect tolerated."),
          })
          .refine((t) => t.operator !== "Exists" || t.value === undefined, {
            error: 'a toleration with operator "Exists" matches any value: leave value out (the API server rejects it)',
            path: ["value"],
          })
          .describe("A taint the tier's pods tolerate."),
      )
      .default([])
      .describe("Taints of the tier's nodes that its pods tolerate (dedicated nodes are tainted)."),
    hostNetwork: z
      .boolean()
      .default(false)
      .describe(
        "Run the tier's pods in the node's network namespace (no pod network hop); requires `network.nodeCidrs`.",
      ),
    antiAffinity: z
      .enum(["required", "preferred", "none"])
      .default("preferred")
      .describe(
        "Spread replicas of a service over nodes: required never co-locates two (a rollout then needs a spare " +
          "node), preferred tries to.",
      ),
    rollout: z
      .strictObject({
        maxSurge: podsOrPercent("Extra pods a rollout may start above the replica count"),
        maxUnavailable: podsOrPercent("Pods a rollout may take down below the replica count"),
      })
      .describe("Deployment rollout bounds of the tier's services."),
    maxUnavailableDuringDisruption: z
      .number()
      .int()
      .min(0)
      .default(1)
      .describe("PodDisruptionBudget for every service of the tier: pods a drain may take down at once."),
    pool: nodePool.describe(
      "The tier's nodes: zones and node counts, NUMA layout, reservations, labels and taints. Scheduling " +
        "feasibility, failure headroom and the generated kubelet configuration (out/nodes/) all come from it.",
    ),
    zoneSpread: z
      .enum(["required", "preferred", "none"])
      .default("none")
      .describe(
        "Spread each service's replicas over the pool's zones (`topologySpreadConstraints`, maxSkew 1): required " +
          "leaves a pod Pending rather than skew the zones, preferred only tries.",
      ),
    scrapeInterval: duration(FLOOR.prometheus).describe(
      "How often Prometheus scrapes the tier's services; a latency budget needs a short interval to be seen.",
    ),
    shutdown: z
      .strictObject({
        drainDelay: seconds({ zero: true })
          .prefault("5s")
          .describe(
            "How long a stopping pod keeps serving before it is sent SIGTERM (a preStop sleep): the time for " +
              "Services and load balancers to stop sending it new orders and connections.",
          ),
        gracePeriod: seconds()
          .prefault("30s")
          .describe(
            "The pod's terminationGracePeriodSeconds: the drain delay plus the time the process gets after " +
              "SIGTERM to finish in-flight work before it is killed.",
          ),
      })
      .refine((s) => s.gracePeriod > s.drainDelay, {
        error: "gracePeriod must be longer than drainDelay, or the pod is killed before SIGTERM gives it any time",
        path: ["gracePeriod"],
      })
      .prefault({})
      .describe("How the tier's pods stop: drained first, then given time to finish."),
    latencyBudget: duration()
      .optional()
      .describe(
        'The p99 latency the tier\'s services must alert at ("3us"): the default threshold of a latency alert on ' +
          "one of them, and what the coverage check, dashboards and the latency-alert admission policy hold " +
          "alerts to.",
      ),
  })
  .describe("A pool of nodes and how services on it are scheduled, rolled out and scraped.");

const storageClaim = z
  .strictObject({
    description: z.string().min(1).describe("What the claim holds, for people reading the config."),
    size: positiveBytes().describe('Requested size ("100Gi").'),
    accessMode: z
      .enum(ACCESS_MODES)
      .describe("How nodes may mount it; a claim shared by several pods on several nodes needs ReadWriteMany."),
    storageClass: storageClassNameSchema
      .optional()
      .describe("The StorageClass, one of `storageClasses`; required (a cluster's default class is not a contract)."),
    retain: z
      .boolean()
      .default(false)
      .describe(
        "The data must outlive the claim (audit logs): its class must reclaim with Retain, so deleting the " +
          "namespace or `kubectl delete -k` keeps the volume.",
      ),
  })
  .describe("A PersistentVolumeClaim services and the monitoring stack can mount.");

const tierName = dnsLabel("a tier name");
const serviceName = dnsLabel("a service name");

const environmentPatch = (env: string) =>
  z
    .strictObject({
      tiers: z
        .record(
          tierName,
          z
            .strictObject({
              pool: nodePoolPatch.optional(),
            })
            .describe("Pool sizes of a tier in this environment."),
        )
        .default({})
        .describe("Per tier (a key of `tiers`): what differs in this environment."),
      services: z
        .record(
          serviceName,
          z
            .strictObject({
              image: imageReference().optional().describe("Image reference in this environment."),
              replicas: z.number().int().min(0).optional().describe("Static replica count in this environment."),
              resources: z
                .strictObject({
                  requests: resourceList.optional().describe("Requests replaced in this environment."),
                  limits: resourceList.optional().describe("Limits replaced in this environment."),
                })
                .optional()
                .describe("Resource quantities replaced in this environment, by name."),
              scaling: z
                .strictObject({
                  minReplicas: z.number().int().min(1).optional().describe("Fewest replicas in this environment."),
                  maxReplicas: z.number().int().min(1).optional().describe("Most replicas in this environment."),
                })
                .optional()
                .describe("HPA bounds in this environment (autoscaled services only)."),
            })
            .describe("What differs for a service in this environment."),
        )
        .default({})
        .describe("Per service (a key of `services`): what differs in this environment."),
      storage: z
        .record(
          z.string(),
          z
            .strictObject({ size: positiveBytes().optional().describe("Claim size in this environment.") })
            .describe("A storage claim's size in this environment."),
        )
        .default({})
        .describe("Per storage claim (a key of `storage`): what differs in this environment."),
      network: z
        .strictObject({ nodeCidrs: nodeCidrs.min(1, { error: "name at least one node subnet" }).optional() })
        .optional()
        .describe("Node subnets of this environment's cluster, when they differ."),
    })
    .describe(`What ${env} changes: counts and sizes, never shape. An empty object is the base config as is.`);

export const platformSchema = z
  .strictObject({
    name: dnsLabel("the platform name").describe(
      "Prefix of every object name and value of `app.kubernetes.io/part-of`.",
    ),
    namespace: dnsLabel("the namespace").describe("Namespace of the platform's services."),
    hostNetworkNamespace: dnsLabel("the host-network namespace")
      .optional()
      .describe(
        "Namespace of the host-network tiers' services, which must enforce Pod Security `privileged` (baseline " +
          "forbids hostNetwork and hostPorts) while `namespace` enforces `restricted`; `<namespace>-host-network` " +
          "when unset.",
      ),
    kubernetesVersion: z
      .string()
      .regex(/^1\.\d+$/, { error: 'expected a Kubernetes minor version like "1.30"' })
      .default("1.30")
      .describe("Kubernetes minor version the output must apply to."),
    tiers: z.record(tierName, tier).describe("Node pools by name (a DNS label)."),
    services: z.record(serviceName, service).describe("The platform's services by name (a DNS label)."),
    storage: z
      .record(dnsLabel("a storage claim name"), storageClaim)
      .default({})
      .describe("Persistent volume claims by name (a DNS label)."),
    storageClasses: z
      .record(storageClassNameSchema, storageClassSchema)
      .default({})
      .describe("The StorageClasses the claims use: generated, or prerequisites the cluster provides."),
    secretStore: secretStoreSchema.optional(),
    secrets: z
      .record(secretNameSchema, secretSchema)
      .default({})
      .describe("Every Secret a generated pod reads, by name: delivered by an ExternalSecret, or a prerequisite."),
    network: networkSchema.default(() => networkSchema.parse({})),
    environments: z
      .strictObject({
        dev: environmentPatch("dev"),
        staging: environmentPatch("staging"),
        prod: environmentPatch("prod"),
      })
      .describe("The three environments, each a small patch over the base config."),
    monitoring: monitoringSchema,
    skip: skipSchema,
    gitops: gitopsSchema.optional().describe("Argo CD delivery and `platform deploy`; no Argo CD objects when unset."),
  })
  .superRefine((p, ctx) => {
    const hostNetworkTiers = [...new Set(Object.values(p.services).map((svc) => svc.tier))].filter(
      (t) => p.tiers[t]?.hostNetwork,
    );
    for (const issue of networkReferenceIssues(p.network, p.services, hostNetworkTiers))
      ctx.addIssue({ code: "custom", ...issue });
    const ull = p.tiers[TIER.ultraLowLatency];
    if (ull && ull.latencyBudget === undefined)
      ctx.addIssue({
        code: "custom",
        path: ["tiers", TIER.ultraLowLatency, "latencyBudget"],
        message: 'required: the p99 latency budget its services alert at, a duration like "3us"',
      });
    for (const [name, svc] of Object.entries(p.services)) {
      if (!(svc.tier in p.tiers)) {
        ctx.addIssue({
          code: "custom",
          path: ["services", name, "tier"],
          message: `unknown tier ${JSON.stringify(svc.tier)}; declared tiers: ${Object.keys(p.tiers).join(", ")}`,
        });
      }
      if (svc.replicas === undefined && !svc.scaling) {
        ctx.addIssue({
          code: "custom",
          path: ["services", name, "replicas"],
          message: "set replicas, or scaling for an autoscaled service",
        });
      }
      svc.volumes.forEach((v, i) => {
        if (!(v.claim in p.storage))
          ctx.addIssue({
            code: "custom",
            path: ["services", name, "volumes", i, "claim"],
            message:
              `unknown storage claim ${JSON.stringify(v.claim)}; declared: ` +
              `${Object.keys(p.storage).join(", ") || "none"}`,
          });
      });
    }
    for (const issue of monitoringReferenceIssues(p.monitoring, p)) ctx.addIssue({ code: "custom", ...issue });
    for (const issue of storageReferenceIssues(p)) ctx.addIssue({ code: "custom", ...issue });
    for (const [envName, env] of Object.entries(p.environments)) {
      for (const [t, patch] of Object.entries(env.tiers)) {
        if (!(t in p.tiers))
          ctx.addIssue({
            code: "custom",
            path: ["environments", envName, "tiers", t],
            message: `unknown tier ${JSON.stringify(t)}`,
          });
        // A zone the base pool does not name is a typo that would add nodes nobody planned.
        for (const zone of Object.keys(patch.pool?.zones ?? {}))
          if (p.tiers[t] && !(zone in p.tiers[t].pool.zones))
            ctx.addIssue({
              code: "custom",
              path: ["environments", envName, "tiers", t, "pool", "zones", zone],
              message:
                `unknown zone ${JSON.stringify(zone)}; tiers.${t}.pool.zones names ` +
                `${Object.keys(p.tiers[t].pool.zones).join(", ")}`,
            });
      }
      for (const [s, patch] of Object.entries(env.services)) {
        const base = p.services[s];
        if (!base) {
          ctx.addIssue({
            code: "custom",
            path: ["environments", envName, "services", s],
            message: `unknown service ${JSON.stringify(s)}; declared: ${Object.keys(p.services).join(", ")}`,
          });
          continue;
        }
        // An environment changes counts, not whether a service is autoscaled.
        if (patch.scaling && !base.scaling)
          ctx.addIssue({
            code: "custom",
            path: ["environments", envName, "services", s, "scaling"],
            message: `${s} is not autoscaled (services.${s} has no scaling); set replicas here instead`,
          });
        if (patch.replicas !== undefined && base.scaling)
          ctx.addIssue({
            code: "custom",
            path: ["environments", envName, "services", s, "replicas"],
            message:
              `${s} is autoscaled, so its HPA owns the replica count; set scaling.minReplicas and ` +
              `scaling.maxReplicas here instead`,
          });
      }
      for (const c of Object.keys(env.storage)) {
        if (!(c in p.storage))
          ctx.addIssue({
            code: "custom",
            path: ["environments", envName, "storage", c],
            message: `unknown storage claim ${JSON.stringify(c)}`,
          });
      }
    }
  })
  .describe("The platform config (platform.config.ts): one typed file describing the whole platform.");

/** What platform.config.ts is written as (unit strings, optional defaults). */
export type PlatformInput = z.input<typeof platformSchema>;
/** The parsed config: canonical numbers, defaults filled in. */
export type Platform = z.output<typeof platformSchema>;
export type Service = Platform["services"][string];
export type Tier = Platform["tiers"][string];
export type ResourceList = z.output<typeof resourceList>;
export type EnvironmentName = keyof Platform["environments"];

export { definePlatform } from "./define-platform.ts";
