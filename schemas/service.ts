/** One service of the config: image, replicas or scaling, resources, ports, probes, security, env, mounts. */
import { z } from "zod";
import { STARTUP_BUDGET_SECONDS } from "../core/conventions.ts";
import { imageReference } from "./image-reference.ts";
import { bytes, cpu, duration, FLOOR, seconds } from "./units.ts";

const port = () => z.number().int().min(1).max(65535);

/** The longest HPA scaling policy period and stabilization window the API server accepts. */
const HPA_MAX_PERIOD_SECONDS = 1800;
const HPA_MAX_STABILIZATION_SECONDS = 3600;

/** Resource names as the API server spells them; hugepages sizes are those x86_64 nodes offer. */
export const resourceList = z
  .strictObject({
    cpu: cpu().optional().describe('CPU, in cores ("2") or millicores ("500m").'),
    memory: bytes().optional().describe('Memory, in bytes with a suffix ("512Mi", "1Gi").'),
    "hugepages-2Mi": bytes()
      .optional()
      .describe("2 MiB huge pages; requests must equal limits, and cpu or memory must be set too."),
    "hugepages-1Gi": bytes()
      .optional()
      .describe("1 GiB huge pages; requests must equal limits, and cpu or memory must be set too."),
    "ephemeral-storage": bytes().optional().describe("Local scratch disk (logs, emptyDir, writable layers)."),
  })
  .describe("Resource quantities by the names the API server uses.");

const resources = z
  .strictObject({
    requests: resourceList.describe("What the scheduler reserves for each container."),
    limits: resourceList
      .optional()
      .describe(
        "The most each container may use; equal to requests (cpu and memory) makes the pod Guaranteed, which " +
          "exclusive CPUs need.",
      ),
  })
  .describe("Container resources.");

/**
 * An absolute HTTP path with an optional query (RFC 3986 characters only): the kubelet requests it
 * as is, so a space or line break would be a different request line, not a path.
 */
const PCHAR = "[A-Za-z0-9\\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2}";
const HTTP_PATH = new RegExp(`^/(?:${PCHAR})*(?:\\?(?:${PCHAR}|\\?)*)?$`);
/** A mount path: absolute, no control characters (they would end the YAML line or the path). */
const ABSOLUTE_FILE_PATH = /^\/[^\u0000-\u001f\u007f]*$/;
const httpPath = () =>
  z
    .string()
    .regex(HTTP_PATH, {
      error: (iss) =>
        `expected an absolute HTTP path like "/health/ready" (no spaces or line breaks; escape others as %XX), ` +
        `got ${JSON.stringify(iss.input)}`,
    })
    .describe("HTTP path the kubelet requests on the container's http port.");

const httpProbe = (what: string) =>
  z
    .strictObject({
      path: httpPath(),
      period: seconds().prefault("10s").describe("How often the kubelet probes (whole seconds)."),
      timeout: seconds().prefault("1s").describe("How long one probe may take (whole seconds)."),
      failureThreshold: z.number().int().min(1).default(3).describe("Consecutive failures before the kubelet acts."),
    })
    .describe(what);

const probes = z
  .strictObject({
    liveness: httpProbe("Liveness probe: failing it restarts the container."),
    readiness: httpProbe("Readiness probe: failing it takes the pod out of its Service."),
    startup: z
      .strictObject({
        path: httpPath(),
        period: seconds().prefault("2s").describe("How often the kubelet probes while the container starts."),
        budget: duration(FLOOR.kubernetesPeriod).describe(
          `Total time a starting container gets before liveness takes over, at most ${STARTUP_BUDGET_SECONDS}s ` +
            "(the platform's container-start target).",
        ),
      })
      .refine((s) => s.budget <= STARTUP_BUDGET_SECONDS, {
        error: (iss) =>
          `a startup budget of ${(iss.input as { budget: number }).budget} s is over the platform's ` +
          `${STARTUP_BUDGET_SECONDS} s container-start target`,
        path: ["budget"],
      })
      .refine((s) => s.period <= s.budget, { error: "the startup period must not exceed its budget", path: ["period"] })
      .describe(
        "Startup probe, described by its total budget; the failure threshold is derived (budget / period, " +
          "rounded down).",
      ),
  })
  .describe("HTTP health probes on the container's http port.");

const ports = z
  .strictObject({
    http: port().default(8000).describe("Port the Service exposes for HTTP (the seed's 8000)."),
    metrics: port().default(9090).describe("Port the Service exposes for /metrics (the seed's 9090)."),
    containerHttp: port()
      .optional()
      .describe(
        "Port the container listens on for HTTP, when it differs from `http`. With host networking this is a " +
          "port of the node itself, so two host-network services that may share a node must not listen on the " +
          "same ports.",
      ),
    containerMetrics: port()
      .optional()
      .describe("Port the container serves /metrics on, when it differs from `metrics`; see `containerHttp`."),
  })
  // The API server rejects a Service, or a pod, with the same port twice.
  .refine((p) => p.http !== p.metrics, { error: "http and metrics must be different ports", path: ["metrics"] })
  .refine((p) => (p.containerHttp ?? p.http) !== (p.containerMetrics ?? p.metrics), {
    error: "the container's http and metrics ports must differ",
    path: ["containerMetrics"],
  });

const scalingPolicy = (what: string) =>
  z
    .strictObject({
      percent: z
        .number()
        .int()
        .min(1)
        .optional()
        .describe("Most the replica count may change per period, in percent of the current count."),
      pods: z.number().int().min(1).optional().describe("Most the replica count may change per period, in pods."),
      period: seconds({ max: HPA_MAX_PERIOD_SECONDS })
        .prefault("60s")
        .describe(`Period the percent or pods limit applies to (whole seconds, at most ${HPA_MAX_PERIOD_SECONDS}s).`),
      stabilization: seconds({ max: HPA_MAX_STABILIZATION_SECONDS, zero: true })
        .optional()
        .describe(
          "How long the HPA looks back before acting, so short dips or spikes do not flap the count " +
            `(whole seconds, at most ${HPA_MAX_STABILIZATION_SECONDS}s; Kubernetes' default applies when unset).`,
        ),
    })
    .describe(what);

const customMetric = z
  .strictObject({
    metric: z
      .string()
      .regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, { error: "metric names are Prometheus identifiers" })
      .describe(
        "A per-pod metric served by the custom metrics API (prometheus-adapter): a gauge of the metric " +
          "catalogue, or <x>_per_second for a catalogued counter <x>_total.",
      ),
    averageValue: z.number().positive().describe("Target average value per pod."),
  })
  .describe("A custom metric the HPA scales on.");

const scaling = z
  .strictObject({
    minReplicas: z.number().int().min(1).describe("Fewest replicas the HPA keeps."),
    maxReplicas: z.number().int().min(1).describe("Most replicas the HPA may run."),
    cpuUtilization: z
      .number()
      .int()
      .min(1)
      .max(100)
      .optional()
      .describe("Target average CPU utilisation, in percent of the request."),
    memoryUtilization: z
      .number()
      .int()
      .min(1)
      .max(100)
      .optional()
      .describe("Target average memory utilisation, in percent of the request."),
    custom: z.array(customMetric).default([]).describe("Custom metrics to scale on, besides CPU and memory."),
    scaleUp: scalingPolicy("How fast the HPA may add replicas.").optional(),
    scaleDown: scalingPolicy("How fast the HPA may remove replicas.").optional(),
  })
  .refine((s) => s.minReplicas <= s.maxReplicas, {
    error: "minReplicas must not exceed maxReplicas",
    path: ["minReplicas"],
  });

const security = z
  .strictObject({
    runAsUser: z.number().int().min(0).default(10001).describe("User id the container runs as."),
    runAsGroup: z.number().int().min(0).default(10001).describe("Group id the container runs as."),
    runAsNonRoot: z.boolean().default(true).describe("Refuse to start the container as root."),
    allowPrivilegeEscalation: z
      .boolean()
      .default(false)
      .describe("Let processes gain more privileges than their parent (setuid binaries)."),
    readOnlyRootFilesystem: z.boolean().default(true).describe("Mount the image read-only; write to volumes instead."),
    addCapabilities: z
      .array(z.string().describe("A Linux capability name without CAP_."))
      .default([])
      .describe('Capabilities added back after dropping ALL (e.g. "NET_BIND_SERVICE").'),
  })
  .describe("Container security settings; the defaults are the platform's secure defaults.");

const volumeMount = z
  .strictObject({
    claim: z.string().describe("Key of `storage` in the platform config."),
    mountPath: z
      .string()
      .regex(ABSOLUTE_FILE_PATH, {
        error: (iss) => `expected an absolute path without control characters, got ${JSON.stringify(iss.input)}`,
      })
      .describe("Absolute path in the container where the claim is mounted."),
    readOnly: z.boolean().default(false).describe("Mount the claim read-only."),
  })
  .describe("A storage claim mounted into the service's containers.");

export const service = z
  .strictObject({
    tier: z.string().describe("Key of `tiers`: where the service runs and how it is scheduled."),
    description: z.string().min(1).describe("What the service does, for people reading the config."),
    image: imageReference().describe(
      "Image reference, by the distribution reference grammar; pin it by tag or digest (never `:latest`), " +
        "which the pinned-images admission policy enforces.",
    ),
    replicas: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe("Static replica count; with `scaling` the HPA owns the count and this is ignored."),
    resources,
    ports: ports.default({ http: 8000, metrics: 9090 }).describe("Service and container ports."),
    probes,
    scaling: scaling.optional().describe("Autoscaling by a HorizontalPodAutoscaler instead of `replicas`."),
    security: security.default(() => security.parse({})),
    env: z
      .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string().describe("Value of the variable."))
      .default({})
      .describe("Environment variables of the container, by name."),
    secretEnv: z
      .record(
        z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/),
        z
          .strictObject({
            secret: z.string().describe("A secret declared under `secrets`."),
            key: z.string().describe("One of its keys."),
          })
          .describe("The Secret key the variable is read from."),
      )
      .default({})
      .describe("Environment variables read from declared secrets (credentials never appear in `env`)."),
    volumes: z.array(volumeMount).default([]).describe("Storage claims mounted into the container."),
    kubernetesApiAccess: z
      .boolean()
      .default(false)
      .describe("Mount the ServiceAccount token only for services that call the Kubernetes API."),
  })
  .describe("A service of the platform: one Deployment with its Service, ServiceAccount and disruption budget.");
