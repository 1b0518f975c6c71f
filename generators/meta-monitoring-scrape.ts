/**
 * The scrape jobs the meta-monitoring alerts read (model/meta-monitoring.ts): Prometheus itself, every
 * Alertmanager pod and Jaeger's admin port, each found by pod discovery in the platform namespace and kept by the
 * workload's own labels and the name of its metrics port, so no port number is repeated here. `instance` is the
 * pod's name, which the alerts' summaries show. Standalone mode only, like the alerts. Pure.
 */
import type { Platform } from "../schemas/platform.ts";
import { formatDuration } from "../schemas/units.ts";
import { LABEL } from "../core/conventions.ts";
import { META_JOBS } from "../model/meta-monitoring.ts";
// A cycle with prometheus-config.ts, which lists these jobs: harmless, both only call each other at run time.
import { podLabelMeta } from "./prometheus-config.ts";

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The workloads scraped: job, the workload's `app.kubernetes.io/name`, and the name of its metrics port. */
const TARGETS = [
  { job: META_JOBS.prometheus, name: "prometheus", port: "web" },
  { job: META_JOBS.alertmanager, name: "alertmanager", port: "web" },
  { job: META_JOBS.jaeger, name: "jaeger", port: "admin" },
] as const;

export function metaScrapeJobs(platform: Platform): Record<string, unknown>[] {
  if (platform.monitoring.mode !== "standalone") return [];
  return TARGETS.map((t) => ({
    job_name: t.job,
    scrape_interval: formatDuration(platform.monitoring.scrapeInterval),
    metrics_path: "/metrics",
    kubernetes_sd_configs: [{ role: "pod", namespaces: { names: [platform.namespace] } }],
    relabel_configs: [
      { action: "keep", source_labels: [podLabelMeta(LABEL.name)], regex: escapeRegex(t.name) },
      { action: "keep", source_labels: [podLabelMeta(LABEL.partOf)], regex: escapeRegex(platform.name) },
      { action: "keep", source_labels: ["__meta_kubernetes_pod_container_port_name"], regex: t.port },
      { action: "replace", source_labels: ["__meta_kubernetes_namespace"], target_label: "namespace" },
      { action: "replace", source_labels: ["__meta_kubernetes_pod_name"], target_label: "instance" },
    ],
  }));
}
