/**
 * Alert shadowing: a service-less alert that fires before a service's own alert on the same value. By default the
 * service is left out of the global alert (a generated `job!~` matcher); `shadowing: "keep"` keeps it in, and
 * platform/alert-shadowing warns when the global threshold is then reached first.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { alertShadowing } from "../checks/platform/alert-shadowing.ts";
import { monitoringModel } from "../model/monitoring.ts";
import { bundleOf, ownErrorRatioAlert, platformOf } from "./support/config.ts";

const ownRatio = ownErrorRatioAlert;
const ownPool = (threshold: string) => ({
  kind: "threshold",
  severity: "warning",
  service: "risk-engine",
  metric: "nautilus_memory_pool_efficiency_ratio",
  comparison: "<",
  threshold,
  for: "5m",
  summary: "risk-engine's memory pools are missing",
});

function findings(overrides: unknown) {
  const b = bundleOf(overrides);
  return alertShadowing.run({
    environments: b.environments,
    platform: b.environments[0]!.platform,
    out: { dir: "out", files: b.files },
  });
}

const rows: { description: string; alerts: Record<string, unknown>; expect: string[] }[] = [
  { description: "the real config has no shadowing", alerts: {}, expect: [] },
  {
    description: "a service's own 2% alert is not shadowed: the global 1% alert leaves the service out by default",
    alerts: { SorErrors: ownRatio("2%") },
    expect: [],
  },
  {
    description: "a global 1% alert kept on a service with its own 2% alert fires first: a warning",
    alerts: { SorErrors: ownRatio("2%"), HighErrorRate: { shadowing: "keep" } },
    expect: ["monitoring.alerts.HighErrorRate.shadowing: HighErrorRate (> 1%, for 2m) also covers smart-order-router"],
  },
  {
    description: "a kept global alert after a stricter own alert shadows nothing (the own alert fires first)",
    alerts: { SorErrors: ownRatio("0.5%"), HighErrorRate: { shadowing: "keep" } },
    expect: [],
  },
  {
    description: "a kept global alert at the same threshold fires together with the own one: a warning",
    alerts: { SorErrors: ownRatio("1%"), HighErrorRate: { shadowing: "keep" } },
    expect: ["monitoring.alerts.HighErrorRate.shadowing: HighErrorRate (> 1%, for 2m) also covers smart-order-router"],
  },
  {
    description: "a '<' gauge alert kept at 95% before a service's own 90%: a warning",
    alerts: { RiskPool: ownPool("90%"), MemoryPoolEfficiencyLow: { shadowing: "keep" } },
    expect: [
      "monitoring.alerts.MemoryPoolEfficiencyLow.shadowing: MemoryPoolEfficiencyLow (< 95%, for 5m) also covers " +
        "risk-engine",
    ],
  },
  {
    description: "a '<' gauge alert kept at 95% after a service's own stricter 97%: nothing",
    alerts: { RiskPool: ownPool("97%"), MemoryPoolEfficiencyLow: { shadowing: "keep" } },
    expect: [],
  },
];

for (const row of rows) {
  test(`platform/alert-shadowing: ${row.description}`, () => {
    const found = findings({ monitoring: { alerts: row.alerts } });
    assert.is(found.length, row.expect.length, found.map((f) => f.message).join("\n"));
    row.expect.forEach((e, i) => {
      const [path, message] = e.split(": ");
      assert.is(found[i]!.path, path);
      assert.is(found[i]!.severity, "warning");
      assert.ok(found[i]!.message.startsWith(`alert ${message}`), found[i]!.message);
    });
  });
}

test("the global alert excludes exactly the services with their own alert on the same value", () => {
  const p = platformOf({
    monitoring: {
      alerts: {
        SorErrors: ownRatio("2%"),
        RiskPool: ownPool("90%"),
        // Another direction is another value: it does not replace the global alert.
        RiskPoolHigh: { ...ownPool("99%"), comparison: ">" },
      },
    },
  });
  const expr = (name: string) => monitoringModel(p).alerts.find((a) => a.name === name)!.rule.expr;
  assert.ok(expr("HighErrorRate").includes('nautilus_errors_total{job!~"nautilus-smart-order-router"}'));
  assert.ok(
    expr("MemoryPoolEfficiencyLow").includes('nautilus_memory_pool_efficiency_ratio{job!~"nautilus-risk-engine"}'),
  );
  // The service's own alert selects its service by job too.
  assert.ok(expr("SorErrors").includes('nautilus_errors_total{job="nautilus-smart-order-router"}'));
  const kept = platformOf({
    monitoring: { alerts: { SorErrors: ownRatio("2%"), HighErrorRate: { shadowing: "keep" } } },
  });
  assert.not.ok(
    monitoringModel(kept)
      .alerts.find((a) => a.name === "HighErrorRate")!
      .rule.expr.includes("job!~"),
  );
});

test("the runbooks say who is left out and what replaces the global alert", () => {
  const b = bundleOf({ monitoring: { alerts: { SorErrors: ownRatio("2%") } } });
  assert.ok(
    b.files.get("runbooks/HighErrorRate.md")!.includes("their own alert replaces it):\n`smart-order-router`."),
    b.files.get("runbooks/HighErrorRate.md"),
  );
  assert.ok(
    b.files.get("runbooks/SorErrors.md")!.includes("For `smart-order-router` this alert replaces `HighErrorRate`"),
  );
});

test.run();
