/**
 * A runbook per alert, and their index, rendered with Handlebars (templates in ./runbook-templates.ts) from the
 * monitoring model, the dashboard model and the alert routing: what the alert means, its expression and threshold
 * in the unit a person thinks in, the dashboard panel that draws its value, first checks, and which receiver it
 * reaches. Every alert of every rule file gets one (the configured alerts, the heartbeat and any the stack adds),
 * at the path its `runbook_url` names. Pure.
 */
import Handlebars from "handlebars";
import { GENERATED_HEADER, LABEL } from "../core/conventions.ts";
import { alertPanels, dashboardSpec, type DashboardSpec, type PanelSpec } from "../model/dashboard.ts";
import {
  alertRouteCases,
  humanThreshold,
  monitoringModel,
  ownAlertServices,
  promNumber,
  runbookFile,
  type AlertRule,
  type ModelAlert,
} from "../model/monitoring.ts";
import { objectName } from "../model/names.ts";
import { resolveReceiver, ROUTED_SEVERITIES, type RoutedSeverity } from "../schemas/alerting.ts";
import type { Platform } from "../schemas/platform.ts";
import { formatDuration } from "../schemas/units.ts";
import { INDEX_TEMPLATE, RUNBOOK_TEMPLATE } from "./runbook-templates.ts";
import { sloMeaning, sloRunbook, type SloRunbook } from "./slo-runbook.ts";
import { SLO_SEVERITY_NAME } from "../schemas/slo.ts";

/** The index's file name under out/runbooks/: the page a Git host shows for the folder. */
export const RUNBOOK_INDEX = "README.md";

interface Escalation {
  receiver: string;
  description: string;
  repeat: string;
  /** The services this receiver is for, when the alert's receiver depends on its `service` label. */
  services?: string[];
  /** Which of an SLO's two alerts reaches this receiver: "The page (critical)". */
  which?: string;
}

/** What both templates render for one alert. */
export interface RunbookContext {
  header: string;
  alert: string;
  file: string;
  severity: string;
  service?: string;
  /** The service column: the alert's service, or where a service-less alert's `service` label comes from. */
  serviceCell: string;
  summary: string;
  for: string;
  meaning: string;
  budgetNote?: string;
  excludes: string[];
  replaces: string[];
  expr: string;
  threshold?: string;
  comparisonWords?: string;
  thresholdNote?: string;
  dashboard: { uid: string; title: string };
  panel: { id: number; title: string; path: string };
  checks: string[];
  escalation: Escalation[];
  inhibitedBy: { source: string[]; equal: string[] }[];
  inhibits: { target: string[]; equal: string[] }[];
  /** SLO alerts: the objective, its budget and the burn-rate table. */
  slo?: SloRunbook;
}

/** A Handlebars of our own, so the helpers are not registered on the library's shared instance. */
const hb = Handlebars.create();
const codes = (xs: readonly string[], sep: unknown) =>
  xs.map((x) => `\`${x}\``).join(typeof sep === "string" ? sep : ", ");
hb.registerHelper("codes", codes);
hb.registerHelper("receivers", (es: readonly Escalation[]) => codes([...new Set(es.map((e) => e.receiver))], ", "));

const render = {
  runbook: hb.compile<RunbookContext>(RUNBOOK_TEMPLATE, { noEscape: true }),
  index: hb.compile<{ header: string; platform: string; alerts: RunbookContext[] }>(INDEX_TEMPLATE, { noEscape: true }),
};

/** A table cell: a `|` would end it. */
const cell = (s: string) => s.replace(/\|/g, "\\|");

/** A summary for people: `{{ $labels.service }}` reads `` `<service>` `` (a bare <service> is an HTML tag). */
const readable = (summary: string) => summary.replace(/\{\{\s*\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}/g, "`<$1>`");

/** A metric's HELP inside a sentence: without its full stop. */
const help = (text: string | undefined) => (text ?? "").replace(/\.$/, "");

function meaning(platform: Platform, a: ModelAlert): string {
  const c = a.config;
  const m = platform.monitoring.metrics;
  const whose = a.service !== undefined ? `\`${a.service}\`` : "any service exposing it";
  if (c.kind === "down")
    return (
      "A service has no healthy scrape target at all: every pod is down or failing its scrape, or none is left " +
      "(an evicted or unschedulable service has no target, which reads as 0 here, not as silence). Nothing of " +
      "that service is serving."
    );
  if (c.kind === "slo") return sloMeaning(c, a.slo!, m);
  if (c.kind === "ratio")
    return (
      `The rate of \`${c.metric}\` (${help(m[c.metric]?.help)}) over the rate of \`${c.per}\` ` +
      `(${help(m[c.per]?.help)}), per \`${c.by}\` over ${formatDuration(c.window)}, for ${whose}: the share of ` +
      "requests that fail."
    );
  const def = m[c.metric];
  if (def?.type === "histogram")
    return (
      `The ${c.quantile * 100}th percentile of \`${c.metric}\` (${help(def.help)}) over ${formatDuration(c.window)}, ` +
      `estimated by \`histogram_quantile\` from the buckets ${whose} exports.`
    );
  return `\`${c.metric}\` (${help(def?.help)}) of ${whose}${a.service === undefined ? ", per pod" : ""}.`;
}

function budgetNote(platform: Platform, a: ModelAlert): string | undefined {
  if (a.thresholdFrom !== "budget" || a.service === undefined) return undefined;
  const tier = platform.services[a.service]!.tier;
  return (
    `The threshold is the latency budget of the \`${tier}\` tier (\`tiers.${tier}.latencyBudget\`): ` +
    "changing the budget moves this alert."
  );
}

/** kubectl commands for the service an alert is about, or for the one its `service` label names. */
function serviceChecks(platform: Platform, a: ModelAlert): string[] {
  const ns = platform.namespace;
  const svc = a.service ?? "<service>";
  const deployment = objectName(platform, svc);
  const which = a.service === undefined ? " (`<service>` is the alert's `service` label)" : "";
  const pods = `\`kubectl -n ${ns} get pods -l ${LABEL.name}=${svc} -o wide\``;
  const rollout = `\`kubectl -n ${ns} rollout history deployment/${deployment}\``;
  const c = a.config;
  if (c.kind === "down")
    return [
      `List the service's pods${which}: ${pods}. None at all: look for an eviction, a failed scheduling ` +
        `(\`kubectl -n ${ns} get events --sort-by=.lastTimestamp\`) or preemption by a higher PriorityClass.`,
      `Pods present but not ready: \`kubectl -n ${ns} describe pod <pod>\` shows failing probes and restarts; ` +
        `\`kubectl -n ${ns} logs <pod> --previous\` the last crash.`,
      `Pods ready but not scraped: open Prometheus' targets page (\`/targets\`, job \`${deployment}\`) ` +
        "for the scrape error (the metrics port, a NetworkPolicy).",
      `A rollout in progress: ${rollout}; roll back with \`kubectl -n ${ns} rollout undo deployment/${deployment}\`.`,
    ];
  const panel =
    "Open the panel (where to see it, below): one pod or every pod? One pod points at its node, every pod at " +
    "load or a release.";
  if (c.kind === "slo")
    return [
      "Open the panels (where to see it, below): the burn rate over each window says whether the failures are " +
        "still going on, the budget panel how much of the period's budget is left.",
      `Read the failing requests: \`kubectl -n ${ns} logs -l ${LABEL.name}=${svc} --since=15m\`.`,
      `A release in the last hours? ${rollout}; roll back if the failures started with it.`,
      "Is a service it calls down or slow? Check the firing alerts on the dashboard (ServiceDown, latency).",
    ];
  if (c.kind === "ratio")
    return [
      panel,
      `Read the failing requests${which}: \`kubectl -n ${ns} logs -l ${LABEL.name}=${svc} --since=15m\`.`,
      `A release in the last hour? ${rollout}; roll back if the errors started with it.`,
      "Is a service it calls down or slow? Check the firing alerts on the dashboard (ServiceDown, latency).",
    ];
  const latency = a.unit === "microseconds" || a.unit === "seconds";
  return [
    panel,
    `Where the pods run${which}: ${pods}; then \`kubectl describe node <node>\` for pressure and what else runs there.`,
    ...(latency
      ? [
          "One pod slow on a shared or noisy node: check its CPUs are exclusive (the static CPU manager needs a " +
            "Guaranteed pod with whole CPUs) and that nothing else was scheduled onto the dedicated node.",
        ]
      : []),
    `A release in the last hour? ${rollout}; roll back if it started with it.`,
  ];
}

function genericChecks(platform: Platform, rule: AlertRule): string[] {
  if (rule.alert === platform.monitoring.alerting.heartbeat.alert)
    return [
      "This alert always fires: it is the dead-man's switch. You are here because its receiver stopped hearing " +
        "from it, so alerts may not be reaching anyone.",
      "Is Prometheus running and evaluating rules? Open its `/rules` page; `/-/ready` answers 200 when it is.",
      "Is Alertmanager running and delivering? Its `/#/status` page shows the cluster; its logs show failed " +
        "notifications.",
      "Can Alertmanager reach the heartbeat receiver (egress, DNS, its token Secret)?",
    ];
  return [
    "Run the expression in Prometheus' `/graph` page to see which series fire and their labels.",
    `Check the pods of the component it is about: \`kubectl -n ${platform.namespace} get pods -o wide\`.`,
  ];
}

function describeReceiver(platform: Platform, name: string): string {
  const r = platform.monitoring.alerting.receivers[name] as { kind: string; channel?: string; url?: string };
  if (r === undefined) return name;
  if (r.kind === "pagerduty") return "PagerDuty: pages the on-call engineer";
  if (r.kind === "slack") return `Slack channel ${r.channel}`;
  if (r.kind === "webhook") return `a webhook, ${r.url}`;
  return r.kind;
}

function escalation(platform: Platform, rule: AlertRule): Escalation[] {
  const a = platform.monitoring.alerting;
  const repeatOf = (receiver: string, route?: number) =>
    formatDuration(
      receiver === a.heartbeat.receiver && rule.alert === a.heartbeat.alert
        ? a.heartbeat.repeatInterval
        : ((route !== undefined ? a.routes[route]!.repeatInterval : undefined) ?? a.repeatInterval),
    );
  const cases = alertRouteCases(platform).filter((c) => c.alert === rule.alert);
  const slo = platform.monitoring.alerts[rule.alert]?.kind === "slo";
  if (cases.length === 0) {
    const severity = rule.labels.severity;
    const labels = {
      alertname: rule.alert,
      severity: (ROUTED_SEVERITIES as readonly string[]).includes(severity ?? "")
        ? (severity as RoutedSeverity)
        : "none",
    };
    const { receiver, route } = resolveReceiver(a, labels);
    return [{ receiver, description: describeReceiver(platform, receiver), repeat: repeatOf(receiver, route) }];
  }
  const byReceiver = new Map<string, Escalation>();
  for (const c of cases) {
    const receiver = c.receivers[0]!;
    const { route } = resolveReceiver(a, c.labels);
    const e = byReceiver.get(receiver) ?? {
      receiver,
      description: describeReceiver(platform, receiver),
      repeat: repeatOf(receiver, route),
      services: [],
    };
    if (c.labels.service !== undefined) e.services!.push(c.labels.service);
    // An SLO's page and ticket reach different people: say which goes where.
    if (slo) {
      const severity = c.labels.severity as keyof typeof SLO_SEVERITY_NAME;
      e.which = `The ${SLO_SEVERITY_NAME[severity]} (${severity})`;
      delete e.services;
    }
    byReceiver.set(receiver, e);
  }
  const all = [...byReceiver.values()];
  // One receiver for every service: saying which services would only repeat the list.
  if (all.length === 1) {
    delete all[0]!.services;
    if (slo) all[0]!.which = "Both the page and the ticket";
  }
  return all;
}

function context(
  platform: Platform,
  dashboard: { spec: DashboardSpec; panels: Map<string, PanelSpec> },
  rule: AlertRule,
  alert: ModelAlert | undefined,
): RunbookContext {
  const { spec } = dashboard;
  const panel = dashboard.panels.get(rule.alert)!;
  const a = platform.monitoring.alerting;
  const configured = platform.monitoring.alerts;
  const replaces =
    alert?.service !== undefined
      ? Object.entries(configured)
          .filter(([name, g]) => name !== alert.name && ownAlertServices(platform, g).includes(alert.service!))
          .map(([name]) => name)
      : [];
  const serviceNote = rule.expr.includes('"service"')
    ? "per `service` (from the scrape job)"
    : alert?.config.kind === "ratio"
      ? `per \`${alert.config.by}\``
      : "—";
  return {
    header: GENERATED_HEADER,
    alert: rule.alert,
    file: runbookFile(rule.alert),
    severity: alert?.slo
      ? alert.slo.alerts
          .map((r) => `${r.labels.severity} (${SLO_SEVERITY_NAME[r.labels.severity as "critical"]})`)
          .join(", ")
      : (rule.labels.severity ?? "none"),
    ...(alert?.service !== undefined ? { service: alert.service } : {}),
    serviceCell: alert?.service !== undefined ? `\`${alert.service}\`` : serviceNote,
    summary: cell(readable(rule.annotations.summary ?? "")),
    for: rule.for,
    meaning: alert ? meaning(platform, alert) : readable(rule.annotations.summary ?? rule.alert),
    ...(alert && budgetNote(platform, alert) ? { budgetNote: budgetNote(platform, alert) } : {}),
    excludes: alert ? ownAlertServices(platform, alert.config) : [],
    replaces,
    expr: alert?.slo
      ? alert.slo.alerts
          .map((r) => `# ${SLO_SEVERITY_NAME[r.labels.severity as "critical"]} (${r.labels.severity})\n${r.expr}`)
          .join("\n\n")
      : rule.expr,
    ...(alert?.slo ? { slo: sloRunbook(alert.name, alert.slo) } : {}),
    ...(alert?.threshold
      ? {
          threshold: humanThreshold(alert.threshold),
          comparisonWords: alert.comparison === "<" ? "below" : "above",
          thresholdNote: `\`${promNumber(alert.value)}\` in the metric's unit, ${alert.unit}`,
        }
      : {}),
    dashboard: { uid: spec.uid, title: spec.title },
    panel: { id: panel.id, title: panel.title, path: `/d/${spec.uid}/?viewPanel=${panel.id}` },
    checks: alert ? serviceChecks(platform, alert) : genericChecks(platform, rule),
    escalation: escalation(platform, rule),
    inhibitedBy: a.inhibit
      .filter((i) => i.target.includes(rule.alert))
      .map((i) => ({ source: i.source, equal: i.equal })),
    inhibits: a.inhibit.filter((i) => i.source.includes(rule.alert)).map((i) => ({ target: i.target, equal: i.equal })),
  };
}

/** Every alert rule of the rule files, with its configured alert where it has one. */
function alertRules(platform: Platform): { rule: AlertRule; alert?: ModelAlert }[] {
  const model = monitoringModel(platform);
  const byName = new Map(model.alerts.map((a) => [a.name, a]));
  // An SLO's page and ticket share a name, and one runbook.
  const seen = new Set<string>();
  return model.ruleFiles.flatMap((f) =>
    f.group.rules.flatMap((r) => {
      if (!("alert" in r) || seen.has(r.alert)) return [];
      seen.add(r.alert);
      const alert = byName.get(r.alert);
      return [alert ? { rule: r, alert } : { rule: r }];
    }),
  );
}

/** The runbooks by file name under out/runbooks/: one per alert, and the index. */
export function runbookFiles(platform: Platform): Map<string, string> {
  const spec = dashboardSpec(platform);
  const dashboard = { spec, panels: alertPanels(spec) };
  const contexts = alertRules(platform).map(({ rule, alert }) => context(platform, dashboard, rule, alert));
  const files = new Map<string, string>();
  for (const c of contexts) files.set(c.file, render.runbook(c));
  files.set(RUNBOOK_INDEX, render.index({ header: GENERATED_HEADER, platform: platform.name, alerts: contexts }));
  return files;
}
