/**
 * Service level objectives as alerts (`monitoring.alerts.<Name>` with `kind: "slo"`): an objective over a period,
 * from an error counter and a request counter, alerted on the Google SRE workbook's way (as Sloth and Pyrra do):
 * multi-window, multi-burn-rate. The window table is here, once; the model (model/slo.ts) writes the rules from it,
 * and the schema holds every objective to what it can alert on.
 */
import { z } from "zod";
import { duration, formatDuration, inputTypeName, percent, type Duration } from "./units.ts";

/**
 * The burn-rate alerts (SRE workbook, "Alerting on SLOs", table 5-8): each spends `budgetShare` of the period's
 * error budget within `long`, and must still be burning over `short`, so it resets minutes after the burn stops.
 * Page (critical) on a fast burn, ticket (warning) on a slow one. The factor is `budgetShare × period / long`:
 * over 30 days 14.4, 6, 3 and 1, scaled for any other period. Windows in seconds.
 */
export const BURN_RATE_WINDOWS = [
  { severity: "critical", long: 3600, short: 300, budgetShare: 0.02 },
  { severity: "critical", long: 6 * 3600, short: 1800, budgetShare: 0.05 },
  { severity: "warning", long: 86400, short: 2 * 3600, budgetShare: 0.1 },
  { severity: "warning", long: 3 * 86400, short: 6 * 3600, budgetShare: 0.1 },
] as const satisfies readonly { severity: "critical" | "warning"; long: number; short: number; budgetShare: number }[];
export type BurnRateWindow = (typeof BURN_RATE_WINDOWS)[number];

/** The level of every series the SLO rules record (`slo:sli_error:ratio_rate5m`): no config rule records under it. */
export const SLO_RECORD_LEVEL = "slo";

/** What a person calls each severity of an SLO alert. */
export const SLO_SEVERITY_NAME = { critical: "page", warning: "ticket" } as const;

/** How many times faster than "exactly the whole budget over the period" a window's alert needs the errors to come. */
export function burnFactor(w: BurnRateWindow, periodSeconds: number): number {
  return Number(((w.budgetShare * periodSeconds) / w.long).toPrecision(12));
}

/** Every window a ratio is recorded over (long and short), shortest first: 5m, 30m, 1h, 2h, 6h, 1d, 3d. */
export const SLO_WINDOWS: readonly number[] = [...new Set(BURN_RATE_WINDOWS.flatMap((w) => [w.long, w.short]))].sort(
  (a, b) => a - b,
);

/** The longest window: a period must be longer, or its budget is spent before the slowest alert can see it. */
const LONGEST_WINDOW = Math.max(...SLO_WINDOWS);

/** A duration as the config writes it for the days of a period: "30d" for people, seconds inside. */
const DAYS_RE = /^([0-9]+)d$/;
const period = z
  .union([
    z
      .string()
      .regex(DAYS_RE)
      .transform((s) => Number(DAYS_RE.exec(s)![1]) * 86400)
      .describe('Whole days, like "30d".'),
    duration().describe('A duration like "720h".'),
  ])
  .describe('A duration in whole days ("30d", "28d") or hours ("720h").') as unknown as z.ZodType<
  number,
  `${number}d` | Duration
>;

// The declaration spells the input as the config writes it: whole days or a duration.
inputTypeName.add(period, { type: `\`\${number}d\` | Duration` });

export const sloAlertSchema = z
  .strictObject({
    kind: z
      .literal("slo")
      .describe("An error-ratio objective, alerted as multi-window multi-burn-rate alerts (page and ticket)."),
    service: z.string().describe("The service the objective is about (a key of `services`); the `service` label."),
    objective: percent().describe(
      'The share of requests that must succeed over `period`, like "99.9%"; the rest is the error budget.',
    ),
    period: period
      .prefault("30d")
      .describe('The period the objective holds over (a rolling window), like "30d" (the default) or "28d".'),
    metric: z
      .string()
      .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/)
      .describe("The error counter (failed requests); a counter of `monitoring.metrics` the service exposes."),
    per: z
      .string()
      .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/)
      .describe("The request counter (all requests); a counter of `monitoring.metrics` the service exposes."),
    summary: z
      .string()
      .min(1)
      .refine((s) => !s.replace(/\{\{\s*\$labels\.[a-zA-Z_][a-zA-Z0-9_]*\s*\}\}/g, "").includes("{{"), {
        error: "summaries may use {{ $labels.<name> }} templates only",
      })
      .describe("One line for the pager and the ticket; may use `{{ $labels.<name> }}` templates only."),
  })
  .superRefine((s, ctx) => {
    if (!(s.objective > 0 && s.objective < 1))
      ctx.addIssue({
        code: "custom",
        path: ["objective"],
        message:
          "an objective is above 0% and below 100% (100% leaves no error budget to burn), got " + pct(s.objective),
      });
    else {
      // The fastest burn an error ratio can show is 100% errors: a factor above 1 / budget can never fire.
      const budget = 1 - s.objective;
      const fastest = BURN_RATE_WINDOWS.find((w) => burnFactor(w, s.period) * budget >= 1);
      if (fastest !== undefined) {
        const factor = Math.max(...BURN_RATE_WINDOWS.map((w) => burnFactor(w, s.period)));
        ctx.addIssue({
          code: "custom",
          path: ["objective"],
          message:
            `${pct(s.objective)} leaves a ${pct(budget)} error budget: burning it ${burnFactor(fastest, s.period)} ` +
            `times too fast (the ${SLO_SEVERITY_NAME[fastest.severity]} alert over ${formatDuration(fastest.long)}) ` +
            `needs 100% errors or more, so that alert could never fire; declare an objective above ` +
            `${pct(Math.ceil((1 - 1 / factor) * 1e4) / 1e4)} for a ${formatDuration(s.period)} period`,
        });
      }
    }
    if (s.period <= LONGEST_WINDOW)
      ctx.addIssue({
        code: "custom",
        path: ["period"],
        message:
          `a period is longer than the slowest burn-rate window (${formatDuration(LONGEST_WINDOW)}), got ` +
          `${formatDuration(s.period)}; "30d" or "28d" is usual`,
      });
    if (s.metric === s.per)
      ctx.addIssue({
        code: "custom",
        path: ["per"],
        message: "the request counter is another metric than the error counter (their ratio would always be 1)",
      });
  })
  .describe(
    "An objective for one service's error ratio over a period; generates recording rules over 5m to 3d and two " +
      "alerts of this name: critical (page) on a fast burn of the error budget, warning (ticket) on a slow one.",
  );

export type SloAlert = z.output<typeof sloAlertSchema>;

const pct = (ratio: number) => `${Number((ratio * 100).toPrecision(12))}%`;
