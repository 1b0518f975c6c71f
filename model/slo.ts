/**
 * The rules of an SLO alert (`kind: "slo"`), the SRE workbook's way as Sloth and Pyrra write them: the service's
 * error ratio recorded over every window of the burn-rate table (schemas/slo.ts) and over the period, and two alerts
 * of the SLO's name, a page (critical) and a ticket (warning), each firing when the budget burns faster than its
 * factor over a long window and still does over the short one. No `for`: the short window already demands a burn
 * that is still going on, and a `for` would only delay the alert by as much (the workbook's advice). Pure.
 */
import { BURN_RATE_WINDOWS, burnFactor, SLO_RECORD_LEVEL, type SloAlert } from "../schemas/slo.ts";
import { formatDuration } from "../schemas/units.ts";
import type { AlertRule as Rule, RecordingRule as Recording } from "./monitoring.ts";

/** The SLO label on every recorded ratio and both alerts: which objective a series is about. */
export const SLO_LABEL = "slo";

/** One row of the burn-rate table for this SLO's period: its factor and the error ratio it alerts at. */
export interface SloWindow {
  severity: "critical" | "warning";
  long: number;
  short: number;
  budgetShare: number;
  factor: number;
  /** factor × budget: the error ratio both windows must exceed. */
  errorRatio: number;
}

export interface SloModel {
  name: string;
  service: string;
  objective: number;
  period: number;
  /** 1 − objective: the share of requests allowed to fail over the period. */
  budget: number;
  windows: SloWindow[];
  recordingRules: Recording[];
  /** The page (critical), then the ticket (warning): two rules of one alert name. */
  alerts: [Rule, Rule];
  /** The recorded error ratio over a window (seconds) of the table, or the period. */
  ratio: (window: number) => string;
  /** How many times faster than the objective allows the budget burns over a window: the ratio over the budget. */
  burnRate: (window: number) => string;
  /** The share of the period's error budget not yet spent (negative once overspent). */
  budgetRemaining: string;
}

/** A window in a recorded series' name and in PromQL: days where whole ("1d", "30d"), as Sloth and Pyrra name them. */
export function promWindow(seconds: number): string {
  return seconds % 86400 === 0 ? `${seconds / 86400}d` : formatDuration(seconds);
}

const round = (n: number) => Number(n.toPrecision(12));

/** `recordName(300)` → `slo:sli_error:ratio_rate5m`. */
export function sloRecordName(window: number): string {
  return `${SLO_RECORD_LEVEL}:sli_error:ratio_rate${promWindow(window)}`;
}

/**
 * The model of one SLO. `jobSelector` narrows the counters to the service's scrape job; the recording rules set
 * `service` themselves, so no label is read from the job.
 */
export function sloModel(name: string, s: SloAlert, jobSelector: string): SloModel {
  const budget = round(1 - s.objective);
  const labels = { service: s.service, [SLO_LABEL]: name };
  const sel = `{${SLO_LABEL}="${name}"}`;
  const ratio = (w: number) => `${sloRecordName(w)}${sel}`;
  const windows: SloWindow[] = BURN_RATE_WINDOWS.map((w) => {
    const factor = burnFactor(w, s.period);
    return { ...w, factor, errorRatio: round(factor * budget) };
  });
  const recorded = [...new Set(windows.flatMap((w) => [w.short, w.long]))].sort((a, b) => a - b);
  const rate = (metric: string, w: number) => `sum(rate(${metric}${jobSelector}[${promWindow(w)}]))`;
  const recordingRules: Recording[] = [
    ...recorded.map((w) => ({
      record: sloRecordName(w),
      expr: `${rate(s.metric, w)} / ${rate(s.per, w)}`,
      labels,
    })),
    // The period's ratio averages the 5m one, as Sloth does: a rate over 30 days of raw counters is costly.
    {
      record: sloRecordName(s.period),
      expr: `avg_over_time(${ratio(recorded[0]!)}[${promWindow(s.period)}])`,
      labels,
    },
  ];
  const alert = (severity: SloWindow["severity"]): Rule => {
    const pairs = windows
      .filter((w) => w.severity === severity)
      .map((w) => {
        const over = `(${w.factor} * ${budget})`;
        return `(${ratio(w.long)} > ${over} and ${ratio(w.short)} > ${over})`;
      });
    return {
      alert: name,
      expr: pairs.join(" or "),
      for: "0s",
      labels: { severity, ...labels },
      annotations: { summary: s.summary },
    };
  };
  return {
    name,
    service: s.service,
    objective: s.objective,
    period: s.period,
    budget,
    windows,
    recordingRules,
    alerts: [alert("critical"), alert("warning")],
    ratio,
    burnRate: (w) => `${ratio(w)} / ${budget}`,
    budgetRemaining: `1 - ${ratio(s.period)} / ${budget}`,
  };
}
