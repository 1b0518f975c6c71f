/**
 * The monitoring model: built once from the config, read by every generator and check that deals with
 * monitoring (rule files, promtool tests, dashboards, the latency-alert policy's parameter, the promql
 * and latency coverage checks), so they cannot disagree. It holds each alert with its threshold resolved
 * (the tier's latency budget when the config leaves it out) in canonical units and in the compared value's
 * own unit, the alert's PromQL, the metric catalogue with units, and the rule groups (the meta-monitoring alerts of
 * ./meta-monitoring.ts in a file of their own). Pure.
 */
import {
  isLatencyUnit,
  type Alert,
  type MetricDef,
  type MetricUnit,
  type Monitoring,
  type SloAlert,
  type Threshold,
} from "../schemas/observability.ts";
import type { Platform } from "../schemas/platform.ts";
import { RECEIVER_CLASS, resolveReceiver, type RoutedSeverity, type RouteLabels } from "../schemas/alerting.ts";
import { formatDuration } from "../schemas/units.ts";
import { objectName } from "./names.ts";
import { metaAlerts, metaRuleFile } from "./meta-monitoring.ts";
import { inventoryRuleFile, inventorySelector } from "./service-inventory.ts";
import { sloModel, type SloModel } from "./slo.ts";
import { SLO_SEVERITY_NAME } from "../schemas/slo.ts";
import { TIER } from "../core/conventions.ts";

/** Scrape jobs are named like the service's objects: `nautilus-risk-engine`. */
export function jobName(platform: Platform, service: string): string {
  return objectName(platform, service);
}

/** Matches every service job and nothing else (`nautilus-.*`). */
export function jobPattern(platform: Platform): string {
  return `${platform.name}-.*`;
}

/** Grafana's unit ids for our metric units. */
export const GRAFANA_UNIT: Record<MetricUnit, string> = {
  microseconds: "µs",
  seconds: "s",
  ratio: "percentunit",
  count: "short",
  bytes: "bytes",
};

/** Seconds per unit of a latency metric: what turns a budget in seconds into the metric's own numbers. */
export const SECONDS_PER_UNIT: Partial<Record<MetricUnit, number>> = { microseconds: 1e-6, seconds: 1 };

/** A threshold in the metric's unit: a duration is 1e6 times larger on a microsecond gauge than on a seconds one. */
export function thresholdIn(unit: MetricUnit, t: Threshold): number {
  const v =
    t.kind === "duration" ? t.seconds / (SECONDS_PER_UNIT[unit] ?? 1) : t.kind === "percent" ? t.ratio : t.value;
  // Unit conversion in binary floating point leaves noise (x.xx00000000000004); the config has at most 12 digits.
  return Number(v.toPrecision(12));
}

/**
 * A real latency well under a threshold, as a share of it (1.1 µs under a 2.75 µs budget): what the generated
 * histogram tests feed as healthy traffic that must not fire, and what the bucket check's message shows.
 */
export const WELL_UNDER = 0.4;

/**
 * A histogram's declared bucket upper bounds in its own unit (the `le` values its services export, +Inf left
 * implied); empty for any other metric.
 */
export function bucketsIn(def: MetricDef): number[] {
  return def.type === "histogram" ? (def.buckets ?? []).map((b) => thresholdIn(def.unit, b)) : [];
}

/** A PromQL number literal as Prometheus prints it: 3, 0.95, 3e-06. */
export function promNumber(n: number): string {
  if (n !== 0 && Math.abs(n) < 1e-4) {
    const [mantissa, exp] = n.toExponential().split("e");
    const sign = exp!.startsWith("-") ? "-" : "+";
    return `${mantissa}e${sign}${exp!.replace(/^[-+]/, "").padStart(2, "0")}`;
  }
  return String(n);
}

/** A duration for people: microseconds below a millisecond ("3 µs"), as the budget is written. */
export function describeSeconds(seconds: number): string {
  return seconds < 1e-3 ? `${Number((seconds * 1e6).toPrecision(6))} µs` : formatDuration(seconds);
}

/** A threshold as a person writes it: 2.75 µs, 1%, 500. */
export function humanThreshold(t: Threshold): string {
  if (t.kind === "duration") return describeSeconds(t.seconds);
  if (t.kind === "percent") return `${Number((t.ratio * 100).toPrecision(12))}%`;
  return String(t.value);
}

export interface AlertRule {
  alert: string;
  expr: string;
  for: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface RecordingRule {
  record: string;
  expr: string;
  /** Labels the recorded series gets (the service inventory's `service` and `tier`, an SLO's `service` and `slo`). */
  labels?: Record<string, string>;
}

export interface RuleGroup {
  name: string;
  interval: string;
  rules: (AlertRule | RecordingRule)[];
}

/** A rule file of out/prometheus/rules/ (and of the rules ConfigMap) with its one group. */
export interface RuleFile {
  file: string;
  group: RuleGroup;
}

/** One alert of the config as every consumer sees it. */
export interface ModelAlert {
  name: string;
  /** The config entry, for fields only some consumers need (window, quantile, by, per). */
  config: Alert;
  /** An SLO's is its page's, critical (its ticket is a warning). */
  severity: "critical" | "warning";
  /** The service the alert is about (the `service` label), if it is about one. */
  service?: string;
  /** The catalogue metric compared (ratio alerts: the numerator); absent for `down` alerts. */
  metric?: string;
  /** Unit of the compared value: the metric's unit, a ratio for ratio alerts, a count for `up`. */
  unit: MetricUnit;
  comparison: ">" | "<" | "==";
  /** The threshold in canonical units (seconds, 0..1); absent for `down` alerts, which compare `up` with 0. */
  threshold?: Threshold;
  /** `budget` when the alert left its threshold out and alerts at its tier's latency budget. */
  thresholdFrom: "alert" | "budget" | "none";
  /** The threshold in the compared value's unit: what the rule, the tests and the dashboards write. */
  value: number;
  /** The left-hand side of the comparison: the value compared, in `unit`. */
  valueExpr: string;
  /** The alert's rule; an SLO's is its page, and both its rules are in `slo.alerts`. */
  rule: AlertRule;
  /** `kind: "slo"` only: its windows, recording rules, page and ticket (model/slo.ts). */
  slo?: SloModel;
}

/** A tier's latency budget and the services it binds. */
export interface LatencyBudget {
  tier: string;
  seconds: number;
  services: string[];
}

export interface MonitoringModel {
  /** The metric catalogue, with units and the services exposing each metric. */
  metrics: Monitoring["metrics"];
  /** Catalogue metrics in seconds or microseconds, in config order. */
  latencyMetrics: { name: string; def: MetricDef }[];
  budgets: LatencyBudget[];
  alerts: ModelAlert[];
  recordingRules: RecordingRule[];
  ruleFiles: RuleFile[];
  /**
   * The rule files an alert's promtool test loads: all but the service inventory (./service-inventory.ts), whose
   * series a `down` alert's test feeds itself for the few services it is about. One rule per service evaluated at
   * every step of every test would make the tests grow with the services.
   */
  alertTestRuleFiles: RuleFile[];
  /** The latency-alert admission policy's parameter: the ultra-low-latency budget, if one is declared. */
  policyBudgetSeconds?: number;
  /** The dead-man's switch: always firing, in the alerts' rule group after the configured alerts. */
  heartbeat: AlertRule;
}

/**
 * The always-firing alert of `monitoring.alerting.heartbeat`: `vector(1)` holds as long as Prometheus evaluates
 * rules, so its notifications stop exactly when rule evaluation or delivery does.
 */
function heartbeatRule(platform: Platform): AlertRule {
  const m = platform.monitoring;
  const h = m.alerting.heartbeat;
  return {
    alert: h.alert,
    expr: "vector(1)",
    for: "0s",
    labels: { severity: "none" },
    annotations: { summary: h.summary },
  };
}

/**
 * Where an alert's runbook is read: `monitoring.runbookBaseUrl`, "/", the runbook's file name under out/runbooks/.
 * Absolute, or a path relative to the repository root (the default, `out/runbooks`, which a Git host renders).
 */
export function runbookUrl(platform: Platform, alert: string): string {
  return `${platform.monitoring.runbookBaseUrl.replace(/\/+$/, "")}/${runbookFile(alert)}`;
}

/** The runbook of an alert, relative to out/runbooks/: `RiskEngineP99LatencyHigh.md`. */
export function runbookFile(alert: string): string {
  return `${alert}.md`;
}

/** `{job="nautilus-risk-engine"}` when a metric several services expose must be narrowed to the alert's service. */
function selector(platform: Platform, metric: MetricDef | undefined, service: string | undefined): string {
  return service !== undefined && metric !== undefined && metric.services.length > 1
    ? `{job="${jobName(platform, service)}"}`
    : "";
}

/**
 * `expr` with its `service` label set from its scrape job (`nautilus-risk-engine` → `risk-engine`): the platform
 * names jobs, so every alert (ServiceDown, HighErrorRate, MemoryPoolEfficiencyLow) says `service` the same way,
 * whatever labels an application exports.
 */
export function serviceFromJob(platform: Platform, expr: string): string {
  return `label_replace(${expr}, "service", "$1", "job", "${jobName(platform, "(.*)")}")`;
}

/** `{job="nautilus-a"}`, `{job=~"(nautilus-a|nautilus-b)"}` or `{job!~"..."}` for services, by their jobs. */
export function jobSelector(platform: Platform, services: readonly string[], exclude = false): string {
  const jobs = services.map((s) => jobName(platform, s));
  if (jobs.length === 1 && !exclude) return `{job="${jobs[0]}"}`;
  return `{job${exclude ? "!~" : "=~"}"${jobs.length === 1 ? jobs[0] : `(${jobs.join("|")})`}"}`;
}

/**
 * One counter's rate over another's per `by` label, narrowed by `sel`: the error ratio of alerts and dashboards.
 * Per `service`, the label is derived from the job (serviceFromJob).
 */
export function ratioExpr(
  platform: Platform,
  a: { metric: string; per: string; by: string; window: number },
  sel = "",
): string {
  const w = formatDuration(a.window);
  const rate = (m: string) =>
    a.by === "service" ? serviceFromJob(platform, `rate(${m}${sel}[${w}])`) : `rate(${m}${sel}[${w}])`;
  return `sum by (${a.by}) (${rate(a.metric)}) / sum by (${a.by}) (${rate(a.per)})`;
}

/**
 * Healthy (up) scrape targets per service the config declares (of one tier, if given), labelled `service`, and 0
 * for a service with none at all. Once every pod of a service is gone, discovery drops its targets and `up` has no
 * series for it, so a `sum by (service)` over `up` alone would lose the service rather than read 0: the service
 * inventory (./service-inventory.ts) adds a 0 for every declared service, and only declared services are counted.
 * One expression whatever the number of services: Prometheus and promtool evaluate it in time linear in the series.
 */
export function healthyTargetsExpr(platform: Platform, tier?: string): string {
  const expected = inventorySelector(platform, tier);
  const up = serviceFromJob(platform, `up{job=~"${jobPattern(platform)}"}`);
  return `sum by (service) ((${up} and on (service) ${expected}) or 0 * ${expected})`;
}

/**
 * The services a service-less alert leaves out because each declares its own alert on the same value (same kind,
 * metric, divisor and direction): the service's own alert replaces the global one for it, so a global 1% error
 * ratio does not fire before, and instead of, a service's own 2% (alert shadowing). `shadowing: "keep"` opts out.
 */
export function ownAlertServices(platform: Platform, a: Alert): string[] {
  if (a.kind === "down" || a.kind === "slo" || a.service !== undefined || a.shadowing === "keep") return [];
  const own = Object.values(platform.monitoring.alerts).flatMap((b) =>
    sameValue(a, b) && b.kind !== "down" && b.service !== undefined ? [b.service] : [],
  );
  return [...new Set(own)];
}

/** Two alerts compare the same value in the same direction, so one of them firing first shadows the other. */
export function sameValue(a: Alert, b: Alert): boolean {
  // An SLO judges its service's error ratio (its error and request counters): it replaces an error-ratio alert on
  // the same counters for that service.
  if (a.kind === "slo" || b.kind === "slo") {
    const [r, s] = a.kind === "slo" ? [b, a] : [a, b];
    return (
      s.kind === "slo" &&
      r.kind === "ratio" &&
      r.metric === s.metric &&
      r.per === s.per &&
      r.by === "service" &&
      r.comparison === ">"
    );
  }
  if (a.kind === "down" || b.kind === "down" || a.kind !== b.kind || a.metric !== b.metric) return false;
  if (a.comparison !== b.comparison) return false;
  if (a.kind === "ratio" && b.kind === "ratio") return a.per === b.per && a.by === b.by;
  return a.kind === "threshold" && b.kind === "threshold" && a.quantile === b.quantile;
}

/** The left-hand side of an alert: the value compared with the threshold, in the metric's unit. */
function alertValueExpr(platform: Platform, a: Exclude<Alert, SloAlert>): string {
  if (a.kind === "down") return healthyTargetsExpr(platform);
  const excluded = ownAlertServices(platform, a);
  const rest = excluded.length > 0 ? jobSelector(platform, excluded, true) : "";
  if (a.kind === "ratio")
    return ratioExpr(
      platform,
      a,
      a.service === undefined
        ? rest
        : a.by === "service"
          ? jobSelector(platform, [a.service])
          : `{${a.by}="${a.service}"}`,
    );
  const def = platform.monitoring.metrics[a.metric];
  const sel = selector(platform, def, a.service) || rest;
  if (def?.type === "histogram")
    return (
      `histogram_quantile(${a.quantile}, sum by (le) ` +
      `(rate(${a.metric}_bucket${sel}[${formatDuration(a.window)}])))`
    );
  // The worst sample of the window, when the alert says so; otherwise the latest one.
  const gauge =
    a.over === undefined
      ? `${a.metric}${sel}`
      : `${a.comparison === ">" ? "max" : "min"}_over_time(${a.metric}${sel}[${formatDuration(a.over)}])`;
  // A gauge several services expose, alerted on for all of them: each series says which service it is about.
  if (a.service === undefined && (def?.services.length ?? 0) > 1) return serviceFromJob(platform, gauge);
  return gauge;
}

/** Expands the `{{ $labels.x }}` templates a summary may use (the only ones the schema allows). */
export function expandSummary(summary: string, labels: Record<string, string>): string {
  return summary.replace(/\{\{\s*\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}/g, (_, k: string) => labels[k] ?? "");
}

/** Services of a tier, in config order. */
export function tierServices(platform: Platform, tier: string): string[] {
  return Object.entries(platform.services)
    .filter(([, s]) => s.tier === tier)
    .map(([n]) => n);
}

/** The latency budget (seconds) a service's tier holds it to, if the tier declares one. */
export function latencyBudgetOf(platform: Platform, service: string | undefined): number | undefined {
  const tier = service !== undefined ? platform.services[service]?.tier : undefined;
  return tier !== undefined ? platform.tiers[tier]?.latencyBudget : undefined;
}

/**
 * An SLO as the consumers see an alert: about its service's error ratio, compared (by its page) over the fastest
 * window of the burn-rate table; both its rules and the recorded ratios are in `slo`.
 */
function sloAlert(platform: Platform, name: string, a: SloAlert): ModelAlert {
  const slo = sloModel(name, a, jobSelector(platform, [a.service]));
  const fastest = slo.windows[0]!;
  return {
    name,
    config: a,
    severity: "critical",
    service: a.service,
    metric: a.metric,
    unit: "ratio",
    comparison: ">",
    thresholdFrom: "none",
    value: fastest.errorRatio,
    valueExpr: slo.ratio(fastest.long),
    rule: slo.alerts[0],
    slo,
  };
}

function modelAlert(platform: Platform, name: string, a: Alert): ModelAlert {
  if (a.kind === "slo") return sloAlert(platform, name, a);
  const m = platform.monitoring;
  const service = a.kind !== "down" ? a.service : undefined;
  const metric = a.kind !== "down" ? a.metric : undefined;
  const unit: MetricUnit =
    a.kind === "down" ? "count" : a.kind === "ratio" ? "ratio" : (m.metrics[a.metric]?.unit ?? "count");
  let threshold: Threshold | undefined;
  let thresholdFrom: ModelAlert["thresholdFrom"] = "none";
  if (a.kind !== "down" && a.threshold !== undefined) [threshold, thresholdFrom] = [a.threshold, "alert"];
  else if (a.kind === "threshold") {
    // The schema allows leaving the threshold out only where a budget applies.
    const budget = latencyBudgetOf(platform, service);
    if (budget !== undefined) [threshold, thresholdFrom] = [{ kind: "duration", seconds: budget }, "budget"];
  }
  const comparison = a.kind === "down" ? "==" : a.comparison;
  const value = threshold ? thresholdIn(unit, threshold) : 0;
  const valueExpr = alertValueExpr(platform, a);
  const labels: Record<string, string> = { severity: a.severity };
  if (service !== undefined) labels.service = service;
  const rule: AlertRule = {
    alert: name,
    expr: `${valueExpr} ${comparison} ${promNumber(value)}`,
    for: formatDuration(a.for),
    labels,
    annotations: { summary: a.summary },
  };
  return {
    name,
    config: a,
    severity: a.severity,
    ...(service !== undefined ? { service } : {}),
    ...(metric !== undefined ? { metric } : {}),
    unit,
    comparison,
    ...(threshold ? { threshold } : {}),
    thresholdFrom,
    value,
    valueExpr,
    rule,
  };
}

function build(platform: Platform): MonitoringModel {
  const m = platform.monitoring;
  const interval = formatDuration(m.evaluationInterval);
  const alerts = Object.entries(m.alerts).map(([name, a]) => modelAlert(platform, name, a));
  const recordingRules = Object.entries(m.recordingRules).map(([record, r]) => ({ record, expr: r.expr }));
  const heartbeat = heartbeatRule(platform);
  const inventory = inventoryRuleFile(platform);
  const ruleFiles: RuleFile[] = [inventory];
  if (recordingRules.length > 0)
    ruleFiles.push({
      file: `${platform.name}-recording.yaml`,
      group: { name: `${platform.name}-recording`, interval, rules: recordingRules },
    });
  // The SLOs' error ratios, in a file before the alerts': each evaluation records them before the alerts read them.
  const sloRecordings = alerts.flatMap((a) => a.slo?.recordingRules ?? []);
  if (sloRecordings.length > 0)
    ruleFiles.push({
      file: `${platform.name}-slo.yaml`,
      group: { name: `${platform.name}-slo`, interval, rules: sloRecordings },
    });
  ruleFiles.push({
    file: `${platform.name}-alerts.yaml`,
    group: {
      name: `${platform.name}-alerts`,
      interval,
      rules: [...alerts.flatMap((a) => a.slo?.alerts ?? [a.rule]), heartbeat],
    },
  });
  const meta = metaRuleFile(platform);
  if (meta) ruleFiles.push(meta);
  // Every alert of every rule file links its runbook, whoever adds the alert (the config, the heartbeat, the
  // stack's own alerts), so no alert reaches a person without one: written here once, for all of them.
  for (const f of ruleFiles)
    for (const r of f.group.rules)
      if ("alert" in r) r.annotations = { ...r.annotations, runbook_url: runbookUrl(platform, r.alert) };
  const budgets = Object.entries(platform.tiers).flatMap(([tier, t]) =>
    t.latencyBudget !== undefined ? [{ tier, seconds: t.latencyBudget, services: tierServices(platform, tier) }] : [],
  );
  // The admission policy holds every critical latency alert to one number: the ultra-low-latency tier's budget,
  // or the strictest budget declared when that tier is named otherwise.
  const policyBudget =
    platform.tiers[TIER.ultraLowLatency]?.latencyBudget ??
    (budgets.length > 0 ? Math.min(...budgets.map((b) => b.seconds)) : undefined);
  return {
    metrics: m.metrics,
    latencyMetrics: Object.entries(m.metrics)
      .filter(([, def]) => isLatencyUnit(def.unit))
      .map(([name, def]) => ({ name, def })),
    budgets,
    alerts,
    recordingRules,
    ruleFiles,
    alertTestRuleFiles: ruleFiles.filter((f) => f !== inventory),
    heartbeat,
    ...(policyBudget !== undefined ? { policyBudgetSeconds: policyBudget } : {}),
  };
}

const cache = new WeakMap<Platform, MonitoringModel>();

/**
 * The model of a parsed (or environment-resolved) config, built once per config object: environments change no
 * monitoring input, so each consumer of the same config reads the same model.
 */
export function monitoringModel(platform: Platform): MonitoringModel {
  let model = cache.get(platform);
  if (!model) {
    model = build(platform);
    cache.set(platform, model);
  }
  return model;
}

/** One `amtool config routes test` case: an alert's labels and the receivers it must reach. */
export interface RouteCase {
  alert: string;
  labels: RouteLabels;
  receivers: string[];
  /** What the receiver is for (pager, chat, webhook): the intent the case proves. */
  purpose: string;
}

/**
 * Route cases for every alert: each configured alert with its severity and service (a service-less alert once per
 * service that can raise it, since its `service` label comes from the series), and the heartbeat. The expected
 * receiver is the routing's resolution, which the schema holds to its intent (critical → pager, warning → chat);
 * amtool then proves the generated alertmanager.yml routes the same way.
 */
export function alertRouteCases(platform: Platform): RouteCase[] {
  const m = platform.monitoring;
  const a = m.alerting;
  const all = Object.keys(platform.services);
  const cases: RouteCase[] = [];
  const add = (alert: string, labels: RouteLabels) => {
    const { receiver } = resolveReceiver(a, labels);
    cases.push({ alert, labels, receivers: [receiver], purpose: RECEIVER_CLASS[a.receivers[receiver]!.kind] });
  };
  for (const [name, alert] of Object.entries(m.alerts)) {
    if (alert.kind === "slo") {
      // Its page and its ticket: one name, two severities, two receivers.
      for (const severity of Object.keys(SLO_SEVERITY_NAME) as (keyof typeof SLO_SEVERITY_NAME)[])
        add(name, { alertname: name, severity, service: alert.service });
      continue;
    }
    const own = alert.kind !== "down" ? alert.service : undefined;
    const services =
      own !== undefined ? [own] : alert.kind === "threshold" ? (m.metrics[alert.metric]?.services ?? all) : all;
    for (const service of services) add(name, { alertname: name, severity: alert.severity, service });
  }
  // Meta-monitoring alerts carry no service label: one case each.
  for (const meta of metaAlerts(platform))
    add(meta.rule.alert, { alertname: meta.rule.alert, severity: meta.rule.labels.severity as RoutedSeverity });
  add(a.heartbeat.alert, { alertname: a.heartbeat.alert, severity: "none" });
  return cases;
}
