/**
 * Meta-monitoring: alerts on the monitoring stack itself, so a broken alert path is noticed before a trading alert
 * is lost. Modelled on prometheus-mixin, alertmanager-mixin and kubernetes-mixin, with the metric names these servers
 * export (checked against Prometheus 2.42's and Alertmanager 0.25's /metrics):
 * - Prometheus: rule evaluation failures, failed and dropped notifications, fewer Alertmanagers known than
 *   configured, a failed config reload, and TSDB compactions, head truncations or reloads failing.
 * - Alertmanager: failed notifications per integration, a cluster with fewer members than replicas, a failed
 *   config reload.
 * - The custom-metrics APIService (the prometheus-adapter, which the HPAs read): by kube-apiserver's own
 *   `aggregator_unavailable_apiservice`, what the HPA controller sees, rather than `up` of the adapter (whose
 *   /metrics needs delegated authorization, and whose being up does not prove the aggregation path works).
 * - Jaeger: no healthy target at all (absence reads as down, as for ServiceDown), and dropped spans.
 * - kube-state-metrics: no healthy target at all, like Jaeger (the HPA panels go blank, nothing pages).
 * Prometheus down is the Watchdog's case: a dead Prometheus cannot alert on itself, its heartbeat just stops.
 *
 * Severities are the routing contract (schemas/alerting.ts `META_ALERTS`): critical pages, warning goes to chat.
 * Each alert carries the inputs of its promtool test: healthy series that must fire nothing, and failing ones
 * that fire after the alert's `for` with the labels given. Standalone mode only: with prometheus-operator the
 * operator's stack (kube-prometheus) brings these mixins for its own Prometheus and Alertmanager. Pure.
 */
import type { Platform } from "../schemas/platform.ts";
import { META_ALERTS, type MetaAlertName } from "../schemas/alerting.ts";
import { formatDuration } from "../schemas/units.ts";
import type { AlertRule, RuleFile } from "./monitoring.ts";

/** Scrape job names of the monitoring stack (not prefixed like service jobs, so `nautilus-.*` stays the services). */
export const META_JOBS = {
  prometheus: "prometheus",
  alertmanager: "alertmanager",
  jaeger: "jaeger",
  kubeStateMetrics: "kube-state-metrics",
  apiserver: "kubernetes-apiservers",
} as const;

/** The APIService the prometheus-adapter serves and the HPAs read. */
export const CUSTOM_METRICS_APISERVICE = "v1beta1.custom.metrics.k8s.io";

/** One input series of a promtool test, in promtool's expanding notation (`0+1x60`). */
export interface MetaSeries {
  series: string;
  values: string;
}

export interface MetaAlert {
  rule: AlertRule;
  /** The rule's `for`, in seconds. */
  forSeconds: number;
  /** Seconds between the test's input samples. */
  sampleInterval: number;
  /** Series of a healthy stack: nothing fires. */
  healthy: MetaSeries[];
  /** Ways the condition holds, each firing after `for` with `labels` (the expression's result labels). */
  failing: { what: string; series: MetaSeries[]; labels: Record<string, string> }[];
  /** Seconds from which the condition holds in every failing case: the test expects nothing before for + this. */
  holdsFrom: number;
}

const MINUTE = 60;
const HOUR = 3600;
/** Samples every minute: enough for every window below, cheap for promtool over hours. */
const SAMPLE = MINUTE;

const sel = (job: string, extra = "") => `{job="${job}"${extra}}`;
const instance = (job: string, i = 0) => `${job}-${i}`;
const series = (metric: string, labels: Record<string, string>, values: string): MetaSeries => ({
  series: `${metric}{${Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(",")}}`,
  values,
});
/** `n` samples of a constant, or of a counter growing by `step` per sample. */
const flat = (v: number, n: number) => `${v}x${n}`;
const growing = (step: number, n: number) => `0+${step}x${n}`;

interface Definition {
  expr: string;
  for: number;
  summary: string;
  healthy: (n: number) => MetaSeries[];
  failing: (n: number) => MetaAlert["failing"];
  holdsFrom?: number;
}

function definitions(platform: Platform): Record<MetaAlertName, Definition> {
  const P = META_JOBS.prometheus;
  const A = META_JOBS.alertmanager;
  const J = META_JOBS.jaeger;
  const K = META_JOBS.kubeStateMetrics;
  const { replicas } = platform.monitoring.alerting.alertmanager;
  const am = (i: number) => `alertmanager-${i}:9093`;
  const prom = { job: P, instance: instance(P) };
  const amPod = (i: number) => ({ job: A, instance: instance(A, i) });
  /** A TSDB failure counter: any failure in the last 3h, for 4h (prometheus-mixin): a lasting fault, not a blip. */
  const tsdb = (metric: string, what: string): Definition => ({
    expr: `increase(${metric}${sel(P)}[3h]) > 0`,
    for: 4 * HOUR,
    summary: `Prometheus {{ $labels.instance }} keeps failing ${what}: its storage is degrading`,
    healthy: (n) => [series(metric, prom, flat(0, n))],
    failing: (n) => [
      { what: `${what} failing every minute`, series: [series(metric, prom, growing(1, n))], labels: prom },
    ],
    holdsFrom: SAMPLE,
  });
  /** `job` healthy targets, 0 when there is none at all (discovery found no pod), like ServiceDown. */
  const noTarget = (job: string) => `(sum(up${sel(job)}) or vector(0)) == 0`;
  return {
    PrometheusRuleFailures: {
      expr: `sum by (rule_group) (increase(prometheus_rule_evaluation_failures_total${sel(P)}[5m])) > 0`,
      for: 5 * MINUTE,
      summary: "Prometheus fails to evaluate rules of {{ $labels.rule_group }}: their alerts cannot fire",
      healthy: (n) => [
        series("prometheus_rule_evaluation_failures_total", { ...prom, rule_group: "alerts" }, flat(0, n)),
      ],
      failing: (n) => [
        {
          what: "a rule group failing every minute",
          series: [
            series("prometheus_rule_evaluation_failures_total", { ...prom, rule_group: "alerts" }, growing(1, n)),
          ],
          labels: { rule_group: "alerts" },
        },
      ],
    },
    PrometheusErrorSendingAlerts: {
      // Every Alertmanager failing (the least failing one above 3%, prometheus-mixin): alerts reach nobody.
      expr:
        `min without (alertmanager) (rate(prometheus_notifications_errors_total${sel(P)}[5m]) / ` +
        `rate(prometheus_notifications_sent_total${sel(P)}[5m])) > 0.03`,
      for: 10 * MINUTE,
      summary: "Prometheus {{ $labels.instance }} fails to send alerts to every Alertmanager",
      healthy: (n) =>
        [0, 1].flatMap((i) => [
          series("prometheus_notifications_errors_total", { ...prom, alertmanager: am(i) }, flat(0, n)),
          series("prometheus_notifications_sent_total", { ...prom, alertmanager: am(i) }, growing(100, n)),
        ]),
      failing: (n) => [
        {
          what: "both Alertmanagers failing half the sends",
          series: [0, 1].flatMap((i) => [
            series("prometheus_notifications_errors_total", { ...prom, alertmanager: am(i) }, growing(50, n)),
            series("prometheus_notifications_sent_total", { ...prom, alertmanager: am(i) }, growing(100, n)),
          ]),
          labels: prom,
        },
      ],
    },
    PrometheusNotificationsDropped: {
      // Over 15 minutes, not at once: Prometheus drops what it evaluates before it has discovered its Alertmanagers.
      expr: `increase(prometheus_notifications_dropped_total${sel(P)}[5m]) > 0`,
      for: 15 * MINUTE,
      summary: "Prometheus {{ $labels.instance }} drops alerts it should send (queue full or no Alertmanager)",
      healthy: (n) => [series("prometheus_notifications_dropped_total", prom, flat(0, n))],
      failing: (n) => [
        {
          what: "alerts dropped every minute",
          series: [series("prometheus_notifications_dropped_total", prom, growing(3, n))],
          labels: prom,
        },
      ],
    },
    PrometheusAlertmanagersMissing: {
      // Prometheus sends to every Alertmanager pod: knowing fewer than the replicas loses the redundancy, none
      // loses every alert (then only the Watchdog's silence tells).
      expr: `max_over_time(prometheus_notifications_alertmanagers_discovered${sel(P)}[5m]) < ${replicas}`,
      for: 10 * MINUTE,
      summary: `Prometheus {{ $labels.instance }} knows fewer than the ${replicas} Alertmanagers it should send to`,
      healthy: (n) => [series("prometheus_notifications_alertmanagers_discovered", prom, flat(replicas, n))],
      failing: (n) => [
        {
          what: "no Alertmanager discovered",
          series: [series("prometheus_notifications_alertmanagers_discovered", prom, flat(0, n))],
          labels: prom,
        },
      ],
    },
    PrometheusConfigReloadFailed: {
      expr: `max_over_time(prometheus_config_last_reload_successful${sel(P)}[5m]) == 0`,
      for: 10 * MINUTE,
      summary: "Prometheus {{ $labels.instance }} failed to load its configuration: it runs an older one",
      healthy: (n) => [series("prometheus_config_last_reload_successful", prom, flat(1, n))],
      failing: (n) => [
        {
          what: "the last reload failed",
          series: [series("prometheus_config_last_reload_successful", prom, flat(0, n))],
          labels: prom,
        },
      ],
    },
    PrometheusTSDBCompactionsFailing: tsdb("prometheus_tsdb_compactions_failed_total", "compactions"),
    PrometheusTSDBHeadTruncationsFailing: tsdb("prometheus_tsdb_head_truncations_failed_total", "head truncations"),
    PrometheusTSDBReloadsFailing: tsdb("prometheus_tsdb_reloads_failures_total", "block reloads"),
    AlertmanagerFailedToSendAlerts: {
      // Per integration over the whole cluster: only one peer sends each notification.
      expr:
        `sum by (integration) (rate(alertmanager_notifications_failed_total${sel(A)}[5m])) / ` +
        `sum by (integration) (rate(alertmanager_notifications_total${sel(A)}[5m])) > 0.01`,
      for: 5 * MINUTE,
      summary: "Alertmanager fails to deliver notifications through {{ $labels.integration }}",
      healthy: (n) =>
        [0, 1].flatMap((i) => [
          series("alertmanager_notifications_failed_total", { ...amPod(i), integration: "pagerduty" }, flat(0, n)),
          series("alertmanager_notifications_total", { ...amPod(i), integration: "pagerduty" }, growing(10, n)),
        ]),
      failing: (n) => [
        {
          what: "a fifth of PagerDuty notifications failing",
          series: [0, 1].flatMap((i) => [
            series("alertmanager_notifications_failed_total", { ...amPod(i), integration: "pagerduty" }, growing(2, n)),
            series("alertmanager_notifications_total", { ...amPod(i), integration: "pagerduty" }, growing(10, n)),
          ]),
          labels: { integration: "pagerduty" },
        },
      ],
    },
    AlertmanagerClusterMembersMismatch: {
      // Each peer should see all replicas: fewer means a lost peer or a split cluster (duplicate notifications).
      expr: `max_over_time(alertmanager_cluster_members${sel(A)}[5m]) < ${replicas}`,
      for: 15 * MINUTE,
      summary: `Alertmanager {{ $labels.instance }} sees fewer cluster members than the ${replicas} replicas`,
      healthy: (n) => [0, 1].map((i) => series("alertmanager_cluster_members", amPod(i), flat(replicas, n))),
      failing: (n) => [
        {
          what: "a peer alone",
          series: [
            series("alertmanager_cluster_members", amPod(0), flat(replicas, n)),
            series("alertmanager_cluster_members", amPod(1), flat(1, n)),
          ],
          labels: amPod(1),
        },
      ],
    },
    AlertmanagerConfigReloadFailed: {
      expr: `max_over_time(alertmanager_config_last_reload_successful${sel(A)}[5m]) == 0`,
      for: 10 * MINUTE,
      summary: "Alertmanager {{ $labels.instance }} failed to load its configuration: it routes by an older one",
      healthy: (n) => [series("alertmanager_config_last_reload_successful", amPod(0), flat(1, n))],
      failing: (n) => [
        {
          what: "the last reload failed",
          series: [series("alertmanager_config_last_reload_successful", amPod(0), flat(0, n))],
          labels: amPod(0),
        },
      ],
    },
    CustomMetricsAPIUnavailable: {
      // kube-apiserver's view (kubernetes-mixin's KubeAggregatedAPIDown): unavailable more than a tenth of the time.
      expr:
        "max by (name) (avg_over_time(aggregator_unavailable_apiservice" +
        `${sel(META_JOBS.apiserver, `,name="${CUSTOM_METRICS_APISERVICE}"`)}[5m])) > 0.1`,
      for: 5 * MINUTE,
      summary:
        "The custom metrics API ({{ $labels.name }}, the prometheus-adapter) is unavailable: the HPAs cannot scale",
      healthy: (n) => [
        series(
          "aggregator_unavailable_apiservice",
          { job: META_JOBS.apiserver, name: CUSTOM_METRICS_APISERVICE },
          flat(0, n),
        ),
      ],
      failing: (n) => [
        {
          what: "the APIService unavailable",
          series: [
            series(
              "aggregator_unavailable_apiservice",
              { job: META_JOBS.apiserver, name: CUSTOM_METRICS_APISERVICE },
              flat(1, n),
            ),
          ],
          labels: { name: CUSTOM_METRICS_APISERVICE },
        },
      ],
    },
    JaegerDown: {
      expr: noTarget(J),
      for: 5 * MINUTE,
      summary: "Jaeger has no healthy scrape target: traces are lost",
      healthy: (n) => [series("up", { job: J, instance: instance(J) }, flat(1, n))],
      failing: (n) => [
        { what: "its target down", series: [series("up", { job: J, instance: instance(J) }, flat(0, n))], labels: {} },
        { what: "no target at all", series: [], labels: {} },
      ],
    },
    KubeStateMetricsDown: {
      expr: noTarget(K),
      for: 5 * MINUTE,
      summary: "kube-state-metrics has no healthy scrape target: the replicas vs HPA bounds panels are empty",
      healthy: (n) => [series("up", { job: K, instance: instance(K) }, flat(1, n))],
      failing: (n) => [
        { what: "its target down", series: [series("up", { job: K, instance: instance(K) }, flat(0, n))], labels: {} },
        { what: "no target at all", series: [], labels: {} },
      ],
    },
    JaegerSpansDropped: {
      expr:
        `sum(rate(jaeger_collector_spans_dropped_total${sel(J)}[5m])) / ` +
        `sum(rate(jaeger_collector_spans_received_total${sel(J)}[5m])) > 0.01`,
      for: 15 * MINUTE,
      summary: "Jaeger drops more than 1% of the spans it receives (queue full): traces are incomplete",
      healthy: (n) => [
        series("jaeger_collector_spans_dropped_total", { job: J, instance: instance(J) }, flat(0, n)),
        series("jaeger_collector_spans_received_total", { job: J, instance: instance(J) }, growing(1000, n)),
      ],
      failing: (n) => [
        {
          what: "5% of spans dropped",
          series: [
            series("jaeger_collector_spans_dropped_total", { job: J, instance: instance(J) }, growing(50, n)),
            series("jaeger_collector_spans_received_total", { job: J, instance: instance(J) }, growing(1000, n)),
          ],
          labels: {},
        },
      ],
    },
  };
}

/** The meta-monitoring alerts of a standalone stack, in `META_ALERTS` order; none with prometheus-operator. */
export function metaAlerts(platform: Platform): MetaAlert[] {
  const m = platform.monitoring;
  if (m.mode !== "standalone") return [];
  const defs = definitions(platform);
  return (Object.keys(META_ALERTS) as MetaAlertName[]).map((name) => {
    const d = defs[name];
    // Samples through the `for`, the longest window (3h of the TSDB alerts is inside their 4h `for`) and slack.
    const n = Math.ceil((d.for + 10 * MINUTE) / SAMPLE) + 2;
    return {
      rule: {
        alert: name,
        expr: d.expr,
        for: formatDuration(d.for),
        labels: { severity: META_ALERTS[name] },
        // runbook_url is set with every other alert's, in model/monitoring.ts.
        annotations: { summary: d.summary },
      },
      forSeconds: d.for,
      sampleInterval: SAMPLE,
      healthy: d.healthy(n),
      failing: d.failing(n),
      holdsFrom: d.holdsFrom ?? 2 * SAMPLE,
    };
  });
}

/** The rule file of the meta-monitoring alerts, if there are any. */
export function metaRuleFile(platform: Platform): RuleFile | undefined {
  const alerts = metaAlerts(platform);
  if (alerts.length === 0) return undefined;
  return {
    file: `${platform.name}-meta.yaml`,
    group: {
      name: `${platform.name}-meta`,
      interval: formatDuration(platform.monitoring.evaluationInterval),
      rules: alerts.map((a) => a.rule),
    },
  };
}
