/**
 * kube-state-metrics (standalone mode): deployed like the rest of the stack, exporting exactly the series the
 * dashboard reads from exactly our namespaces, with namespaced RBAC the rbac policy admits; scraped by the
 * generated Prometheus under the job its meta alert reads; reachable through the network policies; absent (a
 * prerequisite) with prometheus-operator.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { KubeObject } from "../core/finding.ts";
import { ANNOTATION } from "../core/conventions.ts";
import { stageOf } from "../core/stages.ts";
import { compilePolicies, evaluatePolicies } from "../engines/cel.ts";
import { runPromtool } from "../engines/promtool.ts";
import { kubeStateMetricsObjects } from "../generators/kube-state-metrics.ts";
import { observabilityFiles } from "../generators/observability-files.ts";
import { prometheusConfig } from "../generators/prometheus-config.ts";
import { dashboardSpec } from "../model/dashboard.ts";
import { HPA_SERIES, KUBE_STATE_METRICS, watchedResources } from "../model/kube-state-metrics.ts";
import { META_JOBS, metaAlerts } from "../model/meta-monitoring.ts";
import { platformNamespaces } from "../model/namespaces.ts";
import { resolveEdges, type Endpoint } from "../model/network.ts";
import { readPolicySources } from "../bin/policies.ts";
import { bundleOf, changedPlatform, platformOf } from "./support/config.ts";
import { ensurePromtool } from "./support/tools.ts";

type Container = {
  args: string[];
  image: string;
  ports: { name: string; containerPort: number }[];
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  securityContext: Record<string, unknown>;
  livenessProbe: { httpGet: { path: string; port: string } };
  readinessProbe: { httpGet: { path: string; port: string } };
  startupProbe: { httpGet: { path: string; port: string } };
};
type PodSpec = {
  containers: Container[];
  priorityClassName: string;
  serviceAccountName: string;
  securityContext: Record<string, unknown>;
};
type Rule = { apiGroups: string[]; resources: string[]; verbs: string[] };

const platform = platformOf();
const prod = bundleOf().environments.find((e) => e.environment === "prod")!;
const NAME = "nautilus-kube-state-metrics";
const ksm = prod.objects.filter((o) => o.metadata.labels?.["app.kubernetes.io/name"] === "kube-state-metrics");
const deployment = ksm.find((o) => o.kind === "Deployment") as KubeObject & {
  spec: { template: { spec: PodSpec } };
};
const pod = deployment.spec.template.spec;
const container = pod.containers[0]!;
const arg = (flag: string) => container.args.find((a) => a.startsWith(`--${flag}=`))?.slice(flag.length + 3);

test("one Deployment, pinned, restricted and sized like the stack, probing its own health endpoints", () => {
  assert.is(deployment.metadata.name, NAME);
  assert.is(deployment.metadata.namespace, platform.namespace);
  assert.is(container.image, platform.monitoring.components.kubeStateMetrics.image);
  assert.match(container.image, /^registry\.k8s\.io\/kube-state-metrics\/kube-state-metrics:v2\.\d+\.\d+$/);
  assert.is(pod.priorityClassName, "nautilus-monitoring");
  assert.is(pod.serviceAccountName, NAME);
  assert.equal(pod.securityContext.runAsNonRoot, true);
  assert.equal(container.securityContext.readOnlyRootFilesystem, true);
  assert.equal(container.securityContext.allowPrivilegeEscalation, false);
  assert.is(container.resources.limits.memory, container.resources.requests.memory);
  // kube-state-metrics' own manifests: /livez on the metrics port, /readyz on the telemetry port.
  assert.equal(container.livenessProbe.httpGet, { path: "/livez", port: "http-metrics" });
  assert.equal(container.readinessProbe.httpGet, { path: "/readyz", port: "telemetry" });
  assert.equal(container.startupProbe.httpGet, { path: "/readyz", port: "telemetry" });
  assert.equal(
    container.ports.map((p) => [p.name, p.containerPort]),
    [
      ["http-metrics", 8080],
      ["telemetry", 8081],
    ],
  );
  assert.is(arg("port"), "8080");
  assert.is(arg("telemetry-port"), "8081");
  // Applied with the monitoring stage, after the services it reports on.
  assert.is(deployment.metadata.annotations?.[ANNOTATION.syncWave], String(stageOf(deployment)!.wave));
  assert.is(stageOf(deployment)!.id, "monitoring");
});

test("it exports only the series the dashboard reads, of only our namespaces", () => {
  assert.is(arg("resources"), "horizontalpodautoscalers");
  assert.is(arg("namespaces"), platformNamespaces(platform).join(","));
  assert.is(arg("namespaces"), "nautilus-trading,nautilus-engines");
  assert.equal(arg("metric-allowlist")?.split(","), [...KUBE_STATE_METRICS]);
  // Every kube_* series a panel queries is allowed, and every allowed one is on a panel.
  const spec = dashboardSpec(platform);
  const queried = new Set(
    [...spec.panels, ...spec.rows.flatMap((r) => r.panels)]
      .flatMap((p) => p.targets)
      .flatMap((t) => t.expr.match(/\bkube_[a-z_]+/g) ?? []),
  );
  assert.equal([...queried].sort(), [...KUBE_STATE_METRICS].sort());
});

test("the HPA panel reads kube-state-metrics' real series by its labels, in each HPA's namespace", () => {
  const spec = dashboardSpec(platform);
  const panel = spec.rows.flatMap((r) => r.panels).find((p) => p.title === "Replicas vs HPA bounds")!;
  const exprs = panel.targets.map((t) => t.expr);
  assert.equal(HPA_SERIES, {
    min: "kube_horizontalpodautoscaler_spec_min_replicas",
    max: "kube_horizontalpodautoscaler_spec_max_replicas",
    current: "kube_horizontalpodautoscaler_status_current_replicas",
  });
  for (const series of Object.values(HPA_SERIES))
    assert.ok(
      exprs.some((e) => e.startsWith(`${series}{namespace="nautilus-trading", horizontalpodautoscaler=~"`)),
      `${series} in ${exprs.join("\n")}`,
    );
  // The HPAs named are the generated ones.
  const hpas = prod.objects.filter((o) => o.kind === "HorizontalPodAutoscaler");
  assert.ok(hpas.length > 0);
  for (const h of hpas)
    assert.ok(
      exprs.some((e) => e.includes(h.metadata.name)),
      h.metadata.name,
    );
});

test("RBAC: a Role in each namespace it watches, list and watch of exactly its resources, nothing cluster-wide", () => {
  assert.not.ok(ksm.some((o) => o.kind === "ClusterRole" || o.kind === "ClusterRoleBinding"));
  const roles = ksm.filter((o) => o.kind === "Role") as (KubeObject & { rules: Rule[] })[];
  assert.equal(roles.map((r) => r.metadata.namespace).sort(), platformNamespaces(platform).sort());
  for (const r of roles)
    assert.equal(r.rules, [
      { apiGroups: ["autoscaling"], resources: ["horizontalpodautoscalers"], verbs: ["list", "watch"] },
    ]);
  const bindings = ksm.filter((o) => o.kind === "RoleBinding") as (KubeObject & {
    roleRef: { kind: string; name: string };
    subjects: { kind: string; name: string; namespace: string }[];
  })[];
  assert.equal(
    bindings.map((b) => [b.metadata.namespace, b.roleRef.kind, b.roleRef.name]).sort(),
    roles.map((r) => [r.metadata.namespace, "Role", r.metadata.name]).sort(),
  );
  for (const b of bindings)
    assert.equal(b.subjects, [{ kind: "ServiceAccount", name: NAME, namespace: platform.namespace }]);
});

test("the rbac policy admits its RBAC, and would refuse it widened to a wildcard", () => {
  const { policies, findings } = compilePolicies(readPolicySources().filter((s) => s.file.includes("/rbac/")));
  assert.equal(findings, []);
  // One source, emitted per kind (rbac-role, rbac-clusterrole, rbac-binding), every one judging as `rbac`.
  assert.equal(new Set(policies.map((p) => p.rule)), new Set(["rbac"]));
  const rbac = ksm.filter((o) => o.kind === "Role" || o.kind === "RoleBinding");
  assert.equal(evaluatePolicies(policies, [{ environment: "prod", objects: rbac }]), []);
  const widened = rbac.map((o) =>
    o.kind === "Role" ? ({ ...o, rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["list"] }] } as KubeObject) : o,
  );
  const denied = evaluatePolicies(policies, [{ environment: "prod", objects: widened }]);
  assert.ok(denied.length > 0);
  assert.ok(denied.every((f) => f.rule === "rbac"));
});

test("a series of another resource widens --resources and the grants together", () => {
  assert.equal(watchedResources(["kube_deployment_status_replicas_available", HPA_SERIES.max]), [
    { resource: "deployments", apiGroup: "apps" },
    { resource: "horizontalpodautoscalers", apiGroup: "autoscaling" },
  ]);
  assert.throws(() => watchedResources(["kube_nothing_known"]), /no resource known for the series kube_nothing_known/);
});

test("Prometheus scrapes it with the HPA's own namespace label, under the job KubeStateMetricsDown reads", () => {
  const jobs = prometheusConfig(platform).scrape_configs as {
    job_name: string;
    honor_labels?: boolean;
    kubernetes_sd_configs: { role: string; namespaces: { names: string[] } }[];
    relabel_configs: { action: string; regex?: string; target_label?: string }[];
  }[];
  const job = jobs.find((j) => j.job_name === META_JOBS.kubeStateMetrics)!;
  assert.ok(job, "a kube-state-metrics scrape job");
  assert.is(job.honor_labels, true);
  assert.equal(job.kubernetes_sd_configs, [{ role: "pod", namespaces: { names: [platform.namespace] } }]);
  assert.equal(
    job.relabel_configs.filter((r) => r.action === "keep").map((r) => r.regex),
    ["kube-state-metrics", "nautilus", "http-metrics"],
  );
  // No target label `namespace`: with honor_labels it would only fill series that lack one, but none is wanted.
  assert.not.ok(job.relabel_configs.some((r) => r.target_label === "namespace"));
  const alert = metaAlerts(platform).find((a) => a.rule.alert === "KubeStateMetricsDown")!;
  assert.is(alert.rule.expr, `(sum(up{job="${job.job_name}"}) or vector(0)) == 0`);
  assert.is(alert.rule.labels.severity, "warning");
});

test("KubeStateMetricsDown's promtool test passes, and fails when the rule reads another job", () => {
  const tools = ensurePromtool();
  assert.ok(tools.ok, tools.message);
  const files = observabilityFiles(platform);
  const META_FILE = "prometheus/rules/nautilus-meta.yaml";
  const mine = new Map(
    [...files].filter(([p]) => p.startsWith("prometheus/rules/") || p === "prometheus/tests/KubeStateMetricsDown.yaml"),
  );
  assert.ok(mine.has("prometheus/tests/KubeStateMetricsDown.yaml"));
  const errors = (m: Map<string, string>) => runPromtool(m).filter((f) => f.severity === "error");
  assert.equal(errors(mine), []);
  const rules = mine.get(META_FILE)!;
  const broken = rules.replace('up{job="kube-state-metrics"}', 'up{job="kube-state-metric"}');
  assert.is.not(broken, rules);
  mine.set(META_FILE, broken);
  assert.ok(
    errors(mine).some((f) => f.file === "out/prometheus/tests/KubeStateMetricsDown.yaml"),
    "the healthy case fires when the rule reads a job nothing scrapes",
  );
});

test("the network policies carry its edges: Prometheus scrapes it, it reads the API server", () => {
  const end = (e: Endpoint) => (e.kind === "workload" ? e.name : e.kind);
  const edges = resolveEdges(platform, prod.objects).filter(
    (e) =>
      (e.to.kind === "workload" && e.to.name === "kube-state-metrics") ||
      (e.from.kind === "workload" && e.from.name === "kube-state-metrics"),
  );
  assert.equal(
    edges.map((e) => `${end(e.from)} → ${end(e.to)} ${e.portNumber}`),
    [
      "kube-state-metrics → api-server 443",
      "kube-state-metrics → api-server 6443",
      "prometheus → kube-state-metrics 8080",
    ],
  );
  const ingress = prod.objects.find((o) => o.kind === "NetworkPolicy" && o.metadata.name === `${NAME}-ingress`) as
    | (KubeObject & { spec: { ingress: { ports: { port: number }[] }[] } })
    | undefined;
  assert.equal(
    ingress?.spec.ingress.flatMap((r) => r.ports.map((p) => p.port)),
    [8080],
  );
});

test("prometheus-operator mode: a prerequisite, nothing generated, and the dashboard still reads its series", () => {
  const operator = changedPlatform((c) => {
    c.monitoring.mode = "prometheus-operator";
  });
  assert.equal(kubeStateMetricsObjects(operator), []);
  const names = (prometheusConfig(operator).scrape_configs as { job_name: string }[]).map((j) => j.job_name);
  assert.not.ok(names.includes(META_JOBS.kubeStateMetrics));
  const exprs = dashboardSpec(operator)
    .rows.flatMap((r) => r.panels)
    .flatMap((p) => p.targets.map((t) => t.expr));
  assert.ok(exprs.some((e) => e.startsWith(HPA_SERIES.max)));
});

test("a config without kubeStateMetrics keeps working: the pinned default", () => {
  const p = changedPlatform((c) => {
    delete (c.monitoring.components as { kubeStateMetrics?: unknown }).kubeStateMetrics;
  });
  assert.equal(p.monitoring.components.kubeStateMetrics, platform.monitoring.components.kubeStateMetrics);
  const sized = changedPlatform((c) => {
    (c.monitoring.components as Record<string, unknown>).kubeStateMetrics = {
      image: "registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.15.0",
      cpu: "200m",
      memory: "256Mi",
    };
  });
  const d = kubeStateMetricsObjects(sized).find((o) => o.kind === "Deployment") as KubeObject & {
    spec: { template: { spec: PodSpec } };
  };
  assert.is(d.spec.template.spec.containers[0]!.image, "registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.15.0");
  assert.is(d.spec.template.spec.containers[0]!.resources.requests.memory, "256Mi");
});

test.run();
