/**
 * The config schema. Types for editors and the compiler come from the same zod schema that checks
 * a config at run time, so a config built by code gets the same rules and path-precise errors.
 * Objects are strict: an unknown key is a typo, and a typo must not be silently ignored.
 */
import { z } from "zod";
import { dnsLabel, labelMap } from "./names.ts";
import { monitoringReferenceIssues, monitoringSchema } from "./observability.ts";
import { resourceList, service } from "./service.ts";
import { bytes, duration } from "./units.ts";
import { TIER } from "../core/conventions.ts";

const tier = z.strictObject({
  description: z.string().min(1),
  /** PriorityClass value; higher preempts lower. */
  priority: z.number().int().min(0).max(1_000_000_000),
  nodeSelector: labelMap.default({}),
  tolerations: z
    .array(
      z
        .strictObject({
          key: z.string(),
          operator: z.enum(["Equal", "Exists"]).default("Equal"),
          value: z.string().optional(),
          effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]),
        })
        .refine((t) => t.operator !== "Exists" || t.value === undefined, {
          error: 'a toleration with operator "Exists" matches any value: leave value out (the API server rejects it)',
          path: ["value"],
        }),
    )
    .default([]),
  hostNetwork: z.boolean().default(false),
  antiAffinity: z.enum(["required", "preferred", "none"]).default("preferred"),
  rollout: z.strictObject({
    maxSurge: z.union([z.number().int().min(0), z.string().regex(/^\d+%$/)]),
    maxUnavailable: z.union([z.number().int().min(0), z.string().regex(/^\d+%$/)]),
  }),
  /** PodDisruptionBudget for every service of the tier. */
  maxUnavailableDuringDisruption: z.number().int().min(0).default(1),
  /** Nodes in the tier's pool, for scheduling feasibility checks (anti-affinity, surge, CPUs). */
  nodes: z.number().int().min(0),
  /**
   * Allocatable whole CPUs per node of the pool: capacity minus kube-reserved and system-reserved
   * (the static CPU manager needs a non-zero reservation, so a 16-CPU node offers at most 15).
   */
  cpusPerNode: z.number().int().min(1),
  scrapeInterval: duration(),
  /**
   * The p99 latency the tier's services must alert at ("3us"): the default threshold of a latency alert on one of
   * them, and what the coverage check, dashboards and the latency-alert admission policy hold alerts to.
   */
  latencyBudget: duration().optional(),
});

const storageClaim = z.strictObject({
  description: z.string().min(1),
  size: bytes(),
  accessMode: z.enum(["ReadWriteOnce", "ReadWriteMany", "ReadOnlyMany", "ReadWriteOncePod"]),
  storageClass: z.string().optional(),
});

const OCTET = "(25[0-5]|2[0-4]\\d|1?\\d?\\d)";
const CIDR = new RegExp(
  `^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}\\/(\\d|[12]\\d|3[0-2])$|` +
    `^[0-9a-fA-F:]+\\/(\\d|[1-9]\\d|1[01]\\d|12[0-8])$`,
);
const cidr = z
  .string()
  .regex(CIDR, { error: (iss) => `expected a CIDR like "10.0.0.0/16", got ${JSON.stringify(iss.input)}` });

const network = z.strictObject({
  /**
   * The node subnets of the cluster. Host-network pods talk from and listen on node addresses,
   * which NetworkPolicy sees as plain IPs, not pods: the generated policies allow exactly these
   * ranges on the host-network services' ports.
   */
  nodeCidrs: z.array(cidr).min(1, { error: "name at least one node subnet" }),
});

const tierName = dnsLabel("a tier name");
const serviceName = dnsLabel("a service name");

/** What an environment may change: counts and sizes, never shape. */
const environmentPatch = z.strictObject({
  tiers: z
    .record(
      tierName,
      z.strictObject({ nodes: z.number().int().min(0).optional(), cpusPerNode: z.number().int().min(1).optional() }),
    )
    .default({}),
  services: z
    .record(
      serviceName,
      z.strictObject({
        image: z.string().min(1).optional(),
        replicas: z.number().int().min(0).optional(),
        resources: z.strictObject({ requests: resourceList.optional(), limits: resourceList.optional() }).optional(),
        scaling: z
          .strictObject({
            minReplicas: z.number().int().min(1).optional(),
            maxReplicas: z.number().int().min(1).optional(),
          })
          .optional(),
      }),
    )
    .default({}),
  storage: z.record(z.string(), z.strictObject({ size: bytes().optional() })).default({}),
  network: network.partial().optional(),
});

export const platformSchema = z
  .strictObject({
    /** Prefix of every object name and value of `app.kubernetes.io/part-of`. */
    name: dnsLabel("the platform name"),
    namespace: dnsLabel("the namespace"),
    /** Kubernetes minor version the output must apply to. */
    kubernetesVersion: z
      .string()
      .regex(/^1\.\d+$/, { error: 'expected a Kubernetes minor version like "1.30"' })
      .default("1.30"),
    tiers: z.record(tierName, tier),
    services: z.record(serviceName, service),
    storage: z.record(dnsLabel("a storage claim name"), storageClaim).default({}),
    /** Required when a tier uses host networking. */
    network: network.optional(),
    environments: z.strictObject({
      dev: environmentPatch,
      staging: environmentPatch,
      prod: environmentPatch,
    }),
    monitoring: monitoringSchema,
  })
  .superRefine((p, ctx) => {
    const hostNetworkTiers = [...new Set(Object.values(p.services).map((svc) => svc.tier))].filter(
      (t) => p.tiers[t]?.hostNetwork,
    );
    if (hostNetworkTiers.length > 0 && !p.network) {
      ctx.addIssue({
        code: "custom",
        path: ["network", "nodeCidrs"],
        message:
          `required: tier ${hostNetworkTiers.join(", ")} uses host networking, so network policies ` +
          `must name the node subnets its pods talk from`,
      });
    }
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
    for (const [envName, env] of Object.entries(p.environments)) {
      for (const t of Object.keys(env.tiers)) {
        if (!(t in p.tiers))
          ctx.addIssue({
            code: "custom",
            path: ["environments", envName, "tiers", t],
            message: `unknown tier ${JSON.stringify(t)}`,
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
  });

/** What platform.config.ts is written as (unit strings, optional defaults). */
export type PlatformInput = z.input<typeof platformSchema>;
/** The parsed config: canonical numbers, defaults filled in. */
export type Platform = z.output<typeof platformSchema>;
export type Service = Platform["services"][string];
export type Tier = Platform["tiers"][string];
export type ResourceList = z.output<typeof resourceList>;
export type EnvironmentName = keyof Platform["environments"];

/** Gives editor completion and compile-time checks in platform.config.ts; returns its input. */
export function definePlatform(config: PlatformInput): PlatformInput {
  return config;
}
