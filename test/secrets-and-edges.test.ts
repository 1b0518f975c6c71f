/**
 * Issue 12's leftovers: a secret is delivered in every namespace that reads it (and only there); rotating what the
 * config knows of a secret rolls exactly its readers; the API server's smoke-check connections and, under
 * prometheus-operator, the cluster Prometheus' scrapes are declared edges the generated policies admit.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { reachability } from "../checks/platform/reachability.ts";
import { secretDelivered } from "../checks/platform/secret-delivered.ts";
import { ANNOTATION } from "../core/conventions.ts";
import type { KubeObject } from "../core/finding.ts";
import { deepEqual } from "../core/plain.ts";
import { deployStages, SMOKE_PORT } from "../model/deploy.ts";
import { analyseReachability } from "../model/network-analysis.ts";
import { bundleOf, checkContextOf, cli } from "./support/config.ts";

const prodOf = (overrides: unknown = {}) => bundleOf(overrides).environments.find((e) => e.environment === "prod")!;
const contextOf = checkContextOf;
const deliveredIn = (objects: readonly KubeObject[], secret: string) =>
  objects
    .filter((o) => o.kind === "ExternalSecret" && o.metadata.name === secret)
    .map((o) => o.metadata.namespace)
    .sort();

const ENGINE_READS_VENUE_KEY = {
  services: { "risk-engine": { secretEnv: { VENUE_API_KEY: { secret: "venue-api-keys", key: "api-key" } } } },
};

test("a secret is delivered in the namespace of each pod that reads it, and in no other", () => {
  const prod = prodOf();
  assert.equal(deliveredIn(prod.objects, "venue-api-keys"), ["nautilus-trading"]);
  assert.equal(
    prod.objects.filter((o) => o.kind === "ExternalSecret" && o.metadata.namespace === "nautilus-engines"),
    [],
    "no engine reads a secret, so none is copied into the engines' namespace",
  );
  // An engine runs in nautilus-engines: its secret must be there too.
  assert.equal(deliveredIn(prodOf(ENGINE_READS_VENUE_KEY).objects, "venue-api-keys"), [
    "nautilus-engines",
    "nautilus-trading",
  ]);
  const onlyEngine = prodOf({
    ...ENGINE_READS_VENUE_KEY,
    services: { ...ENGINE_READS_VENUE_KEY.services, "smart-order-router": { secretEnv: { VENUE_API_KEY: null } } },
  });
  assert.equal(deliveredIn(onlyEngine.objects, "venue-api-keys"), ["nautilus-engines"]);
});

test("prometheus-operator reads receiver secrets in the AlertmanagerConfig's namespace, beside any pod reader", () => {
  const operator = {
    monitoring: { mode: "prometheus-operator" },
    services: { "risk-engine": { secretEnv: { SLACK_URL: { secret: "alertmanager-slack", key: "webhook-url" } } } },
  };
  assert.equal(deliveredIn(prodOf(operator).objects, "alertmanager-slack"), ["nautilus-engines", "nautilus-trading"]);
});

test("secret-delivered judges each namespace: a Secret delivered only elsewhere is refused at the reading env", () => {
  assert.equal(secretDelivered.run(contextOf(ENGINE_READS_VENUE_KEY)), []);
  const dropEngineCopy = (objects: KubeObject[]) =>
    objects.filter((o) => !(o.kind === "ExternalSecret" && o.metadata.namespace === "nautilus-engines"));
  const found = secretDelivered
    .run(contextOf(ENGINE_READS_VENUE_KEY, dropEngineCopy))
    .filter((f) => f.environment === "prod")
    .map((f) => `${f.resource?.namespace}/${f.resource?.name} ${f.path?.replace(/env\[\d+\]/, "env[i]")} ${f.message}`);
  assert.equal(found, [
    "nautilus-engines/nautilus-risk-engine spec.template.spec.containers[0].env[i].valueFrom.secretKeyRef reads " +
      "Secret venue-api-keys in namespace nautilus-engines, but its ExternalSecret is generated only in " +
      "nautilus-trading: a pod reads Secrets of its own namespace, so it never starts",
  ]);
});

type Template = { metadata?: { annotations?: Record<string, string> }; spec?: unknown };
function templates(overrides: unknown): Map<string, Template> {
  const all = new Map<string, Template>();
  for (const o of prodOf(overrides).objects) {
    const t = (o.spec as { template?: Template } | undefined)?.template;
    if (t) all.set(`${o.kind}/${o.metadata.name}`, t);
  }
  return all;
}
const BASELINE = templates({});
const rolled = (overrides: unknown) => {
  const after = templates(overrides);
  return [...BASELINE.keys()].filter((k) => !deepEqual(BASELINE.get(k), after.get(k))).sort();
};

test("moving a secret to another remote key, or pinning a version, rolls exactly the pods that read it", () => {
  const router = ["Deployment/nautilus-smart-order-router"];
  assert.equal(rolled({ secrets: { "venue-api-keys": { remoteKey: "nautilus/trading/venues-2027" } } }), router);
  assert.equal(rolled({ secrets: { "venue-api-keys": { version: "7" } } }), router);
  assert.equal(rolled({ secrets: { "venue-api-keys": { keys: { "api-key": "api-key-v2" } } } }), router);
  assert.equal(rolled({ secretStore: { name: "vault-dr" } }).length > 1, true, "every reader follows the store");
  assert.equal(rolled({ secrets: { "grafana-admin": { version: "2" } } }), ["Deployment/nautilus-grafana"]);
  assert.equal(rolled({ secrets: { "alertmanager-slack": { remoteKey: "nautilus/alerting/slack-2" } } }), [
    "StatefulSet/nautilus-alertmanager",
  ]);
  // How often the operator re-reads the store is not what the pods read.
  assert.equal(rolled({ secretStore: { refreshInterval: "5m" } }), []);
  const pinned = prodOf({ secrets: { "venue-api-keys": { version: "7" } } }).objects.find(
    (o) => o.kind === "ExternalSecret" && o.metadata.name === "venue-api-keys",
  );
  assert.equal((pinned!.spec as { data: unknown[] }).data, [
    { secretKey: "api-key", remoteRef: { key: "nautilus/trading/venues", property: "api-key", version: "7" } },
  ]);
  // The rollout is the annotation alone, and a secret's checksum is in the reading namespace's objects only.
  const router2 = templates({ secrets: { "venue-api-keys": { version: "7" } } }).get(router[0]!)!;
  assert.equal(router2.spec, BASELINE.get(router[0]!)!.spec);
  assert.is.not(
    router2.metadata?.annotations?.[ANNOTATION.configChecksum],
    BASELINE.get(router[0]!)!.metadata?.annotations?.[ANNOTATION.configChecksum],
  );
});

test("an engine reading a secret rolls when it rotates: its checksum reads its own namespace's ExternalSecret", () => {
  const engine = "Deployment/nautilus-risk-engine";
  const before = templates(ENGINE_READS_VENUE_KEY).get(engine)!;
  const after = templates({ ...ENGINE_READS_VENUE_KEY, secrets: { "venue-api-keys": { version: "8" } } }).get(engine)!;
  assert.is.not(
    after.metadata?.annotations?.[ANNOTATION.configChecksum],
    before.metadata?.annotations?.[ANNOTATION.configChecksum],
  );
});

test("the API server is admitted on the smoke-checked port of each service deploy checks, and only there", () => {
  const prod = prodOf();
  const analysis = analyseReachability(prod.platform, prod.objects);
  const fromApiServer = analysis.allowed.filter((p) => p.from === "kube-apiserver");
  // Every smoke check `platform deploy` makes on a pod-network service is an allowed, declared connection.
  const podNetwork = new Set(
    [...analysis.endpoints.values()].filter((e) => e.kind === "pod" && !e.hostNetwork).map((e) => e.id),
  );
  const smoked = deployStages(prod.platform, prod.objects)
    .flatMap((s) => s.smoke)
    .filter((s) => podNetwork.has(s.service));
  assert.equal([...new Set(smoked.map((s) => s.service))].sort(), [
    "market-data",
    "smart-order-router",
    "strategy-engine",
  ]);
  for (const s of smoked) {
    const port = analysis.endpoints.get(s.service);
    const http = port?.kind === "pod" ? port.ports.find((p) => p.name === SMOKE_PORT)?.port : undefined;
    const path = fromApiServer.find((p) => p.to === s.service && p.port === http);
    assert.ok(path?.declaredBy && path.declaredBy !== "dns", `${s.service}: ${JSON.stringify(path)}`);
    assert.is(path.declaredBy.path, `services.${s.service}.probes.readiness.path`);
  }
  // Nothing else: the metrics ports and every other workload stay closed to the control plane.
  assert.equal(fromApiServer.map((p) => `${p.to} ${p.protocol}/${p.port}`).sort(), [
    "market-data TCP/8000",
    "prometheus-adapter TCP/6443",
    "smart-order-router TCP/8000",
    "strategy-engine TCP/8000",
  ]);
  const ingress = prod.objects.find((o) => o.metadata.name === "nautilus-market-data-ingress");
  assert.ok(
    (ingress!.spec as { ingress: unknown[] }).ingress.some((r) =>
      deepEqual(r, { from: [{ ipBlock: { cidr: "10.63.0.0/24" } }], ports: [{ protocol: "TCP", port: 8000 }] }),
    ),
  );
});

test("on Cilium the API server's smoke checks are admitted by entity, and the graph still holds", () => {
  const ctx = contextOf({ network: { cni: { plugin: "cilium" } } });
  const prod = ctx.environments.find((e) => e.environment === "prod")!;
  const cnp = prod.objects.find((o) => o.metadata.name === "nautilus-market-data-host-peers");
  assert.ok(
    JSON.stringify(cnp?.spec).includes(
      JSON.stringify({ fromEntities: ["kube-apiserver"], toPorts: [{ ports: [{ port: "8000", protocol: "TCP" }] }] }),
    ),
    JSON.stringify(cnp?.spec),
  );
  assert.equal(reachability.run(ctx), []);
});

test("report --env prod shows the API server's smoke-check edges", () => {
  const r = cli(["report", "--env", "prod"]);
  assert.is(r.code, 0, r.stderr);
  const block = r.stdout.split("\n  kube-apiserver\n")[1]!.split(/\n {2}\S/)[0]!;
  assert.match(block, "→ market-data TCP/8000  [services.market-data.probes.readiness.path]");
  assert.match(block, "→ prometheus-adapter TCP/6443  [monitoring]");
});

const OPERATOR = { monitoring: { mode: "prometheus-operator" } };
const scrapeRule = (objects: readonly KubeObject[], name: string) =>
  (objects.find((o) => o.metadata.name === `nautilus-${name}-ingress`)!.spec as { ingress: { from: unknown[] }[] })
    .ingress;

test("prometheus-operator mode: the configured Prometheus namespace is the source of the scrape edges", () => {
  const prod = prodOf(OPERATOR);
  assert.ok(
    scrapeRule(prod.objects, "market-data").some((r) =>
      deepEqual(r, {
        from: [
          {
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } },
            podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } },
          },
        ],
        ports: [{ protocol: "TCP", port: 9090 }],
      }),
    ),
    JSON.stringify(scrapeRule(prod.objects, "market-data")),
  );
  const analysis = analyseReachability(prod.platform, prod.objects);
  assert.equal(
    analysis.allowed
      .filter((p) => p.from === "cluster-prometheus")
      .map((p) => `${p.to} ${p.protocol}/${p.port}`)
      .sort(),
    ["alertmanager TCP/9093", "market-data TCP/9090", "smart-order-router TCP/9090", "strategy-engine TCP/9090"],
  );
  assert.equal(reachability.run(contextOf(OPERATOR)), []);
  const elsewhere = prodOf({
    ...OPERATOR,
    network: { clusterPrometheus: { namespace: "observability", podLabels: { prometheus: "k8s" } } },
  });
  assert.ok(
    scrapeRule(elsewhere.objects, "strategy-engine").some((r) =>
      deepEqual(r.from, [
        {
          namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "observability" } },
          podSelector: { matchLabels: { prometheus: "k8s" } },
        },
      ]),
    ),
  );
});

test("prometheus-operator mode: the operator's Alertmanager pods get alerts, gossip and reach their receivers", () => {
  const prod = prodOf(OPERATOR);
  const analysis = analyseReachability(prod.platform, prod.objects);
  const alertmanager = analysis.allowed
    .filter((p) => (p.from === "alertmanager" || p.to === "alertmanager") && p.declaredBy !== "dns")
    .map((p) => `${p.from} → ${p.to} ${p.protocol}/${p.port}`);
  assert.equal(alertmanager, [
    "alertmanager → alertmanager TCP/9094",
    "alertmanager → alertmanager UDP/9094",
    "alertmanager → alert-receivers TCP/443",
    "cluster-prometheus → alertmanager TCP/9093",
  ]);
  assert.equal(analysis.blocked, []);
  assert.equal(analysis.undeclared, []);
});

test("prometheus-operator mode: a policy that drops the scrape rule is refused as a blocked scrape edge", () => {
  const noScrape = (objects: KubeObject[]) =>
    objects.map((o) =>
      o.metadata.name === "nautilus-market-data-ingress"
        ? {
            ...o,
            spec: {
              ...(o.spec as object),
              ingress: scrapeRule(objects, "market-data").filter((r) => !JSON.stringify(r).includes("monitoring")),
            },
          }
        : o,
    );
  const found = reachability
    .run(contextOf(OPERATOR, noScrape))
    .filter((f) => f.environment === "prod")
    .map((f) => `${f.path}: ${f.message}`);
  assert.equal(found, [
    "network.clusterPrometheus: cluster-prometheus → market-data on TCP 9090 is declared (scrape " +
      "(prometheus-operator)) but the network policies block it: no ingress rule of market-data admits it",
  ]);
});

test.run();
