import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigSource } from "../bin/config-source.ts";
import { locateFindings } from "../bin/locate-findings.ts";
import type { Finding, ResourceRef } from "../core/finding.ts";
import { mergeEnvironments } from "../core/merge-environments.ts";
import { ROOT, bundleOf, platformOf } from "./support/config.ts";
import { namespaceOfService } from "../model/namespaces.ts";

const ORDER = ["dev", "staging", "prod"];

const base: Finding = {
  engine: "cel",
  rule: "pinned-images",
  severity: "error",
  resource: { apiVersion: "apps/v1", kind: "Deployment", namespace: "nautilus-trading", name: "nautilus-x" },
  path: "spec.template.spec.containers[0].image",
  message: "pin the image",
};

test("a finding that holds in every environment is reported once, naming them in the given order", () => {
  const merged = mergeEnvironments(
    [
      { ...base, environment: "prod" },
      { ...base, environment: "dev" },
      { ...base, environment: "staging" },
    ],
    ORDER,
  );
  assert.is(merged.length, 1);
  assert.equal(merged[0]!.environments, ["dev", "staging", "prod"]);
  assert.is(merged[0]!.environment, undefined);
});

test("findings that differ in anything but the environment stay apart, in their order", () => {
  const merged = mergeEnvironments(
    [
      { ...base, environment: "dev", message: "1 replica" },
      { ...base, environment: "prod", message: "3 replicas" },
      { ...base, environment: "staging", line: 4 },
      { ...base, environment: "prod", line: 4 },
    ],
    ORDER,
  );
  assert.equal(
    merged.map((f) => [f.message, f.environment, f.environments]),
    [
      ["1 replica", "dev", undefined],
      ["3 replicas", "prod", undefined],
      ["pin the image", undefined, ["staging", "prod"]],
    ],
  );
});

test("merging ignores field order, keeps findings without an environment, and is idempotent", () => {
  const reordered: Finding = {
    message: base.message,
    severity: "error",
    rule: base.rule,
    engine: base.engine,
    path: base.path!,
    resource: { name: "nautilus-x", namespace: "nautilus-trading", kind: "Deployment", apiVersion: "apps/v1" },
    environment: "dev",
  };
  const file: Finding = { engine: "drift", rule: "stale", severity: "error", file: "out/x.yaml", message: "stale" };
  const once = mergeEnvironments([{ ...base, environment: "prod" }, file, reordered, file], ORDER);
  assert.is(once.length, 3);
  assert.equal(once[0]!.environments, ["dev", "prod"]);
  assert.equal(mergeEnvironments(once, ORDER), once);
  assert.equal(mergeEnvironments([{ ...base, environment: "prod" }], ORDER), [{ ...base, environment: "prod" }]);
});

// --------------------------------------------------------------------------------------------- locating

const source = new ConfigSource(readFileSync(join(ROOT, "platform.config.ts"), "utf8"));
const bundle = bundleOf();
const ctx = { configFile: "platform.config.ts", source, environments: bundle.environments, outDir: "out" };
const platform = platformOf();
const deployment = (name: string): ResourceRef => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  namespace: namespaceOfService(platform, name),
  name: `nautilus-${name}`,
});

/** The config text at a finding's line and column. */
function textAt(f: Finding): string {
  return (source.text.split("\n")[f.line! - 1] ?? "").slice((f.column ?? 1) - 1);
}

function locate(f: Finding): Finding {
  return locateFindings([f], ctx)[0]!;
}

test("a finding on a service's Deployment points at the config key that sets the field, and keeps its path", () => {
  const f = locate({ ...base, environment: "prod", resource: deployment("risk-engine") });
  assert.is(f.file, "platform.config.ts");
  assert.is(f.configPath, "services.risk-engine.image");
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the config's source text
  assert.ok(textAt(f).startsWith("image: `${REGISTRY}/risk-engine"), textAt(f));
  assert.is(f.path, base.path);
});

test("an environment's own setting wins over the base config's; otherwise the base config's line", () => {
  const replicas = { ...base, path: "spec.replicas", resource: deployment("order-manager") };
  const staging = locate({ ...replicas, environment: "staging" });
  assert.is(staging.configPath, "environments.staging.services.order-manager.replicas");
  assert.ok(textAt(staging).startsWith("replicas: 2 }"), textAt(staging));
  const prod = locate({ ...replicas, environment: "prod" });
  assert.is(prod.configPath, "services.order-manager.replicas");
  assert.ok(textAt(prod).startsWith("replicas: 3,"), textAt(prod));
});

test("fields that come from the tier point at the tier; a field without a rule at the service's block", () => {
  const host = locate({
    ...base,
    environment: "prod",
    resource: deployment("risk-engine"),
    path: "spec.template.spec.hostNetwork",
  });
  assert.is(host.configPath, "tiers.ultra-low-latency.hostNetwork");
  const other = locate({ ...base, environment: "prod", resource: deployment("risk-engine"), path: "spec.paused" });
  assert.is(other.configPath, "services.risk-engine");
  assert.ok(textAt(other).startsWith('"risk-engine": {'), textAt(other));
});

test("storage, tiers and monitoring components point at their own blocks", () => {
  const pvc = locate({
    ...base,
    environment: "dev",
    resource: { apiVersion: "v1", kind: "PersistentVolumeClaim", namespace: "nautilus-trading", name: "nautilus-logs" },
    path: "spec.resources.requests.storage",
  });
  assert.is(pvc.configPath, "environments.dev.storage.logs.size");
  const priority = locate({
    ...base,
    environment: "prod",
    resource: { apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass", name: "nautilus-ultra-low-latency" },
  });
  assert.is(priority.configPath, "tiers.ultra-low-latency");
  const grafana = locate({ ...base, environment: "prod", resource: deployment("grafana") });
  assert.is(grafana.configPath, "monitoring.components.grafana");
});

test("a finding on the rules naming an alert points at the alert; one on a policy object at its file", () => {
  const rules = locate({
    ...base,
    environment: "prod",
    resource: { apiVersion: "v1", kind: "ConfigMap", namespace: "nautilus-trading", name: "nautilus-prometheus-rules" },
    path: "data",
    message: "alert HighErrorRate has no runbook",
  });
  assert.is(rules.configPath, "monitoring.alerts.HighErrorRate");
  assert.ok(textAt(rules).startsWith("HighErrorRate: {"), textAt(rules));
  const policy = locate({
    ...base,
    environment: "prod",
    resource: {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingAdmissionPolicy",
      name: "nautilus-pinned-images-pod",
    },
  });
  assert.equal([policy.file, policy.line], ["policies/pinned-images/policy.yaml", 1]);
});

test("a check that names a config path gets that path's exact line; unknown objects get the config's line 1", () => {
  const f = locate({
    engine: "platform",
    rule: "rollout-capacity",
    severity: "error",
    environment: "staging",
    resource: deployment("order-manager"),
    file: "platform.config.ts",
    path: "environments.staging.services.order-manager.replicas",
    message: "m",
  });
  assert.ok(textAt(f).startsWith("replicas: 2 }"), textAt(f));
  const unknown = locate({ ...base, environment: "prod", resource: deployment("nope") });
  assert.equal([unknown.file, unknown.line], ["platform.config.ts", 1]);
});

test("findings about out/ files keep their file; findings without a file get the config", () => {
  const drift: Finding = { engine: "drift", rule: "stale", severity: "error", file: "out/base/x.yaml", message: "m" };
  assert.equal(locate(drift), drift);
  const none: Finding = { engine: "promtool", rule: "x", severity: "error", message: "m" };
  assert.equal([locate(none).file, locate(none).line], ["platform.config.ts", 1]);
});

test("located and merged, a base-config problem of all three environments is one finding at one line", () => {
  const findings = ORDER.map((environment) => ({ ...base, environment, resource: deployment("market-data") }));
  const merged = mergeEnvironments(locateFindings(findings, ctx), ORDER);
  assert.is(merged.length, 1);
  assert.equal(merged[0]!.environments, ORDER);
  assert.is(merged[0]!.configPath, "services.market-data.image");
});

test.run();
