/**
 * promtool unit tests of the meta-monitoring alerts (model/meta-monitoring.ts), one file per alert, on their own rule
 * file: a healthy stack
 * fires nothing; each failing case is quiet just before the alert's `for` and fires after it with the expected
 * labels and expanded annotations. Pure.
 */
import type { Platform } from "../schemas/platform.ts";
import { formatDuration } from "../schemas/units.ts";
import { expandSummary, runbookUrl } from "../model/monitoring.ts";
import { metaAlerts, metaRuleFile } from "../model/meta-monitoring.ts";
import type { AlertTestFile } from "./prometheus-tests.ts";

/** Margin after the condition has held for `for`: a few evaluations. */
const MARGIN = 60;

export function metaTestFiles(platform: Platform): AlertTestFile[] {
  const file = metaRuleFile(platform);
  if (!file) return [];
  const rules = [`../rules/${file.file}`];
  return metaAlerts(platform).map(({ rule, forSeconds, sampleInterval, healthy, failing, holdsFrom }) => {
    // Windows and `for` of minutes to hours: evaluated once per sample, not every few seconds, the outcome is the
    // same and promtool is fifty times quicker over the TSDB alerts' four hours.
    const step = sampleInterval;
    const name = rule.alert;
    const fireAt = formatDuration(holdsFrom + forSeconds + MARGIN);
    const interval = formatDuration(sampleInterval);
    return {
      file: `${name}.yaml`,
      content: {
        rule_files: rules,
        evaluation_interval: formatDuration(step),
        tests: [
          {
            name: `${name}: a healthy stack, nothing fires`,
            interval,
            input_series: healthy,
            alert_rule_test: [{ eval_time: fireAt, alertname: name, exp_alerts: [] }],
          },
          ...failing.map((f) => ({
            name: `${name}: ${f.what}, quiet before its for (${rule.for}), firing after it`,
            interval,
            input_series: f.series,
            alert_rule_test: [
              { eval_time: formatDuration(forSeconds - step), alertname: name, exp_alerts: [] },
              {
                eval_time: fireAt,
                alertname: name,
                exp_alerts: [
                  {
                    exp_labels: { ...f.labels, ...rule.labels },
                    exp_annotations: {
                      ...rule.annotations,
                      summary: expandSummary(rule.annotations.summary!, f.labels),
                      runbook_url: runbookUrl(platform, rule.alert),
                    },
                  },
                ],
              },
            ],
          })),
        ],
      },
    };
  });
}
