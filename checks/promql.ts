/**
 * Every PromQL expression we ship (alerting and recording rules, dashboard targets, as the monitoring
 * model holds them: no generated file is read back) parses, and
 * every metric it reads is one the config declares: a catalogue metric, the `_bucket`, `_sum` or
 * `_count` series of a catalogued histogram, a recording rule (the config's, or the generated service
 * inventory), or one Prometheus makes itself
 * (`up`, `ALERTS`). A misspelt metric name is otherwise silent: the query returns nothing and the
 * alert never fires. Parsing is by @prometheus-io/lezer-promql, the parser of Prometheus' own UI.
 */
import { parser } from "@prometheus-io/lezer-promql";
import type { SyntaxNode } from "@lezer/common";
import { OBSERVABILITY_OUT } from "../core/layout.ts";
import { INVENTORY_RECORD, type Monitoring } from "../schemas/observability.ts";
import type { Platform } from "../schemas/platform.ts";
import type { Finding } from "../core/finding.ts";
import type { ConfigCheck, ConfigContext } from "./check.ts";
import { dashboardSpec, KUBE_STATE_METRICS } from "../model/dashboard.ts";
import { monitoringModel } from "../model/monitoring.ts";
import { CONFIG_FILE } from "../core/finding.ts";

const ENGINE = "promql";
/** Series Prometheus writes itself. */
const BUILT_IN = [
  "up",
  "ALERTS",
  "ALERTS_FOR_STATE",
  "scrape_duration_seconds",
  "scrape_samples_scraped",
  "scrape_series_added",
  "scrape_samples_post_metric_relabeling",
];

export interface PromqlExpression {
  /** Who uses it, for the message: `recording rule "X"` or `panel "T" (id 3) of dashboard uid`. */
  owner: string;
  file: string;
  path: string;
  expr: string;
}

/** Metric names an expression reads, or the syntax errors that stop it from parsing. */
export function analyse(expr: string): { errors: { from: number; to: number }[]; metrics: string[] } {
  const tree = parser.parse(expr);
  const errors: { from: number; to: number }[] = [];
  const metrics: string[] = [];
  const cursor = tree.cursor();
  do {
    const node = cursor.node;
    if (node.type.isError) errors.push({ from: node.from, to: node.to });
    else if (node.name === "VectorSelector") {
      const id = node.getChild("Identifier");
      if (id) metrics.push(expr.slice(id.from, id.to));
      for (const name of nameMatchers(node, expr)) metrics.push(name);
    }
  } while (cursor.next());
  return { errors, metrics: [...new Set(metrics)] };
}

/** `{__name__="x"}` selects metric x as surely as `x{}` does. */
function nameMatchers(selector: SyntaxNode, expr: string): string[] {
  const out: string[] = [];
  const matchers = selector.getChild("LabelMatchers");
  for (const m of matchers?.getChildren("UnquotedLabelMatcher") ?? []) {
    const label = m.getChild("LabelName");
    const op = m.getChild("MatchOp")?.firstChild;
    const value = m.getChild("StringLiteral");
    if (label && value && op?.name === "EqlSingle" && expr.slice(label.from, label.to) === "__name__")
      out.push(expr.slice(value.from + 1, value.to - 1));
  }
  return out;
}

/**
 * The expressions of the monitoring model: recording rules as the config writes them, each alert's
 * generated expression, and every dashboard target, each named by where a person fixes it.
 */
export function modelExpressions(platform: Platform, outDir = "out"): PromqlExpression[] {
  const model = monitoringModel(platform);
  const expressions: PromqlExpression[] = [];
  for (const r of model.recordingRules)
    expressions.push({
      owner: `recording rule "${r.record}"`,
      file: CONFIG_FILE,
      path: `monitoring.recordingRules.${r.record}.expr`,
      expr: r.expr,
    });
  for (const a of model.alerts)
    for (const expr of [
      ...(a.slo?.recordingRules.map((r) => r.expr) ?? []),
      ...(a.slo?.alerts ?? [a.rule]).map((r) => r.expr),
    ])
      expressions.push({
        owner: `alert "${a.name}"`,
        file: CONFIG_FILE,
        path: `monitoring.alerts.${a.name}`,
        expr,
      });
  const d = dashboardSpec(platform);
  const file = `${outDir}/${OBSERVABILITY_OUT.dashboards}/${d.uid}.json`;
  // The dashboard's panel list as Grafana stores it: the top panels, then each row followed by its panels.
  const flat = [...d.panels, ...d.rows.flatMap((r) => [undefined, ...r.panels])];
  for (const [pi, panel] of flat.entries()) {
    for (const [ti, t] of (panel?.targets ?? []).entries())
      expressions.push({
        owner: `panel "${panel!.title}" (id ${panel!.id}) of dashboard ${d.uid}`,
        file,
        path: `panels[${pi}].targets[${ti}].expr`,
        expr: t.expr,
      });
  }
  return expressions;
}

/** Metrics a query may read: the catalogue and what it derives, recording rules, built-ins. */
export function knownMetrics(
  monitoring: Monitoring,
  recorded: Iterable<string> = Object.keys(monitoring.recordingRules),
): Set<string> {
  // The dashboard reads HPA bounds from kube-state-metrics (model/dashboard.ts) rather than baking them in.
  // The service inventory is recorded for every platform (model/service-inventory.ts), whatever the config declares.
  const known = new Set<string>([...BUILT_IN, ...KUBE_STATE_METRICS, INVENTORY_RECORD, ...recorded]);
  for (const [name, def] of Object.entries(monitoring.metrics)) {
    known.add(name);
    if (def.type === "histogram") for (const s of ["_bucket", "_sum", "_count"]) known.add(name + s);
  }
  return known;
}

export function checkExpressions(expressions: readonly PromqlExpression[], known: ReadonlySet<string>): Finding[] {
  const findings: Finding[] = [];
  for (const e of expressions) {
    const { errors, metrics } = analyse(e.expr);
    if (errors.length > 0) {
      const at = errors[0]!.from;
      findings.push({
        engine: ENGINE,
        rule: "parse-error",
        severity: "error",
        file: e.file,
        path: e.path,
        message:
          `${e.owner}: the PromQL does not parse at column ${at + 1}: ` +
          `${JSON.stringify(e.expr.slice(Math.max(0, at - 20), at + 20))}`,
      });
      continue;
    }
    for (const m of metrics) {
      if (known.has(m)) continue;
      const near = closest(m, known);
      findings.push({
        engine: ENGINE,
        rule: "unknown-metric",
        severity: "error",
        file: e.file,
        path: e.path,
        message:
          `${e.owner} reads ${m}, which is not in the metric catalogue (monitoring.metrics), a ` +
          `histogram series of it, a recording rule or a Prometheus built-in`,
        hint: near
          ? `did you mean ${near}? Otherwise declare ${m} in monitoring.metrics of platform.config.ts`
          : `declare ${m} in monitoring.metrics of platform.config.ts`,
      });
    }
  }
  return findings;
}

/** The PromQL check over the monitoring model, against the config's catalogue and recording rules. */
export function checkPromql(platform: Platform, outDir = "out"): Finding[] {
  // An SLO alert's recorded error ratios (model/slo.ts) are recording rules too.
  const recorded = [
    ...Object.keys(platform.monitoring.recordingRules),
    ...monitoringModel(platform).alerts.flatMap((a) => a.slo?.recordingRules.map((r) => r.record) ?? []),
  ];
  return checkExpressions(modelExpressions(platform, outDir), knownMetrics(platform.monitoring, recorded));
}

function closest(name: string, known: ReadonlySet<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(3, Math.floor(name.length / 5)) + 1;
  for (const k of known) {
    const d = distance(name, k);
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

const shipped = (ctx: ConfigContext) => checkPromql(ctx.platform, ctx.out.dir);

export const promqlParseError: ConfigCheck = {
  id: "promql/parse-error",
  needs: "config",
  description: "Every PromQL expression of the rules and dashboards parses.",
  severity: "error",
  doc: {
    catches:
      "An alerting rule, recording rule or dashboard panel query whose PromQL does not parse, by the parser of " +
      "Prometheus' own UI (`@prometheus-io/lezer-promql`); the finding shows the column and the text around it.",
    why:
      "Prometheus refuses to load a rule file with one bad expression, so every rule of that file stops; a " +
      "dashboard panel with a bad query shows an error instead of the metric during an incident.",
    fix: "Correct the expression in `monitoring.alerts`, `monitoring.recordingRules` or the dashboard config.",
    example: {
      config: {
        monitoring: { recordingRules: { "service:nautilus_error_ratio:rate5m": { expr: "sum(rate(x[5m])" } } },
      },
    },
  },
  run(ctx) {
    return shipped(ctx).filter((f) => f.rule !== "unknown-metric");
  },
};

export const promqlUnknownMetric: ConfigCheck = {
  id: "promql/unknown-metric",
  needs: "config",
  description: "Every metric a PromQL expression reads is catalogued, recorded, or made by Prometheus.",
  severity: "error",
  doc: {
    catches:
      "A metric read by an alert, recording rule or dashboard query that is not in `monitoring.metrics`, not " +
      "the `_bucket`, `_sum` or `_count` series of a catalogued histogram, not a recording rule and not one " +
      "Prometheus writes itself (`up`, `ALERTS`, `scrape_*`). A close catalogue name is suggested.",
    why:
      "A misspelt metric is silent: the query returns no series, the alert never fires and the panel stays " +
      "empty, which looks exactly like a healthy system.",
    fix: "Correct the name, or declare the metric in `monitoring.metrics` with its type, unit and services.",
    example: {
      config: {
        monitoring: {
          recordingRules: {
            "service:nautilus_error_ratio:rate5m": {
              expr:
                "sum by (service) (rate(nautilus_error_total[5m])) / " +
                "sum by (service) (rate(nautilus_requests_total[5m]))",
            },
          },
        },
      },
    },
  },
  run(ctx) {
    return shipped(ctx).filter((f) => f.rule === "unknown-metric");
  },
};
