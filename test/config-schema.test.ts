import { test } from "uvu";
import * as assert from "uvu/assert";
import { findingLine } from "../core/finding.ts";
import { parsePlatform } from "../schemas/parse.ts";
import { parseBytes, parseCpu, parseDuration, parsePercent, formatBytes, formatCpu } from "../schemas/units.ts";
import { configInput, platformOf } from "./support/config.ts";
import { generateBundle } from "../generators/bundle.ts";

test("the real config parses, with units normalised to canonical numbers", () => {
  const p = platformOf();
  const risk = p.services["risk-engine"]!;
  assert.is(risk.resources.requests.cpu, 2000);
  assert.is(risk.resources.requests.memory, 2 ** 30);
  assert.is(risk.resources.limits?.["hugepages-2Mi"], 512 * 2 ** 20);
  assert.is(p.tiers["ultra-low-latency"]!.scrapeInterval, 1);
  assert.is(p.services["strategy-engine"]!.scaling?.scaleDown?.stabilization, 300);
});

test("unit parsers follow Kubernetes spelling and reject what Kubernetes rejects", () => {
  assert.is(parseCpu("1500m"), 1500);
  assert.is(parseCpu("0.5"), 500);
  assert.is(parseCpu("2"), 2000);
  assert.is(parseCpu("2 cores"), undefined);
  assert.is(parseCpu("0.0001"), undefined);
  assert.is(parseBytes("1Gi"), 1073741824);
  assert.is(parseBytes("1G"), 1e9);
  assert.is(parseBytes("1.5Ki"), 1536);
  assert.is(parseBytes("1GB"), undefined);
  assert.is(parseDuration("2.75us"), 2.75e-6);
  assert.is(parseDuration("2.75µs"), 2.75e-6);
  assert.is(parseDuration("5m"), 300);
  assert.is(parseDuration("30"), undefined);
  assert.is(parsePercent("95%"), 0.95);
  assert.is(formatCpu(1500), "1500m");
  assert.is(formatCpu(3000), "3");
  assert.is(formatBytes(512 * 2 ** 20), "512Mi");
  assert.is(formatBytes(1e9), "1000000000");
});

const svc = (name: string, patch: unknown) => ({ services: { [name]: patch } });

const rejected: { description: string; overrides: unknown; message: string }[] = [
  {
    description: "a CPU quantity with words",
    overrides: svc("risk-engine", { resources: { requests: { cpu: "2 cores" } } }),
    message: 'services.risk-engine.resources.requests.cpu: expected a CPU quantity like "2" or "500m", got "2 cores"',
  },
  {
    description: "a memory quantity with a decimal-byte suffix",
    overrides: svc("order-manager", { resources: { limits: { memory: "1GB" } } }),
    message:
      'services.order-manager.resources.limits.memory: expected a memory quantity like "512Mi" or "1Gi", got "1GB"',
  },
  {
    description: "a misspelt resource key",
    overrides: svc("risk-engine", { resources: { requests: { memroy: "1Gi" } } }),
    message: "services.risk-engine.resources.requests.memroy: unknown key",
  },
  {
    description: "a duration without a unit",
    overrides: svc("market-data", { probes: { startup: { budget: "60" } } }),
    message:
      'services.market-data.probes.startup.budget: expected a duration like "3us", "500ms", "30s" or "5m", got "60"',
  },
  {
    description: "a service in an undeclared tier",
    overrides: svc("risk-engine", { tier: "ultra-low-latenc" }),
    message: 'services.risk-engine.tier: unknown tier "ultra-low-latenc"',
  },
  {
    description: "min replicas above max",
    overrides: svc("market-data", { scaling: { minReplicas: 20 } }),
    message: "services.market-data.scaling.minReplicas: minReplicas must not exceed maxReplicas",
  },
  {
    description: "a service name that is not a DNS label",
    overrides: svc("Risk_Engine", { ...configInput().services["risk-engine"] }),
    message: "services.Risk_Engine",
  },
  {
    description: "an environment patch naming an unknown service",
    overrides: { environments: { dev: { services: { "risk-engin": { replicas: 1 } } } } },
    message: 'environments.dev.services.risk-engin: unknown service "risk-engin"',
  },
  {
    description: "an environment patch changing a field environments may not change",
    overrides: { environments: { dev: { services: { "risk-engine": { tier: "high-performance" } } } } },
    message: "environments.dev.services.risk-engine.tier: unknown key",
  },
  {
    description: "a volume naming an undeclared storage claim",
    overrides: svc("risk-engine", { volumes: [{ claim: "log", mountPath: "/var/log" }] }),
    message: 'services.risk-engine.volumes[0].claim: unknown storage claim "log"',
  },
  {
    description: "a negative replica count",
    overrides: svc("risk-engine", { replicas: -1 }),
    message: "services.risk-engine.replicas:",
  },
  {
    description: "a node selector key that is not a label key",
    overrides: { tiers: { "high-performance": { nodeSelector: { "bad key!": "x" } } } },
    message: 'tiers.high-performance.nodeSelector.bad key!: "bad key!":',
  },
  {
    description: "a toleration with operator Exists and a value",
    overrides: {
      tiers: {
        "ultra-low-latency": {
          tolerations: [{ key: "dedicated", operator: "Exists", value: "x", effect: "NoSchedule" }],
        },
      },
    },
    message: 'tiers.ultra-low-latency.tolerations[0].value: a toleration with operator "Exists" matches any value',
  },
  {
    description: "the same Service port for http and metrics",
    overrides: svc("market-data", { ports: { http: 8080, metrics: 8080 } }),
    message: "services.market-data.ports.metrics: http and metrics must be different ports",
  },
  {
    description: "an environment autoscaling a service with static replicas",
    overrides: { environments: { staging: { services: { "risk-engine": { scaling: { maxReplicas: 3 } } } } } },
    message: "environments.staging.services.risk-engine.scaling: risk-engine is not autoscaled",
  },
  {
    description: "an environment setting replicas of an autoscaled service",
    overrides: { environments: { dev: { services: { "market-data": { replicas: 2 } } } } },
    message: "environments.dev.services.market-data.replicas: market-data is autoscaled",
  },
  {
    description: "host networking without the node subnets",
    overrides: { network: null },
    message: "network.nodeCidrs: required: tier ultra-low-latency uses host networking",
  },
  {
    description: "a node subnet that is not a CIDR",
    overrides: { network: { nodeCidrs: ["10.64.0.0"] } },
    message: 'network.nodeCidrs[0]: expected a CIDR like "10.0.0.0/16", got "10.64.0.0"',
  },
  {
    description: "a startup budget over the 60 s container-start target",
    overrides: svc("market-data", { probes: { startup: { budget: "90s" } } }),
    message:
      "services.market-data.probes.startup.budget: a startup budget of 90 s is over the platform's 60 s " +
      "container-start target",
  },
  {
    description: "a node subnet with an octet over 255",
    overrides: { network: { nodeCidrs: ["300.1.1.1/8"] } },
    message: 'network.nodeCidrs[0]: expected a CIDR like "10.0.0.0/16", got "300.1.1.1/8"',
  },
  {
    description: "a container metrics port equal to the Service's http port",
    overrides: svc("market-data", { ports: { containerMetrics: 8000 } }),
    message: "services.market-data.ports.containerMetrics: the container's http and metrics ports must differ",
  },
  {
    description: "a Kubernetes version that is not a minor version",
    overrides: { kubernetesVersion: "v1.30.2" },
    message: 'kubernetesVersion: expected a Kubernetes minor version like "1.30"',
  },
];

for (const row of rejected) {
  test(`the schema rejects ${row.description}, naming the config path`, () => {
    const r = parsePlatform(configInput(row.overrides));
    assert.is(r.ok, false);
    if (r.ok) return;
    assert.ok(
      r.errors.map(findingLine).some((e) => e.includes(row.message)),
      `expected an error containing ${JSON.stringify(row.message)}, got:\n${r.errors.map(findingLine).join("\n")}`,
    );
  });
}

test("a missing required field is named", () => {
  const input = configInput() as unknown as { services: Record<string, Record<string, unknown>> };
  delete input.services["risk-engine"]!.image;
  const r = parsePlatform(input);
  assert.is(r.ok, false);
  if (!r.ok)
    assert.ok(
      r.errors.map(findingLine).some((e) => e.startsWith("services.risk-engine.image: required")),
      r.errors.map(findingLine).join("\n"),
    );
});

test("config errors are findings of engine config with a rule, the config path and a hint where one helps", () => {
  const r = parsePlatform(configInput({ services: { "risk-engine": { replicaz: 2, replicas: "two" } } }));
  assert.is(r.ok, false);
  if (r.ok) return;
  const byPath = new Map(r.errors.map((f) => [f.path, f]));
  const typo = byPath.get("services.risk-engine.replicaz")!;
  assert.equal([typo.engine, typo.rule, typo.severity], ["config", "unknown-key", "error"]);
  assert.is(typo.hint, 'did you mean "replicas"?');
  const type = byPath.get("services.risk-engine.replicas")!;
  assert.equal([type.rule, type.message], ["invalid-type", 'expected number, got string "two"']);
});

test("values zod cannot print are named: NaN, Infinity, a BigInt, a symbol, a function, a class instance", () => {
  for (const [value, said] of [
    [Number.NaN, "got NaN"],
    [Number.POSITIVE_INFINITY, "got Infinity"],
    [Number.NEGATIVE_INFINITY, "got -Infinity"],
    [2n, "got a BigInt (2n)"],
    [Symbol("x"), "got a symbol"],
    [() => 2, "got a function"],
    [new Date(0), "got an instance of Date"],
  ] as const) {
    const input = configInput() as unknown as { services: Record<string, Record<string, unknown>> };
    input.services["risk-engine"]!.replicas = value;
    const r = parsePlatform(input);
    assert.is(r.ok, false);
    if (!r.ok) assert.match(findingLine(r.errors[0]!), `services.risk-engine.replicas: expected number, ${said}`);
  }
});

test("a getter that throws, a proxy whose keys throw and a cycle become findings at their path, not exceptions", () => {
  const input = configInput() as unknown as Record<string, unknown>;
  Object.defineProperty(input, "namespace", {
    enumerable: true,
    get() {
      throw undefined;
    },
  });
  input.network = new Proxy(
    {},
    {
      ownKeys() {
        throw new Error("no keys");
      },
    },
  );
  (input.storage as Record<string, unknown>).loop = input.storage;
  const r = parsePlatform(input);
  assert.is(r.ok, false);
  if (r.ok) return;
  assert.equal(
    r.errors.map((f) => [f.rule, findingLine(f)]),
    [
      ["unreadable", "namespace: reading this value failed: it threw undefined (no error object)"],
      ["unreadable", "network: listing its keys failed: no keys"],
      ["cycle", "storage.loop: this value contains itself (it is storage)"],
    ],
  );
});

test("a problem only an environment reveals is a config finding naming the environment and its path", () => {
  const p = platformOf({ environments: { dev: { services: { "market-data": { scaling: { minReplicas: 9 } } } } } });
  const r = generateBundle(p);
  assert.is(r.ok, false);
  if (r.ok) return;
  assert.equal(
    r.errors.map((f) => [f.engine, f.rule, f.environment, f.path]),
    [["config", "invalid-value", "dev", "environments.dev.services.market-data.scaling"]],
  );
  assert.match(r.errors[0]!.message, "minReplicas 9 exceeds maxReplicas 3");
});

test("a policy file that is not one ValidatingAdmissionPolicy is a config finding naming that file", () => {
  const r = generateBundle(platformOf(), [{ file: "policies/x/policy.yaml", text: "kind: ConfigMap\n" }]);
  assert.is(r.ok, false);
  if (r.ok) return;
  assert.equal(
    r.errors.map((f) => [f.engine, f.rule, f.file, f.path]),
    [["config", "invalid-policy", "policies/x/policy.yaml", undefined]],
  );
});

test.run();
