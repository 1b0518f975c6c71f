/**
 * The monitoring stack as a first-class workload and tracing that survives production (issue 11, points 6 and 7):
 * one PriorityClass above every tier on every monitoring pod, two spread adapter replicas under a PDB, a startup
 * budget sized for Prometheus' WAL replay, Grafana's admin from a Secret (inline refused), retention by size that
 * fits the volume in every environment, bounded Jaeger storage, a sampler per tier and current OTel attributes.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Container, PodSpec } from "kubernetes-types/core/v1.js";
import { prometheusRetentionSize } from "../checks/platform/prometheus-retention-size.ts";
import type { KubeObject } from "../core/finding.ts";
import { otelEnv } from "../generators/otel.ts";
import { parseBytes } from "../schemas/units.ts";
import { bundleOf, configInput, platformOf } from "./support/config.ts";
import { parsePlatform } from "../schemas/parse.ts";
import { findingLine } from "../core/finding.ts";
import { resolveEnvironment } from "../model/environments.ts";

const objectsOf = (overrides: unknown = {}, env = "prod") =>
  bundleOf(overrides).environments.find((e) => e.environment === env)!.objects;
const PROD = objectsOf();
const find = (objects: KubeObject[], kind: string, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.name === name);
const podOf = (o: KubeObject) => (o.spec as { template: { spec: PodSpec } }).template.spec;
const containerOf = (o: KubeObject): Container => podOf(o).containers[0]!;
const envOf = (c: Container) => Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value ?? e.valueFrom]));
const configErrors = (overrides: unknown): string[] => {
  const r = parsePlatform(configInput(overrides));
  return r.ok ? [] : r.errors.map(findingLine);
};

const MONITORING_WORKLOADS = [
  ["Deployment", "nautilus-prometheus"],
  ["Deployment", "nautilus-prometheus-adapter"],
  ["Deployment", "nautilus-grafana"],
  ["Deployment", "nautilus-jaeger"],
  ["StatefulSet", "nautilus-alertmanager"],
] as const;

test("every monitoring pod runs in the stack's PriorityClass, above every tier, preempting nothing", () => {
  const classes = PROD.filter((o) => o.kind === "PriorityClass") as (KubeObject & {
    value: number;
    preemptionPolicy: string;
  })[];
  const stack = classes.find((c) => c.metadata.name === "nautilus-monitoring")!;
  assert.is(stack.value, 10_000_000);
  assert.is(stack.preemptionPolicy, "Never");
  const tiers = classes.filter((c) => c !== stack);
  assert.ok(tiers.length >= 2);
  for (const t of tiers) assert.ok(stack.value > t.value, `${t.metadata.name} ${t.value}`);
  for (const [kind, name] of MONITORING_WORKLOADS) {
    const o = find(PROD, kind, name);
    assert.ok(o, `${kind}/${name}`);
    assert.is(podOf(o!).priorityClassName, "nautilus-monitoring", name);
  }
});

test("a stack priority not above every tier is a config error naming the tier", () => {
  assert.equal(configErrors({ monitoring: { priority: 1_000_000 } }), [
    "monitoring.priority: the monitoring stack's priority 1000000 " +
      "must be above every tier's, but tier ultra-low-latency has 1000000: those pods would preempt or outrank " +
      "Prometheus, Alertmanager and prometheus-adapter exactly when they scale",
  ]);
});

test("the stack's PriorityClass exists in prometheus-operator mode too (Jaeger and the Alertmanager use it)", () => {
  const objects = objectsOf({ monitoring: { mode: "prometheus-operator" } });
  assert.ok(find(objects, "PriorityClass", "nautilus-monitoring"));
  assert.is(podOf(find(objects, "Deployment", "nautilus-jaeger")!).priorityClassName, "nautilus-monitoring");
});

test("prometheus-adapter runs two replicas spread across nodes, kept through drains by a PDB", () => {
  const adapter = find(PROD, "Deployment", "nautilus-prometheus-adapter")!;
  assert.is((adapter.spec as { replicas: number }).replicas, 2);
  const spread = podOf(adapter).affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.[0];
  assert.is(spread?.podAffinityTerm.topologyKey, "kubernetes.io/hostname");
  const selector = (adapter.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels;
  assert.equal(spread?.podAffinityTerm.labelSelector?.matchLabels, selector);
  const pdb = find(PROD, "PodDisruptionBudget", "nautilus-prometheus-adapter")!;
  assert.equal(pdb.spec, { maxUnavailable: 1, selector: { matchLabels: selector } });
  // One replica when configured so, and then no anti-affinity to satisfy.
  const one = find(
    objectsOf({ monitoring: { components: { adapter: { replicas: 1 } } } }),
    "Deployment",
    "nautilus-prometheus-adapter",
  )!;
  assert.is(podOf(one).affinity, undefined);
});

test("Prometheus' startup probe waits on /-/ready for its WAL replay budget (15 minutes by default)", () => {
  const probe = (o: KubeObject) => containerOf(o).startupProbe!;
  const prometheus = probe(find(PROD, "Deployment", "nautilus-prometheus")!);
  assert.is(prometheus.httpGet?.path, "/-/ready");
  assert.is(prometheus.periodSeconds! * prometheus.failureThreshold!, 15 * 60);
  const longer = probe(
    find(
      objectsOf({ monitoring: { components: { prometheus: { startupBudget: "30m" } } } }),
      "Deployment",
      "nautilus-prometheus",
    )!,
  );
  assert.ok(longer.periodSeconds! * longer.failureThreshold! >= 30 * 60);
  // The other components keep a quick start's budget.
  const grafana = probe(find(PROD, "Deployment", "nautilus-grafana")!);
  assert.is(grafana.periodSeconds! * grafana.failureThreshold!, 120);
});

test("Grafana's admin user and password come from a Secret, never from the config", () => {
  const env = envOf(containerOf(find(PROD, "Deployment", "nautilus-grafana")!));
  assert.equal(env.GF_SECURITY_ADMIN_USER, { secretKeyRef: { name: "grafana-admin", key: "admin-user" } });
  assert.equal(env.GF_SECURITY_ADMIN_PASSWORD, { secretKeyRef: { name: "grafana-admin", key: "admin-password" } });
  const errors = configErrors({ monitoring: { components: { grafana: { adminPassword: "hunter2" } } } });
  assert.is(errors.length, 1);
  assert.match(errors[0]!, "monitoring.components.grafana.adminPassword: Grafana's admin credentials are never");
  assert.match(errors[0]!, "create a Secret and name it in adminCredentials");
  assert.not.match(errors[0]!, "hunter2");
});

test("retention by size defaults to 85% of the metrics claim in each environment", () => {
  const flag = (objects: KubeObject[]) =>
    containerOf(find(objects, "Deployment", "nautilus-prometheus")!).args!.find((a) =>
      a.startsWith("--storage.tsdb.retention.size="),
    );
  // Prometheus' "MB" is 2^20 bytes: 85% of 100Gi and of staging's 50Gi, in whole MiB.
  assert.is(flag(PROD), "--storage.tsdb.retention.size=87040MB");
  assert.is(flag(objectsOf({}, "staging")), "--storage.tsdb.retention.size=43520MB");
  const explicit = objectsOf({ monitoring: { components: { prometheus: { retentionSize: "40Gi" } } } });
  assert.is(flag(explicit), "--storage.tsdb.retention.size=40960MB");
});

test("a retention size the claim cannot hold is a finding in each environment where it does not fit", () => {
  const platform = platformOf({ monitoring: { components: { prometheus: { retentionSize: "80Gi" } } } });
  const environments = (["dev", "staging", "prod"] as const).map((e) => ({
    environment: e,
    platform: resolveEnvironment(platform, e).platform,
    objects: [],
  }));
  const findings = prometheusRetentionSize.run({ environments, platform, out: { dir: "out", files: new Map() } });
  assert.equal(
    findings.map((f) => `${f.environment} ${f.path}: ${f.message}`),
    ["dev", "staging"].map(
      (e) =>
        `${e} monitoring.components.prometheus.retentionSize: Prometheus keeps up to 80Gi of blocks, but its claim ` +
        `metrics holds ${e === "dev" ? "10Gi" : "50Gi"} in ${e}: the volume fills before retention deletes ` +
        "anything (the WAL and compaction need room besides)",
    ),
  );
  const fits = platformOf({ monitoring: { components: { prometheus: { retentionSize: "8Gi" } } } });
  const ok = (["dev", "staging", "prod"] as const).map((e) => ({
    environment: e,
    platform: resolveEnvironment(fits, e).platform,
    objects: [],
  }));
  assert.equal(
    prometheusRetentionSize.run({ environments: ok, platform: fits, out: { dir: "out", files: new Map() } }),
    [],
  );
});

test("Jaeger's memory store is bounded by its memory limit, and Go collects before the kernel kills", () => {
  const jaeger = containerOf(find(PROD, "Deployment", "nautilus-jaeger")!);
  const env = envOf(jaeger);
  const limit = parseBytes(jaeger.resources!.limits!.memory as string)!;
  // 60% of 1Gi in 64Ki traces.
  assert.is(env.MEMORY_MAX_TRACES, String(Math.floor((limit * 0.6) / (64 * 1024))));
  assert.is(env.MEMORY_MAX_TRACES, "9830");
  assert.is(env.GOMEMLIMIT, "921MiB");
  const bigger = containerOf(
    find(
      objectsOf({ monitoring: { components: { jaeger: { memory: "2Gi" } }, tracing: { traceSize: "32Ki" } } }),
      "Deployment",
      "nautilus-jaeger",
    )!,
  );
  assert.is(envOf(bigger).MEMORY_MAX_TRACES, String(Math.floor((2 * 2 ** 30 * 0.6) / (32 * 1024))));
});

test("services sample per tier, parent-based, over OTLP gRPC, with valid resource-attribute keys", () => {
  const p = platformOf();
  const risk = Object.fromEntries(otelEnv(p, "risk-engine").map((e) => [e.name, e.value]));
  const market = Object.fromEntries(otelEnv(p, "market-data").map((e) => [e.name, e.value]));
  assert.is(risk.OTEL_TRACES_SAMPLER, "parentbased_traceidratio");
  assert.is(risk.OTEL_TRACES_SAMPLER_ARG, "0.001");
  assert.is(market.OTEL_TRACES_SAMPLER_ARG, "0.05");
  assert.is(risk.OTEL_EXPORTER_OTLP_PROTOCOL, "grpc");
  assert.match(risk.OTEL_EXPORTER_OTLP_ENDPOINT!, /:4317$/);
  const attributes = risk.OTEL_RESOURCE_ATTRIBUTES!.split(",").map((a) => a.split("=")[0]!);
  assert.equal(attributes, ["deployment.environment.name", "nautilus.tier", "service.namespace"]);
  // OpenTelemetry attribute names: dotted lower-case namespaces; a Kubernetes label key's "/" is not one.
  for (const key of attributes) assert.match(key, /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/);
  // A tier not named in `sampling` takes the default.
  const fallback = platformOf({ monitoring: { tracing: { sampling: { "high-performance": null } } } });
  const sor = Object.fromEntries(otelEnv(fallback, "smart-order-router").map((e) => [e.name, e.value]));
  assert.is(sor.OTEL_TRACES_SAMPLER_ARG, "0.01");
});

test("sampling for a tier that does not exist is a config error naming the declared tiers", () => {
  assert.equal(configErrors({ monitoring: { tracing: { sampling: { "ultra-low-latenc": "1%" } } } }), [
    'monitoring.tracing.sampling.ultra-low-latenc: unknown tier "ultra-low-latenc"; ' +
      "declared tiers: ultra-low-latency, high-performance",
  ]);
});

test.run();
