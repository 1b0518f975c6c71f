/**
 * With `mode: "prometheus-operator"` the cluster already runs Prometheus: we hand it our rules as a
 * PrometheusRule and our scrape jobs as PodMonitors (same job names, intervals, label selection and
 * `metrics` port as prometheus.yml). Pure.
 */
import { namespaceOfService } from "../model/namespaces.ts";
import type { KubeObject } from "../core/finding.ts";
import type { Platform } from "../schemas/platform.ts";
import { formatDuration } from "../schemas/units.ts";
import { LABEL } from "../core/conventions.ts";
import { metadata } from "./meta.ts";
import { jobName } from "../model/monitoring.ts";
import { ruleGroups } from "./prometheus-rules.ts";

export function operatorObjects(platform: Platform): KubeObject[] {
  const rule = {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PrometheusRule",
    metadata: metadata(platform, "rules", { component: "monitoring" }),
    spec: { groups: ruleGroups(platform) },
  };
  const podMonitors = Object.entries(platform.services).map(([name, svc]) => ({
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PodMonitor",
    metadata: metadata(platform, name, { component: "monitoring", labelName: name, tier: svc.tier }),
    spec: {
      selector: { matchLabels: { [LABEL.name]: name, [LABEL.tier]: svc.tier } },
      namespaceSelector: { matchNames: [namespaceOfService(platform, name)] },
      podMetricsEndpoints: [
        {
          port: "metrics",
          path: "/metrics",
          interval: formatDuration(platform.tiers[svc.tier]!.scrapeInterval),
          // The operator names jobs after the PodMonitor; dashboards and alerts expect `nautilus-<service>`.
          relabelings: [{ action: "replace", targetLabel: "job", replacement: jobName(platform, name) }],
        },
      ],
    },
  }));
  return [rule, ...podMonitors] as unknown as KubeObject[];
}
