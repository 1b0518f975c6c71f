/**
 * amtool's route cases share runs: cases whose labels every matcher of alertmanager.yml sees alike, expecting the
 * same receivers, run once, and every case gets the verdict. Counted through the tool runner, never timed.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { OBSERVABILITY_OUT } from "../core/layout.ts";
import { caseKey, routingOf, runAmtool, type RouteCase } from "../engines/amtool.ts";
import { runTool, type ToolRunner } from "../engines/tool-runner.ts";
import { observabilityFiles } from "../generators/observability-files.ts";
import { parseYamlDocuments } from "../core/yaml.ts";
import type { Finding } from "../core/finding.ts";
import type { PlatformInput } from "../schemas/platform.ts";
import { platformOf, withSyntheticServices } from "./support/config.ts";
import { ensureAmtool } from "./support/tools.ts";

const tool = ensureAmtool();
if (!tool.ok) throw new Error(tool.message);

/** The real config plus `extra` plain services (each raising the service-less alerts). */
const withServices = (extra: number, routes?: PlatformInput["monitoring"]["alerting"]["routes"]): unknown => ({
  ...withSyntheticServices(extra),
  ...(routes ? { monitoring: { alerting: { routes } } } : {}),
});

const REAL_ROUTES: PlatformInput["monitoring"]["alerting"]["routes"] = [
  { receiver: "trading-pager", severity: "critical", groupWait: "10s", repeatInterval: "1h" },
  { receiver: "trading-chat", severity: "warning" },
];
// One service's pages repeat more often: the only route that looks at `service`.
const PER_SERVICE: PlatformInput["monitoring"]["alerting"]["routes"] = [
  { receiver: "trading-pager", severity: "critical", services: ["risk-engine"], repeatInterval: "5m" },
  ...REAL_ROUTES,
];

const ROUTES = `${OBSERVABILITY_OUT.alertmanagerTests}/routes.yaml`;
const alertmanagerFiles = (overrides: unknown) =>
  new Map([...observabilityFiles(platformOf(overrides))].filter(([p]) => p.startsWith("alertmanager/")));
const casesOf = (files: ReadonlyMap<string, string>) =>
  (parseYamlDocuments(files.get(ROUTES)!)[0] as { cases: RouteCase[] }).cases;

/** The findings, and how many amtool processes gave them (check-config included). */
function counted(files: ReadonlyMap<string, string>, eachCase = false): { findings: Finding[]; runs: number } {
  let runs = 0;
  const run: ToolRunner = (t, args, cwd) => {
    runs++;
    return runTool(t, args, cwd);
  };
  return { findings: runAmtool(files, "out", { run, eachCase }), runs };
}

const show = (findings: Finding[]) => findings.map((f) => f.message).join("\n");

const small = alertmanagerFiles(withServices(0));
const large = alertmanagerFiles(withServices(193));
const smallPerService = alertmanagerFiles(withServices(0, PER_SERVICE));
const largePerService = alertmanagerFiles(withServices(193, PER_SERVICE));

test("200 services cost as many amtool runs as 7; a route on one service adds only that service's shapes", () => {
  assert.is(casesOf(small).length < casesOf(large).length / 5, true);
  const [s, l] = [counted(small), counted(large)];
  assert.equal([s.findings, l.findings], [[], []], show([...s.findings, ...l.findings]));
  assert.is(l.runs, s.runs);
  // check-config, then one run per shape the configuration tells apart, fewer than the cases of 7 services.
  assert.ok(s.runs < casesOf(small).length, `${s.runs} runs for ${casesOf(small).length} cases`);

  const [sp, lp] = [counted(smallPerService), counted(largePerService)];
  assert.equal([sp.findings, lp.findings], [[], []], show([...sp.findings, ...lp.findings]));
  assert.is(lp.runs, sp.runs);
  // risk-engine's critical cases now differ from every other service's: its latency alert (inhibited by
  // ServiceDown) and ServiceDown itself. Its warnings do not: the new route matches none of them, as for others.
  const riskCritical = casesOf(smallPerService).filter(
    (c) => c.labels.service === "risk-engine" && c.labels.severity === "critical",
  );
  assert.equal(riskCritical.map((c) => c.labels.alertname).sort(), ["RiskEngineP99LatencyHigh", "ServiceDown"]);
  assert.is(sp.runs, s.runs + riskCritical.length);
});

test("sharing gives every case the verdict running it alone gives, on a routing amtool rejects", () => {
  // alertmanager.yml sends risk-engine's pages to chat; the cases still expect the pager.
  const broken = new Map(smallPerService);
  const config = broken.get(OBSERVABILITY_OUT.alertmanagerConfig)!;
  const edited = config.replace(
    /(- matchers:\n\s+- severity="critical"\n\s+- service="risk-engine"\n\s+)receiver: trading-pager/,
    "$1receiver: trading-chat",
  );
  assert.not.equal(edited, config, "the per-service route is in alertmanager.yml");
  broken.set(OBSERVABILITY_OUT.alertmanagerConfig, edited);
  const shared = counted(broken);
  const alone = counted(broken, true);
  assert.is(alone.runs, casesOf(broken).length + 1);
  assert.ok(shared.runs < alone.runs);
  assert.equal(shared.findings, alone.findings);
  assert.is(shared.findings.length, 2, show(shared.findings));
  for (const alert of ["RiskEngineP99LatencyHigh", "ServiceDown"])
    assert.ok(
      shared.findings.some(
        (f) =>
          f.message.includes(`"${alert} (critical, risk-engine)`) &&
          f.message.includes("service=risk-engine") &&
          /should reach trading-pager, but out\/alertmanager\/alertmanager\.yml routes it to trading-chat$/.test(
            f.message,
          ),
      ),
      show(shared.findings),
    );
});

test("at 200 services a failing shared run names every case it stands for: alert, service, both receivers", () => {
  const broken = new Map(large);
  broken.set(
    OBSERVABILITY_OUT.alertmanagerConfig,
    large.get(OBSERVABILITY_OUT.alertmanagerConfig)!.replace("receiver: trading-pager", "receiver: trading-chat"),
  );
  const { findings, runs } = counted(broken);
  assert.is(runs, counted(small).runs);
  const critical = casesOf(broken).filter((c) => c.receivers.includes("trading-pager"));
  assert.is(findings.length, critical.length);
  assert.ok(critical.length > 200);
  for (const c of critical) {
    const f = findings.find((x) => x.message.startsWith(`route case "${c.name}" failed`));
    assert.ok(f, c.name);
    assert.ok(f.message.includes(`alertname=${c.labels.alertname}`));
    if (c.labels.service) assert.ok(f.message.includes(`service=${c.labels.service}`));
    assert.match(f.message, /should reach trading-pager, but .* routes it to trading-chat$/);
    assert.ok(f.hint?.includes(`alertname=${c.labels.alertname}`));
  }
});

test("the labels looked at are read from the configuration's matchers, in each of Alertmanager's forms", () => {
  const routing = routingOf(
    [
      "route:",
      "  receiver: a",
      "  routes:",
      "    - receiver: b",
      "      match: {team: x}",
      "      routes:",
      "        - receiver: c",
      "          match_re: {env: 'prod|stage'}",
      "    - receiver: d",
      '      matchers: [\'{zone=~"eu-.*", "odd name"!="y"}\']',
      "inhibit_rules:",
      "  - source_matchers: ['alertname=Down']",
      "    target_match_re: {alertname: 'A|B'}",
      "    equal: [service]",
    ].join("\n"),
  );
  assert.ok(routing);
  const labels = routing.blocks.map((b) => b.map((m) => m.label));
  assert.equal(labels, [["team"], ["env"], ["zone", "odd name"], ["alertname"], ["alertname"]]);
  assert.equal([...routing.equal], ["service"]);
  const key = (labels: Record<string, string>) => caseKey({ name: "", labels, receivers: ["a"] }, routing);
  // Labels no matcher looks at, and values every matcher sees alike, do not tell cases apart.
  assert.is(key({ alertname: "C", env: "dev", service: "s1", pod: "p" }), key({ alertname: "D", service: "s2" }));
  assert.is(key({ env: "prod" }), key({ env: "stage" }));
  assert.is.not(key({ env: "prod" }), key({ env: "dev" }));
  assert.is.not(key({ alertname: "A" }), key({ alertname: "C" }));
  // Whether an `equal` label is set matters to an inhibition, not its value.
  assert.is.not(key({ service: "s1" }), key({}));
  // A regular expression beyond a list of words is not evaluated here: each value is its own case.
  assert.is.not(key({ zone: "eu-1" }), key({ zone: "eu-2" }));
  assert.is(key({ zone: "eu-1" }), key({ zone: "eu-1" }));
  // Different expected receivers never share a run.
  assert.is.not(caseKey({ name: "", labels: {}, receivers: ["b"] }, routing), key({}));
  // A matcher that cannot be read turns sharing off rather than guess.
  assert.is(routingOf("route:\n  receiver: a\n  matchers: ['team']\n"), undefined);
});

test.run();
