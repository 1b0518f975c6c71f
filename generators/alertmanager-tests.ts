/**
 * The dead-man's switch's promtool test: with no series at all (a cluster where every scrape fails) the heartbeat
 * fires at the first evaluation and keeps firing, with its labels and annotations. Pure.
 */
import type { Platform } from "../schemas/platform.ts";
import { formatDuration } from "../schemas/units.ts";
import { monitoringModel } from "../model/monitoring.ts";
import type { AlertTestFile } from "./prometheus-tests.ts";

/** Evaluations the test spans: enough to see the alert still firing after it first fired. */
const EVALUATIONS = 10;

export function heartbeatTestFile(platform: Platform): AlertTestFile {
  const model = monitoringModel(platform);
  const step = platform.monitoring.evaluationInterval;
  const rule = model.heartbeat;
  const expected = [{ exp_labels: rule.labels, exp_annotations: rule.annotations }];
  return {
    file: `${rule.alert}.yaml`,
    content: {
      rule_files: model.alertTestRuleFiles.map((f) => `../rules/${f.file}`),
      evaluation_interval: formatDuration(step),
      tests: [
        {
          name: `${rule.alert}: fires from the first evaluation and keeps firing, with no series at all`,
          interval: formatDuration(step),
          input_series: [],
          alert_rule_test: [
            { eval_time: "0s", alertname: rule.alert, exp_alerts: expected },
            { eval_time: formatDuration(step * EVALUATIONS), alertname: rule.alert, exp_alerts: expected },
          ],
        },
      ],
    },
  };
}
