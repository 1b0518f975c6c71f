import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nodeProblems } from "../model/deploy.ts";
import { ROOT, bundleOf } from "./support/config.ts";

const RECORDINGS = join(ROOT, "test/fixtures/kubectl-recordings");

/** `platform deploy` with the recording kubectl first on PATH; returns what it printed and every kubectl call. */
function deploy(scenario: string, args: string[] = ["--env", "prod"]) {
  const bin = mkdtempSync(join(tmpdir(), "kubectl-"));
  try {
    copyFileSync(join(RECORDINGS, "kubectl.mjs"), join(bin, "kubectl"));
    spawnSync("chmod", ["+x", join(bin, "kubectl")]);
    const log = join(bin, "calls.log");
    writeFileSync(log, "");
    const r = spawnSync(process.execPath, ["--import", "tsx", `${ROOT}bin/platform.ts`, "deploy", ...args], {
      cwd: ROOT,
      encoding: "utf8",
      env: {
        ...process.env,
        PATH: `${bin}:${process.env.PATH}`,
        KUBECTL_RECORDINGS: RECORDINGS,
        KUBECTL_SCENARIO: scenario,
        KUBECTL_LOG: log,
      },
    });
    return {
      code: r.status,
      stdout: r.stdout,
      stderr: r.stderr,
      calls: readFileSync(log, "utf8").split("\n").filter(Boolean),
    };
  } finally {
    rmSync(bin, { recursive: true, force: true });
  }
}

test("--dry-run prints the stages in the seed's order and calls no kubectl", () => {
  const r = deploy("success", ["--env", "prod", "--dry-run"]);
  assert.is(r.code, 0, r.stderr);
  assert.equal(r.calls, []);
  const headings = r.stdout.split("\n").filter((l) => /^\[\d\/\d\]/.test(l));
  assert.equal(
    headings.map((h) => h.replace(/ \(\d+ objects\)$/, "")),
    [
      "[1/7] preflight",
      "[2/7] server-side dry run: kubectl apply --server-side --field-manager=nautilus-platform --dry-run=server -f -",
      "[3/7] kubectl diff --server-side --field-manager=nautilus-platform -f -",
      "[4/7] wave 0: namespaces, CRDs, admission policies and network policies",
      // No wave 1: each claim goes with the first workload that mounts it.
      "[5/7] wave 2: the ultra-low-latency tier",
      "[6/7] wave 3: the high-performance tier",
      "[7/7] wave 4: monitoring",
    ],
  );
  assert.match(r.stdout, /rollout status deployment\/nautilus-risk-engine -n nautilus-engines --timeout=120s/);
  assert.match(r.stdout, /services\/nautilus-integration-engine:http\/proxy\/health\/e2e-latency/);
});

test("a ready cluster: preflight, dry run, diff, then each wave applied and waited for before the next", () => {
  const r = deploy("success");
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /deployed prod: \d+ objects in 4 waves, every workload rolled out/);
  const order = r.calls.map((c) => c.split(" ").slice(0, 3).join(" "));
  assert.equal(order.slice(0, 6), [
    "cluster-info",
    "get nodes -o",
    "get storageclass -o",
    "api-versions",
    "apply --server-side --field-manager=nautilus-platform",
    "diff --server-side --field-manager=nautilus-platform",
  ]);
  const at = (call: string) => r.calls.findIndex((c) => c.includes(call));
  // The engines are healthy before the high-performance tier is applied, and monitoring comes last.
  assert.ok(at("integration-engine:http/proxy/health/e2e-latency") < at("deployment/nautilus-market-data"));
  assert.ok(at("deployment/nautilus-smart-order-router") < at("deployment/nautilus-prometheus "));
  assert.is(r.calls.filter((c) => c === "apply --server-side --field-manager=nautilus-platform -f -").length, 4);
  assert.match(r.stdout, /integration-engine \/health\/e2e-latency: \{"p99_us":2.31/);
});

test("a rollout that times out stops the deploy, names the workload, why its pods wait, and what to look at", () => {
  const r = deploy("failed-rollout");
  assert.is(r.code, 1);
  assert.match(r.stderr, /deploy of prod stopped: deployment\/nautilus-order-manager did not roll out within 120s/);
  assert.match(r.stderr, /1 out of 3 new replicas have been updated/);
  assert.match(r.stderr, /nautilus-order-manager-84c5d7f9b-q2m7w: Pending, Unschedulable: 0\/10 nodes are available/);
  assert.match(r.stderr, /not applied: the high-performance tier; monitoring/);
  assert.match(r.stderr, /kubectl describe deployment\/nautilus-order-manager -n nautilus-engines/);
  assert.match(r.stderr, /kubectl rollout undo deployment\/nautilus-order-manager -n nautilus-engines/);
  // Nothing after the failed workload was touched.
  assert.not.ok(r.calls.some((c) => c.includes("integration-engine") || c.includes("market-data")));
});

test("ultra-low-latency nodes without huge pages fail preflight before anything is applied", () => {
  const r = deploy("no-hugepages");
  assert.is(r.code, 1);
  assert.match(
    r.stderr,
    /tier ultra-low-latency: node\(s\) ull-1, ull-2, ull-3, ull-4, ull-5, ull-6 have no allocatable hugepages-2Mi for /,
  );
  assert.match(r.stderr, /have no allocatable hugepages-2Mi for risk-engine/);
  assert.match(r.stderr, /kubectl describe node NODE/);
  assert.not.ok(r.calls.some((c) => c.startsWith("apply")));
});

test("preflight names missing labels, taints and CPUs of a tier's nodes", () => {
  const prod = bundleOf().environments.find((e) => e.environment === "prod")!.platform;
  const nodes = JSON.parse(readFileSync(join(RECORDINGS, "nodes.json"), "utf8")) as {
    items: {
      metadata: { labels: Record<string, string> };
      spec: { taints?: unknown[] };
      status: { allocatable: Record<string, string> };
    }[];
  };
  assert.equal(nodeProblems(prod, nodes), []);
  nodes.items[0]!.spec = {};
  nodes.items[1]!.status.allocatable.cpu = "8";
  delete nodes.items[2]!.metadata.labels["node-type"];
  assert.equal(nodeProblems(prod, nodes), [
    "tier ultra-low-latency: 5 schedulable node(s) carry node-type=ultra-low-latency,cpu-architecture=x86_64, the " +
      "config counts on 6 (tiers.ultra-low-latency.pool.zones)",
    "tier ultra-low-latency: node(s) ull-1 lack the taint dedicated=ultra-low-latency:NoSchedule, so other " +
      "workloads can land on the dedicated nodes",
    "tier ultra-low-latency: node(s) ull-2 have fewer than 22 allocatable CPUs " + "(tiers.ultra-low-latency.pool): 8",
  ]);
});

test("an unknown environment is a usage error", () => {
  const r = deploy("success", ["--env", "qa", "--dry-run"]);
  assert.is(r.code, 2);
  assert.match(r.stderr, /--env qa: expected one of dev, staging, prod/);
});

test.run();
