import { CONFIG_FILE, type Finding } from "../../core/finding.ts";
import {
  humanThreshold,
  jobName,
  monitoringModel,
  ownAlertServices,
  sameValue,
  type ModelAlert,
} from "../../model/monitoring.ts";
import { findingOf, type ConfigCheck } from "../check.ts";

/** `a` fires no later than `b` on the same value: its threshold is reached first, or together. */
function firesFirst(a: ModelAlert, b: ModelAlert): boolean {
  return a.comparison === "<" ? a.value >= b.value : a.value <= b.value;
}

/**
 * A service-less alert shadows a service's own alert on the same value when it also covers that service and its
 * threshold is reached first: the global 1% error ratio fires for a service whose own alert says 2%. The model
 * leaves such services out of the global alert (`shadowing: "exclude"`, the default), so this finds only alerts
 * that keep them on purpose (`shadowing: "keep"`). A warning, not an error: keeping both can be a choice (the
 * global alert as an early chat message before the service's own page), but it must not be a silent one.
 */
export const alertShadowing: ConfigCheck = {
  id: "platform/alert-shadowing",
  needs: "config",
  description: "A service-less alert does not fire before a service's own alert on the same value.",
  severity: "warning",
  doc: {
    catches:
      'A service-less alert with `shadowing: "keep"` on the same value (kind, metric, divisor, direction) as a ' +
      "service's own alert, whose threshold is reached first: the global `HighErrorRate` at 1% fires for a " +
      "service that declared its own 2% alert. Also when the service's own alert is an SLO on the same counters " +
      '(`kind: "slo"`): a fixed threshold then judges the error ratio the objective\'s burn rates were meant to.',
    why:
      "The service's own threshold never decides: whoever chose 2% for it still gets the 1% alert first, at the " +
      "global alert's severity and receiver, and learns to ignore one of the two.",
    fix:
      'Remove `shadowing: "keep"` from the global alert: by default a service with its own alert is left out of ' +
      'it (`{job!~"..."}`), so each service is judged by one threshold.',
    example: {
      config: {
        monitoring: {
          alerts: {
            HighErrorRate: { shadowing: "keep" },
            SmartOrderRouterErrorRate: {
              kind: "ratio",
              severity: "warning",
              service: "smart-order-router",
              metric: "nautilus_errors_total",
              per: "nautilus_requests_total",
              comparison: ">",
              threshold: "2%",
              for: "2m",
              summary: "smart-order-router fails more than 2% of requests",
            },
          },
        },
      },
    },
  },
  run({ platform }) {
    const findings: Finding[] = [];
    const model = monitoringModel(platform);
    const metrics = platform.monitoring.metrics;
    for (const g of model.alerts) {
      if (g.service !== undefined || g.config.kind === "down") continue;
      const left = ownAlertServices(platform, g.config);
      for (const s of model.alerts) {
        if (s.service === undefined || !sameValue(g.config, s.config) || left.includes(s.service)) continue;
        if (!(metrics[s.metric!]?.services.includes(s.service) ?? false)) continue;
        // An SLO is judged by its burn rates, not a threshold: any other alert on its error ratio second-guesses it.
        if (s.slo === undefined && !firesFirst(g, s)) continue;
        const gt = humanThreshold(g.threshold!);
        const own = s.slo
          ? `own SLO ${s.name} (${humanThreshold({ kind: "percent", ratio: s.slo.objective })} over ` +
            `${s.slo.period / 86400} days, alerting on its error budget's burn rate) on the same error ratio: ` +
            `${g.name} fires at ${gt} whatever budget is left, so ${s.service}'s objective never decides`
          : `own alert ${s.name} (${s.comparison} ${humanThreshold(s.threshold!)}, for ${s.rule.for}) on the same ` +
            `value: ${g.name} fires first, so ${s.service}'s own threshold never decides`;
        findings.push(
          findingOf(this, {
            file: CONFIG_FILE,
            path: `monitoring.alerts.${g.name}.shadowing`,
            message:
              `alert ${g.name} (${g.comparison} ${gt}, for ${g.rule.for}) also covers ${s.service}, ` +
              `which has its ${own}`,
            hint:
              `remove shadowing: "keep" from monitoring.alerts.${g.name}, so ${s.service} is left out of it ` +
              `(job!~"${jobName(platform, s.service)}")` +
              (s.slo ? ` and judged by its objective alone` : `, or make ${s.name} the stricter of the two`),
          }),
        );
      }
    }
    return findings;
  },
};
