/**
 * Config changes roll exactly the pods that read them: each pod template carries a SHA-256 of the generated
 * ConfigMap and Secret data it reads (`checksum/config`), so a changed threshold, scrape job or adapter rule
 * changes the template of its readers in the rendered environment and of nothing else.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ANNOTATION } from "../core/conventions.ts";
import type { KubeObject } from "../core/finding.ts";
import { deepEqual } from "../core/plain.ts";
import { configChecksum, podReads, withConfigChecksums } from "../generators/config-checksum.ts";
import { bundleOf } from "./support/config.ts";

type Template = { metadata?: { annotations?: Record<string, string> }; spec?: Record<string, unknown> };
const templateOf = (o: KubeObject) => (o.spec as { template?: Template } | undefined)?.template;

/** Every pod template of `env`'s final objects, by `Kind/name`. */
function templates(overrides: unknown, env = "prod"): Map<string, Template> {
  const objects = bundleOf(overrides).environments.find((e) => e.environment === env)!.objects;
  const all = new Map<string, Template>();
  for (const o of objects) {
    const t = templateOf(o);
    if (t) all.set(`${o.kind}/${o.metadata.name}`, t);
  }
  return all;
}

/** The pod templates that differ between two renderings, by `Kind/name`. */
function changed(before: Map<string, Template>, after: Map<string, Template>): string[] {
  assert.equal([...after.keys()].sort(), [...before.keys()].sort());
  return [...before.keys()].filter((k) => !deepEqual(before.get(k), after.get(k))).sort();
}

const BASELINE = templates({});

test("every workload that reads a generated ConfigMap carries the checksum on its pod template", () => {
  const missing = [...BASELINE].filter(([, t]) => !t.metadata?.annotations?.[ANNOTATION.configChecksum]);
  // Jaeger and kube-state-metrics are configured by flags and env alone: they read no ConfigMap, so nothing rolls them.
  assert.equal(
    missing.map(([k]) => k),
    ["Deployment/nautilus-jaeger", "Deployment/nautilus-kube-state-metrics"],
  );
  assert.ok(BASELINE.has("Deployment/nautilus-prometheus"));
  assert.ok(BASELINE.has("StatefulSet/nautilus-alertmanager"));
});

test("changing one alert threshold rolls Prometheus and the dashboards that draw it, and nothing else", () => {
  const after = templates({ monitoring: { alerts: { MemoryPoolEfficiencyLow: { threshold: "90%" } } } });
  const rolled = changed(BASELINE, after);
  assert.ok(rolled.includes("Deployment/nautilus-prometheus"), `rolled: ${rolled.join(", ")}`);
  // Grafana reads the dashboards, which draw the threshold; no service, adapter, Jaeger or Alertmanager pod does.
  for (const k of rolled) assert.ok(["Deployment/nautilus-prometheus", "Deployment/nautilus-grafana"].includes(k), k);
  const before = BASELINE.get("Deployment/nautilus-prometheus")!;
  const now = after.get("Deployment/nautilus-prometheus")!;
  assert.is.not(
    now.metadata!.annotations![ANNOTATION.configChecksum],
    before.metadata!.annotations![ANNOTATION.configChecksum],
  );
  // The rollout is the annotation alone: the rest of the template is as it was.
  assert.equal(now.spec, before.spec);
});

test("changing a scrape interval rolls Prometheus only", () => {
  const after = templates({ tiers: { "high-performance": { scrapeInterval: "10s" } } });
  assert.equal(changed(BASELINE, after), ["Deployment/nautilus-prometheus"]);
});

test("dropping an HPA's custom metric changes the adapter's rules and rolls the adapter only", () => {
  assert.equal(
    changed(
      BASELINE,
      templates({
        services: {
          "market-data": { scaling: { custom: [{ metric: "nautilus_websocket_connections", averageValue: 400 }] } },
        },
      }),
    ),
    ["Deployment/nautilus-prometheus-adapter"],
  );
});

test("the environment ConfigMap rolls every service that reads it, environment by environment", () => {
  const prod = templates({}, "prod");
  const staging = templates({}, "staging");
  const risk = "Deployment/nautilus-risk-engine";
  assert.is.not(
    prod.get(risk)!.metadata!.annotations![ANNOTATION.configChecksum],
    staging.get(risk)!.metadata!.annotations![ANNOTATION.configChecksum],
  );
});

const configMap = (name: string, data: Record<string, string>, namespace = "ns"): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace },
  data,
});
const deployment = (name: string, pod: Record<string, unknown>): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name, namespace: "ns" },
  spec: { template: { metadata: { labels: { a: "b" } }, spec: pod } },
});

test("a pod reads mounted, projected and referenced sources, and only the keys it names", () => {
  const pod = {
    volumes: [
      { name: "a", configMap: { name: "whole" } },
      { name: "b", projected: { sources: [{ configMap: { name: "some", items: [{ key: "x", path: "x" }] } }] } },
      { name: "c", secret: { secretName: "creds" } },
    ],
    containers: [
      {
        env: [{ name: "E", valueFrom: { configMapKeyRef: { name: "env", key: "environment" } } }],
        envFrom: [{ secretRef: { name: "more" } }],
      },
    ],
  };
  assert.equal(Object.fromEntries([...podReads(pod)].map(([k, v]) => [k, v === "all" ? v : [...v]])), {
    "ConfigMap/whole": "all",
    "ConfigMap/some": ["x"],
    "Secret/creds": "all",
    "ConfigMap/env": ["environment"],
    "Secret/more": "all",
  });
  const sources = (some: Record<string, string>) =>
    new Map([
      ["ConfigMap/some", configMap("some", some)],
      ["ConfigMap/env", configMap("env", { environment: "prod" })],
    ]);
  const sum = configChecksum(pod, sources({ x: "1", y: "1" }));
  assert.match(sum ?? "", /^[0-9a-f]{64}$/);
  assert.is(configChecksum(pod, sources({ x: "1", y: "2" })), sum, "a key the pod does not read does not roll it");
  assert.is.not(configChecksum(pod, sources({ x: "2", y: "1" })), sum, "a key it reads does");
});

test("only sources of the workload's own namespace count, and the input objects are not changed", () => {
  const reader = deployment("reader", { volumes: [{ name: "c", configMap: { name: "cfg" } }], containers: [] });
  const bystander = deployment("bystander", { containers: [] });
  const input = [configMap("cfg", { k: "1" }), configMap("cfg", { k: "2" }, "other"), reader, bystander];
  const out = withConfigChecksums(input);
  const sum = (o: KubeObject) => templateOf(o)?.metadata?.annotations?.[ANNOTATION.configChecksum];
  assert.ok(sum(out[2]!));
  assert.is(sum(out[3]!), undefined);
  assert.is(sum(reader), undefined);
  const elsewhere = withConfigChecksums([configMap("cfg", { k: "1" }), configMap("cfg", { k: "3" }, "other"), reader]);
  assert.is(sum(elsewhere[2]!), sum(out[2]!));
  const changedHere = withConfigChecksums([configMap("cfg", { k: "9" }), reader]);
  assert.is.not(sum(changedHere[1]!), sum(out[2]!));
});

test.run();
