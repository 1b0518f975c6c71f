/**
 * What an SLO alert's runbook says beyond any alert's (generators/runbooks.ts renders it): the objective and its
 * error budget, what a burn rate is, and the windows of its page and ticket, in words and as a table. Pure.
 */
import type { MetricDef, SloAlert } from "../schemas/observability.ts";
import { SLO_SEVERITY_NAME } from "../schemas/slo.ts";
import { describeSeconds } from "../model/monitoring.ts";
import { promWindow, sloRecordName, type SloModel } from "../model/slo.ts";

/** One row of the runbook's burn-rate table. */
export interface SloRow {
  alert: string;
  severity: string;
  factor: string;
  errorRatio: string;
  long: string;
  short: string;
  spent: string;
  /** How long a burn at exactly this rate takes to spend the whole budget. */
  exhausted: string;
}

export interface SloRunbook {
  objective: string;
  period: string;
  budget: string;
  rows: SloRow[];
  recorded: string;
}

const pct = (ratio: number) => `${Number((ratio * 100).toPrecision(6))}%`;
const help = (def: MetricDef | undefined) => (def?.help ?? "").replace(/\.$/, "");

/** Days where whole: "30 days", else the duration. */
const span = (seconds: number) =>
  seconds % 86400 === 0 ? `${seconds / 86400} day${seconds === 86400 ? "" : "s"}` : describeSeconds(seconds);

export function sloMeaning(c: SloAlert, slo: SloModel, metrics: Record<string, MetricDef>): string {
  const [fast] = slo.windows;
  return (
    `\`${c.service}\` promises that ${pct(slo.objective)} of its requests succeed over any ${span(slo.period)} ` +
    `(its objective). The other ${pct(slo.budget)} is its **error budget**: the failures it may spend in that time. ` +
    `The error ratio is the rate of \`${c.metric}\` (${help(metrics[c.metric])}) over the rate of \`${c.per}\` ` +
    `(${help(metrics[c.per])}).\n\n` +
    `The **burn rate** is how fast the budget is being spent: 1x spends exactly all of it in ${span(slo.period)}, ` +
    `${fast!.factor}x spends ${pct(fast!.budgetShare)} of it in ${span(fast!.long)}. Each alert reads two ` +
    "**windows**: a long one, which proves the burn has spent enough budget to matter, and a short one, which " +
    "proves the burn is still going on, so the alert stops minutes after the failures do, not hours.\n\n" +
    `The **${SLO_SEVERITY_NAME.critical}** (critical) means the budget burns so fast that it is gone within ` +
    "days: act " +
    `now. The **${SLO_SEVERITY_NAME.warning}** (warning) means the budget runs out before the ${span(slo.period)} ` +
    "are over at this pace: find and fix the cause in working hours."
  );
}

export function sloRunbook(name: string, slo: SloModel): SloRunbook {
  return {
    objective: pct(slo.objective),
    period: span(slo.period),
    budget: pct(slo.budget),
    rows: slo.windows.map((w) => ({
      alert: SLO_SEVERITY_NAME[w.severity],
      severity: w.severity,
      factor: `${w.factor}x`,
      errorRatio: pct(w.errorRatio),
      long: span(w.long),
      short: describeSeconds(w.short),
      spent: pct(w.budgetShare),
      exhausted: span(Math.round(slo.period / w.factor)),
    })),
    recorded:
      `\`${sloRecordName(slo.windows[0]!.short).replace(/[0-9]+[a-z]+$/, "<window>")}{slo="${name}"}\` for ` +
      `${[...new Set(slo.windows.flatMap((w) => [w.short, w.long]))]
        .sort((a, b) => a - b)
        .map((w) => `\`${promWindow(w)}\``)
        .join(", ")} and the period, \`${promWindow(slo.period)}\``,
  };
}
