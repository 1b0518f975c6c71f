/**
 * What the platform reads from kube-state-metrics, written once: the series (the dashboard's replica panels and
 * the promql check read this list), and from their names the Kubernetes resources kube-state-metrics must watch
 * to export them. The generator turns the resources into `--resources`, `--metric-allowlist` and the Roles'
 * rules, so a series added here is exported, allowed and granted together, and nothing else is. Pure.
 */

/**
 * The HPA series, as kube-state-metrics documents them (docs/metrics/workload/horizontalpodautoscaler-metrics.md),
 * each labelled `namespace` and `horizontalpodautoscaler`.
 */
export const HPA_SERIES = {
  min: "kube_horizontalpodautoscaler_spec_min_replicas",
  max: "kube_horizontalpodautoscaler_spec_max_replicas",
  current: "kube_horizontalpodautoscaler_status_current_replicas",
} as const;

/** Every series read from kube-state-metrics. */
export const KUBE_STATE_METRICS: readonly string[] = Object.values(HPA_SERIES);

/** The label kube-state-metrics puts the HPA's name in. */
export const HPA_LABEL = "horizontalpodautoscaler";

/**
 * kube-state-metrics' metric families (`kube_<family>_...`) and the resource each is generated from, with its API
 * group: what `--resources` enables and what RBAC must let it list and watch.
 */
const FAMILIES: Readonly<Record<string, { resource: string; apiGroup: string }>> = {
  horizontalpodautoscaler: { resource: "horizontalpodautoscalers", apiGroup: "autoscaling" },
  deployment: { resource: "deployments", apiGroup: "apps" },
  statefulset: { resource: "statefulsets", apiGroup: "apps" },
  pod: { resource: "pods", apiGroup: "" },
  poddisruptionbudget: { resource: "poddisruptionbudgets", apiGroup: "policy" },
};

export interface WatchedResource {
  resource: string;
  apiGroup: string;
}

/** The resources behind `series`, sorted by name; a series of a family not in the table is a programming error. */
export function watchedResources(series: readonly string[] = KUBE_STATE_METRICS): WatchedResource[] {
  const out = new Map<string, WatchedResource>();
  for (const s of series) {
    const family = Object.keys(FAMILIES)
      .filter((f) => s.startsWith(`kube_${f}_`))
      .sort((a, b) => b.length - a.length)[0];
    if (!family) throw new Error(`model/kube-state-metrics.ts: no resource known for the series ${s}`);
    const r = FAMILIES[family]!;
    out.set(r.resource, r);
  }
  return [...out.values()].sort((a, b) => (a.resource < b.resource ? -1 : 1));
}
