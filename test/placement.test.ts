import { test } from "uvu";
import * as assert from "uvu/assert";
import { runConfigChecks } from "../checks/registry.ts";
import { resolveEnvironment } from "../model/environments.ts";
import { nodesOf } from "../model/nodes.ts";
import { feasibility, fitError, neededAfterLoss } from "../model/placement.ts";
import { formatCpuSet, parseCpuSet } from "../schemas/nodes.ts";
import { bundleOf, changedConfigErrors, platformOf } from "./support/config.ts";

const GI = 2 ** 30;
const MI = 2 ** 20;

const findingsFor = (overrides: unknown, rule?: string) => {
  const bundle = bundleOf(overrides);
  return runConfigChecks({
    environments: bundle.environments,
    platform: platformOf(overrides),
    out: { dir: "out", files: bundle.files },
  })
    .filter((f) => rule === undefined || f.rule === rule)
    .map((f) => `${f.rule} ${f.environment} ${f.path}: ${f.message}`);
};
const prod = (overrides: unknown = {}) => resolveEnvironment(platformOf(overrides), "prod").platform;

test("cpusets read and print as the kubelet writes them", () => {
  assert.equal(parseCpuSet("0-3,8,10-11"), [0, 1, 2, 3, 8, 10, 11]);
  assert.equal(parseCpuSet(""), []);
  assert.is(parseCpuSet("3-1"), undefined);
  assert.is(formatCpuSet([16, 0, 1, 2, 17]), "0-2,16-17");
});

test("allocatable is capacity minus reserved CPUs, reserved memory, the eviction threshold and hugepages", () => {
  const ull = nodesOf(prod()).find((n) => n.pool === "ultra-low-latency")!;
  assert.equal(ull.capacity, { cpu: 24_000, memory: 96 * GI, hugepages: { "2Mi": 4 * GI, "1Gi": 0 } });
  assert.equal(ull.allocatable, {
    cpu: 22_000,
    memory: 96 * GI - 4 * GI - 4 * GI - 100 * MI,
    hugepages: { "2Mi": 4 * GI, "1Gi": 0 },
  });
  // The Memory Manager's reservation sits on the NUMA node of the reserved CPUs.
  assert.equal(
    ull.numa.map((n) => [n.exclusiveCpus, n.memory, n.reservedMemory]),
    [
      [10, 48 * GI - 2 * GI - 4 * GI - 100 * MI, 4 * GI + 100 * MI],
      [12, 48 * GI - 2 * GI, 0],
    ],
  );
  assert.equal(ull.labels["topology.kubernetes.io/zone"], "eu-west-2a");
  assert.is(ull.labels["kubernetes.io/hostname"], ull.name);
});

test("environments change how many nodes, per zone", () => {
  const count = (env: "dev" | "staging" | "prod") =>
    nodesOf(resolveEnvironment(platformOf(), env).platform).filter((n) => n.pool === "ultra-low-latency").length;
  assert.equal([count("dev"), count("staging"), count("prod")], [2, 3, 6]);
});

test("the real config places every pod at peak, during every rollout and after any single loss", () => {
  for (const env of ["dev", "staging", "prod"] as const) {
    const f = feasibility(resolveEnvironment(platformOf(), env).platform);
    assert.equal(f.peak.unplaced, [], env);
    for (const [service, r] of f.rollouts) assert.equal(r.unplaced, [], `${env} rollout of ${service}`);
    assert.equal(
      f.losses.filter((l) => l.broken.length > 0).map((l) => l.name),
      [],
      env,
    );
  }
  const f = feasibility(prod());
  assert.is(f.peak.placed.length, 2 + 2 + 3 + 2 + 15 + 10 + 3);
  // Pinned pods are aligned to a NUMA node; the zones each hold one order-manager.
  for (const p of f.peak.placed.filter((x) => x.service === "risk-engine")) assert.ok(p.numa !== undefined);
  const zones = f.peak.placed
    .filter((p) => p.service === "order-manager")
    .map((p) => f.nodes.find((n) => n.name === p.node)!.zone)
    .sort();
  assert.equal(zones, ["eu-west-2a", "eu-west-2b", "eu-west-2c"]);
});

test("the scheduler's FitError: reasons sorted, each with its node count", () => {
  assert.is(
    fitError(4, { "node(s) didn't match pod anti-affinity rules": 2, "Insufficient cpu": 2 }),
    "0/4 nodes are available: 2 Insufficient cpu, 2 node(s) didn't match pod anti-affinity rules.",
  );
});

test("a Guaranteed pod larger than one NUMA node is refused, though the node's CPUs would hold it", () => {
  // 12 allocatable CPUs a node, 8 requested: a CPU sum per node or per pool passes.
  const overrides = {
    tiers: {
      "ultra-low-latency": {
        pool: {
          numa: [
            { cpus: "0-6", memory: "32Gi", hugepages: { "2Mi": "1Gi" } },
            { cpus: "7-13", memory: "32Gi", hugepages: { "2Mi": "1Gi" } },
          ],
        },
      },
    },
    services: { "integration-engine": { resources: { requests: { cpu: "8" }, limits: { cpu: "8" } } } },
  };
  assert.equal(
    findingsFor(overrides).filter((f) => f.includes("prod")),
    [
      "node-pool-capability prod services.integration-engine.resources: one integration-engine pod is larger than " +
        "one NUMA node, which Topology Manager single-numa-node requires: it needs 8 exclusive CPUs, and the " +
        "largest NUMA node of the ultra-low-latency pool offers 7 (of 7 CPUs, after the reserved set)",
    ],
  );
});

test("nodes that cannot honour the tier are refused: no pinning or reserved CPUs, no hugepages, half cores", () => {
  const prodOnly = (overrides: unknown) =>
    findingsFor(overrides, "node-pool-capability").filter((f) => f.includes(" prod "));
  assert.equal(prodOnly({ tiers: { "ultra-low-latency": { pool: { cpuPinning: false } } } }), [
    "node-pool-capability prod tiers.ultra-low-latency.pool.cpuPinning: the ultra-low-latency tier promises pinned " +
      "CPUs, but its nodes run without the static CPU manager and Topology Manager: its pods share CPUs with " +
      "everything else",
  ]);
  assert.equal(prodOnly({ tiers: { "ultra-low-latency": { pool: { reserved: { cpus: "" } } } } }), [
    "node-pool-capability prod tiers.ultra-low-latency.pool.reserved.cpus: the static CPU manager needs reserved " +
      "CPUs for the OS and the kubelet; without them the kubelet refuses to start",
  ]);
  assert.equal(
    prodOnly({
      tiers: {
        "ultra-low-latency": {
          pool: {
            numa: [
              { cpus: "0-11", memory: "48Gi", hugepages: null },
              { cpus: "12-23", memory: "48Gi", hugepages: null },
            ],
          },
        },
      },
    }),
    [
      "node-pool-capability prod services.risk-engine.resources.requests.hugepages-2Mi: risk-engine requests 512Mi " +
        "of hugepages-2Mi, and the nodes of the ultra-low-latency pool have no 2Mi pages",
    ],
  );
  assert.equal(prodOnly({ tiers: { "ultra-low-latency": { pool: { threadsPerCore: 2 } } } }), [
    "node-pool-capability prod services.integration-engine.resources.requests.cpu: integration-engine asks for 3 " +
      "exclusive CPUs; with full-pcpus-only and 2 threads per core the kubelet gives whole cores only and refuses " +
      "the pod (SMTAlignmentError)",
  ]);
});

test("the engine itself keeps a pod off a node whose free NUMA nodes cannot hold it", () => {
  // Each NUMA node holds one 3-CPU pod; a third pod fits the node's CPUs but no NUMA node.
  const f = feasibility(
    prod({
      tiers: {
        "ultra-low-latency": {
          pool: {
            zones: { "eu-west-2a": 1, "eu-west-2b": 0, "eu-west-2c": 0 },
            numa: [
              { cpus: "0-4", memory: "32Gi", hugepages: { "2Mi": "1Gi" } },
              { cpus: "5-7", memory: "32Gi", hugepages: { "2Mi": "1Gi" } },
            ],
          },
        },
      },
      services: {
        "risk-engine": { replicas: 1, resources: { requests: { cpu: "3" }, limits: { cpu: "3" } } },
        "position-keeper": { replicas: 1, resources: { requests: { cpu: "3" }, limits: { cpu: "3" } } },
        "order-manager": { replicas: 0 },
        "integration-engine": { replicas: 0 },
      },
    }),
  );
  assert.equal(
    f.peak.placed.filter((p) => p.numa !== undefined).map((p) => [p.service, p.numa]),
    [
      ["risk-engine", 0],
      ["position-keeper", 1],
    ],
  );
});

test("pods that fit only if two anti-affine replicas shared a node are refused, in the scheduler's words", () => {
  // The high-performance tier has no host ports, so the anti-affinity is all that keeps the pods apart.
  const overrides = {
    tiers: {
      "high-performance": {
        antiAffinity: "required",
        pool: { zones: { "eu-west-2a": 1, "eu-west-2b": 1, "eu-west-2c": 0 } },
      },
    },
  };
  const got = findingsFor(overrides, "scheduling");
  assert.ok(
    got.includes(
      "scheduling prod services.smart-order-router.replicas: 1 of 3 smart-order-router pods at peak stay " +
        "Pending: 0/8 nodes are available: 2 node(s) didn't match pod anti-affinity rules, 6 node(s) had " +
        "untolerated taint {dedicated: ultra-low-latency}.",
    ),
    got.join("\n"),
  );
});

test("a required zone spread keeps a pod Pending rather than skew the zones", () => {
  const f = feasibility(
    prod({
      tiers: { "ultra-low-latency": { pool: { zones: { "eu-west-2a": 3, "eu-west-2b": 1, "eu-west-2c": 0 } } } },
      services: { "order-manager": { replicas: 4 } },
    }),
  );
  const pending = f.peak.unplaced.filter((u) => u.service === "order-manager");
  assert.is(pending.length, 1);
  assert.match(pending[0]!.message, /node\(s\) didn't match pod topology spread constraints/);
});

test("a config that does not survive the loss of a node is refused, naming the loss and the service", () => {
  const got = findingsFor(
    { tiers: { "ultra-low-latency": { pool: { zones: { "eu-west-2a": 2, "eu-west-2b": 1, "eu-west-2c": 1 } } } } },
    "failure-headroom",
  );
  assert.ok(
    got.some((f) =>
      f.startsWith(
        "failure-headroom prod tiers.ultra-low-latency.pool.zones: losing zone eu-west-2a leaves order-manager " +
          "2 of 3 pods at peak, below the 3 it must keep",
      ),
    ),
    got.join("\n"),
  );
});

test("after a loss ultra-low-latency keeps every replica, other tiers what their PodDisruptionBudget promises", () => {
  const needed = Object.fromEntries(feasibility(prod()).templates.map((t) => [t.service, neededAfterLoss(t)]));
  assert.equal(needed, {
    "risk-engine": 2,
    "position-keeper": 2,
    "order-manager": 3,
    "integration-engine": 2,
    "market-data": 14,
    "strategy-engine": 9,
    "smart-order-router": 2,
  });
});

test("Deployments spread over zones as their tier says: required holds a pod back, preferred only tries", () => {
  const spreadOf = (overrides: unknown, service: string) => {
    const prodObjects = bundleOf(overrides).environments.find((e) => e.environment === "prod")!.objects;
    const d = prodObjects.find(
      (o) => o.kind === "Deployment" && o.metadata.name === `nautilus-${service}`,
    ) as unknown as {
      spec: { template: { spec: { topologySpreadConstraints?: Record<string, unknown>[] } } };
    };
    return d.spec.template.spec.topologySpreadConstraints;
  };
  assert.equal(spreadOf({}, "order-manager"), [
    {
      maxSkew: 1,
      topologyKey: "topology.kubernetes.io/zone",
      whenUnsatisfiable: "DoNotSchedule",
      labelSelector: {
        matchLabels: { "app.kubernetes.io/name": "order-manager", "app.kubernetes.io/part-of": "nautilus" },
      },
      matchLabelKeys: ["pod-template-hash"],
    },
  ]);
  assert.is(spreadOf({}, "market-data")?.[0]?.whenUnsatisfiable, "ScheduleAnyway");
  assert.is(spreadOf({ tiers: { "high-performance": { zoneSpread: "none" } } }, "market-data"), undefined);
});

test("pool errors name the config path", () => {
  assert.equal(
    changedConfigErrors((c) => {
      c.tiers["ultra-low-latency"]!.pool.reserved.cpus = "0-1,40";
    }),
    ["tiers.ultra-low-latency.pool.reserved.cpus: CPU 40 is in no NUMA node of the pool"],
  );
  assert.equal(
    changedConfigErrors((c) => {
      c.tiers["ultra-low-latency"]!.pool.numa[1]!.cpus = "10-23";
    }).map((e) => e.replace(/^config platform\.config\.ts:\d+ /, "")),
    [
      "tiers.ultra-low-latency.pool.numa[1].cpus: CPU 10 is also in numa[0]: a CPU belongs to one NUMA node",
      "tiers.ultra-low-latency.pool.numa[1].cpus: CPU 11 is also in numa[0]: a CPU belongs to one NUMA node",
    ],
  );
  assert.equal(
    changedConfigErrors((c) => {
      c.environments.dev.tiers = { "ultra-low-latency": { pool: { zones: { "eu-west-2d": 1 } } } };
    }),
    [
      'environments.dev.tiers.ultra-low-latency.pool.zones.eu-west-2d: unknown zone "eu-west-2d"; ' +
        "tiers.ultra-low-latency.pool.zones names eu-west-2a, eu-west-2b, eu-west-2c",
    ],
  );
});

test.run();
