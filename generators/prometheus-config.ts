/**
 * prometheus.yml: one scrape job per service, named `nautilus-<service>` and scraped at its tier's
 * interval (1s ultra-low-latency, 5s high-performance), plus the cluster job (the API server) at the
 * monitoring interval. Pods are found by Kubernetes service discovery in the platform namespace and
 * kept by the same labels policies select on; the port is the container port named `metrics`, so a
 * host-network engine's node port (9101, ...) is found without repeating it here. Pure.
 */
import type { Platform } from "../schemas/platform.ts";
import { formatDuration } from "../schemas/units.ts";
import { LABEL, SERVICE_ACCOUNT_DIR } from "../core/conventions.ts";
import { jobName } from "../model/monitoring.ts";
import { namespaceOfService } from "../model/namespaces.ts";
import { ruleFiles } from "./prometheus-rules.ts";
import { alertmanagerTargets } from "./alertmanager.ts";
import { META_JOBS } from "../model/meta-monitoring.ts";
import { metaScrapeJobs } from "./meta-monitoring-scrape.ts";
import { kubeStateMetricsScrapeJobs } from "./kube-state-metrics.ts";

/** Prometheus' default scrape timeout; a job scraped more often must time out sooner. */
const DEFAULT_TIMEOUT = 10;

/** `app.kubernetes.io/name` → `__meta_kubernetes_pod_label_app_kubernetes_io_name` */
export function podLabelMeta(label: string): string {
  return `__meta_kubernetes_pod_label_${label.replace(/[^a-zA-Z0-9_]/g, "_")}`;
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export function prometheusConfig(platform: Platform): Record<string, unknown> {
  const m = platform.monitoring;
  const serviceJobs = Object.entries(platform.services).map(([name, svc]) => {
    const interval = platform.tiers[svc.tier]!.scrapeInterval;
    return {
      job_name: jobName(platform, name),
      scrape_interval: formatDuration(interval),
      scrape_timeout: formatDuration(Math.min(interval, DEFAULT_TIMEOUT)),
      metrics_path: "/metrics",
      kubernetes_sd_configs: [{ role: "pod", namespaces: { names: [namespaceOfService(platform, name)] } }],
      relabel_configs: [
        { action: "keep", source_labels: [podLabelMeta(LABEL.name)], regex: escapeRegex(name) },
        { action: "keep", source_labels: [podLabelMeta(LABEL.tier)], regex: escapeRegex(svc.tier) },
        { action: "keep", source_labels: ["__meta_kubernetes_pod_container_port_name"], regex: "metrics" },
        { action: "replace", source_labels: ["__meta_kubernetes_namespace"], target_label: "namespace" },
        { action: "replace", source_labels: ["__meta_kubernetes_pod_name"], target_label: "pod" },
        { action: "replace", source_labels: [podLabelMeta(LABEL.tier)], target_label: "tier" },
      ],
    };
  });
  const cluster = {
    job_name: META_JOBS.apiserver,
    scrape_interval: formatDuration(m.scrapeInterval),
    scheme: "https",
    authorization: { credentials_file: `${SERVICE_ACCOUNT_DIR}/token` },
    tls_config: { ca_file: `${SERVICE_ACCOUNT_DIR}/ca.crt` },
    // EndpointSlices, not v1 Endpoints (deprecated since Kubernetes 1.33): discovery.k8s.io is what RBAC grants.
    kubernetes_sd_configs: [{ role: "endpointslice", namespaces: { names: ["default"] } }],
    relabel_configs: [
      {
        action: "keep",
        source_labels: [
          "__meta_kubernetes_namespace",
          "__meta_kubernetes_service_name",
          "__meta_kubernetes_endpointslice_port_name",
        ],
        regex: "default;kubernetes;https",
      },
    ],
  };
  return {
    global: {
      scrape_interval: formatDuration(m.scrapeInterval),
      evaluation_interval: formatDuration(m.evaluationInterval),
    },
    // Relative to this file: out/prometheus/rules/ here, /etc/prometheus/rules/ in the pod.
    rule_files: ruleFiles(platform).map((f) => `rules/${f.file}`),
    // Every Alertmanager pod, not the load-balanced Service: the peers deduplicate, and one pod down loses nothing.
    alerting: { alertmanagers: [{ api_version: "v2", static_configs: [{ targets: alertmanagerTargets(platform) }] }] },
    scrape_configs: [...serviceJobs, cluster, ...metaScrapeJobs(platform), ...kubeStateMetricsScrapeJobs(platform)],
  };
}
