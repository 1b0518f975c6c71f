/**
 * Every monitoring object of one (resolved) environment. They carry
 * `app.kubernetes.io/component: monitoring`, so the Kustomize base keeps them in base/monitoring/.
 * `standalone` runs Prometheus, Alertmanager, Grafana and kube-state-metrics; `prometheus-operator` hands rules
 * (the Watchdog among them), scrape jobs and an Alertmanager with its AlertmanagerConfig to an existing operator (whose
 * Prometheus must list that Alertmanager) and ships the dashboards for its Grafana. Jaeger, the OTLP endpoint of every
 * service, the prometheus-adapter rules and the stack's PriorityClass are emitted in both modes; kube-state-metrics
 * is the operator stack's own (kube-prometheus ships it), a prerequisite there. Pure.
 */
import type { KubeObject } from "../core/finding.ts";
import type { Platform } from "../schemas/platform.ts";
import { alertmanagerObjects } from "./alertmanager.ts";
import { alertmanagerOperatorObjects } from "./alertmanager-operator.ts";
import { adapterObjects } from "./monitoring-adapter.ts";
import { grafanaDashboardsConfigMap, grafanaObjects } from "./monitoring-grafana.ts";
import { jaegerObjects } from "./monitoring-jaeger.ts";
import { kubeStateMetricsObjects } from "./kube-state-metrics.ts";
import { operatorObjects } from "./monitoring-operator.ts";
import { prometheusObjects } from "./monitoring-prometheus.ts";
import { prometheusAdapterConfigMap } from "./prometheus-adapter.ts";
import { monitoringPriorityClass } from "./priority-class.ts";

export function monitoringObjects(platform: Platform): KubeObject[] {
  const shared = [
    monitoringPriorityClass(platform) as unknown as KubeObject,
    ...jaegerObjects(platform),
    prometheusAdapterConfigMap(platform) as KubeObject,
  ];
  if (platform.monitoring.mode === "prometheus-operator")
    return [
      ...operatorObjects(platform),
      ...alertmanagerOperatorObjects(platform),
      grafanaDashboardsConfigMap(platform) as KubeObject,
      ...shared,
    ];
  return [
    ...prometheusObjects(platform),
    ...alertmanagerObjects(platform),
    ...grafanaObjects(platform),
    ...shared,
    ...adapterObjects(platform),
    ...kubeStateMetricsObjects(platform),
  ];
}
