/**
 * Prometheus rule files: recording rules, then one alert per `monitoring.alerts` entry, each rendered
 * in its metric's own unit. The groups are the monitoring model's (model/monitoring.ts), so the rule
 * files, the rules ConfigMap, the PrometheusRule, prometheus.yml and the promtool tests all name the
 * same files. Pure.
 */
import type { Platform } from "../schemas/platform.ts";
import { monitoringModel, type RuleFile, type RuleGroup } from "../model/monitoring.ts";

export type { RecordingRule, RuleFile, RuleGroup } from "../model/monitoring.ts";

export function ruleFiles(platform: Platform): RuleFile[] {
  return monitoringModel(platform).ruleFiles;
}

export function ruleGroups(platform: Platform): RuleGroup[] {
  return ruleFiles(platform).map((f) => f.group);
}
