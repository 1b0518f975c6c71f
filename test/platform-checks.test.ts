import { test } from "uvu";
import * as assert from "uvu/assert";
import type { KubeObject } from "../core/finding.ts";
import { runConfigChecks, runObjectChecks } from "../checks/registry.ts";
import type { ConfigContext } from "../checks/check.ts";
import { egressAllowsDns } from "../checks/platform/egress-allows-dns.ts";
import { hostPortConflict } from "../checks/platform/host-port-conflict.ts";
import { bundleOf, platformOf } from "./support/config.ts";

const contextOf = (overrides: unknown): ConfigContext => {
  const bundle = bundleOf(overrides);
  return {
    environments: bundle.environments,
    platform: platformOf(overrides),
    out: { dir: "out", files: bundle.files },
  };
};
const findingsFor = (overrides: unknown) => runConfigChecks(contextOf(overrides));

test("the real config passes every platform check", () => {
  assert.equal(findingsFor({}), []);
});

const rows: { description: string; overrides: unknown; expect: string[] }[] = [
  {
    description: "a staging pool one node short of order-manager's replicas plus its surge pod stalls the rollout",
    overrides: { environments: { staging: { services: { "order-manager": { replicas: 3 } } } } },
    expect: [
      "rollout-capacity staging environments.staging.services.order-manager.replicas: 3 replicas with " +
        "required anti-affinity need 4 ultra-low-latency nodes (3 + maxSurge 1), the pool has 3: the " +
        "rollout's surge pod cannot be placed and the rollout stalls",
    ],
  },
  {
    description: "a prod pool of exactly `replicas` nodes stalls the rollout",
    overrides: { tiers: { "ultra-low-latency": { nodes: 3 } } },
    expect: [
      "rollout-capacity prod services.order-manager.replicas: 3 replicas with required anti-affinity need 4 " +
        "ultra-low-latency nodes (3 + maxSurge 1), the pool has 3: the rollout's surge pod cannot be placed " +
        "and the rollout stalls",
    ],
  },
  {
    description: "nothing when maxUnavailable lets the rollout free a node first, even with exactly `replicas` nodes",
    overrides: { tiers: { "ultra-low-latency": { nodes: 3, rollout: { maxSurge: 1, maxUnavailable: 1 } } } },
    expect: [],
  },
  {
    description: "more replicas than nodes with required anti-affinity, whatever the rollout",
    overrides: { tiers: { "ultra-low-latency": { nodes: 2, rollout: { maxSurge: 1, maxUnavailable: 1 } } } },
    expect: [
      "rollout-capacity prod services.order-manager.replicas: 3 replicas with required anti-affinity need 3 " +
        "ultra-low-latency nodes, the pool has 2: 1 replica(s) stay Pending",
    ],
  },
  {
    description: "a pool without the CPUs its services request at peak",
    overrides: { tiers: { "high-performance": { cpusPerNode: 4 } } },
    expect: [
      "cpu-capacity staging environments.staging.tiers.high-performance.nodes: the high-performance tier " +
        "requests 13 CPUs at peak " +
        "(11 for 3 services at their maximum replicas, 2 for a rollout surge), the pool has 12 (3 nodes × 4)",
      "cpu-capacity prod tiers.high-performance.nodes: the high-performance tier requests 30.5 CPUs at peak " +
        "(26.5 for 3 services at their maximum replicas, 4 for a rollout surge), the pool has 24 (6 nodes × 4)",
    ],
  },
  {
    description: "two host-network engines on the same container port, in every environment",
    overrides: { services: { "position-keeper": { ports: { containerHttp: 8001 } } } },
    expect: ["dev", "staging", "prod"].map(
      (env) =>
        `host-port-conflict ${env} services.position-keeper.ports.containerHttp: position-keeper listens on host ` +
        "port 8001, as risk-engine does; both use host networking in the ultra-low-latency pool, so they " +
        "cannot run on the same node",
    ),
  },
  {
    description: "a ReadWriteOnce claim mounted by every replica of every service, in every environment",
    overrides: { storage: { logs: { accessMode: "ReadWriteOnce" } } },
    expect: [
      ["dev", 10],
      ["staging", 20],
      ["prod", 37],
    ].map(
      ([env, pods]) =>
        `shared-rwo-volume ${env} storage.logs.accessMode: storage claim logs is ReadWriteOnce but up to ${pods} ` +
        "pods mount it (risk-engine, position-keeper, order-manager, integration-engine, market-data, " +
        "strategy-engine, smart-order-router); pods on other nodes cannot attach it",
    ),
  },
  {
    description: "a ReadWriteOnce claim only where an environment runs more than one pod of its service",
    overrides: {
      storage: { cache: { accessMode: "ReadWriteOnce" } },
      environments: { dev: { services: { "market-data": { scaling: { minReplicas: 1, maxReplicas: 1 } } } } },
    },
    expect: [
      ["staging", 6],
      ["prod", 15],
    ].map(
      ([env, pods]) =>
        `shared-rwo-volume ${env} storage.cache.accessMode: storage claim cache is ReadWriteOnce but up to ` +
        `${pods} pods mount it (market-data); pods on other nodes cannot attach it`,
    ),
  },
  {
    description: "a dev pool too small for its CPUs, named where dev sets the pool's size",
    overrides: { environments: { dev: { tiers: { "ultra-low-latency": { cpusPerNode: 2 } } } } },
    expect: [
      "cpu-capacity dev environments.dev.tiers.ultra-low-latency.nodes: the ultra-low-latency tier requests " +
        "12 CPUs at peak (9 for 4 services at their maximum replicas, 3 for a rollout surge), the pool has 4 " +
        "(2 nodes × 2)",
    ],
  },
  {
    description: "a latency alert above the 2.75 µs budget, in every environment",
    overrides: { monitoring: { alerts: { RiskEngineP99LatencyHigh: { threshold: "3us" } } } },
    expect: ["dev", "staging", "prod"].map(
      (env) =>
        `latency-alert-coverage ${env} monitoring.alerts.RiskEngineP99LatencyHigh.threshold: critical alert ` +
        `RiskEngineP99LatencyHigh fires only above 3 µs of nautilus_risk_check_latency_microseconds_p99; the ` +
        `ultra-low-latency budget for risk-engine is 2.75 µs`,
    ),
  },
  {
    description: "an ultra-low-latency engine that exposes no latency metric",
    overrides: {
      monitoring: {
        metrics: { nautilus_order_processing_duration_seconds: null },
        alerts: { OrderManagerP99LatencyHigh: null },
        // An inhibition naming a deleted alert is a config error of its own.
        alerting: { inhibit: [] },
      },
    },
    expect: ["dev", "staging", "prod"].map(
      (env) =>
        `latency-alert-coverage ${env} monitoring.metrics: order-manager is ultra-low-latency but exposes no ` +
        `latency metric, so no alert would fire if its latency regressed`,
    ),
  },
  {
    description: "a latency alert that is only a warning",
    overrides: { monitoring: { alerts: { IntegrationE2ELatencyHigh: { severity: "warning" } } } },
    expect: ["dev", "staging", "prod"].map(
      (env) =>
        `latency-alert-coverage ${env} monitoring.alerts: integration-engine exposes ` +
        `nautilus_integration_e2e_latency_microseconds_p99 but no critical alert with service: ` +
        `integration-engine watches it`,
    ),
  },
];

for (const row of rows) {
  test(`platform checks find ${row.description}`, () => {
    const got = findingsFor(row.overrides)
      .filter((f) => f.severity === "error")
      .map((f) => `${f.rule} ${f.environment ?? "-"} ${f.path}: ${f.message}`);
    for (const e of row.expect) assert.ok(got.includes(e), `expected\n  ${e}\ngot\n  ${got.join("\n  ")}`);
    assert.is(got.length, row.expect.length, got.join("\n"));
  });
}

test("host-port-conflict judges each environment on its own config", () => {
  const ctx = contextOf({});
  const environments = ctx.environments.map((env) => {
    if (env.environment !== "staging") return env;
    const services = structuredClone(env.platform.services);
    services["order-manager"]!.ports.containerMetrics = services["risk-engine"]!.ports.containerMetrics;
    return { ...env, platform: { ...env.platform, services } };
  });
  assert.equal(
    runConfigChecks({ ...ctx, environments }, [hostPortConflict]).map((f) => `${f.environment} ${f.path}`),
    ["staging services.order-manager.ports.containerMetrics"],
  );
});

test("every finding of a platform check carries the check's id as engine and rule", () => {
  const findings = findingsFor({
    tiers: { "ultra-low-latency": { nodes: 3 }, "high-performance": { cpusPerNode: 4 } },
    storage: { logs: { accessMode: "ReadWriteOnce" } },
  });
  assert.equal([...new Set(findings.map((f) => `${f.engine}/${f.rule}`))].sort(), [
    "platform/cpu-capacity",
    // staging's ultra-low-latency pool of 3 now equals the base's: a note.
    "platform/no-op-patch",
    "platform/rollout-capacity",
    "platform/shared-rwo-volume",
  ]);
});

const netpol = (name: string, spec: Record<string, unknown>): KubeObject => ({
  apiVersion: "networking.k8s.io/v1",
  kind: "NetworkPolicy",
  metadata: { name, namespace: "ns" },
  spec,
});
const kubeDns = {
  namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
  podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
};
const denyAll = netpol("deny", { podSelector: {}, policyTypes: ["Egress"] });
const dnsCases: { description: string; objects: KubeObject[]; denied: string[] }[] = [
  {
    description: "a default deny with a DNS rule for every pod passes",
    objects: [
      denyAll,
      netpol("dns", {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [{ to: [kubeDns], ports: [{ protocol: "UDP", port: 53 }] }],
      }),
    ],
    denied: [],
  },
  {
    description: "a DNS rule over TCP only does not count (lookups use UDP)",
    objects: [
      denyAll,
      netpol("dns", { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [kubeDns], ports: [{ port: 53 }] }] }),
    ],
    denied: ["deny", "dns"],
  },
  {
    description: "a DNS rule for other pods does not help the ones a policy restricts",
    objects: [
      denyAll,
      netpol("dns", {
        podSelector: { matchLabels: { app: "x" } },
        policyTypes: ["Egress"],
        egress: [{ to: [kubeDns], ports: [{ protocol: "UDP", port: 53 }] }],
      }),
    ],
    denied: ["deny"],
  },
  {
    description: "egress only to the own namespace (the report's policy) breaks DNS",
    objects: [
      netpol("own", {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [{ to: [{ namespaceSelector: { matchLabels: { name: "ns" } } }] }],
      }),
    ],
    denied: ["own"],
  },
];
for (const c of dnsCases) {
  test(`egress-allows-dns: ${c.description}`, () => {
    assert.equal(
      runObjectChecks({ environments: [{ environment: "prod", objects: c.objects }] }, [egressAllowsDns]).map(
        (f) => f.resource?.name,
      ),
      c.denied,
    );
  });
}

test.run();
