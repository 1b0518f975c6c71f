/**
 * prometheus-adapter rules serving the custom metrics the HPAs scale on, as a ConfigMap in the base.
 * A gauge of the catalogue is served as is (`nautilus_websocket_connections`); `<x>_per_second` is
 * the rate of the catalogued counter `<x>_total` (`nautilus_messages_per_second`): the rule
 * `adapterSource` of the schema, which rejects an HPA metric that is neither. Series carry `namespace`
 * and `pod` from our scrape relabelling. Pure.
 */
import type { ConfigMap } from "kubernetes-types/core/v1.js";
import { adapterSource } from "../schemas/observability.ts";
import type { Platform } from "../schemas/platform.ts";
import { formatDuration } from "../schemas/units.ts";
import { metadata } from "./meta.ts";
import { monitoringModel } from "../model/monitoring.ts";
import { toYaml } from "../core/yaml.ts";

/** Rate window of `_per_second` metrics: long enough to hold several 5 s scrapes, short enough to follow load. */
export const ADAPTER_RATE_WINDOW = 60;

export function adapterRules(platform: Platform): Record<string, unknown>[] {
  const metrics = [
    ...new Set(Object.values(platform.services).flatMap((s) => s.scaling?.custom.map((c) => c.metric) ?? [])),
  ].sort();
  return metrics.flatMap((metric) => {
    const source = adapterSource(monitoringModel(platform), metric);
    if (!source) return [];
    const inner =
      source.kind === "rate"
        ? `rate(<<.Series>>{<<.LabelMatchers>>}[${formatDuration(ADAPTER_RATE_WINDOW)}])`
        : "<<.Series>>{<<.LabelMatchers>>}";
    return [
      {
        seriesQuery: `${source.series}{namespace!="",pod!=""}`,
        resources: { overrides: { namespace: { resource: "namespace" }, pod: { resource: "pod" } } },
        name: { matches: `^${source.series}$`, as: metric },
        metricsQuery: `sum(${inner}) by (<<.GroupBy>>)`,
      },
    ];
  });
}

export function prometheusAdapterConfigMap(platform: Platform): ConfigMap {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: metadata(platform, "prometheus-adapter", { component: "monitoring" }),
    data: { "config.yaml": toYaml({ rules: adapterRules(platform) }) },
  };
}
