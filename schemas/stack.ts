/**
 * The monitoring stack as a first-class workload (issue 11, points 6 and 7): its PriorityClass, Prometheus'
 * startup budget and retention by size, two prometheus-adapter replicas, Grafana's admin credentials by Secret
 * reference, and tracing that survives production (bounded Jaeger storage, a sampler per tier). Pieces of
 * `monitoring` in ./observability.ts; the rules that need the rest of the config are in `stackIssues`.
 */
import { z } from "zod";
import { bytes, duration, FLOOR, percent, type Percent } from "./units.ts";

/** A Secret's name: a DNS subdomain. */
const secretName = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, {
    error: (iss) => `a Secret name is a lower-case DNS name like "grafana-admin", got ${JSON.stringify(iss.input)}`,
  })
  .max(253);
const secretKey = z.string().regex(/^[-._a-zA-Z0-9]+$/, {
  error: "a Secret key is made of letters, digits, '-', '_' and '.'",
});

/** A key that would hold a credential inline: refused with the way to do it instead, never echoing the value. */
const inlineCredential = (field: string) =>
  z
    .unknown()
    .refine(() => false, {
      error:
        `Grafana's admin credentials are never written inline (they would land in out/ and in git): create a ` +
        `Secret and name it in adminCredentials (${field} is read from it)`,
    })
    .optional()
    .describe(`Refused: Grafana's ${field} comes from the Secret named in adminCredentials.`);

export const grafanaStackFields = {
  adminCredentials: z
    .strictObject({
      secret: secretName.describe("Name of a Secret in the platform namespace; created outside this tool."),
      userKey: secretKey.default("admin-user").describe("The key holding the admin user name."),
      passwordKey: secretKey.default("admin-password").describe("The key holding the admin password."),
    })
    .prefault({ secret: "grafana-admin" })
    .describe(
      "Grafana's admin user and password, read from a Secret (GF_SECURITY_ADMIN_USER / _PASSWORD by " +
        "secretKeyRef): without it every fresh Grafana database starts as admin/admin.",
    ),
  adminUser: inlineCredential("the admin user"),
  adminPassword: inlineCredential("the admin password"),
};

/** prometheus-operator's budget for a Prometheus to replay its WAL before liveness takes over. */
export const PROMETHEUS_STARTUP_BUDGET = "15m";
/** Default `--storage.tsdb.retention.size`: this share of the volume, leaving room for the WAL and compaction. */
export const RETENTION_SHARE_OF_VOLUME = 0.85;

export const prometheusStackFields = {
  startupBudget: duration(FLOOR.kubernetesPeriod)
    .prefault(PROMETHEUS_STARTUP_BUDGET)
    .describe(
      "How long a starting Prometheus may replay its WAL: /-/ready answers 503 until replay ends, and the startup " +
        "probe allows this long before liveness takes over (prometheus-operator allows 15 minutes).",
    ),
  retentionSize: bytes(FLOOR.storage)
    .optional()
    .describe(
      "Oldest blocks are deleted beyond this size (--storage.tsdb.retention.size), besides `retention`. Default: " +
        `${RETENTION_SHARE_OF_VOLUME * 100}% of the storage claim in each environment; it must fit the claim.`,
    ),
};

export const adapterStackFields = {
  replicas: z
    .number()
    .int()
    .min(1)
    .default(2)
    .describe(
      "prometheus-adapter pods, spread across nodes under a PodDisruptionBudget: with one, every drain or crash " +
        "leaves the HPAs without custom metrics.",
    ),
};

/** A PriorityClass value above the tiers' but at most what the API server allows a user class. */
export const stackPriority = z
  .number()
  .int()
  .min(0)
  .max(1_000_000_000)
  .default(1_000_000_000)
  .describe(
    "Value of the monitoring stack's PriorityClass (Prometheus, Alertmanager, prometheus-adapter, Grafana, " +
      "Jaeger): above every tier's `priority`, so scaling tiers never preempt the alert and custom-metrics path; it " +
      "never preempts a trading pod itself.",
  );

export const tracingSchema = z
  .strictObject({
    sampling: z
      .record(
        z.string().describe("A key of `tiers`."),
        percent().describe('Share of the traces started in the tier that are kept, like "0.1%".'),
      )
      .default({})
      .describe(
        "Per tier: the ratio of traces its services start (OTEL_TRACES_SAMPLER=parentbased_traceidratio, its " +
          "argument this ratio; a request that arrives sampled stays sampled). Sample the ultra-low-latency tier " +
          "sparingly: each span costs on the microsecond path.",
      ),
    defaultSampling: percent()
      .prefault("1%" satisfies Percent)
      .describe("The ratio of a tier not named in `sampling`."),
    traceSize: bytes(FLOOR.storage)
      .prefault("64Ki")
      .describe("The size of a stored trace, on average; Jaeger keeps as many as fit its memory (MEMORY_MAX_TRACES)."),
  })
  .prefault({})
  .describe("Tracing: samplers per tier and the bound of Jaeger's in-memory storage.");
export type Tracing = z.output<typeof tracingSchema>;

/** Share of Jaeger's memory limit its trace store may fill; the rest is the Go runtime, queues and queries. */
export const JAEGER_STORE_SHARE = 0.6;

/** MEMORY_MAX_TRACES: as many average traces as fit the store's share of the memory limit. */
export function jaegerMaxTraces(memoryBytes: number, tracing: Tracing): number {
  return Math.max(1, Math.floor((memoryBytes * JAEGER_STORE_SHARE) / tracing.traceSize));
}

/** The sampling ratio of a tier's services. */
export function samplingRatio(tracing: Tracing, tier: string): number {
  return tracing.sampling[tier] ?? tracing.defaultSampling;
}

/** Cross-references of the stack's fields to the rest of the config; paths from the config root. */
export function stackIssues(
  m: { tracing: Tracing; priority: number },
  tiers: Record<string, { priority: number }>,
): { path: (string | number)[]; message: string }[] {
  const issues: { path: (string | number)[]; message: string }[] = [];
  for (const t of Object.keys(m.tracing.sampling))
    if (!(t in tiers))
      issues.push({
        path: ["monitoring", "tracing", "sampling", t],
        message: `unknown tier ${JSON.stringify(t)}; declared tiers: ${Object.keys(tiers).join(", ")}`,
      });
  const above = Object.entries(tiers).filter(([, t]) => t.priority >= m.priority);
  if (above.length > 0)
    issues.push({
      path: ["monitoring", "priority"],
      message:
        `the monitoring stack's priority ${m.priority} must be above every tier's, but ` +
        `${above.map(([n, t]) => `tier ${n} has ${t.priority}`).join(", ")}: those pods would preempt or outrank ` +
        "Prometheus, Alertmanager and prometheus-adapter exactly when they scale",
    });
  return issues;
}
