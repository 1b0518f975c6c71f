/**
 * Prometheus rule files from the config: recording rules, then one alert per `monitoring.alerts`
 * entry, each rendered in its metric's own unit (a microsecond gauge compares with 2.75, a seconds
 * histogram with 2.75e-06). Plain rule files for out/prometheus/rules/ and the same groups for a
 * PrometheusRule. Pure.
 */
import type { Platform } from "../schemas/platform.ts";
import { formatDuration } from "../schemas/units.ts";
import { alertRule, type AlertRule } from "../model/monitoring.ts";

export interface RecordingRule {
  record: string;
  expr: string;
}

export interface RuleGroup {
  name: string;
  interval: string;
  rules: (AlertRule | RecordingRule)[];
}

/** File name (under out/prometheus/rules/) → rule file content. */
export interface RuleFile {
  file: string;
  group: RuleGroup;
}

export function ruleFiles(platform: Platform): RuleFile[] {
  const m = platform.monitoring;
  const interval = formatDuration(m.evaluationInterval);
  const files: RuleFile[] = [];
  const recording = Object.entries(m.recordingRules).map(([record, r]) => ({ record, expr: r.expr }));
  if (recording.length > 0)
    files.push({
      file: `${platform.name}-recording.yaml`,
      group: { name: `${platform.name}-recording`, interval, rules: recording },
    });
  const alerts = Object.entries(m.alerts).map(([name, a]) => alertRule(platform, name, a));
  files.push({
    file: `${platform.name}-alerts.yaml`,
    group: { name: `${platform.name}-alerts`, interval, rules: alerts },
  });
  return files;
}

export function ruleGroups(platform: Platform): RuleGroup[] {
  return ruleFiles(platform).map((f) => f.group);
}
