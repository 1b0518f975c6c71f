import { test } from "uvu";
import * as assert from "uvu/assert";
import type { KubeObject } from "../core/finding.ts";
import { runPlatformChecks } from "../checks/platform.ts";
import { checkEgressAllowsDns } from "../checks/platform/egress-allows-dns.ts";
import { bundleOf } from "./support/config.ts";

const findingsFor = (overrides: unknown) => {
  const bundle = bundleOf(overrides);
  return runPlatformChecks({ environments: bundle.environments, files: bundle.files });
};

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
      "cpu-capacity staging tiers.high-performance.nodes: the high-performance tier requests 13 CPUs at peak " +
        "(11 for 3 services at their maximum replicas, 2 for a rollout surge), the pool has 12 (3 nodes × 4)",
      "cpu-capacity prod tiers.high-performance.nodes: the high-performance tier requests 30.5 CPUs at peak " +
        "(26.5 for 3 services at their maximum replicas, 4 for a rollout surge), the pool has 24 (6 nodes × 4)",
    ],
  },
  {
    description: "two host-network engines on the same container port",
    overrides: { services: { "position-keeper": { ports: { containerHttp: 8001 } } } },
    expect: [
      "host-port-conflict - services.position-keeper.ports.containerHttp: position-keeper listens on host " +
        "port 8001, as risk-engine does; both use host networking in the ultra-low-latency pool, so they " +
        "cannot run on the same node",
    ],
  },
  {
    description: "a ReadWriteOnce claim mounted by every replica of every service",
    overrides: { storage: { logs: { accessMode: "ReadWriteOnce" } } },
    expect: [
      "shared-rwo-volume prod storage.logs.accessMode: storage claim logs is ReadWriteOnce but up to 37 pods " +
        "mount it (risk-engine, position-keeper, order-manager, integration-engine, market-data, " +
        "strategy-engine, smart-order-router); pods on other nodes cannot attach it",
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
      checkEgressAllowsDns({ environment: "prod", objects: c.objects }).map((f) => f.resource?.name),
      c.denied,
    );
  });
}

test.run();
