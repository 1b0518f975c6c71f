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

test("--dry-run prints the cluster layer, then the app layer's stages in the seed's order; no kubectl", () => {
  const r = deploy("success", ["--env", "prod", "--dry-run"]);
  assert.is(r.code, 0, r.stderr);
  assert.equal(r.calls, []);
  const headings = r.stdout.split("\n").filter((l) => /^\[\d+\/\d+\]/.test(l));
  const apply = "kubectl apply --server-side --field-manager=nautilus-platform";
  const diff = "kubectl diff --server-side --field-manager=nautilus-platform -f -";
  assert.equal(
    headings.map((h) => h.replace(/ \(\d+ objects\)$/, "")),
    [
      "[1/11] preflight",
      `[2/11] cluster layer: server-side dry run: ${apply} --dry-run=server -f -`,
      `[3/11] cluster layer: ${diff}`,
      "[4/11] cluster layer, wave 0: namespaces, CRDs, admission policies and network policies",
      // The monitoring stack's ClusterRoles, bindings and APIService keep the monitoring wave, in the cluster layer.
      "[5/11] cluster layer, wave 4: monitoring",
      `[6/11] app layer: server-side dry run: ${apply} --dry-run=server -f -`,
      `[7/11] app layer: ${diff}`,
      "[8/11] app layer, wave 0: namespaces, CRDs, admission policies and network policies",
      // No wave 1: each claim goes with the first workload that mounts it.
      "[9/11] app layer, wave 2: the ultra-low-latency tier",
      "[10/11] app layer, wave 3: the high-performance tier",
      "[11/11] app layer, wave 4: monitoring",
    ],
  );
  const wave0 = r.stdout.split("\n")[r.stdout.split("\n").findIndex((l) => l.startsWith("[4/11]")) + 1]!;
  assert.match(wave0, "(Namespace, PriorityClass, ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding)");
  const appWave0 = r.stdout.split("\n")[r.stdout.split("\n").findIndex((l) => l.startsWith("[8/11]")) + 1]!;
  assert.not.match(appWave0, "Namespace");
  assert.match(r.stdout, /rollout status deployment\/nautilus-risk-engine -n nautilus-engines --timeout=120s/);
  assert.match(r.stdout, /services\/nautilus-integration-engine:http\/proxy\/health\/e2e-latency/);
});

test("a ready cluster: preflight, the cluster layer, then the app layer's dry run, diff and waves", () => {
  const r = deploy("success");
  assert.is(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    /deployed prod: \d+ objects, cluster layer then app layer, in 6 waves; every workload rolled out/,
  );
  const DRY = "apply --server-side --field-manager=nautilus-platform --dry-run=server -f -";
  const DIFF = "diff --server-side --field-manager=nautilus-platform -f -";
  const APPLY = "apply --server-side --field-manager=nautilus-platform -f -";
  const order = r.calls.filter((c) => !c.startsWith("rollout") && !c.startsWith("get --raw"));
  assert.equal(order, [
    "cluster-info",
    "get nodes -o json",
    "get storageclass -o name",
    "api-versions",
    // The cluster layer: its dry run, diff and two waves, before anything of the app layer reaches the server.
    DRY,
    DIFF,
    APPLY,
    APPLY,
    // The app layer's dry run runs once its namespaces exist and its admission policies are in force.
    DRY,
    DIFF,
    APPLY,
    APPLY,
    APPLY,
    APPLY,
  ]);
  // The cluster layer's diff finds nothing; the app layer's shows the image bump.
  assert.match(r.stdout, /\[3\/11\] cluster layer: kubectl diff\n {2}no differences: the cluster already runs this/);
  assert.match(r.stdout, /\[7\/11\] app layer: kubectl diff\n.*order-manager/);
  const at = (call: string) => r.calls.findIndex((c) => c.includes(call));
  // The engines are healthy before the high-performance tier is applied, and monitoring comes last.
  assert.ok(at("integration-engine:http/proxy/health/e2e-latency") < at("deployment/nautilus-market-data"));
  assert.ok(at("deployment/nautilus-smart-order-router") < at("deployment/nautilus-prometheus "));
  assert.match(r.stdout, /integration-engine \/health\/e2e-latency: \{"p99_us":2.31/);
});

test("a deployer without cluster-wide rights is stopped at the cluster layer's dry run; nothing applied", () => {
  const r = deploy("cluster-layer-forbidden");
  assert.is(r.code, 1);
  assert.match(r.stderr, /deploy of prod stopped: the API server refuses the cluster layer's objects:/);
  assert.match(
    r.stderr,
    /cannot patch resource "priorityclasses" in API group "scheduling.k8s.io" at the cluster scope/,
  );
  assert.match(r.stderr, /kubectl auth can-i create namespaces/);
  assert.match(
    r.stderr,
    "a cluster administrator applies it: kubectl apply --server-side -k out/cluster/overlays/prod",
  );
  assert.not.ok(r.calls.some((c) => c.startsWith("apply") && !c.includes("--dry-run")));
  assert.not.ok(r.calls.some((c) => c.startsWith("diff")));
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
