/**
 * The `monitoring` key of the config: a metric catalogue, alerts with typed thresholds, recording
 * rules, and the monitoring stack's images and sizes. Thresholds are written in the unit a person
 * thinks in ("3us", "95%") and normalised here to canonical numbers (seconds, 0..1); generators
 * render them in each metric's own unit, so a microsecond gauge and a seconds histogram share one budget.
 */
import { z } from "zod";
import { alertingIssues, alertingSchema } from "./alerting.ts";
import { pinnedImage } from "./image-reference.ts";
import { SLO_RECORD_LEVEL, SLO_SEVERITY_NAME, sloAlertSchema } from "./slo.ts";
import {
  adapterStackFields,
  grafanaStackFields,
  prometheusStackFields,
  stackIssues,
  stackPriority,
  tracingSchema,
} from "./stack.ts";
import {
  bytes,
  cpu,
  DURATION_RE,
  duration,
  FLOOR,
  formatDuration,
  inputTypeName,
  PERCENT_RE,
  parseDuration,
  parsePercent,
  type Duration,
  type Percent,
} from "./units.ts";

const PROM_IDENT = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const metricName = z.string().regex(PROM_IDENT, {
  error: (iss) =>
    `metric names are Prometheus identifiers ([a-zA-Z_:][a-zA-Z0-9_:]*), got ${JSON.stringify(iss.input)}`,
});
/** Colons are for recording rules; a metric a service exposes has none (so it can name a ConfigMap key). */
const exposedMetricName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, {
  error: (iss) =>
    `metrics services expose are Prometheus identifiers without colons ([a-zA-Z_][a-zA-Z0-9_]*; colons are for ` +
    `recording rules), got ${JSON.stringify(iss.input)}`,
});
const alertName = z
  .string()
  .regex(/^[A-Z][A-Za-z0-9]*$/, { error: (iss) => `alert names are UpperCamelCase, got ${JSON.stringify(iss.input)}` });
const recordName = z.string().regex(/^[a-zA-Z_]+:[a-zA-Z0-9_:]+$/, {
  error: (iss) =>
    `recording rule names follow level:metric:operations (they contain a ":"), got ${JSON.stringify(iss.input)}`,
});

/**
 * The service inventory's series (model/service-inventory.ts): one per declared service, the same name for every
 * platform (its `platform` label differs). Generated, so the config may not record it.
 */
export const INVENTORY_RECORD = "service:expected:info";

/** Why the config may not record this series itself, if it may not: the generated rules record it. */
function generatedRecord(name: string): string | undefined {
  if (name === INVENTORY_RECORD) return "the service inventory (one series per declared service) records it";
  if (name.split(":")[0] === SLO_RECORD_LEVEL) return `the level "${SLO_RECORD_LEVEL}:" is the SLO alerts' own`;
  return undefined;
}

export const METRIC_UNITS = ["microseconds", "seconds", "ratio", "count", "bytes"] as const;
export type MetricUnit = (typeof METRIC_UNITS)[number];

/**
 * A threshold as written: a duration for latency metrics, a percentage for ratios, a plain number
 * for counts and bytes. The output keeps the kind, so a unit mismatch is an error by name.
 */
export type Threshold =
  | { kind: "duration"; seconds: number }
  | { kind: "percent"; ratio: number }
  | { kind: "number"; value: number };
const THRESHOLD_STRING = new RegExp(`${DURATION_RE.source}|${PERCENT_RE.source}`);
const threshold = z
  .union([
    z
      .string()
      .regex(THRESHOLD_STRING, {
        error: (iss) =>
          `expected a duration like "3us" (latency metrics), a percentage like "95%" (ratios) or a ` +
          `number (counts), got ${JSON.stringify(iss.input)}`,
      })
      .describe('A duration like "3us" or a percentage like "95%".'),
    z.number().describe("A plain number, for counts and bytes."),
  ])
  .transform((v, ctx): Threshold => {
    if (typeof v === "number") return { kind: "number", value: v };
    const seconds = parseDuration(v);
    if (seconds !== undefined) return { kind: "duration", seconds };
    const ratio = parsePercent(v);
    if (ratio !== undefined) return { kind: "percent", ratio };
    ctx.addIssue({
      code: "custom",
      input: v,
      message:
        `expected a duration like "3us" (latency metrics), a percentage like "95%" (ratios) or a ` +
        `number (counts), got ${JSON.stringify(v)}`,
    });
    return z.NEVER;
  })
  .describe(
    'The value compared with: a duration like "3us" for latency metrics, a percentage like "95%" for ' +
      "ratios, a number for counts and bytes.",
  ) as unknown as z.ZodType<Threshold, Duration | Percent | number>;
inputTypeName.add(threshold, { type: "Duration | Percent | number" });

const metric = z
  .strictObject({
    type: z
      .enum(["gauge", "counter", "histogram"])
      .describe("Prometheus metric type; a histogram is named by its base name, without _bucket."),
    unit: z
      .enum(METRIC_UNITS)
      .describe("Unit of the metric's values; thresholds are rendered in it (a duration in microseconds or seconds)."),
    services: z
      .array(z.string().describe("A key of `services`."))
      .min(1, { error: "name at least one service that exposes the metric" })
      .describe("Services (keys of `services`) whose pods expose the metric on their `metrics` port."),
    help: z.string().min(1).describe("One line saying what the metric measures (its HELP text)."),
    buckets: z
      .array(threshold.describe('An upper bound (`le`): a duration like "2.75us" for latency, else a number.'))
      .min(1, { error: "declare at least one bucket boundary" })
      .optional()
      .describe(
        "Histograms only, and required for them: the bucket upper bounds (`le`) the services export, strictly " +
          'increasing, typed like thresholds ("1us", "2.75us", ... for a latency histogram); +Inf is implied. ' +
          "The contract service teams implement: a threshold alert on the histogram must be resolvable by them.",
      ),
  })
  .superRefine((m, ctx) => {
    if (m.type !== "histogram") {
      if (m.buckets !== undefined)
        ctx.addIssue({
          code: "custom",
          path: ["buckets"],
          message: `only a histogram has buckets; this metric is a ${m.type}`,
        });
      return;
    }
    if (m.buckets === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["buckets"],
        message:
          "required for a histogram: declare the bucket upper bounds its services export (client-library " +
          'defaults start at 5 ms and cannot resolve microseconds), e.g. ["1us", "2us", "2.5us", "2.75us", "3us"]',
      });
      return;
    }
    const expected = expectedThreshold(m.unit);
    let previous: number | undefined;
    m.buckets.forEach((b, i) => {
      if (b.kind !== expected.kind) {
        ctx.addIssue({
          code: "custom",
          path: ["buckets", i],
          message: `the metric is in ${m.unit}: write each bucket boundary as ${expected.example}`,
        });
        return;
      }
      const v = canonical(b);
      if (!(v > 0) || !Number.isFinite(v))
        ctx.addIssue({
          code: "custom",
          path: ["buckets", i],
          message: `bucket boundaries are positive and finite (+Inf is implied), got ${bucketText(b)}`,
        });
      else if (previous !== undefined && v <= previous)
        ctx.addIssue({
          code: "custom",
          path: ["buckets", i],
          message:
            `bucket boundaries are strictly increasing: ${bucketText(b)} follows ` +
            `${bucketText(m.buckets![i - 1]!)}`,
        });
      previous = v;
    });
  })
  .describe("A metric the platform's services expose.");

/** A threshold or bucket boundary in canonical units (seconds, 0..1, the number): conversion keeps the order. */
function canonical(t: Threshold): number {
  return t.kind === "duration" ? t.seconds : t.kind === "percent" ? t.ratio : t.value;
}

/** A bucket boundary as the config writes it, for messages. */
function bucketText(t: Threshold): string {
  if (t.kind === "duration") return `"${Number((t.seconds * 1e6).toPrecision(12))}us"`;
  return t.kind === "percent" ? `"${Number((t.ratio * 100).toPrecision(12))}%"` : String(t.value);
}

const comparison = z.enum([">", "<"]).describe("Fire when the value is above (>) or below (<) the threshold.");

const alertCommon = {
  severity: z.enum(["critical", "warning"]).describe("critical pages someone; warning goes to a ticket queue."),
  for: duration().describe("How long the condition must hold before the alert fires (0s fires at once)."),
  summary: z
    .string()
    .min(1)
    .refine((s) => !s.replace(/\{\{\s*\$labels\.[a-zA-Z_][a-zA-Z0-9_]*\s*\}\}/g, "").includes("{{"), {
      error: "summaries may use {{ $labels.<name> }} templates only",
    })
    .describe(
      "One line for the pager; may use `{{ $labels.<name> }}` (and no other templating, so unit tests can " +
        "expand it).",
    ),
};
const alertService = z.string().optional().describe("The service the alert is about; becomes the `service` label.");
/** What a service-less alert does with a service that declares its own alert on the same value. */
const shadowing = z
  .enum(["exclude", "keep"])
  .default("exclude")
  .describe(
    "Service-less alerts only: `exclude` (the default) leaves out every service that declares its own alert on " +
      "the same value (same metric and direction), so a global 1% error-ratio alert does not fire before, and " +
      "instead of, a service's own 2% alert; `keep` alerts on those services too (platform/alert-shadowing warns).",
  );
/** Rate and quantile windows: Prometheus refuses a zero range. */
const window = () => duration(FLOOR.prometheus);

const thresholdAlert = z
  .strictObject({
    kind: z.literal("threshold").describe("A metric compared with a threshold."),
    ...alertCommon,
    service: alertService,
    metric: metricName.describe("The metric compared; a key of `monitoring.metrics`, a gauge or a histogram."),
    comparison,
    threshold: threshold
      .optional()
      .describe(
        "Omitted on a latency metric of a service whose tier has a `latencyBudget`: the budget is the threshold.",
      ),
    quantile: z.number().gt(0).lt(1).default(0.99).describe("Histograms only: the quantile compared (0.99 is p99)."),
    window: window().prefault("1m").describe("Histograms only: the rate window of the buckets."),
    over: window()
      .optional()
      .describe(
        "Gauges only: compare the worst value over this window (max_over_time for >, min_over_time for <), so a " +
          "breach in some seconds of every window keeps the alert pending through its `for`. Unset, the latest " +
          "sample is compared, and one good sample at an evaluation resets `for`: an intermittent breach never " +
          "fires. At least two evaluation intervals, so every window holds more than one evaluation's samples.",
      ),
    shadowing,
  })
  .describe("A metric compared with a threshold: a gauge as is, a histogram through its quantile over `window`.");

const ratioAlert = z
  .strictObject({
    kind: z.literal("ratio").describe("One counter's rate over another's."),
    ...alertCommon,
    service: alertService,
    metric: metricName.describe("The counter divided (the errors); a key of `monitoring.metrics`."),
    per: metricName.describe("The counter divided by (the requests); a key of `monitoring.metrics`."),
    by: z
      .string()
      .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/)
      .default("service")
      .describe("The label the ratio is computed per."),
    comparison,
    threshold,
    window: window().prefault("5m").describe("The rate window of both counters."),
    shadowing,
  })
  .describe("One counter's rate over another's, per `by` label: error rates.");

const downAlert = z
  .strictObject({
    kind: z.literal("down").describe("A service without a healthy scrape target."),
    ...alertCommon,
  })
  .describe(
    "A platform service has no healthy scrape target at all (every target down, or none left); `service` names it.",
  );

const alert = z
  .discriminatedUnion("kind", [thresholdAlert, ratioAlert, downAlert, sloAlertSchema])
  .describe(
    "An alert: a threshold on a metric, a ratio of two counters, a service without a healthy target, or a " +
      "service level objective alerted on its error budget's burn rate.",
  );

const recordingRule = z
  .strictObject({
    expr: z.string().min(1).describe("The PromQL expression recorded; checked against the metric catalogue."),
    help: z.string().min(1).describe("What the recorded series means, for dashboards and people."),
  })
  .describe("A recording rule; its key is the recorded series' name (level:metric:operations).");

/** kube-state-metrics' pinned image and size: one Deployment watching a handful of HPAs needs little. */
const KUBE_STATE_METRICS_DEFAULT = {
  image: "registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.16.0",
  cpu: "100m",
  memory: "128Mi",
} as const;

const component = (what: string) =>
  z
    .strictObject({
      image: pinnedImage().describe("Image pinned by tag or digest (never `:latest`)."),
      cpu: cpu(FLOOR.container).describe('CPU request ("250m", "1").'),
      memory: bytes(FLOOR.container).describe('Memory request and limit ("512Mi").'),
    })
    .describe(`${what} Requests are cpu and memory; the memory limit equals the request.`);

/** What the URL checks let through: http(s) with a host; `z.url()` alone also takes "mailto:" and "file:". */
const HTTP_URL = /^https?:\/\/[^\s/?#]+(?:[/?#]\S*)?$/;
/** A runbook base: an http(s) URL, or a repository path (no scheme, no "..", not absolute). */
const RUNBOOK_BASE = new RegExp(`${HTTP_URL.source}|^(?!.*\\.\\.)[A-Za-z0-9_][A-Za-z0-9._/-]*$`);

export const monitoringSchema = z
  .strictObject({
    mode: z
      .enum(["standalone", "prometheus-operator"])
      .describe(
        "`standalone` emits Prometheus, Grafana and Jaeger; `prometheus-operator` emits PrometheusRule and " +
          "PodMonitor objects instead.",
      ),
    scrapeInterval: duration(FLOOR.prometheus).describe(
      "Interval of the cluster job (the API server); service jobs use their tier's `scrapeInterval`.",
    ),
    evaluationInterval: duration(FLOOR.prometheus).describe(
      "How often Prometheus evaluates rules; alert `for` durations are multiples of it in the unit tests.",
    ),
    runbookBaseUrl: z
      .string()
      .regex(RUNBOOK_BASE, {
        error: (iss) =>
          `expected an absolute URL like https://runbooks.example.com/alerts, or a path in the repository like ` +
          `out/runbooks, got ${JSON.stringify(iss.input)}`,
      })
      .refine((s) => !HTTP_URL.test(s) || URL.canParse(s), {
        error: "expected an absolute URL like https://runbooks.example.com/alerts",
      })
      .default("out/runbooks")
      .describe(
        "Where the generated runbooks (out/runbooks/<alert>.md) are read: each alert's `runbook_url` is this, " +
          '"/" and the runbook\'s file name. An http(s) URL, or a path relative to the repository root (the ' +
          "default, out/runbooks, which a Git host renders as Markdown); set it to the browsable URL of that " +
          "folder, e.g. https://github.com/<org>/<repo>/blob/main/out/runbooks.",
      ),
    metrics: z
      .record(exposedMetricName, metric)
      .describe("The metric catalogue: every metric alerts, rules, dashboards and HPAs may read, by name."),
    recordingRules: z
      .record(recordName, recordingRule)
      .default({})
      .describe("Recording rules by the name of the series they record."),
    alerts: z
      .record(alertName, alert)
      .describe("Alerts by name (UpperCamelCase); names and severities are a contract."),
    // Alert routing (issue 11): its own schema, in ./alerting.ts.
    alerting: alertingSchema,
    components: z
      .strictObject({
        prometheus: component("Prometheus.")
          .extend({
            claim: z.string().describe("Key of `storage` that holds the time series."),
            retention: duration(FLOOR.prometheus).prefault("360h").describe("How long Prometheus keeps samples."),
            ...prometheusStackFields,
          })
          .describe("Prometheus. Requests are cpu and memory; the memory limit equals the request."),
        grafana: component("Grafana.")
          .extend(grafanaStackFields)
          .describe("Grafana, its admin credentials by Secret reference. The memory limit equals the request."),
        jaeger: component("Jaeger (all-in-one, in-memory traces bounded by `tracing.traceSize`)."),
        adapter: component("prometheus-adapter.")
          .extend(adapterStackFields)
          .describe(
            "prometheus-adapter, serving the HPAs' custom metrics in standalone mode, replicated. The memory limit " +
              "equals the request.",
          ),
        // Defaulted, unlike the others: configs written before it existed keep working.
        kubeStateMetrics: component("kube-state-metrics.")
          .prefault(KUBE_STATE_METRICS_DEFAULT)
          .describe(
            "kube-state-metrics, exporting the HPA series the dashboard's replica panels read (standalone mode; " +
              "kube-prometheus ships its own). The memory limit equals the request.",
          ),
      })
      .describe("The monitoring stack's images and sizes."),
    priority: stackPriority,
    tracing: tracingSchema,
  })
  .superRefine((m, ctx) => {
    for (const name of Object.keys(m.recordingRules)) {
      const owner = generatedRecord(name);
      if (owner)
        ctx.addIssue({
          code: "custom",
          path: ["recordingRules", name],
          message: `${JSON.stringify(name)} is a generated series (${owner}); record under another name`,
        });
    }
    for (const [name, a] of Object.entries(m.alerts)) {
      if (a.kind === "down") continue;
      if (a.kind === "slo") {
        for (const field of ["metric", "per"] as const) {
          const def = m.metrics[a[field]];
          const problem =
            def === undefined
              ? `reads metric ${JSON.stringify(a[field])}, which is not in the metric catalogue ` +
                "(monitoring.metrics); " +
                `declared: ${Object.keys(m.metrics).join(", ")}`
              : def.type !== "counter"
                ? `divides rates of counters; ${a[field]} is a ${def.type}`
                : !def.services.includes(a.service)
                  ? `is about ${a.service}, which does not expose ${a[field]} (exposed by ${def.services.join(", ")})`
                  : undefined;
          if (problem) ctx.addIssue({ code: "custom", path: ["alerts", name, field], message: `an SLO ${problem}` });
        }
        continue;
      }
      const refs: [string, string][] =
        a.kind === "ratio"
          ? [
              ["metric", a.metric],
              ["per", a.per],
            ]
          : [["metric", a.metric]];
      for (const [field, ref] of refs) {
        if (!(ref in m.metrics))
          ctx.addIssue({
            code: "custom",
            path: ["alerts", name, field],
            message:
              `alert reads metric ${JSON.stringify(ref)}, which is not in the metric catalogue ` +
              `(monitoring.metrics); declared: ${Object.keys(m.metrics).join(", ")}`,
          });
      }
      const declared = m.metrics[a.metric];
      if (!declared) continue;
      if (a.kind === "threshold" && a.over !== undefined) {
        if (declared.type !== "gauge")
          ctx.addIssue({
            code: "custom",
            path: ["alerts", name, "over"],
            message: `over applies to gauges; ${a.metric} is a ${declared.type} (a histogram's window is \`window\`)`,
          });
        else if (a.over < 2 * m.evaluationInterval)
          ctx.addIssue({
            code: "custom",
            path: ["alerts", name, "over"],
            message:
              `over must be at least two evaluation intervals (${formatDuration(2 * m.evaluationInterval)}): a ` +
              "shorter window can miss the bad sample between two evaluations",
          });
      }
      if (a.kind === "ratio") {
        if (a.threshold.kind !== "percent")
          ctx.addIssue({
            code: "custom",
            path: ["alerts", name, "threshold"],
            message: 'a ratio alert compares with a percentage like "1%"',
          });
        for (const [field, ref] of refs) {
          if (m.metrics[ref] && m.metrics[ref].type !== "counter")
            ctx.addIssue({
              code: "custom",
              path: ["alerts", name, field],
              message: `a ratio alert divides rates of counters; ${ref} is a ${m.metrics[ref].type}`,
            });
        }
        continue;
      }
      if (declared.type === "counter")
        ctx.addIssue({
          code: "custom",
          path: ["alerts", name, "metric"],
          message:
            `${a.metric} is a counter; compare its rate with a ratio alert, or a gauge or histogram ` +
            `with a threshold alert`,
        });
      const expected = expectedThreshold(declared.unit);
      if (a.threshold !== undefined && a.threshold.kind !== expected.kind)
        ctx.addIssue({
          code: "custom",
          path: ["alerts", name, "threshold"],
          message: `${a.metric} is in ${declared.unit}: write the threshold as ${expected.example}`,
        });
    }
  })
  .describe("Metrics, alerts, recording rules and the monitoring stack.");

function expectedThreshold(unit: MetricUnit): { kind: Threshold["kind"]; example: string } {
  if (isLatencyUnit(unit)) return { kind: "duration", example: 'a duration like "3us"' };
  if (unit === "ratio") return { kind: "percent", example: 'a percentage like "95%"' };
  return { kind: "number", example: "a number" };
}

/** Units of latency: a duration threshold applies, and a tier's latency budget too. */
export function isLatencyUnit(unit: MetricUnit): boolean {
  return unit === "microseconds" || unit === "seconds";
}

/** How prometheus-adapter serves a custom metric an HPA scales on: a gauge as is, or the rate of a counter. */
export type AdapterSource = { kind: "gauge"; series: string } | { kind: "rate"; series: string };

/**
 * A gauge of the catalogue is served as is; `<x>_per_second` is the rate of the catalogued counter `<x>_total`;
 * anything else cannot be served (undefined). The schema rejects an HPA metric the adapter cannot serve, and the
 * adapter's rules are written from the same answer.
 */
export function adapterSource(m: Pick<Monitoring, "metrics">, metric: string): AdapterSource | undefined {
  if (m.metrics[metric]?.type === "gauge") return { kind: "gauge", series: metric };
  const base = /^(.*)_per_second$/.exec(metric)?.[1];
  if (base !== undefined && m.metrics[`${base}_total`]?.type === "counter")
    return { kind: "rate", series: `${base}_total` };
  return undefined;
}

/**
 * Cross-references to the rest of the config, for the platform schema's superRefine: services named
 * by metrics and alerts exist, Prometheus' storage claim exists, and every custom metric an HPA
 * scales on is one prometheus-adapter can serve from the catalogue. Paths are from the config root.
 */
export function monitoringReferenceIssues(
  m: Monitoring,
  platform: {
    services: Record<string, { tier: string; scaling?: { custom: { metric: string }[] } | undefined }>;
    storage: Record<string, unknown>;
    tiers: Record<string, { latencyBudget?: number | undefined; priority: number }>;
  },
): { path: (string | number)[]; message: string }[] {
  const issues: { path: (string | number)[]; message: string }[] = stackIssues(m, platform.tiers);
  const services = Object.keys(platform.services);
  const storage = Object.keys(platform.storage);
  for (const [name, svc] of Object.entries(platform.services)) {
    svc.scaling?.custom.forEach((c, i) => {
      if (!adapterSource(m, c.metric))
        issues.push({
          path: ["services", name, "scaling", "custom", i, "metric"],
          message:
            `prometheus-adapter cannot serve ${JSON.stringify(c.metric)}: declare it as a gauge in ` +
            `monitoring.metrics, or name it <x>_per_second for a declared counter <x>_total`,
        });
    });
  }
  if (!storage.includes(m.components.prometheus.claim)) {
    issues.push({
      path: ["monitoring", "components", "prometheus", "claim"],
      message:
        `unknown storage claim ${JSON.stringify(m.components.prometheus.claim)}; declared: ` +
        `${storage.join(", ") || "none"}`,
    });
  }
  const known = new Set(services);
  const list = services.join(", ");
  for (const [name, def] of Object.entries(m.metrics)) {
    def.services.forEach((s, i) => {
      if (!known.has(s))
        issues.push({
          path: ["monitoring", "metrics", name, "services", i],
          message: `metric is exposed by unknown service ${JSON.stringify(s)}; declared services: ${list}`,
        });
    });
  }
  for (const [name, a] of Object.entries(m.alerts)) {
    if (a.kind !== "down" && a.service !== undefined && !known.has(a.service)) {
      issues.push({
        path: ["monitoring", "alerts", name, "service"],
        message: `alert names a service that does not exist: ${JSON.stringify(a.service)}; declared services: ${list}`,
      });
    }
    if (a.kind === "threshold" && a.threshold === undefined) {
      const def = m.metrics[a.metric];
      const tier = a.service !== undefined ? platform.services[a.service]?.tier : undefined;
      const budgeted = tier !== undefined && platform.tiers[tier]?.latencyBudget !== undefined;
      if (def && !(isLatencyUnit(def.unit) && budgeted))
        issues.push({
          path: ["monitoring", "alerts", name, "threshold"],
          message:
            `required: only a latency alert (a metric in seconds or microseconds) on the service of a tier with a ` +
            `latencyBudget may leave its threshold out and alert at the budget`,
        });
    }
  }
  // Alert routing: receivers, routes and inhibitions name real alerts and services, and reach the right people.
  // An SLO is two alerts of one name: its page (critical) and its ticket (warning).
  const configured = Object.entries(m.alerts).flatMap(([name, a]) =>
    a.kind === "slo"
      ? (Object.keys(SLO_SEVERITY_NAME) as (keyof typeof SLO_SEVERITY_NAME)[]).map((severity) => ({
          name,
          severity,
          service: a.service,
        }))
      : [{ name, severity: a.severity, service: a.kind !== "down" ? a.service : undefined }],
  );
  for (const issue of alertingIssues(m.alerting, configured, services))
    issues.push({ path: ["monitoring", "alerting", ...issue.path], message: issue.message });
  return issues;
}

export type MonitoringInput = z.input<typeof monitoringSchema>;
export type Monitoring = z.output<typeof monitoringSchema>;
export type MetricDef = Monitoring["metrics"][string];
export type Alert = Monitoring["alerts"][string];
export type ThresholdAlert = Extract<Alert, { kind: "threshold" }>;
export type RatioAlert = Extract<Alert, { kind: "ratio" }>;
export type { SloAlert } from "./slo.ts";
export type MonitoringComponent = Monitoring["components"]["jaeger"];
