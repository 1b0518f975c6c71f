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

const rows: { description: string; overrides: unknown; expect: string[]; only?: string }[] = [
  {
    description: "a staging pool one node short of order-manager's replicas plus its surge pod stalls the rollout",
    overrides: {
      environments: { staging: { services: { "order-manager": { replicas: 3 } } } },
    },
    expect: [
      "rollout-capacity staging environments.staging.services.order-manager.replicas: a rollout of order-manager " +
        "cannot place 1 of its 1 surge pod(s) beside 3 replica(s) at peak, so it stalls: 0/6 nodes are " +
        "available: 3 node(s) didn't have free ports for the requested pod ports, 3 node(s) didn't match Pod's " +
        "node affinity/selector.",
      "failure-headroom staging environments.staging.tiers.ultra-low-latency.pool.zones: losing any of 3 nodes " +
        "(ultra-low-latency-eu-west-2a-1, ultra-low-latency-eu-west-2b-1, ultra-low-latency-eu-west-2c-1) leaves " +
        "order-manager 2 of 3 pods at peak, below the 3 it must keep: 0/5 nodes are available: 2 node(s) didn't " +
        "have free ports for the requested pod ports, 3 node(s) didn't match Pod's node affinity/selector.",
      "failure-headroom staging environments.staging.tiers.ultra-low-latency.pool.zones: losing any of 3 zones " +
        "(eu-west-2a, eu-west-2b, eu-west-2c) leaves order-manager 2 of 3 pods at peak, below the 3 it must keep: " +
        "0/4 nodes are available: 2 node(s) didn't have free ports for the requested pod ports, 2 node(s) didn't " +
        "match Pod's node affinity/selector.",
    ],
  },
  {
    description: "no rollout finding when maxUnavailable lets the rollout free a node first",
    overrides: {
      environments: { staging: { services: { "order-manager": { replicas: 3 } } } },
      tiers: { "ultra-low-latency": { rollout: { maxSurge: 1, maxUnavailable: 1 } } },
    },
    expect: [
      "failure-headroom staging environments.staging.tiers.ultra-low-latency.pool.zones: losing any of 3 nodes " +
        "(ultra-low-latency-eu-west-2a-1, ultra-low-latency-eu-west-2b-1, ultra-low-latency-eu-west-2c-1) leaves " +
        "order-manager 2 of 3 pods at peak, below the 3 it must keep: 0/5 nodes are available: 2 node(s) didn't " +
        "have free ports for the requested pod ports, 3 node(s) didn't match Pod's node affinity/selector.",
      "failure-headroom staging environments.staging.tiers.ultra-low-latency.pool.zones: losing any of 3 zones " +
        "(eu-west-2a, eu-west-2b, eu-west-2c) leaves order-manager 2 of 3 pods at peak, below the 3 it must keep: " +
        "0/4 nodes are available: 2 node(s) didn't have free ports for the requested pod ports, 2 node(s) didn't " +
        "match Pod's node affinity/selector.",
    ],
  },
  {
    description: "two host-network engines on the same container port, in every environment",
    overrides: { services: { "position-keeper": { ports: { containerHttp: 8001 } } } },
    // The scheduling engine reports what the clash leaves Pending, in its own rules.
    only: "host-port-conflict",
    expect: ["dev", "staging", "prod"].map(
      (env) =>
        `host-port-conflict ${env} services.position-keeper.ports.containerHttp: position-keeper listens on host ` +
        "port 8001, as risk-engine does; both use host networking in the ultra-low-latency pool, so they " +
        "cannot run on the same node",
    ),
  },
  {
    description: "a ReadWriteOnce claim mounted by every replica of every service using it, in every environment",
    overrides: { storage: { logs: { accessMode: "ReadWriteOnce" } } },
    expect: [
      ["dev", 6],
      ["staging", 12],
      ["prod", 28],
    ].map(
      ([env, pods]) =>
        `shared-rwo-volume ${env} storage.logs.accessMode: storage claim logs is ReadWriteOnce but up to ${pods} ` +
        "pods mount it (market-data, strategy-engine, smart-order-router); pods on other nodes cannot attach it",
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
      .filter((f) => f.severity === "error" && (row.only === undefined || f.rule === row.only))
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
    environments: { staging: { services: { "order-manager": { replicas: 3 } } } },
    services: { "market-data": { resources: { requests: { cpu: "12" }, limits: { cpu: "12" } } } },
    storage: { logs: { accessMode: "ReadWriteOnce" } },
  });
  assert.equal([...new Set(findings.map((f) => `${f.engine}/${f.rule}`))].sort(), [
    "platform/failure-headroom",
    // staging's order-manager replicas: 3 equals the base's: a note.
    "platform/no-op-patch",
    "platform/rollout-capacity",
    "platform/scheduling",
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
