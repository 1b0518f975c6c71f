import { test } from "uvu";
import * as assert from "uvu/assert";
import config from "../platform.config.ts";
import { generateBundle } from "../generators/bundle.ts";
import { analyse, checkExpressions, checkPromql, knownMetrics, modelExpressions } from "../checks/promql.ts";
import { runPromtool } from "../engines/promtool.ts";
import { runTool, type ToolRunner } from "../engines/tool-runner.ts";
import { META_ALERTS } from "../schemas/alerting.ts";
import { findingLine, type Finding } from "../core/finding.ts";
import { parsePlatform } from "../schemas/parse.ts";
import type { Platform, PlatformInput } from "../schemas/platform.ts";

function platform(change: (c: PlatformInput) => void = () => {}): Platform {
  const c = structuredClone(config);
  change(c);
  const parsed = parsePlatform(c);
  if (!parsed.ok) throw new Error(parsed.errors.map(findingLine).join("\n"));
  return parsed.platform;
}

function files(p: Platform): Map<string, string> {
  const result = generateBundle(p);
  if (!result.ok) throw new Error(result.errors.map(findingLine).join("\n"));
  return new Map(
    [...result.bundle.files].filter(([path]) => path.startsWith("prometheus/") || path.startsWith("grafana/")),
  );
}

const errorsOf = (findings: Finding[]) => findings.filter((f) => f.severity === "error");
const show = (findings: Finding[]) => findings.map((f) => `${f.rule} ${f.file}: ${f.message}`).join("\n");

const real = files(platform());

test("real promtool check rules, check config and test rules pass on the generated output", () => {
  const findings = runPromtool(real);
  assert.equal(errorsOf(findings), [], show(findings));
  // Every alert has its own unit test file, so each was exercised; the heartbeat (Watchdog) and each
  // meta-monitoring alert have one too.
  assert.is(
    [...real.keys()].filter((p) => p.startsWith("prometheus/tests/")).length,
    Object.keys(config.monitoring.alerts).length + 1 + Object.keys(META_ALERTS).length,
  );
  assert.ok(real.has(`prometheus/tests/${config.monitoring.alerting.heartbeat.alert ?? "Watchdog"}.yaml`));
});

test("a seconds histogram alert's generated boundary tests pass under the real promtool", () => {
  const p = platform((c) => {
    c.monitoring.metrics.nautilus_risk_check_duration_seconds = {
      type: "histogram",
      unit: "seconds",
      services: ["risk-engine"],
      help: "Risk check latency.",
      buckets: ["1us", "2us", "2.5us", "2.75us", "3us", "5us", "10us"],
    };
    const a = c.monitoring.alerts.RiskEngineP99LatencyHigh!;
    if (a.kind === "threshold") [a.metric, a.over] = ["nautilus_risk_check_duration_seconds", undefined];
  });
  const findings = runPromtool(files(p));
  assert.equal(errorsOf(findings), [], show(findings));
});

test("the histogram tests feed bucket-shaped series, so client-library default buckets fail them", () => {
  // The tests are generated from the declared buckets; with the defaults (smallest 5 ms) a healthy 1.1 µs reads
  // as 4.95 ms, so the test that must stay quiet fires. (platform/histogram-buckets refuses this config first.)
  const defaults = platform((c) => {
    c.monitoring.metrics.nautilus_order_processing_duration_seconds!.buckets = [
      "5ms",
      "10ms",
      "25ms",
      "50ms",
      "100ms",
      "250ms",
      "500ms",
      "1s",
      "2.5s",
      "5s",
      "10s",
    ];
  });
  const generated = files(defaults);
  const file = "prometheus/tests/OrderManagerP99LatencyHigh.yaml";
  assert.ok(generated.get(file)!.includes('le="0.005"'), generated.get(file));
  const findings = errorsOf(runPromtool(generated));
  assert.ok(
    findings.some((f) => f.rule === "test-rules" && f.file === `out/${file}`),
    show(findings),
  );
  assert.ok(
    findings.some((f) => /1\.1e-06|well on the quiet side/.test(f.message)),
    show(findings),
  );
  assert.not.ok(
    findings.some((f) => f.file === "out/prometheus/tests/PositionKeeperP99LatencyHigh.yaml"),
    show(findings),
  );
});

test("the real buckets: a healthy 1.1 µs stays quiet, a 2% tail just past 2.75 µs fires", () => {
  const content = real.get("prometheus/tests/OrderManagerP99LatencyHigh.yaml")!;
  assert.ok(content.includes("every observation at 1.1e-06, well on the quiet side"), content);
  assert.ok(content.includes("98% at 1.1e-06 and 2% at 2.7775e-06, just past the threshold"), content);
  // The series are the declared buckets and +Inf, nothing placed at the threshold's convenience.
  const les = [...new Set([...content.matchAll(/le="([^"]+)"/g)].map((m) => m[1]))];
  assert.equal(les, [
    "5e-07",
    "1e-06",
    "1.5e-06",
    "2e-06",
    "2.25e-06",
    "2.5e-06",
    "2.75e-06",
    "3e-06",
    "3.5e-06",
    "5e-06",
    "1e-05",
    "2.5e-05",
    "0.0001",
    "0.001",
    "0.01",
    "0.1",
    "1",
    "+Inf",
  ]);
});

test("a broken rule fails promtool check rules, naming the file", () => {
  const broken = new Map(real);
  const path = "prometheus/rules/nautilus-alerts.yaml";
  broken.set(
    path,
    real
      .get(path)!
      .replace(
        "max_over_time(nautilus_risk_check_latency_microseconds_p99[10s]) > 2.75",
        "max_over_time(nautilus_risk_check_latency_microseconds_p99[10s]) > > 2.75",
      ),
  );
  const findings = errorsOf(runPromtool(broken));
  assert.ok(
    findings.some((f) => f.rule === "check-rules" && f.file === `out/${path}`),
    show(findings),
  );
});

test("a threshold in the wrong unit fails the alert's unit test: 2750 on a microsecond gauge never fires", () => {
  const wrong = new Map(real);
  const path = "prometheus/rules/nautilus-alerts.yaml";
  wrong.set(
    path,
    real
      .get(path)!
      .replace(
        "max_over_time(nautilus_risk_check_latency_microseconds_p99[10s]) > 2.75",
        "max_over_time(nautilus_risk_check_latency_microseconds_p99[10s]) > 2750",
      ),
  );
  const findings = errorsOf(runPromtool(wrong));
  assert.ok(
    findings.some((f) => f.rule === "test-rules" && f.file === "out/prometheus/tests/RiskEngineP99LatencyHigh.yaml"),
    show(findings),
  );
  assert.not.ok(
    findings.some((f) => f.file === "out/prometheus/tests/IntegrationE2ELatencyHigh.yaml"),
    show(findings),
  );
});

test("promtool starts once per set of unit tests that read the same rule files; a failure is found per file", () => {
  const runs: string[][] = [];
  const counting: ToolRunner = (tool, args, cwd, inputs) => {
    runs.push([...args]);
    return runTool(tool, args, cwd, inputs);
  };
  const tests = [...real.keys()].filter((p) => p.startsWith("prometheus/tests/"));
  const ruleFilesOf = (p: string) => /^rule_files:\n((?: {2}- .*\n)+)/m.exec(real.get(p)!)?.[1];
  const sets = new Set(tests.map(ruleFilesOf));
  assert.is(sets.size, 2, "the service alerts' tests and the meta-monitoring alerts' tests");
  assert.equal(errorsOf(runPromtool(real, "out", { run: counting })), []);
  const testRuns = () => runs.filter((a) => a[0] === "test").map((a) => a.slice(2));
  assert.is(testRuns().length, sets.size);
  assert.equal(testRuns().flat().sort(), [...tests].sort(), "each unit test file in exactly one run");
  assert.is(runs.filter((a) => a[0] === "check" && a[1] === "rules").length, 1);

  // One unit test of many broken: its run fails, each file of that run is run alone, and only it has a finding.
  const broken = "prometheus/tests/ServiceDown.yaml";
  const wrong = new Map(real).set(broken, real.get(broken)!.replace("severity: critical", "severity: info"));
  assert.not.equal(wrong.get(broken), real.get(broken));
  runs.length = 0;
  const findings = errorsOf(runPromtool(wrong, "out", { run: counting }));
  assert.equal(
    findings.map((f) => [f.rule, f.file]),
    [["test-rules", `out/${broken}`]],
    show(findings),
  );
  assert.ok(findings[0]!.message.startsWith(`promtool test rules out/${broken} failed:`));
  assert.not.ok(findings[0]!.message.includes("Watchdog"), "the message quotes only the failing file's run");
  const alone = testRuns().filter((a) => a.length === 1);
  assert.equal(
    alone.flat().sort(),
    tests.filter((p) => ruleFilesOf(p) === ruleFilesOf(broken)).sort(),
    "only the failing run's files are run alone",
  );
});

test("a run of several files that fails while each file passes alone is still a finding, never a pass", () => {
  const together: ToolRunner = (tool, args, cwd, inputs) =>
    args[0] === "test" && args.length > 3 ? { ok: false, output: "killed" } : runTool(tool, args, cwd, inputs);
  const findings = errorsOf(runPromtool(real, "out", { run: together }));
  assert.is(findings.length, 2, show(findings));
  assert.ok(findings.every((f) => f.rule === "test-rules" && /each passes alone:\nkilled$/.test(f.message)));
});

test("a config that promtool rejects is a check-config finding on prometheus.yml", () => {
  const wrong = new Map(real);
  wrong.set(
    "prometheus/prometheus.yml",
    real.get("prometheus/prometheus.yml")!.replace("scrape_interval: 15s", "scrape_interval: fifteen"),
  );
  const findings = errorsOf(runPromtool(wrong));
  assert.ok(
    findings.some((f) => f.rule === "check-config" && f.file === "out/prometheus/prometheus.yml"),
    show(findings),
  );
});

test("without promtool on the PATH the engine reports one error with the install command, not a pass", () => {
  const path = process.env.PATH;
  process.env.PATH = "/nonexistent";
  try {
    const findings = runPromtool(real);
    assert.is(findings.length, 1, show(findings));
    assert.is(findings[0]!.rule, "unavailable");
    assert.ok(findings[0]!.hint?.includes("apt-get install -y prometheus"));
  } finally {
    process.env.PATH = path;
  }
});

test("every shipped PromQL expression parses and reads only catalogued metrics", () => {
  assert.equal(checkPromql(platform()), []);
});

test("the promql check reads the model: recording rules, every alert and every dashboard target", () => {
  const expressions = modelExpressions(platform());
  const owners = expressions.map((e) => e.owner);
  assert.ok(owners.includes('recording rule "service:nautilus_error_ratio:rate5m"'));
  for (const name of Object.keys(config.monitoring.alerts)) assert.ok(owners.includes(`alert "${name}"`), name);
  // Every target of the generated dashboard, at the path it has in the JSON.
  const dashboard = JSON.parse(real.get("grafana/dashboards/nautilus-trading-platform.json")!) as {
    panels: { targets?: { expr: string }[] }[];
  };
  const targets = dashboard.panels.flatMap((p, pi) =>
    (p.targets ?? []).map((t, ti) => `panels[${pi}].targets[${ti}].expr ${t.expr}`),
  );
  assert.equal(
    expressions.filter((e) => e.owner.startsWith("panel ")).map((e) => `${e.path} ${e.expr}`),
    targets,
  );
});

test("a misspelt metric in a recording rule of the config is a promql finding naming the rule", () => {
  const p = platform((c) => {
    c.monitoring.recordingRules!["service:nautilus_error_ratio:rate5m"]!.expr =
      "sum by (service) (rate(nautilus_error_total[5m])) / sum by (service) (rate(nautilus_requests_total[5m]))";
  });
  const findings = checkPromql(p);
  assert.is(findings.length, 1, show(findings));
  assert.is(findings[0]!.engine, "promql");
  assert.is(findings[0]!.rule, "unknown-metric");
  assert.is(findings[0]!.file, "platform.config.ts");
  assert.is(findings[0]!.path, "monitoring.recordingRules.service:nautilus_error_ratio:rate5m.expr");
  assert.ok(
    findings[0]!.message.startsWith('recording rule "service:nautilus_error_ratio:rate5m" reads nautilus_error_total'),
    findings[0]!.message,
  );
  assert.is(findings[0]!.hint?.startsWith("did you mean nautilus_errors_total?"), true);
});

test("a misspelt metric in a dashboard target is a promql finding naming the dashboard and panel", () => {
  const p = platform();
  const edited = modelExpressions(p).map((e) => ({
    ...e,
    expr: e.expr.replace("nautilus_memory_pool_efficiency_ratio{", "nautilus_memory_pool_eficiency_ratio{"),
  }));
  const findings = checkExpressions(edited, knownMetrics(p.monitoring));
  assert.is(findings.length, 1, show(findings));
  assert.is(findings[0]!.file, "out/grafana/dashboards/nautilus-trading-platform.json");
  assert.ok(
    findings[0]!.message.startsWith(
      'panel "Memory pool efficiency" (id 103) of dashboard nautilus-trading-platform reads ' +
        "nautilus_memory_pool_eficiency_ratio",
    ),
    findings[0]!.message,
  );
});

test("an expression that does not parse is a parse-error finding", () => {
  const p = platform((c) => {
    c.monitoring.recordingRules!["service:nautilus_error_ratio:rate5m"]!.expr =
      "sum by (service) (rate(nautilus_errors_total[5m]) / sum by (service) (rate(nautilus_requests_total[5m]))";
  });
  const findings = checkPromql(p);
  assert.ok(
    findings.some(
      (f) => f.rule === "parse-error" && f.message.includes('recording rule "service:nautilus_error_ratio:rate5m"'),
    ),
    show(findings),
  );
});

test("the PromQL analysis finds metric names, including {__name__=...}, and not functions or labels", () => {
  assert.equal(analyse('histogram_quantile(0.99, sum by (le) (rate(a_bucket{job="x"}[1m]))) > 2.75e-06').metrics, [
    "a_bucket",
  ]);
  assert.equal(analyse('{__name__="b", job="y"} + on (job) c').metrics.sort(), ["b", "c"]);
  assert.equal(analyse("vector(3)").metrics, []);
  assert.ok(analyse("sum(").errors.length > 0);
});

test.run();
