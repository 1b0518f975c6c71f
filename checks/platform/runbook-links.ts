import { CONFIG_FILE, type Finding } from "../../core/finding.ts";
import { OBSERVABILITY_OUT } from "../../core/layout.ts";
import { monitoringModel } from "../../model/monitoring.ts";
import { findingOf, type ConfigCheck } from "../check.ts";

/**
 * Every alert a person receives links a runbook that exists and is about that alert: its `runbook_url` lies under
 * `monitoring.runbookBaseUrl` and names a file of out/runbooks/ whose title is the alert. Alert names that differ
 * only in case would share one runbook on a case-insensitive checkout (macOS, Windows), and an alert named like the
 * index would be replaced by it: both leave a page that explains another alert.
 */
export const runbookLinks: ConfigCheck = {
  id: "platform/runbook-links",
  needs: "config",
  description: "Every alert's runbook_url names a generated runbook of that alert.",
  severity: "error",
  doc: {
    catches:
      "An alert rule (configured, the heartbeat, or the monitoring stack's own) without a `runbook_url`, with one " +
      "outside `monitoring.runbookBaseUrl`, or naming a file of out/runbooks/ that is missing or is not that " +
      "alert's runbook (its title is another alert: an alert named like the index, README, or two alert names " +
      "that differ only in case, which share one file on a case-insensitive checkout).",
    why:
      "The runbook link is what the person paged at night clicks first. A link to nothing, or to the page of " +
      "another alert, costs the minutes the runbook exists to save.",
    fix: "Rename the alert so its runbook has a file of its own (`monitoring.alerts.<name>`), then regenerate.",
    example: {
      config: {
        monitoring: {
          alerts: {
            README: {
              kind: "down",
              severity: "critical",
              for: "90s",
              summary: "{{ $labels.service }} has no healthy scrape target",
            },
          },
        },
      },
    },
  },
  run({ platform, out }) {
    const findings: Finding[] = [];
    const base = `${platform.monitoring.runbookBaseUrl.replace(/\/+$/, "")}/`;
    const model = monitoringModel(platform);
    const configured = new Set(model.alerts.map((a) => a.name));
    const folded = new Map<string, string>();
    for (const file of out.files.keys()) {
      if (!file.startsWith(`${OBSERVABILITY_OUT.runbooks}/`)) continue;
      const other = folded.get(file.toLowerCase());
      if (other !== undefined)
        findings.push(
          findingOf(this, {
            file: `${out.dir}/${file}`,
            message:
              `runbooks ${other} and ${file} differ only in case: a case-insensitive checkout (macOS, Windows) ` +
              "keeps one of them, and one alert's link opens the other's runbook",
            hint: "rename one of the two alerts in monitoring.alerts",
          }),
        );
      folded.set(file.toLowerCase(), file);
    }
    for (const f of model.ruleFiles)
      for (const r of f.group.rules) {
        if (!("alert" in r)) continue;
        const where = {
          file: configured.has(r.alert) ? CONFIG_FILE : `${out.dir}/${OBSERVABILITY_OUT.rules}/${f.file}`,
          path: configured.has(r.alert) ? `monitoring.alerts.${r.alert}` : `groups[0].rules.${r.alert}`,
        };
        const url = r.annotations.runbook_url;
        const file = url?.startsWith(base) ? `${OBSERVABILITY_OUT.runbooks}/${url.slice(base.length)}` : undefined;
        const text = file !== undefined ? out.files.get(file) : undefined;
        const problem =
          url === undefined
            ? "has no runbook_url annotation"
            : file === undefined
              ? `links its runbook at ${url}, outside monitoring.runbookBaseUrl (${base})`
              : text === undefined
                ? `links ${url}, but no runbook ${file} is generated`
                : !text.includes(`\n# ${r.alert}\n`)
                  ? `links ${url}, but ${file} is not its runbook (another page was written there)`
                  : undefined;
        if (problem)
          findings.push(
            findingOf(this, {
              ...where,
              message: `alert ${r.alert} ${problem}: the person it pages gets no runbook for it`,
              hint:
                file !== undefined && text !== undefined
                  ? `rename the alert so its runbook ${file} is a file of its own`
                  : "every alert gets its runbook_url from monitoring.runbookBaseUrl and a runbook in out/runbooks/",
            }),
          );
      }
    return findings;
  },
};
