import { CONFIG_FILE, type Finding } from "../../core/finding.ts";
import { formatDuration } from "../../schemas/units.ts";
import { findingOf, type ConfigCheck } from "../check.ts";

/**
 * A `down` alert fires when a service has had no healthy scrape target for its `for`. A pod that is starting is
 * scraped as down until it serves, for up to its startup budget; when every pod of a service starts at once (one
 * replica rescheduled, a node drained, the whole service redeployed) that is a healthy gap the alert must outlast.
 */
export const downAlertStartup: ConfigCheck = {
  id: "platform/down-alert-startup",
  needs: "config",
  description: "A down alert waits at least as long as the longest startup budget of the services it watches.",
  severity: "error",
  doc: {
    catches:
      "A `down` alert in `monitoring.alerts` whose `for` is shorter than the startup budget " +
      "(`services.<name>.probes.startup.budget`) of a service it watches (every service is scraped).",
    why:
      "A starting container does not serve its metrics yet, so its target reads as down for up to its startup " +
      "budget. When every pod of a service starts at once, a shorter `for` pages on a healthy start, and people " +
      "learn to ignore the page that matters.",
    fix:
      "Raise the alert's `for` above the longest startup budget, with slack for the scrape and the readiness " +
      "probe, or shorten the services' startup budgets.",
    example: { config: { monitoring: { alerts: { ServiceDown: { for: "30s" } } } } },
  },
  run({ platform }) {
    const findings: Finding[] = [];
    const budgets = Object.entries(platform.services).map(([name, s]) => ({ name, budget: s.probes.startup.budget }));
    const longest = budgets.reduce((a, b) => (b.budget > a.budget ? b : a), budgets[0]!);
    for (const [name, a] of Object.entries(platform.monitoring.alerts)) {
      if (a.kind !== "down" || longest === undefined || a.for >= longest.budget) continue;
      const slower = budgets.filter((b) => b.budget > a.for).map((b) => b.name);
      findings.push(
        findingOf(this, {
          file: CONFIG_FILE,
          path: `monitoring.alerts.${name}.for`,
          message:
            `down alert ${name} fires after ${formatDuration(a.for)} without a healthy target, but ` +
            `${slower.join(", ")} may take up to ${formatDuration(longest.budget)} to start ` +
            `(services.${longest.name}.probes.startup.budget): a healthy start of every pod at once pages`,
          hint:
            `set for to at least ${formatDuration(longest.budget)}, better with slack for the scrape and the ` +
            "readiness probe",
        }),
      );
    }
    return findings;
  },
};
