/**
 * The alert path end to end, with the real servers (Debian's Prometheus 2.42 and Alertmanager 0.25) on 127.0.0.1:
 * Prometheus runs the GENERATED rule files with the GENERATED global and evaluation settings, scraping a local
 * target that serves each service's catalogue metrics (histograms shaped by their declared buckets); the real
 * Alertmanager runs the GENERATED routing, grouping and inhibition; a local webhook records what each receiver
 * gets. Proven: a risk-engine p99 above the budget for the alert's `for` pages, with its labels and annotations;
 * latencies under the budget (a gauge, and a histogram's buckets) reach nobody; a latency alert of a service that
 * is down stays silent, inhibited by ServiceDown (position-keeper is slow, then every scrape fails: the 1m rate
 * window keeps its p99 above the budget after the last scrape, as for a service that dies while slow, and the
 * alert fires in Prometheus while Alertmanager holds it suppressed); the Watchdog reaches the heartbeat receiver.
 *
 * What the test copy changes, and why, all in `testPrometheusConfig` / `testRuleFiles` / `testAlertmanagerConfig`:
 * - Kubernetes discovery becomes one static target per service job (`staticJob`: Debian's Prometheus has no
 *   Kubernetes discovery, and there is no cluster). The API-server and the monitoring stack's own jobs are left
 *   out (e2e-meta-monitoring.test.ts runs the stack's).
 * - Alertmanager targets become the local Alertmanager.
 * - Receivers become webhooks to the local sink (`webhookReceivers`, which says why).
 * - Waits: `group_wait` of 1s instead of 10s/30s, ServiceDown's `for` of 10s instead of 90s (the promtool tests
 *   prove the real `for` values), and Prometheus' resend delay of 2s instead of 1m (a flag, see below).
 *   RiskEngineP99LatencyHigh keeps its real `for`, and the test checks that the page did not come sooner.
 * Evaluation and scrape intervals stay the generated ones.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { IncomingMessage, ServerResponse } from "node:http";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { observabilityFiles } from "../generators/observability-files.ts";
import { bucketsIn, jobName, monitoringModel, promNumber, WELL_UNDER, type ModelAlert } from "../model/monitoring.ts";
import { OBSERVABILITY_OUT } from "../core/layout.ts";
import { parseYamlDocuments, yamlFile } from "../core/yaml.ts";
import type { Platform } from "../schemas/platform.ts";
import { requirePrometheusServers } from "./support/tools.ts";
import { freePort, getJson, Harness, HOST, sleep, staticJob, waitFor, webhookReceivers } from "./support/e2e.ts";
import { platformOf } from "./support/config.ts";

/** The whole test's wall-clock bound: every wait below ends by then, and the servers are killed. */
const DEADLINE_MS = 70_000;
/** The test copy's group_wait and ServiceDown `for` (see the header). */
const TEST_GROUP_WAIT = "1s";
const TEST_SERVICE_DOWN_FOR = "10s";
const TEST_RESEND_DELAY = "2s";
/** Scrapes of the dying service before it goes down: enough samples for its histogram's rate. */
const SCRAPES_BEFORE_DOWN = 3;
/** After the last expected notification, how long an unexpected one has to show up (> group_wait + a flush). */
const QUIET_MS = 3000;
const OBSERVATIONS_PER_SECOND = 1000;

type Doc = Record<string, unknown>;
const yamlOf = (text: string) => parseYamlDocuments(text)[0] as Doc;

const platform: Platform = platformOf();
/** The files `generate` writes under out/prometheus and out/alertmanager, from the real config. */
const files = observabilityFiles(platform);
const model = monitoringModel(platform);
const alertNamed = (name: string): ModelAlert => {
  const a = model.alerts.find((x) => x.name === name);
  if (!a) throw new Error(`the config has no alert ${name}`);
  return a;
};

/** The scenario: who is slow, who is healthy, who dies. */
const SLOW = alertNamed("RiskEngineP99LatencyHigh"); // pages after its `for`
const UNDER_GAUGE = alertNamed("IntegrationE2ELatencyHigh"); // well under the budget: nobody
const UNDER_HISTOGRAM = alertNamed("OrderManagerP99LatencyHigh"); // buckets well under the budget: nobody
const INHIBITED = alertNamed("PositionKeeperP99LatencyHigh"); // slow, then down: ServiceDown pages, not this
const DOWN = alertNamed("ServiceDown");
const HEARTBEAT = model.heartbeat.alert;
const slowServices = new Set([SLOW.service!, INHIBITED.service!]);
const dyingService = INHIBITED.service!;

/** The value a service's metric has: past the threshold for the slow ones, on the quiet side otherwise. */
function valueFor(alert: ModelAlert | undefined, service: string): number | undefined {
  if (!alert) return undefined;
  if (slowServices.has(service)) return alert.comparison === "<" ? alert.value / 2 : alert.value * 2;
  if (alert.comparison === ">") return alert.value * WELL_UNDER;
  // A ratio kept above its floor, halfway to 1; any other "<" threshold, comfortably above.
  return alert.unit === "ratio" ? (1 + alert.value) / 2 : alert.value / WELL_UNDER;
}

const alertOnMetric = (metric: string, service: string) =>
  model.alerts.find(
    (a) => a.metric === metric && a.config.kind === "threshold" && (a.service === undefined || a.service === service),
  );

/** A service's catalogue metrics in the exposition format, `seconds` after the target started. */
function exposition(service: string, seconds: number): string {
  const lines: string[] = [];
  const total = Math.round(seconds * OBSERVATIONS_PER_SECOND);
  for (const [name, def] of Object.entries(platform.monitoring.metrics)) {
    if (!def.services.includes(service)) continue;
    lines.push(`# HELP ${name} ${def.help}`, `# TYPE ${name} ${def.type}`);
    const alert = alertOnMetric(name, service);
    if (def.type === "histogram") {
      // Every observation at one latency, counted in each declared bucket whose bound it does not exceed.
      const at = valueFor(alert, service) ?? 0;
      for (const le of bucketsIn(def)) lines.push(`${name}_bucket{le="${promNumber(le)}"} ${at <= le ? total : 0}`);
      lines.push(
        `${name}_bucket{le="+Inf"} ${total}`,
        `${name}_sum ${promNumber(at * total)}`,
        `${name}_count ${total}`,
      );
    } else if (def.type === "counter") {
      // Requests flow, nothing fails: the error ratio is 0.
      const n = name.includes("error") ? 0 : total;
      lines.push(`${name}{service="${service}"} ${n}`);
    } else lines.push(`${name} ${promNumber(valueFor(alert, service) ?? 1)}`);
  }
  return `${lines.join("\n")}\n`;
}

/** prometheus.yml for the test (see the header): the generated one, discovery replaced by local targets. */
function testPrometheusConfig(targetPort: number, alertmanagerPort: number): Doc {
  const generated = yamlOf(files.get(OBSERVABILITY_OUT.config)!);
  const jobs = new Map(Object.entries(platform.services).map(([s, svc]) => [jobName(platform, s), { s, svc }]));
  const scrapeConfigs = (generated.scrape_configs as Doc[]).flatMap((job) => {
    const service = jobs.get(job.job_name as string);
    if (!service) return [];
    return [
      staticJob(
        job,
        [`${HOST}:${targetPort}`],
        { namespace: platform.namespace, pod: `${job.job_name as string}-0`, tier: service.svc.tier },
        { params: { service: [service.s] } },
      ),
    ];
  });
  const alerting = generated.alerting as { alertmanagers: Doc[] };
  return {
    ...generated,
    alerting: {
      alertmanagers: alerting.alertmanagers.map((am) => ({
        ...am,
        static_configs: [{ targets: [`${HOST}:${alertmanagerPort}`] }],
      })),
    },
    scrape_configs: scrapeConfigs,
  };
}

/** The generated rule files, ServiceDown's `for` shortened (see the header). */
function testRuleFiles(): Map<string, string> {
  const out = new Map<string, string>();
  for (const [path, content] of files) {
    if (!path.startsWith(`${OBSERVABILITY_OUT.rules}/`)) continue;
    const doc = yamlOf(content) as { groups: { rules: Doc[] }[] };
    for (const g of doc.groups) for (const r of g.rules) if (r.alert === DOWN.name) r.for = TEST_SERVICE_DOWN_FOR;
    out.set(path.slice("prometheus/".length), yamlFile([doc]));
  }
  return out;
}

/** alertmanager.yml for the test (see the header): every receiver a webhook to the sink, group_wait short. */
function testAlertmanagerConfig(hookPort: number): Doc {
  const generated = yamlOf(files.get(OBSERVABILITY_OUT.alertmanagerConfig)!);
  const shorten = (route: Doc): Doc => ({
    ...route,
    ...(route.group_wait !== undefined && route.group_wait !== "0s" ? { group_wait: TEST_GROUP_WAIT } : {}),
    ...(Array.isArray(route.routes) ? { routes: (route.routes as Doc[]).map(shorten) } : {}),
  });
  return webhookReceivers({ ...generated, route: shorten(generated.route as Doc) }, `http://${HOST}:${hookPort}`);
}

interface Notified {
  receiver: string;
  at: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

interface PromAlert {
  labels: Record<string, string>;
  state: string;
}

test("real Prometheus and Alertmanager deliver generated alerts: page, silence, inhibition, heartbeat", async () => {
  requirePrometheusServers();
  const started = Date.now();
  const deadline = started + DEADLINE_MS;
  const h = new Harness("nautilus-e2e-");
  try {
    // The targets: one HTTP server, the service named by the `service` parameter of each job.
    const firstScrape = new Map<string, number>();
    const scrapes = new Map<string, number>();
    const targetPort = await h.serve((req: IncomingMessage, _body: string, res: ServerResponse) => {
      const url = new URL(req.url ?? "/", `http://${HOST}`);
      const service = url.searchParams.get("service") ?? "";
      if (url.pathname !== "/metrics" || !(service in platform.services)) {
        res.writeHead(404).end();
        return;
      }
      const n = (scrapes.get(service) ?? 0) + 1;
      scrapes.set(service, n);
      if (!firstScrape.has(service)) firstScrape.set(service, Date.now());
      // The dying service: its last pod gone, every scrape fails from now on.
      if (service === dyingService && n > SCRAPES_BEFORE_DOWN) {
        res.writeHead(503).end();
        return;
      }
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
      res.end(exposition(service, (Date.now() - started) / 1000));
    });
    // The receivers: one path per receiver name; every alert of every notification is recorded.
    const notified: Notified[] = [];
    const hookPort = await h.serve((req, body, res) => {
      const receiver = (req.url ?? "/").slice(1);
      try {
        const payload = JSON.parse(body) as {
          alerts: { labels: Record<string, string>; annotations: Record<string, string> }[];
        };
        for (const a of payload.alerts)
          notified.push({ receiver, at: Date.now(), labels: a.labels, annotations: a.annotations });
      } catch {
        notified.push({ receiver, at: Date.now(), labels: { unparsable: body.slice(0, 200) }, annotations: {} });
      }
      res.writeHead(200).end();
    });
    const [promPort, amPort] = [await freePort(), await freePort()];

    const write = (rel: string, content: string) => {
      const path = join(h.dir, rel);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, content);
    };
    write("prometheus/prometheus.yml", yamlFile([testPrometheusConfig(targetPort, amPort)]));
    for (const [rel, content] of testRuleFiles()) write(`prometheus/${rel}`, content);
    write("alertmanager/alertmanager.yml", yamlFile([testAlertmanagerConfig(hookPort)]));

    h.start("alertmanager", "prometheus-alertmanager", [
      `--config.file=${join(h.dir, "alertmanager/alertmanager.yml")}`,
      `--storage.path=${join(h.dir, "alertmanager-data")}`,
      `--web.listen-address=${HOST}:${amPort}`,
      // One instance: no gossip, nothing listening beyond the web port.
      "--cluster.listen-address=",
    ]);
    h.start("prometheus", "prometheus", [
      `--config.file=${join(h.dir, "prometheus/prometheus.yml")}`,
      `--storage.tsdb.path=${join(h.dir, "prometheus-data")}`,
      `--web.listen-address=${HOST}:${promPort}`,
      // Prometheus learns its Alertmanagers a few seconds after the first evaluation and drops what it had to send
      // before; by default it resends a firing alert after 1m, so the Watchdog would arrive a minute late.
      `--rules.alert.resend-delay=${TEST_RESEND_DELAY}`,
    ]);
    const logs = () => `${h.log("prometheus")}\n${h.log("alertmanager")}`;
    const prom = `http://${HOST}:${promPort}`;
    const am = `http://${HOST}:${amPort}`;
    const ready = async (url: string) =>
      (await fetch(url, { signal: AbortSignal.timeout(1000) })).ok ? true : undefined;
    await waitFor("Alertmanager to be ready", deadline, () => ready(`${am}/-/ready`), logs);
    await waitFor("Prometheus to be ready", deadline, () => ready(`${prom}/-/ready`), logs);

    const promAlerts = async () =>
      ((await getJson(`${prom}/api/v1/alerts`)) as { data: { alerts: PromAlert[] } }).data.alerts;
    const sent = (receiver: string, alertname: string, service?: string) =>
      notified.find(
        (n) =>
          n.receiver === receiver &&
          n.labels.alertname === alertname &&
          (service === undefined || n.labels.service === service),
      );
    const pager = "trading-pager";
    const heartbeatReceiver = platform.monitoring.alerting.heartbeat.receiver;
    const state = () =>
      `notifications so far:\n${notified.map((n) => `  ${n.receiver}: ${JSON.stringify(n.labels)}`).join("\n")}\n` +
      logs();

    // The dead-man's switch first: it fires from the first evaluation.
    const watchdog = await waitFor(
      "the Watchdog at the heartbeat receiver",
      deadline,
      () => sent(heartbeatReceiver, HEARTBEAT),
      state,
    );
    assert.equal(watchdog.labels.severity, "none");
    assert.equal(watchdog.annotations, model.heartbeat.annotations);

    // The inhibited alert really fires in Prometheus, and Alertmanager holds it suppressed by ServiceDown.
    await waitFor(
      `${INHIBITED.name} firing in Prometheus`,
      deadline,
      async () => (await promAlerts()).find((a) => a.labels.alertname === INHIBITED.name && a.state === "firing"),
      state,
    );
    const suppressed = await waitFor(
      `${INHIBITED.name} suppressed in Alertmanager`,
      deadline,
      async () => {
        const alerts = (await getJson(`${am}/api/v2/alerts`)) as {
          labels: Record<string, string>;
          status: { state: string; inhibitedBy: string[] };
        }[];
        return alerts.find((a) => a.labels.alertname === INHIBITED.name && a.status.state === "suppressed");
      },
      state,
    );
    assert.ok(suppressed.status.inhibitedBy.length > 0, "suppressed by an inhibition, not a silence");

    const page = await waitFor(`${SLOW.name} at ${pager}`, deadline, () => sent(pager, SLOW.name, SLOW.service), state);
    const down = await waitFor(
      `${DOWN.name} of ${dyingService} at ${pager}`,
      deadline,
      () => sent(pager, DOWN.name, dyingService),
      state,
    );
    // Anything that should not arrive has had the time to.
    await sleep(QUIET_MS);

    // The page: the rule's labels and annotations, sent no sooner than the alert's `for` after the first breach.
    assert.equal(
      { severity: page.labels.severity, service: page.labels.service },
      { severity: "critical", service: SLOW.service },
    );
    assert.equal(page.annotations, SLOW.rule.annotations);
    assert.match(page.annotations.runbook_url!, new RegExp(`/${SLOW.name}\\.md$`));
    const breachedAt = firstScrape.get(SLOW.service!)!;
    if (SLOW.config.kind !== "threshold") throw new Error(`${SLOW.name} is not a threshold alert`);
    assert.ok(
      page.at - breachedAt >= SLOW.config.for * 1000,
      `paged ${page.at - breachedAt} ms after the first breach, before the alert's for (${SLOW.rule.for})`,
    );
    assert.equal(down.annotations.summary, `${dyingService} has no healthy scrape target`);

    // Under the budget: nothing pending or firing in Prometheus, no notification anywhere.
    const active = await promAlerts();
    for (const quiet of [UNDER_GAUGE, UNDER_HISTOGRAM])
      assert.not.ok(
        active.find((a) => a.labels.alertname === quiet.name),
        `${quiet.name} is ${active.find((a) => a.labels.alertname === quiet.name)?.state} under the budget`,
      );
    // Exactly these notifications: the page, ServiceDown of the dying service, the heartbeat; nothing to chat.
    const received = [...new Set(notified.map((n) => `${n.receiver} ${n.labels.alertname} ${n.labels.service ?? ""}`))];
    assert.equal(
      received.sort(),
      [
        `${heartbeatReceiver} ${HEARTBEAT} `,
        `${pager} ${DOWN.name} ${dyingService}`,
        `${pager} ${SLOW.name} ${SLOW.service}`,
      ].sort(),
      state(),
    );
    assert.ok(Date.now() - started < DEADLINE_MS);
  } finally {
    await h.close();
  }
});

test.run();
