/**
 * What the platform dashboard shows, as data: each panel's id, title, unit, description, threshold steps and
 * PromQL targets, decided from the monitoring model. The Grafana generator only renders it with the SDK, the
 * promql check reads the same queries and the runbooks link the same panels, so nothing parses the dashboard's
 * JSON back. Thresholds are the alerts' resolved thresholds in the panel's unit, each series coloured by its own
 * alert (a per-query or per-series override), the panel's default by the alerts that cover every series.
 *
 * Every alert's value has a panel, and every catalogued metric and recording rule is on some panel, so a metric a
 * service adds is seen. Nothing depends on the environment (HPA bounds are read from kube-state-metrics, not
 * written in), so the dashboard is one file in base and no overlay replaces it.
 *
 * Panel ids are fixed by position in the config (a tier's row is 100 × its index), so they survive
 * regeneration. Pure.
 */
import type { MetricDef, MetricUnit, RatioAlert } from "../schemas/observability.ts";
import type { Platform } from "../schemas/platform.ts";
import {
  GRAFANA_UNIT,
  healthyTargetsExpr,
  jobName,
  jobPattern,
  jobSelector,
  monitoringModel,
  ownAlertServices,
  ratioExpr,
  runbookUrl,
  tierServices,
  type ModelAlert,
} from "./monitoring.ts";
import { HPA_LABEL, HPA_SERIES } from "./kube-state-metrics.ts";
import { namespaceOfService } from "./namespaces.ts";
import { objectName } from "./names.ts";
import { promWindow, type SloModel } from "./slo.ts";

const SEVERITY_COLOR = { critical: "red", warning: "orange" } as const;
const LATENCY_UNITS: readonly MetricUnit[] = ["microseconds", "seconds"];
/** Rate window of the catalogue's counters and histograms on panels that no alert defines. */
const PANEL_RATE_WINDOW = "1m";
const PANEL_QUANTILE = 0.99;

/**
 * The dashboard reads each environment's HPA bounds from kube-state-metrics (model/kube-state-metrics.ts) rather
 * than writing them in, so raising prod's maxReplicas changes no dashboard. Standalone mode deploys and scrapes it;
 * with prometheus-operator, kube-prometheus' own does.
 */
export { KUBE_STATE_METRICS } from "./kube-state-metrics.ts";

/** A threshold step; `null` is Grafana's base step ("from minus infinity"). */
export interface ThresholdStep {
  value: number | null;
  color: string;
}

export interface PanelQuery {
  expr: string;
  legend: string;
  refId: string;
  /** An instant query shown as a table. */
  table?: boolean;
}

/** Thresholds for some series of a panel: those of one query (refId), or the series with one display name. */
export interface ThresholdOverride {
  match: { query: string } | { name: string };
  thresholds: ThresholdStep[];
}

export interface PanelSpec {
  kind: "stat" | "table" | "timeseries";
  id: number;
  title: string;
  /** Markdown shown in the panel's info tooltip: what it shows and the runbooks of its alerts. */
  description: string;
  /** Grafana unit id. */
  unit?: string;
  thresholds?: ThresholdStep[];
  overrides?: ThresholdOverride[];
  targets: PanelQuery[];
  /** The alerts whose value this panel draws, for the runbooks' links. */
  alerts: string[];
}

export interface DashboardSpec {
  uid: string;
  title: string;
  tags: string[];
  /** Panels above the rows. */
  panels: PanelSpec[];
  rows: { id: number; title: string; panels: PanelSpec[] }[];
}

export const refId = (i: number) => String.fromCharCode(65 + (i % 26)) + (i >= 26 ? String(Math.floor(i / 26)) : "");

/**
 * Threshold steps from alerts on the same value: above a ">" threshold is the alert's colour, below a "<"
 * threshold is; the healthy side is green. A `down` alert colours "no healthy target" (below 1). One step per
 * value, and a step that would not change the colour is left out.
 */
export function thresholdSteps(alerts: readonly ModelAlert[]): ThresholdStep[] {
  const down = alerts.find((a) => a.comparison === "==");
  if (down)
    return [
      { value: null, color: SEVERITY_COLOR[down.severity] },
      { value: 1, color: "green" },
    ];
  return stepsOf(alerts.map((a) => ({ value: a.value, severity: a.severity, below: a.comparison === "<" })));
}

/**
 * The steps of an SLO's error ratio: the ticket's colour from the lowest ratio a ticket window alerts at, the
 * page's from the lowest a page window alerts at (the budget burning 1× and 14.4× as fast as the period allows).
 */
function sloSteps(slo: SloModel): ThresholdStep[] {
  return stepsOf(slo.windows.map((w) => ({ value: w.errorRatio, severity: w.severity, below: false })));
}

function stepsOf(
  thresholds: readonly { value: number; severity: ModelAlert["severity"]; below: boolean }[],
): ThresholdStep[] {
  const byValue = new Map<string, { value: number; color: string; below: boolean }>();
  for (const t of thresholds) {
    const point = { value: t.value, color: SEVERITY_COLOR[t.severity], below: t.below };
    const key = `${point.below}/${point.value}`;
    // Two alerts at one value (a warning and a critical) show the more severe colour.
    if (!byValue.has(key) || point.color === SEVERITY_COLOR.critical) byValue.set(key, point);
  }
  const points = [...byValue.values()];
  const above = points.filter((p) => !p.below).sort((a, b) => a.value - b.value);
  const below = points.filter((p) => p.below).sort((a, b) => a.value - b.value);
  const steps: ThresholdStep[] =
    below.length > 0 && above.length === 0
      ? [
          { value: null, color: below[0]!.color },
          ...below.slice(1).map((p, i) => ({ value: below[i]!.value, color: p.color })),
          { value: below[below.length - 1]!.value, color: "green" },
        ]
      : [{ value: null, color: "green" }, ...above.map((p) => ({ value: p.value, color: p.color }))];
  return steps.filter((s, i) => i === 0 || s.color !== steps[i - 1]!.color);
}

const regexAlt = (xs: readonly string[]) => (xs.length === 1 ? xs[0]! : `(${xs.join("|")})`);
const capitalised = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The panel description: what it shows, then each alert it draws with its runbook. */
function describe(platform: Platform, what: string, alerts: readonly string[]): string {
  if (alerts.length === 0) return what;
  const links = alerts.map((a) => `[${a}](${runbookUrl(platform, a)})`);
  return `${what}\n\nAlerts: ${links.join(", ")}.`;
}

/** Whether an alert is about a series of these services (its own service, or a metric they expose). */
function concerns(platform: Platform, a: ModelAlert, services: readonly string[]): boolean {
  const wanted = setOf(services);
  if (a.service !== undefined) return wanted.has(a.service);
  if (a.config.kind === "down") return true;
  return platform.monitoring.metrics[a.metric!]?.services.some((s) => wanted.has(s)) ?? false;
}

/** Each list of services as a set, made once: asked per alert, a list's `includes` is quadratic at scale. */
const sets = new WeakMap<readonly string[], ReadonlySet<string>>();
function setOf(xs: readonly string[]): ReadonlySet<string> {
  let set = sets.get(xs);
  if (!set) {
    set = new Set(xs);
    sets.set(xs, set);
  }
  return set;
}

/** Latency alerts (on a metric in seconds or microseconds), grouped by the metric's unit. */
function latencyAlerts(platform: Platform, services?: readonly string[]): Map<MetricUnit, ModelAlert[]> {
  const byUnit = new Map<MetricUnit, ModelAlert[]>();
  for (const a of monitoringModel(platform).alerts) {
    if (a.config.kind !== "threshold" || !LATENCY_UNITS.includes(a.unit)) continue;
    if (services && !concerns(platform, a, services)) continue;
    const list = byUnit.get(a.unit);
    if (list) list.push(a);
    else byUnit.set(a.unit, [a]);
  }
  return byUnit;
}

/**
 * One query per alert, under the panel's thresholds (those of all its alerts); a series whose own alert's
 * threshold differs is coloured by it (an override of its query).
 */
function alertQueries(alerts: readonly ModelAlert[], legend: (a: ModelAlert) => string) {
  const thresholds = thresholdSteps(alerts);
  const same = JSON.stringify(thresholds);
  return {
    thresholds,
    targets: alerts.map((a, i) => ({ expr: a.valueExpr, legend: legend(a), refId: refId(i) })),
    overrides: alerts.flatMap((a, i) => {
      const own = thresholdSteps([a]);
      return JSON.stringify(own) === same ? [] : [{ match: { query: refId(i) }, thresholds: own }];
    }),
  };
}

/** A gauge's value is per pod: its legend names the pod, or every pod of a service would read the same. */
function perPod(platform: Platform, a: ModelAlert): boolean {
  return platform.monitoring.metrics[a.metric ?? ""]?.type === "gauge";
}

/** The metrics a query of these panels reads by name (a histogram by its base name). */
function metricsShown(platform: Platform, panels: readonly PanelSpec[]): Set<string> {
  const shown = new Set<string>();
  const names = Object.keys(platform.monitoring.metrics);
  for (const p of panels)
    for (const t of p.targets)
      for (const n of names) if (new RegExp(`\\b${n}(_bucket|_sum|_count)?\\b`).test(t.expr)) shown.add(n);
  return shown;
}

/** A panel for a catalogued metric no alert draws: a counter's rate, a gauge per pod, a histogram's p99. */
function metricPanel(id: number, name: string, def: MetricDef, jobs: string): PanelSpec {
  const sel = `{job=~"${jobs}"}`;
  const query =
    def.type === "counter"
      ? {
          title: `${name} per second`,
          expr: `sum by (job) (rate(${name}${sel}[${PANEL_RATE_WINDOW}]))`,
          legend: "{{job}}",
          unit: def.unit === "bytes" ? "Bps" : "cps",
        }
      : def.type === "histogram"
        ? {
            title: `${name} p${PANEL_QUANTILE * 100}`,
            expr:
              `histogram_quantile(${PANEL_QUANTILE}, sum by (job, le) ` +
              `(rate(${name}_bucket${sel}[${PANEL_RATE_WINDOW}])))`,
            legend: "{{job}}",
            unit: GRAFANA_UNIT[def.unit],
          }
        : { title: name, expr: `${name}${sel}`, legend: "{{job}} {{pod}}", unit: GRAFANA_UNIT[def.unit] };
  return {
    kind: "timeseries",
    id,
    title: query.title,
    description: `${def.help} (${def.type}, ${def.unit}; exposed by ${def.services.join(", ")})`,
    unit: query.unit,
    targets: [{ expr: query.expr, legend: query.legend, refId: "A" }],
    alerts: [],
  };
}

/** The rate a ratio alert compares, keyed so alerts on the same ratio share one query. */
const ratioKey = (c: RatioAlert) => `${c.metric}/${c.per}/${c.by}/${c.window}`;

function errorRatePanel(platform: Platform, id: number, services: readonly string[]): PanelSpec | undefined {
  const ratios = monitoringModel(platform).alerts.filter(
    (a) => a.config.kind === "ratio" && concerns(platform, a, services),
  );
  if (ratios.length === 0) return undefined;
  const queries = new Map<string, RatioAlert>();
  for (const a of ratios) {
    const c = a.config as RatioAlert;
    if (!queries.has(ratioKey(c))) queries.set(ratioKey(c), c);
  }
  const global = ratios.filter((a) => a.service === undefined);
  // A service's own alert colours that service's series; the service-less alerts colour the rest. An SLO that
  // replaces the service-less alerts for its service colours it at its burn rates' error ratios.
  const own = ratios.filter((a) => a.service !== undefined && (a.config as RatioAlert).by === "service");
  const slos = monitoringModel(platform).alerts.flatMap((a) =>
    a.slo && global.some((g) => ownAlertServices(platform, g.config).includes(a.slo!.service)) ? [a.slo] : [],
  );
  return {
    kind: "timeseries",
    id,
    title: "Error rate",
    description: describe(
      platform,
      "Share of failed requests per service, as the error-ratio alerts compute it.",
      ratios.map((a) => a.name),
    ),
    unit: GRAFANA_UNIT.ratio,
    thresholds: thresholdSteps(global.length > 0 ? global : ratios),
    overrides: [
      ...own.map((a) => ({ match: { name: a.service! }, thresholds: thresholdSteps([a]) })),
      ...slos.map((slo) => ({ match: { name: slo.service }, thresholds: sloSteps(slo) })),
    ],
    targets: [...queries.values()].map((c, i) => ({
      expr: ratioExpr(platform, c, jobSelector(platform, services)),
      legend: `{{${c.by}}}`,
      refId: refId(i),
    })),
    alerts: ratios.map((a) => a.name),
  };
}

function tierRow(platform: Platform, tier: string, index: number) {
  const model = monitoringModel(platform);
  const services = tierServices(platform, tier);
  const base = 100 * (index + 1);
  const jobs = regexAlt(services.map((s) => jobName(platform, s)));
  const panels: PanelSpec[] = [];

  for (const [unit, alerts] of latencyAlerts(platform, services)) {
    panels.push({
      kind: "timeseries",
      id: base + 1 + LATENCY_UNITS.indexOf(unit) * 10,
      title: `Latency p99 (${GRAFANA_UNIT[unit]})`,
      description: describe(
        platform,
        "Each latency alert's value, as the alert compares it.",
        alerts.map((a) => a.name),
      ),
      unit: GRAFANA_UNIT[unit],
      ...alertQueries(alerts, (a) => (perPod(platform, a) ? `${a.name} {{pod}}` : a.name)),
      alerts: alerts.map((a) => a.name),
    });
  }

  const errors = errorRatePanel(platform, base + 2, services);
  if (errors) panels.push(errors);
  model.alerts
    .filter((a) => a.slo !== undefined && concerns(platform, a, services))
    .forEach((a, i) => {
      panels.push(...sloPanels(platform, a.name, a.slo!, base + 6 + i * 10));
    });

  const gauges = model.alerts.filter(
    (a) => a.config.kind === "threshold" && a.unit === "ratio" && concerns(platform, a, services),
  );
  gauges.forEach((a, i) => {
    const title = a
      .metric!.replace(new RegExp(`^${platform.name}_`), "")
      .replace(/_ratio$/, "")
      .replace(/_/g, " ");
    panels.push({
      kind: "timeseries",
      id: base + 3 + i * 10,
      title: capitalised(title),
      description: describe(platform, model.metrics[a.metric!]!.help, [a.name]),
      unit: GRAFANA_UNIT.ratio,
      thresholds: thresholdSteps([a]),
      targets: [{ expr: `${a.metric}{job=~"${jobs}"}`, legend: "{{job}} {{pod}}", refId: "A" }],
      alerts: [a.name],
    });
  });

  // Only services an HPA scales have bounds to draw.
  const scaled = services.filter((s) => platform.services[s]!.scaling);
  if (scaled.length > 0) {
    // Each HPA lives in its service's namespace.
    const namespaces = [...new Set(scaled.map((s) => namespaceOfService(platform, s)))];
    const namespace = namespaces.length === 1 ? `namespace="${namespaces[0]}"` : `namespace=~"${regexAlt(namespaces)}"`;
    const hpas = `{${namespace}, ${HPA_LABEL}=~"${regexAlt(scaled.map((s) => objectName(platform, s)))}"}`;
    const { min, max, current } = HPA_SERIES;
    panels.push({
      kind: "timeseries",
      id: base + 4,
      title: "Replicas vs HPA bounds",
      description:
        "Ready scrape targets and the HPA's current replicas of each autoscaled service against its HPA's " +
        "minReplicas and maxReplicas, read from kube-state-metrics (so each environment shows its own bounds).",
      unit: GRAFANA_UNIT.count,
      targets: [
        {
          expr: `count by (job) (up${jobSelector(platform, scaled)} == 1)`,
          legend: "{{job}} ready targets",
          refId: "A",
        },
        { expr: `${min}${hpas}`, legend: "{{horizontalpodautoscaler}} minReplicas", refId: "B" },
        { expr: `${max}${hpas}`, legend: "{{horizontalpodautoscaler}} maxReplicas", refId: "C" },
        { expr: `${current}${hpas}`, legend: "{{horizontalpodautoscaler}} current replicas", refId: "D" },
      ],
      alerts: [],
    });
  }

  const down = model.alerts.filter((a) => a.config.kind === "down");
  panels.push({
    kind: "timeseries",
    id: base + 5,
    title: "Healthy targets",
    description: describe(
      platform,
      "Scrape targets up per service; 0 when a service has none left (every pod gone or failing).",
      down.map((a) => a.name),
    ),
    unit: GRAFANA_UNIT.count,
    ...(down.length > 0 ? { thresholds: thresholdSteps(down) } : {}),
    targets: [{ expr: healthyTargetsExpr(platform, tier), legend: "{{service}}", refId: "A" }],
    alerts: down.map((a) => a.name),
  });

  const shown = metricsShown(platform, panels);
  Object.entries(model.metrics)
    .filter(([name, def]) => !shown.has(name) && def.services.some((s) => services.includes(s)))
    .forEach(([name, def], i) => {
      panels.push(metricPanel(base + 50 + i, name, def, jobs));
    });
  return { id: base, title: `Tier: ${tier}`, panels };
}

/**
 * An SLO's two panels: the burn rate over every window, coloured at the factors where its ticket and its page
 * start, and the share of the period's error budget left, red once it is spent.
 */
function sloPanels(platform: Platform, name: string, slo: SloModel, id: number): PanelSpec[] {
  const windows = [...new Set(slo.windows.flatMap((w) => [w.short, w.long]))].sort((a, b) => a - b);
  const lowest = (severity: "critical" | "warning") =>
    Math.min(...slo.windows.filter((w) => w.severity === severity).map((w) => w.factor));
  return [
    {
      kind: "timeseries",
      id,
      title: `${name}: burn rate`,
      description: describe(
        platform,
        `How many times faster than ${slo.service}'s objective allows its error budget burns, over each window ` +
          "(1x spends exactly the whole budget in the period). The alert fires when a long and a short window " +
          "both pass a factor of its table (see the runbook).",
        [name],
      ),
      unit: "suffix:x",
      thresholds: [
        { value: null, color: "green" },
        { value: lowest("warning"), color: SEVERITY_COLOR.warning },
        { value: lowest("critical"), color: SEVERITY_COLOR.critical },
      ],
      targets: windows.map((w, i) => ({ expr: slo.burnRate(w), legend: promWindow(w), refId: refId(i) })),
      alerts: [name],
    },
    {
      kind: "stat",
      id: id + 1,
      title: `${name}: error budget remaining`,
      description: describe(
        platform,
        `The share of ${slo.service}'s error budget (${Number((slo.budget * 100).toPrecision(6))}% of requests) ` +
          `not yet spent over the last ${promWindow(slo.period)}; red once it is spent.`,
        [name],
      ),
      unit: GRAFANA_UNIT.ratio,
      thresholds: [
        { value: null, color: SEVERITY_COLOR.critical },
        { value: 0, color: "green" },
      ],
      targets: [{ expr: slo.budgetRemaining, legend: slo.service, refId: "A" }],
      alerts: [name],
    },
  ];
}

/** Recording rules on a row of their own: a recorded series nobody looks at is only cost. */
function recordingRow(platform: Platform, index: number) {
  const base = 100 * (index + 1);
  const rules = Object.entries(platform.monitoring.recordingRules);
  if (rules.length === 0) return [];
  const panels: PanelSpec[] = rules.map(([record, r], i) => {
    // level:metric:operations: the level names the labels each recorded series keeps.
    const level = record.split(":")[0]!;
    return {
      kind: "timeseries",
      id: base + 1 + i,
      title: record,
      description: r.help,
      ...(/ratio/.test(record) ? { unit: GRAFANA_UNIT.ratio } : {}),
      targets: [
        {
          expr: record,
          legend: level
            .split("_")
            .map((l) => `{{${l}}}`)
            .join(" "),
          refId: "A",
        },
      ],
      alerts: [],
    };
  });
  return [{ id: base, title: "Recording rules", panels }];
}

/** The "<Name> Trading Platform" dashboard. */
export function dashboardSpec(platform: Platform): DashboardSpec {
  const uid = `${platform.name}-trading-platform`;
  const model = monitoringModel(platform);
  const panels: PanelSpec[] = [];
  for (const [unit, alerts] of latencyAlerts(platform)) {
    panels.push({
      kind: "stat",
      id: 1 + LATENCY_UNITS.indexOf(unit) * 10,
      title: `Ultra-low latency p99 (${GRAFANA_UNIT[unit]})`,
      description: describe(
        platform,
        "The latest value of each latency alert, per pod where the service exports its own p99.",
        alerts.map((a) => a.name),
      ),
      unit: GRAFANA_UNIT[unit],
      ...alertQueries(alerts, (a) => `${a.service ?? a.metric}${perPod(platform, a) ? " {{pod}}" : ""}`),
      alerts: alerts.map((a) => a.name),
    });
  }
  panels.push({
    kind: "table",
    id: 2,
    title: "Kubernetes pod status",
    description: "Every service scrape target and whether it is up.",
    targets: [{ expr: `up{job=~"${jobPattern(platform)}"}`, legend: "{{job}} - {{pod}}", refId: "A", table: true }],
    alerts: [],
  });
  const configured = new Set(model.alerts.map((a) => a.name));
  // Alerts no panel of their own draws (the heartbeat, the monitoring stack's own) are seen here, firing.
  const others = model.ruleFiles.flatMap((f) =>
    f.group.rules.flatMap((r) => ("alert" in r && !configured.has(r.alert) ? [r.alert] : [])),
  );
  panels.push({
    kind: "table",
    id: 3,
    title: "Firing alerts",
    description: describe(platform, "Every alert firing now, with its labels.", others),
    targets: [{ expr: 'ALERTS{alertstate="firing"}', legend: "{{alertname}}", refId: "A", table: true }],
    alerts: others,
  });
  const tiers = Object.keys(platform.tiers);
  return {
    uid,
    title: `${capitalised(platform.name)} Trading Platform`,
    tags: [platform.name, "generated"],
    panels,
    rows: [...tiers.map((tier, i) => tierRow(platform, tier, i)), ...recordingRow(platform, tiers.length)],
  };
}

/**
 * The panel that shows each alert's value, for its runbook: the panel of a tier row (its detail) before the
 * overview above the rows. Every alert has one: those without their own are on "Firing alerts".
 */
export function alertPanels(spec: DashboardSpec): Map<string, PanelSpec> {
  const byAlert = new Map<string, PanelSpec>();
  for (const p of [...spec.rows.flatMap((r) => r.panels), ...spec.panels])
    for (const a of p.alerts) if (!byAlert.has(a)) byAlert.set(a, p);
  return byAlert;
}
