/** One service of the config: image, replicas or scaling, resources, ports, probes, security, env, mounts. */
import { z } from "zod";
import { STARTUP_BUDGET_SECONDS } from "../core/conventions.ts";
import { bytes, cpu, duration } from "./units.ts";

const port = z.number().int().min(1).max(65535);

/** Resource names as the API server spells them; hugepages sizes are those x86_64 nodes offer. */
export const resourceList = z.strictObject({
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
    .refine((s) => s.budget <= STARTUP_BUDGET_SECONDS, {
      error: (iss) =>
        `a startup budget of ${(iss.input as { budget: number }).budget} s is over the platform's ` +
        `${STARTUP_BUDGET_SECONDS} s container-start target`,
      path: ["budget"],
    })
    .refine((s) => s.period <= s.budget, { error: "the startup period must not exceed its budget", path: ["period"] }),
});

const ports = z
  .strictObject({
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
  .refine((p) => (p.containerHttp ?? p.http) !== (p.containerMetrics ?? p.metrics), {
    error: "the container's http and metrics ports must differ",
    path: ["containerMetrics"],
  });

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
  .refine((s) => s.minReplicas <= s.maxReplicas, {
    error: "minReplicas must not exceed maxReplicas",
    path: ["minReplicas"],
  });

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

export const service = z.strictObject({
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
