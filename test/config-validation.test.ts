/**
 * Config values the API server, the kubelet or Prometheus would refuse, or silently replace, are
 * refused when the config is parsed, by config path (issue 10, item 4); generated objects that would
 * share one identity are refused by generate, naming both sources.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { findingLine } from "../core/finding.ts";
import { generateBundle } from "../generators/bundle.ts";
import { readPolicySources } from "../bin/policies.ts";
import { hasHostBits, networkOf, parseCidr } from "../schemas/cidr.ts";
import { parseImageReference } from "../schemas/image-reference.ts";
import { parsePlatform } from "../schemas/parse.ts";
import { cli, configInput, platformOf } from "./support/config.ts";

const svc = (name: string, patch: unknown) => ({ services: { [name]: patch } });
const hex = (n: number) => "a".repeat(n);

const refused: { description: string; overrides: unknown; message: string }[] = [
  {
    description: "an image reference with a line break (YAML injection)",
    overrides: svc("risk-engine", { image: "registry/x:1\nkind: Secret" }),
    message: 'services.risk-engine.image: expected an image reference like "registry.example.com/team/app:1.2.3", got',
  },
  {
    description: "an image reference with a space (an argument smuggled in)",
    overrides: svc("order-manager", { image: "x:1 --privileged" }),
    message:
      'services.order-manager.image: expected an image reference like "registry.example.com/team/app:1.2.3", ' +
      'got "x:1 --privileged": it contains whitespace',
  },
  {
    description: "an image reference with upper-case letters in its path",
    overrides: svc("market-data", { image: "registry.nautilus.io/Trading/market-data:3.8.0" }),
    message: "services.market-data.image: expected an image reference",
  },
  {
    description: "an image tag longer than 128 characters",
    overrides: svc("market-data", { image: `registry.nautilus.io/trading/market-data:${"1".repeat(129)}` }),
    message: "services.market-data.image: expected an image reference",
  },
  {
    description: "a sha256 digest of the wrong length",
    overrides: svc("market-data", { image: `registry.nautilus.io/trading/market-data@sha256:${hex(40)}` }),
    message: "services.market-data.image: expected an image reference like",
  },
  {
    description: "an environment's image with whitespace",
    overrides: { environments: { staging: { services: { "market-data": { image: "market-data:3.8.0\n" } } } } },
    message: "environments.staging.services.market-data.image: expected an image reference",
  },
  {
    description: "a monitoring image with whitespace",
    overrides: { monitoring: { components: { grafana: { image: "docker.io/grafana/grafana:10.4.2 --x" } } } },
    message: "monitoring.components.grafana.image: expected an image reference",
  },
  {
    description: "a monitoring image without a tag or digest",
    overrides: { monitoring: { components: { jaeger: { image: "docker.io/jaegertracing/all-in-one" } } } },
    message: "monitoring.components.jaeger.image: expected an image pinned by tag or digest",
  },
  {
    description: "a monitoring image on :latest",
    overrides: { monitoring: { components: { jaeger: { image: "docker.io/jaegertracing/all-in-one:latest" } } } },
    message: 'monitoring.components.jaeger.image: images are pinned: ":latest"',
  },
  {
    description: "a probe path with a line break",
    overrides: svc("risk-engine", { probes: { liveness: { path: "/health/live\nHost: evil" } } }),
    message: 'services.risk-engine.probes.liveness.path: expected an absolute HTTP path like "/health/ready"',
  },
  {
    description: "a probe path with a space",
    overrides: svc("risk-engine", { probes: { readiness: { path: "/health ready" } } }),
    message: "services.risk-engine.probes.readiness.path: expected an absolute HTTP path",
  },
  {
    description: "a relative probe path",
    overrides: svc("risk-engine", { probes: { startup: { path: "health/startup" } } }),
    message: "services.risk-engine.probes.startup.path: expected an absolute HTTP path",
  },
  {
    description: "a mount path with a line break",
    overrides: svc("risk-engine", { volumes: [{ claim: "logs", mountPath: "/var/log\nx" }] }),
    message: "services.risk-engine.volumes[0].mountPath: expected an absolute path without control characters",
  },
  {
    description: "a storage size of 0",
    overrides: { storage: { metrics: { size: "0" } } },
    message: 'storage.metrics.size: "0" is too small: a volume must be larger than 0 bytes',
  },
  {
    description: "an environment's storage size of 0Gi",
    overrides: { environments: { dev: { storage: { logs: { size: "0Gi" } } } } },
    message: 'environments.dev.storage.logs.size: "0Gi" is too small',
  },
  {
    description: "a monitoring component with no memory",
    overrides: { monitoring: { components: { grafana: { memory: "0Mi" } } } },
    message: 'monitoring.components.grafana.memory: "0Mi" is too small',
  },
  {
    description: "a node CIDR of colons",
    overrides: { network: { nodeCidrs: [":::::/64"] } },
    message: 'network.nodeCidrs[0]: expected a CIDR like "10.0.0.0/16", got ":::::/64": ":::::" is not an IPv4 or IPv6',
  },
  {
    description: "an IPv4 prefix length over 32",
    overrides: { network: { nodeCidrs: ["10.64.0.0/33"] } },
    message:
      'network.nodeCidrs[0]: expected a CIDR like "10.0.0.0/16", got "10.64.0.0/33": the prefix length of ' +
      "an IPv4 CIDR is a number from 0 to 32",
  },
  {
    description: "an IPv6 prefix length over 128",
    overrides: { network: { nodeCidrs: ["fd00::/129"] } },
    message:
      'network.nodeCidrs[0]: expected a CIDR like "10.0.0.0/16", got "fd00::/129": the prefix length of ' +
      "an IPv6 CIDR is a number from 0 to 128",
  },
  {
    description: "an IPv4 octet with a leading zero",
    overrides: { network: { nodeCidrs: ["10.064.0.0/16"] } },
    message: 'network.nodeCidrs[0]: expected a CIDR like "10.0.0.0/16", got "10.064.0.0/16"',
  },
  {
    description: "an IPv6 address with nine groups",
    overrides: { network: { nodeCidrs: ["1:2:3:4:5:6:7:8::/64"] } },
    message: 'network.nodeCidrs[0]: expected a CIDR like "10.0.0.0/16", got "1:2:3:4:5:6:7:8::/64"',
  },
  {
    description: "a node CIDR with host bits set",
    overrides: { network: { nodeCidrs: ["10.64.1.0/16"] } },
    message:
      'network.nodeCidrs[0]: "10.64.1.0/16" has address bits set after its /16 prefix; write the network ' +
      '"10.64.0.0/16"',
  },
  {
    description: "an environment's node CIDR that is not one",
    overrides: { environments: { prod: { network: { nodeCidrs: ["10.64.0.0/16", "::1::/64"] } } } },
    message: "environments.prod.network.nodeCidrs[1]: expected a CIDR",
  },
  {
    description: "a tier scrape interval of 0s (Prometheus would silently use 15s)",
    overrides: { tiers: { "ultra-low-latency": { scrapeInterval: "0s" } } },
    message: 'tiers.ultra-low-latency.scrapeInterval: "0s" is too small: Prometheus needs at least 1ms',
  },
  {
    description: "a tier scrape interval under a millisecond",
    overrides: { tiers: { "high-performance": { scrapeInterval: "500us" } } },
    message: 'tiers.high-performance.scrapeInterval: "500us" is too small',
  },
  {
    description: "a cluster scrape interval of 0s",
    overrides: { monitoring: { scrapeInterval: "0s" } },
    message: 'monitoring.scrapeInterval: "0s" is too small',
  },
  {
    description: "a rule evaluation interval of 0ms",
    overrides: { monitoring: { evaluationInterval: "0ms" } },
    message: 'monitoring.evaluationInterval: "0ms" is too small',
  },
  {
    description: "an alert rate window of 0s",
    overrides: { monitoring: { alerts: { HighErrorRate: { window: "0s" } } } },
    message: 'monitoring.alerts.HighErrorRate.window: "0s" is too small',
  },
  {
    description: "a retention of 0h",
    overrides: { monitoring: { components: { prometheus: { retention: "0h" } } } },
    message: 'monitoring.components.prometheus.retention: "0h" is too small',
  },
  {
    description: "a probe period of 0s",
    overrides: svc("risk-engine", { probes: { liveness: { period: "0s" } } }),
    message: 'services.risk-engine.probes.liveness.period: "0s" is too small: Kubernetes counts this period in whole',
  },
  {
    description: "a probe timeout that is not a whole number of seconds",
    overrides: svc("risk-engine", { probes: { readiness: { timeout: "1500ms" } } }),
    message: "services.risk-engine.probes.readiness.timeout: Kubernetes counts this period in whole seconds",
  },
  {
    description: "a startup budget of 0s",
    overrides: svc("risk-engine", { probes: { startup: { budget: "0s" } } }),
    message: 'services.risk-engine.probes.startup.budget: "0s" is too small',
  },
  {
    description: "an HPA policy period of 0s",
    overrides: svc("strategy-engine", { scaling: { scaleUp: { period: "0s" } } }),
    message: 'services.strategy-engine.scaling.scaleUp.period: "0s" is too small',
  },
  {
    description: "an HPA policy period over the API server's 30 minutes",
    overrides: svc("strategy-engine", { scaling: { scaleUp: { period: "31m" } } }),
    message: "services.strategy-engine.scaling.scaleUp.period: Kubernetes accepts at most 30m here",
  },
  {
    description: "an HPA stabilization window over the API server's hour",
    overrides: svc("strategy-engine", { scaling: { scaleDown: { stabilization: "2h" } } }),
    message: "services.strategy-engine.scaling.scaleDown.stabilization: Kubernetes accepts at most 1h here",
  },
  {
    description: "a runbook URL that is not http(s)",
    overrides: { monitoring: { runbookBaseUrl: "mailto:oncall@example.com" } },
    message: "monitoring.runbookBaseUrl: expected an absolute URL like https://runbooks.example.com/alerts",
  },
];

for (const row of refused) {
  test(`the config refuses ${row.description}, naming the config path`, () => {
    const r = parsePlatform(configInput(row.overrides));
    assert.is(r.ok, false, "the config was accepted");
    if (r.ok) return;
    const lines = r.errors.map(findingLine);
    assert.ok(
      lines.some((e) => e.startsWith(row.message)),
      `expected an error starting ${JSON.stringify(row.message)}, got:\n${lines.join("\n")}`,
    );
  });
}

const accepted: { description: string; overrides: unknown }[] = [
  {
    description: "images with a registry port, a digest, or both a tag and a digest",
    overrides: {
      services: {
        "risk-engine": { image: "localhost:5000/trading/risk-engine:4.2.1" },
        "order-manager": { image: `registry.nautilus.io/trading/order-manager@sha256:${hex(64)}` },
        "market-data": { image: `registry.nautilus.io/trading/market-data:3.8.0@sha256:${hex(64)}` },
        "strategy-engine": { image: "[fd00::1]:5000/strategy-engine:3.8.0" },
      },
    },
  },
  {
    description: "IPv6 and IPv4-in-IPv6 node CIDRs and the whole IPv4 space",
    overrides: { network: { nodeCidrs: ["fd00:10:64::/48", "::ffff:10.64.0.0/112", "0.0.0.0/0", "::/0"] } },
  },
  {
    description: "probe paths with a query and percent-escapes",
    overrides: svc("risk-engine", { probes: { readiness: { path: "/health/ready?deep=1&x=%20" } } }),
  },
  {
    description: "a zero alert `for` and HPA stabilization (act at once) and sub-second Prometheus intervals",
    overrides: {
      tiers: { "ultra-low-latency": { scrapeInterval: "500ms" } },
      services: { "strategy-engine": { scaling: { scaleUp: { stabilization: "0s" } } } },
      monitoring: { alerts: { ServiceDown: { for: "0s" } } },
    },
  },
];

for (const row of accepted) {
  test(`the config accepts ${row.description}`, () => {
    const r = parsePlatform(configInput(row.overrides));
    assert.ok(r.ok, r.ok ? "" : r.errors.join("\n"));
  });
}

test("image references follow the distribution reference grammar", () => {
  assert.equal(parseImageReference("quay.io/prometheus/prometheus:v2.42.0"), {
    name: "quay.io/prometheus/prometheus",
    tag: "v2.42.0",
  });
  assert.equal(parseImageReference("nginx"), { name: "nginx" });
  assert.equal(parseImageReference("a__b.c--d/e_f:1"), { name: "a__b.c--d/e_f", tag: "1" });
  for (const bad of ["", "nginx:", ":1", "a//b", "a/b/", "-a", "a___b", "a:1:2", "a@sha256:xyz", "UPPER", "a\tb"])
    assert.type(parseImageReference(bad), "string", JSON.stringify(bad));
  assert.type(parseImageReference(`a@md5:${hex(32)}`), "string");
  assert.type(parseImageReference(`${"a".repeat(256)}:1`), "string");
  assert.type(parseImageReference(`a@sha512:${hex(128)}`), "object");
});

test("CIDRs are parsed with their family, bytes and prefix", () => {
  const v4 = parseCidr("10.64.0.0/16");
  assert.equal(v4, { family: 4, bytes: [10, 64, 0, 0], prefix: 16 });
  const v6 = parseCidr("fd00::1:0/112");
  assert.ok(typeof v6 === "object" && v6.family === 6 && v6.bytes.length === 16 && v6.bytes[15] === 0);
  assert.ok(typeof v6 === "object" && !hasHostBits(v6));
  const withHost = parseCidr("fd00::1:1/112");
  assert.ok(typeof withHost === "object" && hasHostBits(withHost));
  if (typeof withHost === "object") assert.is(networkOf(withHost), "fd00::1:0/112");
  for (const bad of ["10.64.0.0", "10.64.0/16", "1.2.3.4.5/8", "::1::/64", "12345::/64", "fd00::/0128", "1.2.3.4/-1"])
    assert.type(parseCidr(bad), "string", bad);
});

// A service named like an object of the monitoring stack used to replace it silently in rendered/.
const collisions: { service: string; message: string[] }[] = [
  {
    service: "prometheus",
    message: [
      "services.prometheus: service prometheus collides with the monitoring stack (monitoring.components.prometheus)",
      "Deployment nautilus-trading/nautilus-prometheus",
      "ServiceAccount nautilus-trading/nautilus-prometheus",
    ],
  },
  {
    service: "grafana",
    message: ["services.grafana: ", "(monitoring.components.grafana)", "Service nautilus-trading/nautilus-grafana"],
  },
  {
    service: "jaeger-query",
    message: [
      "services.jaeger-query: ",
      "(monitoring.components.jaeger)",
      "Service nautilus-trading/nautilus-jaeger-query",
    ],
  },
  {
    service: "prometheus-adapter",
    message: [
      "services.prometheus-adapter: ",
      "(monitoring.components.adapter)",
      "Deployment nautilus-trading/nautilus-prometheus-adapter",
    ],
  },
];

for (const row of collisions) {
  test(`a service named ${row.service} is refused: it collides with the monitoring stack, naming both`, () => {
    const base = configInput().services["smart-order-router"];
    const r = generateBundle(platformOf({ services: { [row.service]: base } }), readPolicySources());
    assert.is(r.ok, false, "the colliding config generated");
    if (r.ok) return;
    const lines = r.errors.map(findingLine);
    const found = lines.filter((e) => e.startsWith(`services.${row.service}: `));
    // One message for the pair, not one per environment.
    assert.is(found.length, 1, lines.join("\n"));
    for (const part of row.message) assert.ok(found[0]!.includes(part), `${part} not in:\n${found[0]}`);
  });
}

test("generate refuses a colliding service name with exit 2 and writes nothing", () => {
  const dir = mkdtempSync(join(tmpdir(), "config-validation-"));
  try {
    const config = configInput({ services: { grafana: configInput().services["smart-order-router"] } });
    const file = join(dir, "platform.config.ts");
    writeFileSync(file, `export default ${JSON.stringify(config)};\n`);
    const r = cli(["generate", "--config", file, "--out", join(dir, "out")]);
    assert.is(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr + r.stdout, "services.grafana: service grafana collides with the monitoring stack");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
