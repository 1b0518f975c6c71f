import { test } from "uvu";
import * as assert from "uvu/assert";
import config from "../platform.config.ts";
import { generateBundle } from "../generators/bundle.ts";
import { dashboards } from "../generators/grafana-dashboards.ts";
import { basePath } from "../core/layout.ts";
import { monitoringObjects } from "../generators/monitoring-stack.ts";
import { otelEnv } from "../generators/otel.ts";
import { adapterRules } from "../generators/prometheus-adapter.ts";
import { prometheusConfig } from "../generators/prometheus-config.ts";
import { ruleGroups } from "../generators/prometheus-rules.ts";
import { alertTestFiles } from "../generators/prometheus-tests.ts";
import { parseYamlDocuments } from "../core/yaml.ts";
import { META_ALERTS } from "../schemas/alerting.ts";
import type { KubeObject } from "../core/finding.ts";
import type { Platform, PlatformInput } from "../schemas/platform.ts";
import { changedConfigErrors, changedInput, changedPlatform } from "./support/config.ts";

const _input = changedInput;
const platform = changedPlatform;
const errors = changedConfigErrors;

/** The risk engine exports a seconds histogram instead of the report's microsecond gauge. */
const secondsHistogram = (c: PlatformInput) => {
  c.monitoring.metrics.nautilus_risk_check_duration_seconds = {
    type: "histogram",
    unit: "seconds",
    services: ["risk-engine"],
    help: "Risk check latency.",
    buckets: ["2us", "2.5us", "2.75us", "3us", "5us"],
  };
  const a = c.monitoring.alerts.RiskEngineP99LatencyHigh!;
  // A histogram judges its own rate window: the gauge's worst-over-window reading does not apply.
  if (a.kind === "threshold") [a.metric, a.over] = ["nautilus_risk_check_duration_seconds", undefined];
};

type Rule = {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
};
const alertRules = (p: Platform) =>
  ruleGroups(p)
    .flatMap((g) => g.rules as Rule[])
    .filter((r) => r.alert);
const ruleOf = (p: Platform, name: string) => alertRules(p).find((r) => r.alert === name)!;

type Thresholds = { steps: { value: number | null; color: string }[] };
type Panel = {
  id: number;
  type: string;
  title: string;
  fieldConfig?: {
    defaults?: { unit?: string; thresholds?: Thresholds };
    overrides?: { matcher: { id: string; options: string }; properties: { id: string; value: Thresholds }[] }[];
  };
  targets?: { expr: string }[];
};
const panels = (p: Platform) => (dashboards(p)[0]!.dashboard.panels ?? []) as unknown as Panel[];
const latencyStat = (p: Platform) => panels(p).find((x) => x.type === "stat")!;
const thresholdValues = (x: Panel) => x.fieldConfig!.defaults!.thresholds!.steps.map((s) => s.value);
/** The threshold values of the override colouring the series of query `i` of a panel. */
const queryThresholds = (x: Panel, i: number) =>
  x
    .fieldConfig!.overrides!.find(
      (o) => o.matcher.id === "byFrameRefID" && o.matcher.options === String.fromCharCode(65 + i),
    )!
    .properties.find((p) => p.id === "thresholds")!
    .value.steps.map((s) => s.value);

test("a microsecond gauge alert compares with 2.75, in the metric's own unit", () => {
  assert.is(
    ruleOf(platform(), "RiskEngineP99LatencyHigh").expr,
    "max_over_time(nautilus_risk_check_latency_microseconds_p99[10s]) > 2.75",
  );
  assert.is(
    ruleOf(platform(), "IntegrationE2ELatencyHigh").expr,
    "max_over_time(nautilus_integration_e2e_latency_microseconds_p99[10s]) > 2.75",
  );
});

test("a seconds histogram alert compares its p99 with 2.75e-06 through histogram_quantile", () => {
  assert.is(
    ruleOf(platform(secondsHistogram), "RiskEngineP99LatencyHigh").expr,
    "histogram_quantile(0.99, sum by (le) (rate(nautilus_risk_check_duration_seconds_bucket[1m]))) > 2.75e-06",
  );
});

test("ratio thresholds are rendered as fractions and the error rate divides counter rates per service", () => {
  const p = platform();
  // Both take `service` from the scrape job, as ServiceDown does, whatever labels the application exports.
  const fromJob = (e: string) => `label_replace(${e}, "service", "$1", "job", "nautilus-(.*)")`;
  assert.is(ruleOf(p, "MemoryPoolEfficiencyLow").expr, `${fromJob("nautilus_memory_pool_efficiency_ratio")} < 0.95`);
  assert.is(
    ruleOf(p, "HighErrorRate").expr,
    `sum by (service) (${fromJob("rate(nautilus_errors_total[5m])")}) / ` +
      `sum by (service) (${fromJob("rate(nautilus_requests_total[5m])")}) > 0.01`,
  );
  // Healthy targets per declared service, 0 (from the service inventory) for one whose targets are all gone.
  const expected = 'service:expected:info{platform="nautilus"}';
  assert.is(
    ruleOf(p, "ServiceDown").expr,
    `sum by (service) ((${fromJob('up{job=~"nautilus-.*"}')} and on (service) ${expected}) or 0 * ${expected}) == 0`,
  );
  assert.is(ruleOf(p, "ServiceDown").for, "90s");
});

test(
  "the alerts are the contract's names and severities, each with severity, summary and runbook_url, and " +
    "service where about one service",
  () => {
    const rules = alertRules(platform());
    const severities = Object.fromEntries(rules.map((r) => [r.alert, r.labels?.severity]));
    // The report's five, plus one p99 alert for each of the two engines the report left unwatched, and the
    // dead-man's switch.
    assert.equal(severities, {
      RiskEngineP99LatencyHigh: "critical",
      IntegrationE2ELatencyHigh: "critical",
      PositionKeeperP99LatencyHigh: "critical",
      OrderManagerP99LatencyHigh: "critical",
      MemoryPoolEfficiencyLow: "warning",
      ServiceDown: "critical",
      Watchdog: "none",
      HighErrorRate: "warning",
      // The meta-monitoring alerts (model/meta-monitoring.ts), in their own rule file.
      ...META_ALERTS,
    });
    for (const r of rules) {
      assert.ok(r.annotations?.summary, `${r.alert} has a summary`);
      assert.is(r.annotations?.runbook_url, `https://runbooks.nautilus.io/alerts/${r.alert}.md`);
    }
    assert.is(ruleOf(platform(), "RiskEngineP99LatencyHigh").labels?.service, "risk-engine");
    assert.is(ruleOf(platform(), "IntegrationE2ELatencyHigh").labels?.service, "integration-engine");
    assert.is(
      ruleOf(platform(), "OrderManagerP99LatencyHigh").expr,
      "histogram_quantile(0.99, sum by (le) (rate(nautilus_order_processing_duration_seconds_bucket[1m]))) > 2.75e-06",
    );
  },
);

test(
  "the dashboard's latency thresholds equal the alert threshold in the panel unit: 2.75 on a µs panel, not " +
    "the report's 2750",
  () => {
    const stat = latencyStat(platform());
    assert.is(stat.fieldConfig?.defaults?.unit, "µs");
    assert.equal(thresholdValues(stat), [null, 2.75]);
    const hist = latencyStat(platform(secondsHistogram));
    // Mixed units get one panel each; the seconds panel shows seconds.
    const seconds = panels(platform(secondsHistogram)).find(
      (x) => x.type === "stat" && x.fieldConfig?.defaults?.unit === "s",
    )!;
    assert.ok(hist);
    assert.equal(thresholdValues(seconds), [null, 2.75e-6]);
  },
);

test("a threshold change in the config changes the rule, its unit test and the dashboard together", () => {
  const p = platform((c) => {
    const a = c.monitoring.alerts.RiskEngineP99LatencyHigh!;
    if (a.kind === "threshold") a.threshold = "3us";
  });
  assert.is(
    ruleOf(p, "RiskEngineP99LatencyHigh").expr,
    "max_over_time(nautilus_risk_check_latency_microseconds_p99[10s]) > 3",
  );
  const unitTest = JSON.stringify(alertTestFiles(p).find((f) => f.file === "RiskEngineP99LatencyHigh.yaml")!.content);
  assert.ok(unitTest.includes('"values":"2.97x'), "the quiet side is 1% below 3");
  assert.ok(unitTest.includes('"values":"3.03x'), "the firing side is 1% above 3");
  // The panel's default colours from the lowest threshold; each alert's own series by its own threshold.
  assert.equal(thresholdValues(latencyStat(p)), [null, 2.75]);
  const risk = latencyStat(p).targets!.findIndex((t) => t.expr.includes("nautilus_risk_check"));
  assert.equal(queryThresholds(latencyStat(p), risk), [null, 3]);
});

test("the dashboard has the seed's panels and per-tier rows with stable, unique ids", () => {
  const all = panels(platform());
  const ids = all.map((x) => x.id);
  assert.is(new Set(ids).size, ids.length);
  assert.equal(
    ids,
    panels(platform()).map((x) => x.id),
  );
  assert.is(dashboards(platform())[0]!.uid, "nautilus-trading-platform");
  const table = all.find((x) => x.type === "table")!;
  assert.is(table.targets![0]!.expr, 'up{job=~"nautilus-.*"}');
  const titles = all.map((x) => x.title);
  for (const t of [
    "Tier: ultra-low-latency",
    "Tier: high-performance",
    "Error rate",
    "Memory pool efficiency",
    "Replicas vs HPA bounds",
  ])
    assert.ok(titles.includes(t), t);
  const hpa = all.find((x) => x.id === 204)!;
  assert.ok(
    hpa.targets!.some(
      (t) =>
        t.expr ===
        'kube_horizontalpodautoscaler_spec_max_replicas{namespace="nautilus-trading", ' +
          'horizontalpodautoscaler=~"(nautilus-market-data|nautilus-strategy-engine)"}',
    ),
    "market-data's maxReplicas is drawn, read from the cluster",
  );
});

test(
  "prometheus.yml scrapes each service as nautilus-<service> at its tier's interval, and the cluster every " + "15s",
  () => {
    const cfg = prometheusConfig(platform()) as {
      scrape_configs: {
        job_name: string;
        scrape_interval: string;
        relabel_configs: { regex: string; source_labels: string[] }[];
      }[];
      rule_files: string[];
    };
    const jobs = Object.fromEntries(cfg.scrape_configs.map((j) => [j.job_name, j]));
    assert.is(jobs["nautilus-risk-engine"]!.scrape_interval, "1s");
    assert.is(jobs["nautilus-market-data"]!.scrape_interval, "5s");
    assert.is(jobs["kubernetes-apiservers"]!.scrape_interval, "15s");
    const keep = jobs["nautilus-risk-engine"]!.relabel_configs.map((r) => `${r.source_labels[0]}=${r.regex}`);
    assert.ok(keep.includes("__meta_kubernetes_pod_label_app_kubernetes_io_name=risk-engine"));
    assert.ok(keep.includes("__meta_kubernetes_pod_label_platform_nautilus_io_tier=ultra-low-latency"));
    assert.ok(keep.includes("__meta_kubernetes_pod_container_port_name=metrics"));
    assert.equal(cfg.rule_files, [
      "rules/nautilus-services.yaml",
      "rules/nautilus-recording.yaml",
      "rules/nautilus-alerts.yaml",
      "rules/nautilus-meta.yaml",
    ]);
  },
);

test("prometheus-adapter serves the HPA's gauge as is and messages per second as the rate of the counter", () => {
  const rules = adapterRules(platform()) as { seriesQuery: string; name: { as: string }; metricsQuery: string }[];
  const byName = Object.fromEntries(rules.map((r) => [r.name.as, r]));
  assert.is(
    byName.nautilus_websocket_connections!.metricsQuery,
    "sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)",
  );
  assert.is(byName.nautilus_messages_per_second!.seriesQuery, 'nautilus_messages_total{namespace!="",pod!=""}');
  assert.ok(byName.nautilus_messages_per_second!.metricsQuery.includes("rate(<<.Series>>{<<.LabelMatchers>>}[1m])"));
});

test("config mistakes in monitoring are errors naming the path", () => {
  const e1 = errors((c) => {
    const a = c.monitoring.alerts.RiskEngineP99LatencyHigh!;
    if (a.kind === "threshold") a.service = "risk-engin";
  });
  assert.ok(
    e1.some((e) =>
      e.startsWith("monitoring.alerts.RiskEngineP99LatencyHigh.service: alert names a service that does not exist"),
    ),
    e1.join("\n"),
  );
  const e2 = errors((c) => {
    const a = c.monitoring.alerts.HighErrorRate!;
    if (a.kind === "ratio") a.metric = "nautilus_error_total";
  });
  assert.ok(
    e2.some((e) =>
      e.startsWith(
        'monitoring.alerts.HighErrorRate.metric: alert reads metric "nautilus_error_total", which is not in ' +
          "the metric catalogue",
      ),
    ),
    e2.join("\n"),
  );
  const e3 = errors((c) => {
    const a = c.monitoring.alerts.RiskEngineP99LatencyHigh!;
    if (a.kind === "threshold") a.threshold = "95%";
  });
  assert.ok(
    e3.some((e) =>
      e.startsWith(
        "monitoring.alerts.RiskEngineP99LatencyHigh.threshold: nautilus_risk_check_latency_microseconds_p99 " +
          "is in microseconds",
      ),
    ),
    e3.join("\n"),
  );
  const e4 = errors((c) => {
    c.services["market-data"]!.scaling!.custom = [{ metric: "nautilus_bytes_per_second", averageValue: 1 }];
  });
  assert.ok(
    e4.some((e) => e.startsWith("services.market-data.scaling.custom[0].metric: prometheus-adapter cannot serve")),
    e4.join("\n"),
  );
  const e6 = errors((c) => {
    c.monitoring.alerts.ServiceDown!.summary = "{{ $value }} targets down";
  });
  assert.ok(
    e6.some((e) =>
      e.startsWith("monitoring.alerts.ServiceDown.summary: summaries may use {{ $labels.<name> }} templates only"),
    ),
    e6.join("\n"),
  );
  const e5 = errors((c) => {
    c.monitoring.components.grafana.image = "docker.io/grafana/grafana:latest";
  });
  assert.ok(
    e5.some((e) => e.startsWith("monitoring.components.grafana.image:")),
    e5.join("\n"),
  );
});

test(
  "services get OpenTelemetry env pointing at the Jaeger collector, tagged with environment, tier and " + "namespace",
  () => {
    const p = platform();
    assert.equal(otelEnv(p, "risk-engine"), [
      {
        name: "NAUTILUS_ENVIRONMENT",
        valueFrom: { configMapKeyRef: { name: "nautilus-environment", key: "environment" } },
      },
      { name: "OTEL_EXPORTER_OTLP_ENDPOINT", value: "http://nautilus-jaeger-collector.nautilus-trading.svc:4317" },
      { name: "OTEL_EXPORTER_OTLP_PROTOCOL", value: "grpc" },
      {
        name: "OTEL_RESOURCE_ATTRIBUTES",
        value:
          "deployment.environment.name=$(NAUTILUS_ENVIRONMENT),nautilus.tier=ultra-low-latency," +
          "service.namespace=nautilus-trading",
      },
      { name: "OTEL_SERVICE_NAME", value: "risk-engine" },
      { name: "OTEL_TRACES_SAMPLER", value: "parentbased_traceidratio" },
      { name: "OTEL_TRACES_SAMPLER_ARG", value: "0.001" },
    ]);
    const bundle = generateBundle(p);
    assert.ok(bundle.ok);
    if (!bundle.ok) return;
    // The environment reaches every pod through one ConfigMap, which is all an overlay patches.
    for (const env of ["dev", "staging", "prod"]) {
      const cm = parseYamlDocuments(
        bundle.bundle.files.get(`rendered/${env}/nautilus-trading/configmap-nautilus-environment.yaml`)!,
      )[0] as { data: { environment: string } };
      assert.is(cm.data.environment, env);
    }
    const deployment = parseYamlDocuments(
      bundle.bundle.files.get("rendered/dev/nautilus-engines/deployment-nautilus-risk-engine.yaml")!,
    )[0] as { spec: { template: { spec: { containers: { env: { name: string }[] }[] } } } };
    const names = deployment.spec.template.spec.containers[0]!.env.map((e) => e.name);
    // A variable must be defined before `$(NAME)` can refer to it.
    assert.ok(names.indexOf("NAUTILUS_ENVIRONMENT") < names.indexOf("OTEL_RESOURCE_ATTRIBUTES"));
  },
);

test("the standalone stack runs non-root, read-only, with memory limits, in base/monitoring/", () => {
  const objects = monitoringObjects(platform());
  const kinds = objects.map((o) => `${o.kind}/${o.metadata.name}`);
  for (const k of [
    "Deployment/nautilus-prometheus",
    "Deployment/nautilus-grafana",
    "Deployment/nautilus-jaeger",
    "ClusterRole/nautilus-prometheus",
    "ClusterRoleBinding/nautilus-prometheus",
    "ConfigMap/nautilus-prometheus-adapter",
  ])
    assert.ok(kinds.includes(k), k);
  for (const o of objects) assert.ok(basePath(o).startsWith("monitoring/"), basePath(o));
  // Least privilege: discovery through namespaced Roles (EndpointSlices for the API server), /metrics cluster-wide.
  const rulesOf = (kind: string, name: string, namespace?: string) =>
    (
      objects.find(
        (o) => o.kind === kind && o.metadata.name === name && o.metadata.namespace === namespace,
      ) as KubeObject & { rules: unknown }
    ).rules;
  assert.equal(rulesOf("ClusterRole", "nautilus-prometheus"), [{ nonResourceURLs: ["/metrics"], verbs: ["get"] }]);
  assert.equal(rulesOf("Role", "nautilus-prometheus-discovery", "nautilus-trading"), [
    { apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch"] },
  ]);
  assert.equal(rulesOf("Role", "nautilus-prometheus-discovery-default", "default"), [
    { apiGroups: [""], resources: ["pods", "services"], verbs: ["get", "list", "watch"] },
    { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["get", "list", "watch"] },
  ]);
  const dashboardsCm = objects.find((o) => o.metadata.name === "nautilus-grafana-dashboards")!;
  assert.is(dashboardsCm.metadata.labels?.grafana_dashboard, "1");
  type Pod = {
    securityContext: { runAsNonRoot: boolean; seccompProfile: { type: string } };
    containers: {
      image: string;
      resources: { limits: { memory: string } };
      securityContext: { readOnlyRootFilesystem: boolean; capabilities: { drop: string[] } };
    }[];
    volumes: { persistentVolumeClaim?: { claimName: string } }[];
  };
  for (const d of objects.filter((o) => o.kind === "Deployment")) {
    const pod = (d as unknown as { spec: { template: { spec: Pod } } }).spec.template.spec;
    assert.is(pod.securityContext.runAsNonRoot, true);
    assert.is(pod.securityContext.seccompProfile.type, "RuntimeDefault");
    const c = pod.containers[0]!;
    assert.ok(!c.image.endsWith(":latest"));
    assert.ok(c.resources.limits.memory);
    assert.is(c.securityContext.readOnlyRootFilesystem, true);
    assert.equal(c.securityContext.capabilities.drop, ["ALL"]);
  }
  const prometheus = objects.find(
    (o) => o.kind === "Deployment" && o.metadata.name === "nautilus-prometheus",
  ) as unknown as { spec: { template: { spec: Pod } } };
  assert.ok(
    prometheus.spec.template.spec.volumes.some((v) => v.persistentVolumeClaim?.claimName === "nautilus-metrics"),
  );
});

test(
  "with the prometheus-operator mode the config becomes a PrometheusRule and PodMonitors instead of the " + "stack",
  () => {
    const objects = monitoringObjects(platform((c) => (c.monitoring.mode = "prometheus-operator")));
    const kinds = objects.map((o) => o.kind);
    assert.ok(kinds.includes("PrometheusRule"));
    assert.is(kinds.filter((k) => k === "PodMonitor").length, Object.keys(config.services).length);
    assert.not.ok(objects.some((o) => o.kind === "Deployment" && o.metadata.name === "nautilus-prometheus"));
    const pm = objects.find(
      (o) => o.kind === "PodMonitor" && o.metadata.name === "nautilus-risk-engine",
    ) as unknown as {
      spec: { podMetricsEndpoints: { port: string; interval: string; relabelings: { replacement: string }[] }[] };
    };
    assert.is(pm.spec.podMetricsEndpoints[0]!.port, "metrics");
    assert.is(pm.spec.podMetricsEndpoints[0]!.interval, "1s");
    assert.is(pm.spec.podMetricsEndpoints[0]!.relabelings[0]!.replacement, "nautilus-risk-engine");
  },
);

test(
  "the HPAs' custom metrics are served: prometheus-adapter registers custom.metrics.k8s.io and may read " +
    "what it needs",
  () => {
    const objects = monitoringObjects(platform());
    const byKind = (kind: string) => objects.filter((o) => o.kind === kind);
    const api = byKind("APIService")[0] as KubeObject & {
      spec: { group: string; version: string; service: { name: string; namespace: string; port: number } };
    };
    assert.equal(
      [api.metadata.name, api.spec.group, api.spec.version],
      ["v1beta1.custom.metrics.k8s.io", "custom.metrics.k8s.io", "v1beta1"],
    );
    const service = objects.find(
      (o) => o.kind === "Service" && o.metadata.name === api.spec.service.name,
    ) as KubeObject & { spec: { ports: { port: number }[] } };
    assert.ok(service, "the APIService points at the adapter's Service");
    assert.is(service.spec.ports[0]!.port, api.spec.service.port);
    const adapter = objects.find(
      (o) => o.kind === "Deployment" && o.metadata.name === "nautilus-prometheus-adapter",
    ) as KubeObject & { spec: { template: { spec: { containers: { args: string[] }[] } } } };
    assert.ok(
      adapter.spec.template.spec.containers[0]!.args.includes(
        "--prometheus-url=http://nautilus-prometheus.nautilus-trading.svc:9090",
      ),
    );
    const roles = [...byKind("ClusterRoleBinding"), ...byKind("RoleBinding")].map(
      (b) => (b as KubeObject & { roleRef: { name: string } }).roleRef.name,
    );
    for (const role of [
      "system:auth-delegator",
      "extension-apiserver-authentication-reader",
      "nautilus-prometheus-adapter-resource-reader",
      "nautilus-prometheus-adapter-namespace-reader",
    ])
      assert.ok(roles.includes(role), role);
    // The HPA controller's own role reads custom metrics; a binding of ours would only widen who may.
    assert.not.ok(roles.includes("nautilus-prometheus-adapter-custom-metrics-reader"));
    // With the operator, the cluster's own adapter serves the rules; without custom metrics there is nothing to serve.
    assert.not.ok(
      monitoringObjects(platform((c) => (c.monitoring.mode = "prometheus-operator"))).some(
        (o) => o.kind === "APIService",
      ),
    );
    const noCustom = platform((c) => {
      for (const s of Object.values(c.services)) if (s.scaling) s.scaling.custom = [];
    });
    assert.not.ok(monitoringObjects(noCustom).some((o) => o.kind === "APIService"));
  },
);

test.run();
