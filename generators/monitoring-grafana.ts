/**
 * Grafana with provisioned data sources (Prometheus, Jaeger) and the generated dashboards. The
 * dashboards ConfigMap carries `grafana_dashboard: "1"` so a Grafana run by someone else (the
 * sidecar of the Grafana Helm chart) picks it up too. Pure.
 */
import type { ConfigMap } from "kubernetes-types/core/v1.js";
import type { KubeObject } from "../core/finding.ts";
import type { Platform } from "../schemas/platform.ts";
import { dashboards, PROMETHEUS_DATASOURCE } from "./grafana-dashboards.ts";
import { prometheusUrl } from "./monitoring-prometheus.ts";
import { jaegerQueryUrl } from "./monitoring-jaeger.ts";
import { metadata } from "./meta.ts";
import { objectName } from "../model/names.ts";
import { workload, workloadService } from "./monitoring-workload.ts";
import { jsonFile, yamlFile } from "../core/yaml.ts";

const NAME = "grafana";
const PORT = 3000;
/** The `grafana` user of the Grafana image. */
const USER = 472;
const DASHBOARD_DIR = "/etc/grafana/dashboards";

export function grafanaDashboardsConfigMap(platform: Platform): ConfigMap {
  const meta = metadata(platform, `${NAME}-dashboards`, { component: "monitoring", labelName: NAME });
  meta.labels = { ...meta.labels, grafana_dashboard: "1" };
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: meta,
    data: Object.fromEntries(dashboards(platform).map((d) => [d.file, jsonFile(d.dashboard)])),
  };
}

export function grafanaObjects(platform: Platform): KubeObject[] {
  const meta = (name: string) => metadata(platform, name, { component: "monitoring", labelName: NAME });
  const datasources: ConfigMap = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: meta(`${NAME}-datasources`),
    data: {
      "datasources.yaml": yamlFile([
        {
          apiVersion: 1,
          datasources: [
            {
              name: "Prometheus",
              type: PROMETHEUS_DATASOURCE.type,
              uid: PROMETHEUS_DATASOURCE.uid,
              access: "proxy",
              url: prometheusUrl(platform),
              isDefault: true,
              editable: false,
            },
            {
              name: "Jaeger",
              type: "jaeger",
              uid: "jaeger",
              access: "proxy",
              url: jaegerQueryUrl(platform),
              editable: false,
            },
          ],
        },
      ]),
    },
  };
  const providers: ConfigMap = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: meta(`${NAME}-dashboard-providers`),
    data: {
      "dashboards.yaml": yamlFile([
        {
          apiVersion: 1,
          providers: [
            {
              name: platform.name,
              folder: "Nautilus",
              type: "file",
              disableDeletion: true,
              allowUiUpdates: false,
              options: { path: DASHBOARD_DIR },
            },
          ],
        },
      ]),
    },
  };
  const admin = platform.monitoring.components.grafana.adminCredentials;
  const configMapVolume = (name: string, cm: string) => ({ name, configMap: { name: objectName(platform, cm) } });
  const deployment = workload(platform, {
    name: NAME,
    component: platform.monitoring.components.grafana,
    user: USER,
    ports: [{ name: "http", port: PORT }],
    health: { port: "http", liveness: "/api/health", readiness: "/api/health" },
    env: {
      GF_ANALYTICS_CHECK_FOR_UPDATES: "false",
      GF_ANALYTICS_REPORTING_ENABLED: "false",
      GF_PATHS_DATA: "/var/lib/grafana",
      GF_PATHS_LOGS: "/var/log/grafana",
    },
    // The SQLite database is an emptyDir: every fresh pod would start as admin/admin without these.
    secretEnv: {
      GF_SECURITY_ADMIN_USER: { secret: admin.secret, key: admin.userKey },
      GF_SECURITY_ADMIN_PASSWORD: { secret: admin.secret, key: admin.passwordKey },
    },
    mounts: [
      { name: "data", mountPath: "/var/lib/grafana" },
      { name: "logs", mountPath: "/var/log/grafana" },
      { name: "datasources", mountPath: "/etc/grafana/provisioning/datasources", readOnly: true },
      { name: "dashboard-providers", mountPath: "/etc/grafana/provisioning/dashboards", readOnly: true },
      { name: "dashboards", mountPath: DASHBOARD_DIR, readOnly: true },
    ],
    volumes: [
      // Grafana's SQLite state is rebuilt from provisioning on start: nothing in it is the source of truth.
      { name: "data", emptyDir: { sizeLimit: "1Gi" } },
      { name: "logs", emptyDir: { sizeLimit: "256Mi" } },
      configMapVolume("datasources", `${NAME}-datasources`),
      configMapVolume("dashboard-providers", `${NAME}-dashboard-providers`),
      configMapVolume("dashboards", `${NAME}-dashboards`),
    ],
  });
  return [
    datasources,
    providers,
    grafanaDashboardsConfigMap(platform),
    deployment,
    workloadService(platform, NAME, NAME, [{ name: "http", port: PORT }]),
  ] as KubeObject[];
}
