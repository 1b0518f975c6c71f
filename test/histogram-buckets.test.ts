/**
 * Histogram buckets are declared in the metric catalogue (typed, required, strictly increasing, positive), and
 * platform/histogram-buckets refuses a threshold alert whose threshold they cannot resolve: not a boundary, the
 * largest boundary, or a bucket below it wider than MAX_BUCKET_WIDTH.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { histogramBuckets, MAX_BUCKET_WIDTH } from "../checks/platform/histogram-buckets.ts";
import { findingLine, type Finding } from "../core/finding.ts";
import { parsePlatform } from "../schemas/parse.ts";
import { configInput, platformOf } from "./support/config.ts";

const ORDERS = "nautilus_order_processing_duration_seconds";
const POSITIONS = "nautilus_position_update_duration_seconds";
/** Client-library default buckets (Go, Java, Python): the smallest is 5 ms. */
const CLIENT_DEFAULTS = ["5ms", "10ms", "25ms", "50ms", "100ms", "250ms", "500ms", "1s", "2.5s", "5s", "10s"];

const run = (overrides: unknown): Finding[] => {
  const platform = platformOf(overrides);
  return histogramBuckets.run({ environments: [], platform, out: { dir: "out", files: new Map() } });
};
const withBuckets = (buckets: unknown, extra: Record<string, unknown> = {}) => ({
  monitoring: { metrics: { [ORDERS]: { buckets } }, ...extra },
});
const lines = (findings: Finding[]) => findings.map((f) => `${f.engine}/${f.rule} ${f.path}: ${f.message}`);

test("the real config's buckets resolve both histogram alerts", () => {
  assert.equal(run({}), []);
});

test("client-library default buckets under a 2.75 µs alert are refused, naming the metric and the threshold", () => {
  const findings = run(withBuckets(CLIENT_DEFAULTS));
  assert.equal(lines(findings), [
    `platform/histogram-buckets monitoring.metrics.${ORDERS}.buckets: alert OrderManagerP99LatencyHigh compares ` +
      `the p99 of histogram ${ORDERS} with 2.75 µs (its tier's latency budget), which is not one of its bucket ` +
      "boundaries (5 ms, 10 ms, 25 ms, 50 ms, 100 ms, 250 ms, 500 ms, 1 s, 2.5 s, 5 s, 10 s): histogram_quantile " +
      "only knows that a latency lies in the bucket (0 s, 5 ms] and interpolates inside it, so with every " +
      "observation there, a healthy 1.1 µs included, the p99 reads as 4.95 ms whatever the real latency",
  ]);
  assert.is(findings[0]!.severity, "error");
  assert.ok(findings[0]!.hint?.includes("declare 2.75 µs as a boundary"), findings[0]!.hint);
  assert.ok(findings[0]!.hint?.includes("at 2.0625 µs or more"), findings[0]!.hint);
});

const rows: { description: string; overrides: unknown; expect: string | undefined }[] = [
  {
    description: "a boundary at the threshold with close neighbours passes",
    overrides: withBuckets(["2.5us", "2.75us", "3us"]),
    expect: undefined,
  },
  {
    description: `a neighbour below exactly ${MAX_BUCKET_WIDTH * 100}% under the threshold passes`,
    overrides: withBuckets(["2.0625us", "2.75us", "3us"]),
    expect: undefined,
  },
  {
    description: "a threshold between two fine boundaries is still not a boundary",
    overrides: withBuckets(["2.7us", "2.8us"]),
    expect: "which is not one of its bucket boundaries (2.7 µs, 2.8 µs)",
  },
  {
    description: "a threshold above every boundary says the quantile reads as the largest boundary",
    overrides: withBuckets(["1us", "2us"]),
    expect:
      "lies in the bucket (2 µs, +Inf] and interpolates inside it, so with every observation there, a " +
      "healthy 1.1 µs included, the p99 reads as 2 µs",
  },
  {
    description: "the threshold as the largest boundary can never fire",
    overrides: withBuckets(["2.5us", "2.75us"]),
    expect:
      "its largest bucket boundary: histogram_quantile reads a p99 in the +Inf bucket as that boundary, " +
      "2.75 µs, so the p99 never reads above it and the alert can never fire",
  },
  {
    description: "a bucket below the threshold wider than the limit is too coarse",
    overrides: withBuckets(["1us", "2.75us", "5us"]),
    expect: `whose bucket (1 µs, 2.75 µs] is 64% of it wide (at most ${MAX_BUCKET_WIDTH * 100}%)`,
  },
  {
    description: "the threshold as the smallest boundary has a bucket from zero, 100% wide",
    overrides: withBuckets(["2.75us", "3us"]),
    expect: "whose bucket (0 s, 2.75 µs] is 100% of it wide",
  },
  {
    description: "an alert's own threshold is judged, not only the budget",
    overrides: { monitoring: { alerts: { OrderManagerP99LatencyHigh: { threshold: "2.6us" } } } },
    expect: `compares the p99 of histogram ${ORDERS} with 2.6 µs, which is not one of its bucket boundaries`,
  },
  {
    description: "another quantile is named as such",
    overrides: { monitoring: { alerts: { OrderManagerP99LatencyHigh: { quantile: 0.999, threshold: "2.6us" } } } },
    expect: "compares the p99.9 of histogram",
  },
];

for (const row of rows)
  test(row.description, () => {
    const found = lines(run(row.overrides));
    if (row.expect === undefined) assert.equal(found, []);
    else {
      assert.is(found.length, 1, found.join("\n"));
      assert.ok(found[0]!.includes(row.expect), found[0]);
      assert.ok(found[0]!.startsWith(`platform/histogram-buckets monitoring.metrics.${ORDERS}.buckets: `), found[0]);
    }
  });

test("each histogram alert is judged on its own metric's buckets", () => {
  const findings = run({ monitoring: { metrics: { [POSITIONS]: { buckets: CLIENT_DEFAULTS } } } });
  assert.equal(
    findings.map((f) => f.path),
    [`monitoring.metrics.${POSITIONS}.buckets`],
  );
  assert.ok(findings[0]!.message.startsWith("alert PositionKeeperP99LatencyHigh"), findings[0]!.message);
});

/** The config errors of a change, as `path: message`. */
function configErrors(overrides: unknown): string[] {
  const parsed = parsePlatform(configInput(overrides));
  return parsed.ok ? [] : parsed.errors.map((f) => `${f.path}: ${f.message}`);
}

test("a histogram without buckets is a config error naming the metric", () => {
  const errors = configErrors({ monitoring: { metrics: { [ORDERS]: { buckets: null } } } });
  assert.is(errors.length, 1, errors.join("\n"));
  assert.ok(errors[0]!.startsWith(`monitoring.metrics.${ORDERS}.buckets: required for a histogram`), errors[0]);
});

test("bucket boundaries are strictly increasing, positive, and typed like the metric's thresholds", () => {
  const at = (i: number) => `monitoring.metrics.${ORDERS}.buckets[${i}]`;
  assert.equal(configErrors(withBuckets(["1us", "3us", "2us"])), [
    `${at(2)}: bucket boundaries are strictly increasing: "2us" follows "3us"`,
  ]);
  assert.equal(configErrors(withBuckets(["1us", "1000ns"])), [
    `${at(1)}: bucket boundaries are strictly increasing: "1us" follows "1us"`,
  ]);
  assert.equal(configErrors(withBuckets(["0us", "1us"])), [
    `${at(0)}: bucket boundaries are positive and finite (+Inf is implied), got "0us"`,
  ]);
  assert.equal(configErrors(withBuckets([0.000001, "2us"])), [
    `${at(0)}: the metric is in seconds: write each bucket boundary as a duration like "3us"`,
  ]);
  assert.ok(configErrors(withBuckets(["fast"]))[0]?.startsWith(`${at(0)}: expected a duration like "3us"`));
  assert.ok(configErrors(withBuckets([])).some((e) => e.includes("declare at least one bucket boundary")));
});

test("only a histogram has buckets", () => {
  assert.equal(configErrors({ monitoring: { metrics: { nautilus_messages_total: { buckets: ["1us"] } } } }), [
    "monitoring.metrics.nautilus_messages_total.buckets: only a histogram has buckets; this metric is a counter",
  ]);
});

test("a histogram of counts takes plain numbers as boundaries", () => {
  const parsed = parsePlatform(
    configInput({
      monitoring: {
        metrics: {
          nautilus_batch_size: {
            type: "histogram",
            unit: "count",
            services: ["order-manager"],
            help: "Orders per batch.",
            buckets: [1, 2, 4, 8],
          },
        },
      },
    }),
  );
  assert.ok(parsed.ok, parsed.ok ? "" : parsed.errors.map(findingLine).join("\n"));
});

test.run();
