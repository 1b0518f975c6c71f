/**
 * The meta-monitoring alerts against the real servers (Debian's Prometheus 2.42 and two Alertmanager 0.25 peers in
 * one cluster, all on 127.0.0.1): Prometheus runs the GENERATED rule files and scrapes itself and both
 * Alertmanagers under the GENERATED meta job names (static targets in place of Kubernetes discovery, see
 * support/e2e.ts). Proven: every Prometheus and Alertmanager metric the alerts read is one these servers really
 * export, and on this healthy stack every one of those alert expressions is empty, while a lone Alertmanager
 * peer is caught. Jaeger and the custom metrics APIService are not run here: their promtool tests cover them.
 * The test copy scrapes every second (instead of 15s) so the rate windows fill within seconds.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { observabilityFiles } from "../generators/observability-files.ts";
import { META_JOBS, metaAlerts } from "../model/meta-monitoring.ts";
import { OBSERVABILITY_OUT } from "../core/layout.ts";
import { parseYamlDocuments, yamlFile } from "../core/yaml.ts";
import { analyse } from "../checks/promql.ts";
import { requirePrometheusServers } from "./support/tools.ts";
import { freePort, getJson, Harness, HOST, staticJob, waitFor, webhookReceivers } from "./support/e2e.ts";
import { platformOf } from "./support/config.ts";

const DEADLINE_MS = 45_000;
const TEST_SCRAPE_INTERVAL = "1s";
/** Scrapes before the expressions are judged: rate() needs two samples, a few more make it steady. */
const SCRAPES = 4;

type Doc = Record<string, unknown>;
const yamlOf = (text: string) => parseYamlDocuments(text)[0] as Doc;
const platform = platformOf();
const files = observabilityFiles(platform);
const alerts = metaAlerts(platform);
/** The meta alerts on the servers this test runs, by the metric prefix of what they read. */
const onServers = alerts.filter((a) =>
  analyse(a.rule.expr).metrics.every((m) => m.startsWith("prometheus_") || m.startsWith("alertmanager_")),
);

/** Metric names of an exposition: `# TYPE` lines name every family, histograms and summaries by their base name. */
function exported(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split("\n")) {
    const m = /^# TYPE (\S+) (\S+)/.exec(line);
    if (!m) continue;
    names.add(m[1]!);
    if (m[2] === "histogram") for (const s of ["_bucket", "_sum", "_count"]) names.add(m[1]! + s);
  }
  return names;
}

test("real Prometheus and a two-peer Alertmanager export what the meta alerts read, and keep them quiet", async () => {
  requirePrometheusServers();
  assert.ok(onServers.length >= 8, `${onServers.length} meta alerts read Prometheus or Alertmanager metrics`);
  const deadline = Date.now() + DEADLINE_MS;
  const h = new Harness("nautilus-e2e-meta-");
  try {
    const hookPort = await h.serve((_req, _body, res) => res.writeHead(200).end());
    const [promPort, am0, am1, peer0, peer1] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    const write = (rel: string, content: string) => {
      const path = join(h.dir, rel);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, content);
    };
    const generated = yamlOf(files.get(OBSERVABILITY_OUT.config)!);
    const jobs = generated.scrape_configs as Doc[];
    const job = (name: string) => jobs.find((j) => j.job_name === name)!;
    const interval = { scrape_interval: TEST_SCRAPE_INTERVAL, scrape_timeout: TEST_SCRAPE_INTERVAL };
    write(
      "prometheus/prometheus.yml",
      yamlFile([
        {
          ...generated,
          alerting: {
            alertmanagers: [
              { api_version: "v2", static_configs: [{ targets: [am0, am1].map((p) => `${HOST}:${p}`) }] },
            ],
          },
          scrape_configs: [
            staticJob(job(META_JOBS.prometheus), [`${HOST}:${promPort}`], {}, interval),
            staticJob(
              job(META_JOBS.alertmanager),
              [am0, am1].map((p) => `${HOST}:${p}`),
              {},
              interval,
            ),
          ],
        },
      ]),
    );
    for (const [path, content] of files) if (path.startsWith(`${OBSERVABILITY_OUT.rules}/`)) write(path, content);
    write(
      "alertmanager/alertmanager.yml",
      yamlFile([
        webhookReceivers(yamlOf(files.get(OBSERVABILITY_OUT.alertmanagerConfig)!), `http://${HOST}:${hookPort}`),
      ]),
    );
    // Two peers gossiping on 127.0.0.1, as the StatefulSet's pods do through the headless Service.
    for (const [i, web, peer, other] of [
      [0, am0, peer0, peer1],
      [1, am1, peer1, peer0],
    ] as const)
      h.start(`alertmanager-${i}`, "prometheus-alertmanager", [
        `--config.file=${join(h.dir, "alertmanager/alertmanager.yml")}`,
        `--storage.path=${join(h.dir, `alertmanager-${i}`)}`,
        `--web.listen-address=${HOST}:${web}`,
        `--cluster.listen-address=${HOST}:${peer}`,
        `--cluster.advertise-address=${HOST}:${peer}`,
        `--cluster.peer=${HOST}:${other}`,
      ]);
    h.start("prometheus", "prometheus", [
      `--config.file=${join(h.dir, "prometheus/prometheus.yml")}`,
      `--storage.tsdb.path=${join(h.dir, "prometheus-data")}`,
      `--web.listen-address=${HOST}:${promPort}`,
    ]);
    const logs = () => ["prometheus", "alertmanager-0", "alertmanager-1"].map((n) => h.log(n)).join("\n");
    const prom = `http://${HOST}:${promPort}`;
    const query = async (expr: string) =>
      (
        (await getJson(`${prom}/api/v1/query?query=${encodeURIComponent(expr)}`)) as {
          data: { result: { metric: Record<string, string> }[] };
        }
      ).data.result;
    // Both peers see each other and Prometheus has scraped everything a few times.
    await waitFor(
      "the Alertmanager peers to form one cluster and Prometheus to scrape them",
      deadline,
      async () => {
        const members = await query(`min(alertmanager_cluster_members{job="${META_JOBS.alertmanager}"})`);
        const scrapes = await query(
          `min(count_over_time(up{job=~"${META_JOBS.prometheus}|${META_JOBS.alertmanager}"}[1m]))`,
        );
        const ready = Number((members[0] as { value?: [number, string] } | undefined)?.value?.[1] ?? 0) === 2;
        const scraped = Number((scrapes[0] as { value?: [number, string] } | undefined)?.value?.[1] ?? 0) >= SCRAPES;
        return ready && scraped ? true : undefined;
      },
      logs,
      500,
    );

    // Every metric those alerts read is exported by the real servers.
    const promMetrics = exported(await (await fetch(`${prom}/metrics`)).text());
    const amMetrics = exported(await (await fetch(`http://${HOST}:${am0}/metrics`)).text());
    for (const a of onServers)
      for (const m of analyse(a.rule.expr).metrics) {
        const known = m.startsWith("prometheus_") ? promMetrics : amMetrics;
        assert.ok(known.has(m), `${a.rule.alert} reads ${m}, which the real server does not export`);
      }
    // On this healthy stack each expression is empty: nothing would even be pending.
    for (const a of onServers) assert.equal(await query(a.rule.expr), [], `${a.rule.alert}: ${a.rule.expr}`);
    // And the cluster check is not vacuous: against a third, absent replica both peers are short of members.
    const members = alerts.find((a) => a.rule.alert === "AlertmanagerClusterMembersMismatch")!;
    const short = await query(members.rule.expr.replace(/< \d+$/, "< 3"));
    assert.is(short.length, 2, JSON.stringify(short));
  } finally {
    await h.close();
  }
});

test.run();
