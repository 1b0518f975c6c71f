import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatCapacity, isEmptyPlan, planOf, type Plan } from "../model/plan.ts";
import { bundleOf, changedPlatform, cli, platformOf, ROOT } from "./support/config.ts";
import { generateBundle } from "../generators/bundle.ts";
import { readPolicySources } from "../bin/policies.ts";
import type { PlatformInput } from "../schemas/platform.ts";

const sideOf = (overrides: unknown = {}) => ({
  platform: platformOf(overrides),
  environments: bundleOf(overrides).environments,
});
const BASE = sideOf();
const planFor = (overrides: unknown) => planOf(BASE, sideOf(overrides));
function changedSide(change: (c: PlatformInput) => void) {
  const platform = changedPlatform(change);
  const result = generateBundle(platform, readPolicySources());
  if (!result.ok) throw new Error(result.errors.map((f) => f.message).join("\n"));
  return { platform, environments: result.bundle.environments };
}

/** The plan as lines: `env ~ Kind name (owner): changes`, `env capacity ...`, `alerting ...`. */
function lines(plan: Plan): string[] {
  const out: string[] = [];
  for (const env of plan.environments) {
    const who = (c: { kind: string; name: string; owner?: string }) =>
      `${c.kind} ${c.name}${c.owner ? ` (${c.owner})` : ""}`;
    for (const c of env.changed) out.push(`${env.environment} ~ ${who(c)}: ${c.changes.join("; ")}`);
    for (const c of env.added) out.push(`${env.environment} + ${who(c)}`);
    for (const c of env.removed) out.push(`${env.environment} - ${who(c)}`);
    if (Object.keys(env.capacity).length) out.push(`${env.environment} capacity ${formatCapacity(env.capacity)}`);
  }
  return [...out, ...plan.monitoring.map((m) => `alerting ${m}`)];
}

test("one service's replicas: the plan names it, its environments, old and new counts and the capacity", () => {
  // dev and staging set their own counts, so only prod changes.
  assert.equal(lines(planFor({ services: { "order-manager": { replicas: 4 } } })), [
    "prod ~ Deployment nautilus-order-manager (service order-manager): replicas 3 → 4; requested capacity +2 CPU, " +
      "+1Gi memory",
    "prod capacity +2 CPU, +1Gi memory",
  ]);
  assert.equal(lines(planFor({ services: { "risk-engine": { replicas: 3 } } })), [
    "staging ~ Deployment nautilus-risk-engine (service risk-engine): replicas 2 → 3; requested capacity +2 CPU, " +
      "+512Mi hugepages-2Mi, +1Gi memory",
    "staging capacity +2 CPU, +512Mi hugepages-2Mi, +1Gi memory",
    "prod ~ Deployment nautilus-risk-engine (service risk-engine): replicas 2 → 3; requested capacity +2 CPU, " +
      "+512Mi hugepages-2Mi, +1Gi memory",
    "prod capacity +2 CPU, +512Mi hugepages-2Mi, +1Gi memory",
  ]);
});

test("each change says its layer: a created StorageClass is the cluster's, a replica count the app's", () => {
  const plan = planFor({
    storageClasses: { "shared-files": { provided: false } },
    services: { "order-manager": { replicas: 4 } },
  });
  const prod = plan.environments.find((e) => e.environment === "prod")!;
  assert.equal(
    prod.added.map((c) => [c.kind, c.name, c.layer]),
    [["StorageClass", "shared-files", "cluster"]],
  );
  assert.equal(
    prod.changed.map((c) => [c.kind, c.name, c.layer]),
    [["Deployment", "nautilus-order-manager", "app"]],
  );
});

test("the same config is no change, whatever the order of its keys", () => {
  assert.ok(isEmptyPlan(planFor({})));
  const reversed = changedSide((c) => {
    c.tiers = Object.fromEntries(Object.entries(c.tiers).reverse());
    c.storage = Object.fromEntries(Object.entries(c.storage ?? {}).reverse());
  });
  assert.ok(isEmptyPlan(planOf(BASE, reversed)));
});

test("images, resources and the autoscaler floor are said plainly, with the capacity at the floor", () => {
  assert.equal(
    lines(
      planFor({
        environments: {
          prod: { services: { "market-data": { image: "registry.nautilus.io/trading/market-data:3.9.0" } } },
        },
      }),
    ),
    [
      "prod ~ Deployment nautilus-market-data (service market-data): image of market-data: " +
        "registry.nautilus.io/trading/market-data:3.8.0 → registry.nautilus.io/trading/market-data:3.9.0",
    ],
  );
  assert.equal(
    lines(planFor({ environments: { prod: { services: { "market-data": { scaling: { minReplicas: 5 } } } } } })),
    [
      "prod ~ HorizontalPodAutoscaler nautilus-market-data (service market-data): minReplicas 3 → 5; requested " +
        "capacity +2 CPU, +2Gi memory (at minReplicas)",
      "prod capacity +2 CPU, +2Gi memory",
    ],
  );
  const memory = lines(
    planFor({
      environments: {
        dev: {
          services: { "position-keeper": { resources: { requests: { memory: "1Gi" }, limits: { memory: "1Gi" } } } },
        },
      },
    }),
  );
  assert.equal(memory, [
    "dev ~ Deployment nautilus-position-keeper (service position-keeper): memory request of position-keeper: " +
      "512Mi → 1Gi; memory limit of position-keeper: 512Mi → 1Gi; requested capacity +512Mi memory",
    "dev capacity +512Mi memory",
  ]);
});

test("alert thresholds and routes are said once, for every environment", () => {
  const plan = planFor({
    monitoring: {
      alerts: { MemoryPoolEfficiencyLow: { threshold: "90%" } },
      alerting: {
        routes: [
          { receiver: "trading-pager", severity: "critical", groupWait: "10s", repeatInterval: "30m" },
          { receiver: "trading-chat", severity: "warning" },
        ],
      },
    },
  });
  const alerting = lines(plan).filter((l) => l.startsWith("alerting"));
  assert.equal(alerting, [
    "alerting alert MemoryPoolEfficiencyLow: threshold < 0.95 → < 0.9",
    "alerting alert routes: timing (group wait, group or repeat interval) changed",
  ]);
});

test("a renamed service is not a removal and an addition", () => {
  const rename = <T>(m: Record<string, T> = {}) =>
    Object.fromEntries(Object.entries(m).map(([k, v]) => [k === "smart-order-router" ? "order-router" : k, v]));
  const renamed = changedSide((c) => {
    c.services = rename(c.services);
    for (const patch of Object.values(c.environments)) if (patch) patch.services = rename(patch.services);
    for (const metric of Object.values(c.monitoring.metrics ?? {}))
      metric.services = metric.services.map((s) => (s === "smart-order-router" ? "order-router" : s));
    // The communication graph names it too: as a key and as a peer.
    const graph = c.network?.services ?? {};
    for (const edges of Object.values(graph))
      for (const t of edges.talksTo ?? []) if (t.service === "smart-order-router") t.service = "order-router";
    if (c.network) c.network.services = rename(graph);
  });
  for (const env of planOf(BASE, renamed).environments) {
    assert.equal(env.added, [], env.environment);
    assert.equal(env.removed, [], env.environment);
    assert.equal(env.capacity, {});
  }
});

test("platform diff compares with a Git ref, as text and as Markdown; a bad ref is a usage error", () => {
  const dir = mkdtempSync(join(tmpdir(), "platform-diff-"));
  try {
    const git = (...args: string[]) => execFileSync("git", args, { cwd: dir, stdio: "pipe" });
    git("init", "-q");
    git("config", "user.email", "t@example.com");
    git("config", "user.name", "t");
    // The config imports this checkout's schemas, as the real one does from its own folder.
    const text = readFileSync(join(ROOT, "platform.config.ts"), "utf8").replaceAll('from "./', `from "${ROOT}`);
    const config = join(dir, "platform.config.ts");
    writeFileSync(config, text);
    git("add", ".");
    git("commit", "-qm", "base");
    const unchanged = cli(["diff", "--config", config]);
    assert.is(unchanged.code, 0, unchanged.stderr);
    assert.match(unchanged.stdout, /^No change to any environment/);
    const start = text.indexOf('"order-manager": {');
    const at = text.indexOf("replicas: 3,", start);
    writeFileSync(config, `${text.slice(0, at)}replicas: 4,${text.slice(at + "replicas: 3,".length)}`);
    const plan = cli(["diff", "--config", config]);
    assert.is(plan.code, 0, plan.stderr);
    assert.match(
      plan.stdout,
      /prod:\n {2}~ Deployment nautilus-order-manager \(service order-manager\): replicas 3 → 4/,
    );
    assert.not.match(plan.stdout, /staging|dev:/);
    const markdown = cli(["diff", "--config", config, "--format", "markdown"]);
    assert.match(markdown.stdout, /#### prod\n\n- \*\*changed\*\* `Deployment nautilus-order-manager/);
    assert.match(markdown.stdout, /Capacity requested: \*\*\+2 CPU, \+1Gi memory\*\*/);
    const bad = cli(["diff", "--config", config, "--base", "no-such-branch"]);
    assert.is(bad.code, 2);
    assert.match(bad.stderr, /--base no-such-branch: no such commit, branch or tag/);
    // The base's copy is removed after the run.
    assert.equal(
      execFileSync("git", ["status", "--porcelain"], { cwd: dir, encoding: "utf8" }),
      " M platform.config.ts\n",
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
