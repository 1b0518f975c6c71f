import { test } from "uvu";
import * as assert from "uvu/assert";
import type { KubeObject } from "../core/finding.ts";
import type { ConfigContext } from "../checks/check.ts";
import { reachability } from "../checks/platform/reachability.ts";
import { mayConnect, type ReachEndpoint, type ReachNetwork } from "../model/reachability.ts";
import { bundleOf, checkContextOf, cli } from "./support/config.ts";

const np = (name: string, ns: string, spec: Record<string, unknown>): KubeObject => ({
  apiVersion: "networking.k8s.io/v1",
  kind: "NetworkPolicy",
  metadata: { name, namespace: ns },
  spec,
});
const pod = (id: string, ns: string, labels: Record<string, string>, hostNetwork = false): ReachEndpoint => ({
  kind: "pod",
  id,
  namespace: ns,
  labels,
  hostNetwork,
  ports: [{ name: "http", port: 8080, protocol: "TCP" }],
});
const net = (policies: KubeObject[], extra: Partial<ReachNetwork> = {}): ReachNetwork => ({
  policies,
  namespaceLabels: { team: { tier: "front" } },
  nodeCidrs: ["10.64.0.0/16"],
  hostSourceCidrs: ["10.64.0.0/16"],
  ipBlockSkipsNodes: false,
  ...extra,
});
const denyAll = (ns: string) => np("deny", ns, { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
const http = { port: 8080, protocol: "TCP", name: "http" };
const a = pod("a", "team", { app: "a" });
const b = pod("b", "team", { app: "b" });
const other = pod("c", "elsewhere", { app: "a" });
const venue = (cidr: string): ReachEndpoint => ({ kind: "address", id: "venue", cidrs: [cidr], entity: "world" });

test("without any policy every pod reaches every pod: isolation comes only from a selecting policy", () => {
  assert.ok(mayConnect(a, b, http, net([])));
});

test("a connection needs both the source's egress and the destination's ingress", () => {
  const egressOnly = np("a-out", "team", {
    podSelector: { matchLabels: { app: "a" } },
    policyTypes: ["Egress"],
    egress: [{ to: [{ podSelector: { matchLabels: { app: "b" } } }], ports: [{ port: 8080 }] }],
  });
  assert.not.ok(mayConnect(a, b, http, net([denyAll("team"), egressOnly])), "b's ingress is still denied");
  const ingress = np("b-in", "team", {
    podSelector: { matchLabels: { app: "b" } },
    policyTypes: ["Ingress"],
    ingress: [{ from: [{ podSelector: { matchLabels: { app: "a" } } }], ports: [{ port: "http" }] }],
  });
  assert.ok(mayConnect(a, b, http, net([denyAll("team"), egressOnly, ingress])), "named port resolved on b");
  assert.not.ok(mayConnect(a, b, { port: 9090, protocol: "TCP" }, net([denyAll("team"), egressOnly, ingress])));
});

test("a podSelector without namespaceSelector matches only the policy's own namespace", () => {
  const ingress = np("b-in", "team", {
    podSelector: {},
    policyTypes: ["Ingress"],
    ingress: [{ from: [{ podSelector: { matchLabels: { app: "a" } } }] }],
  });
  assert.ok(mayConnect(a, b, http, net([ingress])));
  assert.not.ok(mayConnect(other, b, http, net([ingress])), "same labels, other namespace");
  const byNamespace = np("b-in", "team", {
    podSelector: {},
    policyTypes: ["Ingress"],
    ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "elsewhere" } } }] }],
  });
  assert.ok(mayConnect(other, b, http, net([byNamespace])));
  assert.not.ok(mayConnect(a, b, http, net([byNamespace])));
});

test("ipBlock admits an address set it contains, minus except; it never matches pods", () => {
  const egress = np("a-out", "team", {
    podSelector: {},
    policyTypes: ["Egress"],
    egress: [
      {
        to: [{ ipBlock: { cidr: "203.0.113.0/24", except: ["203.0.113.128/25"] } }],
        ports: [{ port: 8000, endPort: 8100 }],
      },
    ],
  });
  const p = { port: 8080, protocol: "TCP" };
  assert.ok(mayConnect(a, venue("203.0.113.0/26"), p, net([egress])));
  assert.not.ok(mayConnect(a, venue("203.0.113.128/26"), p, net([egress])), "carved out by except");
  assert.not.ok(mayConnect(a, venue("203.0.112.0/23"), p, net([egress])), "only half inside the block");
  assert.not.ok(mayConnect(a, venue("203.0.113.0/26"), { port: 8101, protocol: "TCP" }, net([egress])), "endPort");
  assert.not.ok(mayConnect(a, b, p, net([egress])), "pods are not addresses");
});

test("host-network pods are never isolated, and peers see them only by node address", () => {
  const engine = pod("engine", "team", { app: "a" }, true);
  const ingress = np("b-in", "team", {
    podSelector: {},
    policyTypes: ["Ingress"],
    ingress: [{ from: [{ podSelector: {} }] }],
  });
  assert.not.ok(mayConnect(engine, b, http, net([ingress])), "a pod selector never matches a host-network pod");
  assert.ok(mayConnect(b, engine, http, net([denyAll("team")].slice(1))), "no policy applies to its ingress");
  const byNode = np("b-in", "team", {
    podSelector: {},
    policyTypes: ["Ingress"],
    ingress: [{ from: [{ ipBlock: { cidr: "10.64.0.0/16" } }] }],
  });
  assert.ok(mayConnect(engine, b, http, net([byNode])));
  assert.not.ok(mayConnect(engine, b, http, net([byNode], { ipBlockSkipsNodes: true })), "Cilium's default");
  assert.not.ok(
    mayConnect(engine, b, http, net([byNode], { hostSourceCidrs: ["10.64.0.0/16", "10.65.0.0/16"] })),
    "a tunnel address outside the block",
  );
});

const contextOf = checkContextOf;
const lines = (ctx: ConfigContext) => reachability.run(ctx).map((f) => `${f.environment} ${f.path}: ${f.message}`);

test("the generated policies allow exactly the real config's graph, in every environment", () => {
  assert.equal(lines(contextOf({})), []);
});

test("a declared edge the policies block is refused at its config edge", () => {
  const withoutRouterEgress = (objects: KubeObject[]) =>
    objects.filter((o) => o.metadata.name !== "nautilus-smart-order-router-egress");
  const found = lines(contextOf({}, withoutRouterEgress)).filter((l) => l.startsWith("prod"));
  assert.ok(
    found.includes(
      "prod network.services.smart-order-router.reaches[0]: smart-order-router → venues on TCP 4443 is declared " +
        "(Trading venues' FIX order entry gateways.) but the network policies block it: no egress rule of " +
        "smart-order-router allows it",
    ),
    found.join("\n"),
  );
});

test("an undeclared path the policies allow is refused, naming both ends, the port and the policy", () => {
  const openEgress = (objects: KubeObject[]) => [
    ...objects,
    np("nautilus-open", "nautilus-trading", {
      podSelector: { matchLabels: { "app.kubernetes.io/name": "grafana" } },
      policyTypes: ["Egress"],
      egress: [{ ports: [{ port: 443 }] }],
    }),
  ];
  const found = lines(contextOf({}, openEgress)).filter((l) => l.startsWith("prod"));
  assert.ok(
    found.includes(
      "prod network.services.grafana: grafana may reach internet on TCP 443, but no edge declares it; " +
        "NetworkPolicy nautilus-open (spec.egress[0]) admits it",
    ),
    found.join("\n"),
  );
});

test("an API server left on the node subnets lets every host-network engine reach the adapter", () => {
  const found = lines(contextOf({ network: { apiServer: null } })).filter((l) => l.startsWith("prod"));
  assert.ok(
    found.some((l) => l.includes("risk-engine may reach prometheus-adapter on TCP 6443")),
    found.join("\n"),
  );
});

test("Cilium without node matching admits the engines by entity, and the graph still holds", () => {
  const ctx = contextOf({ network: { cni: { plugin: "cilium" } } });
  const prod = ctx.environments.find((e) => e.environment === "prod")!;
  const cnp = prod.objects.find(
    (o) => o.kind === "CiliumNetworkPolicy" && o.metadata.name === "nautilus-jaeger-host-peers",
  );
  assert.equal((cnp?.spec as { ingress?: unknown } | undefined)?.ingress, [
    { fromEntities: ["host", "remote-node"], toPorts: [{ ports: [{ port: "4317", protocol: "TCP" }] }] },
  ]);
  assert.equal(lines(ctx), []);
});

test("Calico tunnel ranges and NodeLocal DNSCache are admitted where they are needed", () => {
  const ctx = contextOf({
    network: { cni: { plugin: "calico", tunnelCidrs: ["10.65.0.0/16"] }, nodeLocalDns: "169.254.20.10" },
  });
  const prod = ctx.environments.find((e) => e.environment === "prod")!;
  type Spec = { egress: { to: unknown[] }[]; ingress: { from: unknown[] }[] };
  const spec = (name: string) => prod.objects.find((o) => o.metadata.name === name)?.spec as Spec;
  assert.equal(spec("nautilus-allow-dns").egress[0]?.to[1], { ipBlock: { cidr: "169.254.20.10/32" } });
  assert.equal(spec("nautilus-jaeger-ingress").ingress[0]?.from, [
    { ipBlock: { cidr: "10.64.0.0/16" } },
    { ipBlock: { cidr: "10.65.0.0/16" } },
  ]);
  assert.equal(lines(ctx), []);
});

test("no generated egress rule is without `to`, and no ingress rule without `from`", () => {
  for (const env of bundleOf().environments)
    for (const o of env.objects.filter((x) => x.kind === "NetworkPolicy")) {
      const spec = o.spec as { egress?: { to?: unknown[] }[]; ingress?: { from?: unknown[] }[] };
      for (const r of spec.egress ?? []) assert.ok(r.to?.length, `${o.metadata.name}: egress rule without to`);
      for (const r of spec.ingress ?? []) assert.ok(r.from?.length, `${o.metadata.name}: ingress rule without from`);
    }
});

test("report --env prod: the router reaches its venues, market data is exposed, nothing else external", () => {
  const r = cli(["report", "--env", "prod"]);
  assert.is(r.code, 0, r.stderr);
  const external = r.stdout.split("External endpoints reached:\n")[1]!.split("\n\n")[0]!.trim().split("\n");
  assert.equal(
    external.map((l) => l.trim()),
    ["alertmanager → alert-receivers TCP/443", "market-data → feeds TCP/9443", "smart-order-router → venues TCP/4443"],
  );
  assert.match(
    r.stdout,
    "market-data: https://marketdata.nautilus.io/ via Gateway (class nautilus-gateway, " +
      "controller in gateway-system), admitted on TCP/8000",
  );
  assert.not.match(r.stdout, "NOT DECLARED");
  assert.is(cli(["report", "--env", "qa"]).code, 2);
});

test("every host-network pod runs in the privileged namespace, every other pod in a restricted one", () => {
  const prod = bundleOf().environments.find((e) => e.environment === "prod")!;
  const level = new Map(
    prod.objects
      .filter((o) => o.kind === "Namespace")
      .map((o) => [o.metadata.name, o.metadata.labels?.["pod-security.kubernetes.io/enforce"]]),
  );
  const placed = prod.objects
    .filter((o) => o.kind === "Deployment" || o.kind === "StatefulSet")
    .map((o) => {
      const hostNetwork = (o.spec as { template: { spec: { hostNetwork?: boolean } } }).template.spec.hostNetwork;
      return [o.metadata.name, level.get(o.metadata.namespace!), hostNetwork === true];
    });
  for (const [name, lvl, host] of placed) assert.is(lvl, host ? "privileged" : "restricted", String(name));
  assert.ok(placed.some(([, , host]) => host));
});

test("what names a namespace follows the split: discovery, admission bindings, claims, environment ConfigMaps", () => {
  const prod = bundleOf().environments.find((e) => e.environment === "prod")!;
  const find = (kind: string, name: string) =>
    prod.objects.filter((o) => o.kind === kind && o.metadata.name === name).map((o) => o.metadata.namespace);
  assert.equal(find("ConfigMap", "nautilus-environment").sort(), ["nautilus-engines", "nautilus-trading"]);
  // A claim is made in each namespace that mounts it: the engines log to standard output, not to a claim.
  assert.equal(find("PersistentVolumeClaim", "nautilus-logs").sort(), ["nautilus-trading"]);
  const engineLogs = { services: { "risk-engine": { volumes: [{ claim: "logs", mountPath: "/var/log/nautilus" }] } } };
  const withEngineLogs = bundleOf(engineLogs).environments.find((e) => e.environment === "prod")!.objects;
  assert.equal(
    withEngineLogs
      .filter((o) => o.kind === "PersistentVolumeClaim" && o.metadata.name === "nautilus-logs")
      .map((o) => o.metadata.namespace)
      .sort(),
    ["nautilus-engines", "nautilus-trading"],
  );
  assert.equal(find("PersistentVolumeClaim", "nautilus-metrics"), ["nautilus-trading"]);
  const binding = prod.objects.find((o) => o.kind === "ValidatingAdmissionPolicyBinding")!;
  assert.equal((binding.spec as { matchResources: unknown }).matchResources, {
    namespaceSelector: {
      matchExpressions: [
        { key: "kubernetes.io/metadata.name", operator: "In", values: ["nautilus-trading", "nautilus-engines"] },
      ],
    },
    ...((binding.spec as { matchResources: { objectSelector?: unknown } }).matchResources.objectSelector
      ? {
          objectSelector: (binding.spec as { matchResources: { objectSelector?: unknown } }).matchResources
            .objectSelector,
        }
      : {}),
  });
  const config = bundleOf().files.get("prometheus/prometheus.yml")!;
  assert.match(config, /job_name: nautilus-risk-engine[\s\S]*?names:\s*- nautilus-engines/);
  assert.match(config, /job_name: nautilus-market-data[\s\S]*?names:\s*- nautilus-trading/);
});

test.run();
