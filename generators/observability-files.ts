/**
 * The observability files of out/ (the out/ contract): plain Prometheus rule files, prometheus.yml,
 * promtool unit tests (the Watchdog's among them), alertmanager.yml with its amtool route cases, Grafana
 * dashboards and the alerts' runbooks, from the base config. Tools and people use these
 * directly (`promtool test rules out/prometheus/tests/*.yaml`); the cluster gets the same content
 * through the ConfigMaps of the monitoring stack. Pure.
 */
import type { Platform } from "../schemas/platform.ts";
import { dashboards } from "./grafana-dashboards.ts";
import { prometheusConfig } from "./prometheus-config.ts";
import { ruleFiles } from "./prometheus-rules.ts";
import { alertTestFiles } from "./prometheus-tests.ts";
import { OBSERVABILITY_OUT } from "../core/layout.ts";
import { jsonFile, yamlFile } from "../core/yaml.ts";
import { alertmanagerConfig, alertmanagerRouteTests, ROUTE_TESTS_HEADER } from "./alertmanager-config.ts";
import { heartbeatTestFile } from "./alertmanager-tests.ts";
import { runbookFiles } from "./runbooks.ts";

export function observabilityFiles(platform: Platform): Map<string, string> {
  const files = new Map<string, string>();
  for (const f of ruleFiles(platform))
    files.set(`${OBSERVABILITY_OUT.rules}/${f.file}`, yamlFile([{ groups: [f.group] }]));
  files.set(OBSERVABILITY_OUT.config, yamlFile([prometheusConfig(platform)]));
  for (const t of alertTestFiles(platform)) files.set(`${OBSERVABILITY_OUT.tests}/${t.file}`, yamlFile([t.content]));
  const heartbeat = heartbeatTestFile(platform);
  files.set(`${OBSERVABILITY_OUT.tests}/${heartbeat.file}`, yamlFile([heartbeat.content]));
  files.set(OBSERVABILITY_OUT.alertmanagerConfig, yamlFile([alertmanagerConfig(platform)]));
  files.set(
    `${OBSERVABILITY_OUT.alertmanagerTests}/routes.yaml`,
    yamlFile([alertmanagerRouteTests(platform)], ROUTE_TESTS_HEADER),
  );
  for (const d of dashboards(platform)) files.set(`${OBSERVABILITY_OUT.dashboards}/${d.file}`, jsonFile(d.dashboard));
  for (const [file, text] of runbookFiles(platform)) files.set(`${OBSERVABILITY_OUT.runbooks}/${file}`, text);
  return files;
}
