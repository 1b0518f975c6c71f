/**
 * The config schema. Types for editors and the compiler come from the same zod schema that checks
 * a config at run time, so a config built by code gets the same rules and path-precise errors.
 * Objects are strict: an unknown key is a typo, and a typo must not be silently ignored.
 */
import { z } from "zod";
import { labelValue, qualifiedName } from "../engines/apiserver/names.ts";
import { STARTUP_BUDGET_SECONDS } from "../generators/conventions.ts";
import { bytes, cpu, duration } from "./units.ts";
import { monitoringReferenceIssues, monitoringSchema } from "./observability.ts";

/** DNS-1035 label: what Kubernetes requires of Service names, so of our service keys too. */
const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const dnsLabel = (what: string) =>
  z
    .string()
    .max(50, { error: `${what} must be at most 50 characters (the "<platform>-" prefix must still fit in 63)` })
    .regex(DNS_LABEL, { error: (iss) => `${what} must be a DNS label (lower-case letters, digits and "-", starting with a letter), got ${JSON.stringify(iss.input)}` });

/** Kubernetes' own label syntax (the schema engine's rules), so a bad key fails here, by config path. */
const syntax = (check: (v: string) => string[]) => (v: string, ctx: z.RefinementCtx) => {
  for (const problem of check(v)) ctx.addIssue({ code: "custom", message: `${JSON.stringify(v)}: ${problem}` });
};
const labelMap = z.record(z.string().superRefine(syntax(qualifiedName)), z.string().superRefine(syntax(labelValue)));

const port = z.number().int().min(1).max(65535);

/** Resource names as the API server spells them; hugepages sizes are those x86_64 nodes offer. */
const resourceList = z.strictObject({
  cpu: cpu().optional(),
  memory: bytes().optional(),
  "hugepages-2Mi": bytes().optional(),
  "hugepages-1Gi": bytes().optional(),
  "ephemeral-storage": bytes().optional(),
});

const resources = z.strictObject({
  requests: resourceList,
  limits: resourceList.optional(),
});

const httpProbe = z.strictObject({
  path: z.string().startsWith("/", { error: 'probe paths start with "/"' }),
  period: duration().default(10),
  timeout: duration().default(1),
  failureThreshold: z.number().int().min(1).default(3),
});

const probes = z.strictObject({
  liveness: httpProbe,
  readiness: httpProbe,
  /** The startup probe is described by its total budget; period × failureThreshold is derived. */
  startup: z
    .strictObject({
      path: z.string().startsWith("/", { error: 'probe paths start with "/"' }),
      period: duration().default(2),
      budget: duration(),
    })
    .refine((s) => s.budget <= STARTUP_BUDGET_SECONDS, { error: (iss) => `a startup budget of ${(iss.input as { budget: number }).budget} s is over the platform's ${STARTUP_BUDGET_SECONDS} s container-start target`, path: ["budget"] })
    .refine((s) => s.period <= s.budget, { error: "the startup period must not exceed its budget", path: ["period"] }),
});

const ports = z.strictObject({
  /** Port the Service exposes for HTTP (the seed's 8000). */
  http: port.default(8000),
  /** Port the Service exposes for /metrics (the seed's 9090). */
  metrics: port.default(9090),
  /**
   * Ports the container listens on. With host networking these are ports of the node itself, so
   * two host-network services that may share a node must not listen on the same ports.
   */
  containerHttp: port.optional(),
  containerMetrics: port.optional(),
})
  // The API server rejects a Service, or a pod, with the same port twice.
  .refine((p) => p.http !== p.metrics, { error: "http and metrics must be different ports", path: ["metrics"] })
  .refine((p) => p.containerHttp === undefined || p.containerHttp !== (p.containerMetrics ?? p.metrics), { error: "containerHttp and containerMetrics must be different ports", path: ["containerMetrics"] });

const scalingPolicy = z.strictObject({
  /** Most the replica count may grow (percent of current) or shrink per period. */
  percent: z.number().int().min(1).optional(),
  pods: z.number().int().min(1).optional(),
  period: duration().default(60),
  stabilization: duration().optional(),
});

const customMetric = z.strictObject({
  /** A per-pod metric served by the custom metrics API (prometheus-adapter). */
  metric: z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, { error: "metric names are Prometheus identifiers" }),
  /** Target average value per pod. */
  averageValue: z.number().positive(),
});

const scaling = z
  .strictObject({
    minReplicas: z.number().int().min(1),
    maxReplicas: z.number().int().min(1),
    /** Target average CPU utilisation, percent of the request. */
    cpuUtilization: z.number().int().min(1).max(100).optional(),
    memoryUtilization: z.number().int().min(1).max(100).optional(),
    custom: z.array(customMetric).default([]),
    scaleUp: scalingPolicy.optional(),
    scaleDown: scalingPolicy.optional(),
  })
  .refine((s) => s.minReplicas <= s.maxReplicas, { error: "minReplicas must not exceed maxReplicas", path: ["minReplicas"] });

const security = z.strictObject({
  runAsUser: z.number().int().min(0).default(10001),
  runAsGroup: z.number().int().min(0).default(10001),
  runAsNonRoot: z.boolean().default(true),
  allowPrivilegeEscalation: z.boolean().default(false),
  readOnlyRootFilesystem: z.boolean().default(true),
  /** Capabilities added back after dropping ALL (e.g. "NET_BIND_SERVICE"); empty by default. */
  addCapabilities: z.array(z.string()).default([]),
});

const volumeMount = z.strictObject({
  /** Key of `storage` in the platform config. */
  claim: z.string(),
  mountPath: z.string().startsWith("/"),
  readOnly: z.boolean().default(false),
});

const service = z.strictObject({
  tier: z.string(),
  description: z.string().min(1),
  /** Pinned image reference (a tag or digest; never `:latest`). */
  image: z.string().min(1),
  /** Static replica count; with `scaling` the HPA owns the count and this is ignored. */
  replicas: z.number().int().min(0).optional(),
  resources,
  ports: ports.default({ http: 8000, metrics: 9090 }),
  probes,
  scaling: scaling.optional(),
  security: security.default(() => security.parse({})),
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string()).default({}),
  volumes: z.array(volumeMount).default([]),
  /** Mount the ServiceAccount token only for services that call the Kubernetes API. */
  kubernetesApiAccess: z.boolean().default(false),
});

const tier = z.strictObject({
  description: z.string().min(1),
  /** PriorityClass value; higher preempts lower. */
  priority: z.number().int().min(0).max(1_000_000_000),
  nodeSelector: labelMap.default({}),
  tolerations: z
    .array(
      z.strictObject({
        key: z.string(),
        operator: z.enum(["Equal", "Exists"]).default("Equal"),
        value: z.string().optional(),
        effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]),
      }).refine((t) => t.operator !== "Exists" || t.value === undefined, { error: 'a toleration with operator "Exists" matches any value: leave value out (the API server rejects it)', path: ["value"] }),
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
});

const storageClaim = z.strictObject({
  description: z.string().min(1),
  size: bytes(),
  accessMode: z.enum(["ReadWriteOnce", "ReadWriteMany", "ReadOnlyMany", "ReadWriteOncePod"]),
  storageClass: z.string().optional(),
});

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d|[12]\d|3[0-2])$|^[0-9a-fA-F:]+\/\d{1,3}$/;
const cidr = z.string().regex(CIDR, { error: (iss) => `expected a CIDR like "10.0.0.0/16", got ${JSON.stringify(iss.input)}` });

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
  tiers: z.record(tierName, z.strictObject({ nodes: z.number().int().min(0).optional(), cpusPerNode: z.number().int().min(1).optional() })).default({}),
  services: z
    .record(
      serviceName,
      z.strictObject({
        image: z.string().min(1).optional(),
        replicas: z.number().int().min(0).optional(),
        resources: z.strictObject({ requests: resourceList.optional(), limits: resourceList.optional() }).optional(),
        scaling: z.strictObject({ minReplicas: z.number().int().min(1).optional(), maxReplicas: z.number().int().min(1).optional() }).optional(),
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
    kubernetesVersion: z.string().regex(/^1\.\d+$/, { error: 'expected a Kubernetes minor version like "1.30"' }).default("1.30"),
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
    const hostNetworkTiers = Object.entries(p.tiers).filter(([, t]) => t.hostNetwork).map(([n]) => n);
    if (hostNetworkTiers.length > 0 && !p.network) {
      ctx.addIssue({ code: "custom", path: ["network", "nodeCidrs"], message: `required: tier ${hostNetworkTiers.join(", ")} uses host networking, so network policies must name the node subnets its pods talk from` });
    }
    for (const [name, svc] of Object.entries(p.services)) {
      if (!(svc.tier in p.tiers)) {
        ctx.addIssue({ code: "custom", path: ["services", name, "tier"], message: `unknown tier ${JSON.stringify(svc.tier)}; declared tiers: ${Object.keys(p.tiers).join(", ")}` });
      }
      if (svc.replicas === undefined && !svc.scaling) {
        ctx.addIssue({ code: "custom", path: ["services", name, "replicas"], message: "set replicas, or scaling for an autoscaled service" });
      }
      svc.volumes.forEach((v, i) => {
        if (!(v.claim in p.storage)) ctx.addIssue({ code: "custom", path: ["services", name, "volumes", i, "claim"], message: `unknown storage claim ${JSON.stringify(v.claim)}; declared: ${Object.keys(p.storage).join(", ") || "none"}` });
      });
    }
    for (const issue of monitoringReferenceIssues(p.monitoring, p)) ctx.addIssue({ code: "custom", ...issue });
    for (const [envName, env] of Object.entries(p.environments)) {
      for (const t of Object.keys(env.tiers)) {
        if (!(t in p.tiers)) ctx.addIssue({ code: "custom", path: ["environments", envName, "tiers", t], message: `unknown tier ${JSON.stringify(t)}` });
      }
      for (const [s, patch] of Object.entries(env.services)) {
        const base = p.services[s];
        if (!base) {
          ctx.addIssue({ code: "custom", path: ["environments", envName, "services", s], message: `unknown service ${JSON.stringify(s)}; declared: ${Object.keys(p.services).join(", ")}` });
          continue;
        }
        // An environment changes counts, not whether a service is autoscaled.
        if (patch.scaling && !base.scaling) ctx.addIssue({ code: "custom", path: ["environments", envName, "services", s, "scaling"], message: `${s} is not autoscaled (services.${s} has no scaling); set replicas here instead` });
        if (patch.replicas !== undefined && base.scaling) ctx.addIssue({ code: "custom", path: ["environments", envName, "services", s, "replicas"], message: `${s} is autoscaled, so its HPA owns the replica count; set scaling.minReplicas and scaling.maxReplicas here instead` });
      }
      for (const c of Object.keys(env.storage)) {
        if (!(c in p.storage)) ctx.addIssue({ code: "custom", path: ["environments", envName, "storage", c], message: `unknown storage claim ${JSON.stringify(c)}` });
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
