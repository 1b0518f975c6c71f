import { CONFIG_FILE, type Finding } from "../../core/finding.ts";
import { bucketsIn, monitoringModel, SECONDS_PER_UNIT, type ModelAlert, WELL_UNDER } from "../../model/monitoring.ts";
import type { MetricDef, MetricUnit } from "../../schemas/observability.ts";
import { findingOf, type ConfigCheck } from "../check.ts";

/**
 * The widest the bucket that ends at a threshold may be, as a share of the threshold: 25% keeps a p99 read just
 * under the threshold within a quarter of it of the real value (the real config's 2.5 µs → 2.75 µs is 9%;
 * client-library defaults are 50% to 60% wide).
 */
export const MAX_BUCKET_WIDTH = 0.25;

/** Float noise of unit conversion: a boundary equal to the threshold to 9 digits is the threshold. */
const same = (a: number, b: number) => Math.abs(a - b) <= Math.abs(b) * 1e-9;

/** A value of the metric for people: "2.75 µs", "4.95 ms", "2.5 s" for latency, the number otherwise. */
function show(unit: MetricUnit, v: number): string {
  const perUnit = SECONDS_PER_UNIT[unit];
  if (perUnit === undefined) return String(v);
  const s = v * perUnit;
  const [scale, name] = s === 0 ? [1, "s"] : s < 1e-3 ? [1e6, "µs"] : s < 1 ? [1e3, "ms"] : [1, "s"];
  return `${Number((s * scale).toPrecision(6))} ${name}`;
}

/** p99, p99.9, p50. */
const quantileName = (q: number) => `p${Number((q * 100).toPrecision(6))}`;

interface Problem {
  message: string;
  hint: string;
}

/**
 * Why `histogram_quantile` cannot decide the alert from these buckets, or undefined when it can: the threshold
 * must be a boundary (then "the quantile is above it" means exactly "more than 1 − q of the observations are"),
 * a ">" alert needs a finite boundary above it (a quantile in the +Inf bucket reads as the largest finite
 * boundary, so it never exceeds that), and the bucket that ends at it must be at most MAX_BUCKET_WIDTH wide.
 */
export function bucketProblem(alert: ModelAlert, def: MetricDef, quantile: number): Problem | undefined {
  const bounds = bucketsIn(def);
  const t = alert.value;
  const u = def.unit;
  const p = quantileName(quantile);
  const metric = alert.metric!;
  const threshold = `${show(u, t)}${alert.thresholdFrom === "budget" ? " (its tier's latency budget)" : ""}`;
  const head = `alert ${alert.name} compares the ${p} of histogram ${metric} with ${threshold}`;
  const below = bounds.filter((b) => b < t && !same(b, t)).at(-1) ?? 0;
  const above = bounds.find((b) => b > t && !same(b, t));
  const minBelow = t * (1 - MAX_BUCKET_WIDTH);
  const wanted =
    `declare ${show(u, t)} as a boundary in monitoring.metrics.${metric}.buckets, with the boundary below it at ` +
    `${show(u, minBelow)} or more and one above it (and have the services export the same buckets)`;
  if (!bounds.some((b) => same(b, t))) {
    const reads = above !== undefined ? below + quantile * (above - below) : below;
    const range = `(${show(u, below)}, ${above !== undefined ? show(u, above) : "+Inf"}]`;
    return {
      message:
        `${head}, which is not one of its bucket boundaries (${bounds.map((b) => show(u, b)).join(", ")}): ` +
        `histogram_quantile only knows that a latency lies in the bucket ${range} and interpolates inside it, so ` +
        `with every observation there, a healthy ${show(u, t * WELL_UNDER)} included, the ${p} ` +
        `reads as ${show(u, Number(reads.toPrecision(12)))} whatever the real latency`,
      hint: wanted,
    };
  }
  if (alert.comparison === ">" && above === undefined)
    return {
      message:
        `${head}, its largest bucket boundary: histogram_quantile reads a ${p} in the +Inf bucket as that ` +
        `boundary, ${show(u, t)}, so the ${p} never reads above it and the alert can never fire`,
      hint: `${wanted}; a boundary above the threshold lets a slower ${p} read as slower`,
    };
  const width = (t - below) / t;
  if (width > MAX_BUCKET_WIDTH * (1 + 1e-9))
    return {
      message:
        `${head}, whose bucket (${show(u, below)}, ${show(u, t)}] is ${Math.round(width * 100)}% of it wide ` +
        `(at most ${MAX_BUCKET_WIDTH * 100}%): histogram_quantile interpolates inside that bucket, so a ${p} read ` +
        `just under the threshold may be any real latency down to ${show(u, below)}, and a latency approaching ` +
        `the threshold cannot be seen before it crosses`,
      hint: wanted,
    };
  return undefined;
}

/**
 * A threshold alert on a histogram compares `histogram_quantile` of its buckets, which can only be as precise as
 * the buckets: with client-library defaults (smallest 5 ms) a 1 µs latency reads as about 5 ms and a 2.75 µs
 * alert fires constantly. Judged on the config as written (environments change no monitoring input).
 */
export const histogramBuckets: ConfigCheck = {
  id: "platform/histogram-buckets",
  needs: "config",
  description: "A threshold alert on a histogram has a threshold its declared buckets resolve.",
  severity: "error",
  doc: {
    catches:
      "A `threshold` alert on a `histogram` metric whose threshold (its own, or its tier's latency budget) is " +
      "not one of the metric's declared `buckets`; or, comparing `>`, is the largest of them; or whose bucket " +
      `(the boundary below it up to it) is more than ${MAX_BUCKET_WIDTH * 100}% of the threshold wide.`,
    why:
      "`histogram_quantile` knows only which bucket a quantile falls in and interpolates linearly inside it. " +
      "With client-library default buckets (smallest 5 ms) a real 1 µs p99 reads as 4.95 ms, so a 2.75 µs alert " +
      "pages on healthy traffic, all day. With the threshold a boundary, the quantile reads above it exactly " +
      "when more than 1 − q of the observations are above it; with no boundary above it, a quantile in the +Inf " +
      "bucket reads as the threshold itself and the alert never fires; with a wide bucket below it, a reading " +
      "just under the threshold says little about the real latency.",
    fix:
      "Add the threshold to `monitoring.metrics.<metric>.buckets` with close neighbours (e.g. " +
      '`["2us", "2.5us", "2.75us", "3us", "5us", ...]` for a 2.75 µs budget), and have the services export ' +
      "exactly these buckets: the catalogue is the contract they implement.",
    example: {
      config: {
        monitoring: {
          metrics: {
            nautilus_order_processing_duration_seconds: {
              buckets: ["5ms", "10ms", "25ms", "50ms", "100ms", "250ms", "500ms", "1s", "2.5s", "5s", "10s"],
            },
          },
        },
      },
    },
  },
  run({ platform }) {
    const model = monitoringModel(platform);
    const findings: Finding[] = [];
    for (const alert of model.alerts) {
      const a = alert.config;
      if (a.kind !== "threshold" || alert.threshold === undefined) continue;
      const def = model.metrics[a.metric];
      if (def?.type !== "histogram") continue;
      const problem = bucketProblem(alert, def, a.quantile);
      if (problem)
        findings.push(
          findingOf(this, { file: CONFIG_FILE, path: `monitoring.metrics.${a.metric}.buckets`, ...problem }),
        );
    }
    return findings;
  },
};
