import { LABEL } from "../../core/conventions.ts";
import { refOf, type Finding, type KubeObject } from "../../core/finding.ts";
import { describeSeconds, monitoringModel, type ModelAlert, type MonitoringModel } from "../../model/monitoring.ts";
import type { ConfigCheck } from "../check.ts";
import { groupBy } from "../../core/group-by.ts";
import { CONFIG_FILE } from "../../core/finding.ts";

/** The object that deploys the alerting rules: a PrometheusRule, or the ConfigMap holding the alert rule file. */
function rulesObject(objects: readonly KubeObject[], model: MonitoringModel): KubeObject | undefined {
  const files = new Set(model.ruleFiles.map((f) => f.file));
  return objects.find(
    (o) =>
      o.kind === "PrometheusRule" ||
      (o.kind === "ConfigMap" && Object.keys((o.data as Record<string, string>) ?? {}).some((k) => files.has(k))),
  );
}

/** The alert fires at or below `budget` seconds: a ">" comparison with a duration threshold within it. */
function withinBudget(a: ModelAlert, budget: number): boolean {
  return a.comparison === ">" && a.threshold?.kind === "duration" && a.threshold.seconds <= budget * (1 + 1e-9);
}

/**
 * Every service of a tier with a latency budget that exposes a latency metric has a critical alert on it, with
 * `service` set to it, firing at or below the budget; a service of such a tier that exposes no latency metric at
 * all fails too, since nothing would tell anyone its latency regressed. Read from the monitoring model (thresholds
 * in canonical seconds), for the services each environment deploys.
 */
export const latencyAlertCoverage: ConfigCheck = {
  id: "platform/latency-alert-coverage",
  needs: "config",
  description: "Each service of a tier with a latencyBudget has a critical p99 latency alert at or below the budget.",
  severity: "error",
  doc: {
    catches:
      "A service of a tier with a `latencyBudget` that exposes no latency metric, or whose latency metrics have no " +
      "critical alert labelled with its `service` that fires at or below the tier's latency budget in the " +
      "metric's own unit, in what each environment deploys (rule ConfigMaps or PrometheusRules).",
    why:
      "The latency budget is the platform's promise. An alert above it, a warning instead of a page, or no " +
      "alert at all lets a regression run unnoticed; a threshold written in the wrong unit never fires. The " +
      "in-cluster `latency-alert` policy sees one PrometheusRule at a time and only in operator mode; this " +
      "check sees every service and both modes.",
    fix:
      "Declare the service's p99 latency metric in `monitoring.metrics` and a critical alert on it with " +
      "`service` set and a threshold at or below the budget (`monitoring.alerts.<name>.threshold`).",
    example: { config: { monitoring: { alerts: { RiskEngineP99LatencyHigh: { threshold: "3us" } } } } },
  },
  run({ environments }) {
    return environments.flatMap((env) => {
      const findings: Finding[] = [];
      const model = monitoringModel(env.platform);
      const finding = (resource: KubeObject, path: string, message: string, hint: string): Finding => ({
        engine: "platform",
        rule: "latency-alert-coverage",
        severity: "error",
        environment: env.environment,
        resource: refOf(resource),
        file: CONFIG_FILE,
        path,
        message,
        hint,
      });
      // Indexed once per environment: a scan of every object, metric and alert per service is quadratic at
      // thousands of services. Each index keeps the scan's order, so the first match is the scan's.
      const deployments = new Map<string, KubeObject>();
      for (const o of env.objects) {
        const [name, tier] = [o.metadata.labels?.[LABEL.name], o.metadata.labels?.[LABEL.tier]];
        if (o.kind !== "Deployment" || name === undefined || tier === undefined) continue;
        const key = `${name}\0${tier}`;
        if (!deployments.has(key)) deployments.set(key, o);
      }
      const latencyOf = new Map<string, MonitoringModel["latencyMetrics"]>();
      for (const m of model.latencyMetrics)
        for (const service of new Set(m.def.services)) {
          const list = latencyOf.get(service);
          if (list) list.push(m);
          else latencyOf.set(service, [m]);
        }
      const criticalOn = groupBy(
        model.alerts.filter((a) => a.severity === "critical"),
        (a) => (a.service === undefined || a.metric === undefined ? undefined : `${a.service}\0${a.metric}`),
      );
      let rules: { object: KubeObject | undefined } | undefined;
      const rulesOf = () => {
        rules ??= { object: rulesObject(env.objects, model) };
        return rules.object;
      };
      for (const budget of model.budgets) {
        const budgetText = describeSeconds(budget.seconds);
        const where = `tiers.${budget.tier}.latencyBudget`;
        for (const service of budget.services) {
          const deployment = deployments.get(`${service}\0${budget.tier}`);
          if (!deployment) continue;
          const latency = latencyOf.get(service) ?? [];
          if (latency.length === 0) {
            findings.push(
              finding(
                deployment,
                "monitoring.metrics",
                `${service} is ${budget.tier} but exposes no latency metric, so no alert would fire if its latency ` +
                  `regressed`,
                `declare its p99 latency metric in monitoring.metrics and a critical alert on it at or below ` +
                  `${budgetText} (${where})`,
              ),
            );
            continue;
          }
          for (const { name: metric } of latency) {
            const candidates = criticalOn.get(`${service}\0${metric}`) ?? [];
            if (candidates.some((a) => withinBudget(a, budget.seconds))) continue;
            const worst = candidates[0];
            const message = !worst
              ? `${service} exposes ${metric} but no critical alert with service: ${service} watches it`
              : worst.comparison !== ">" || worst.threshold?.kind !== "duration"
                ? `critical alert ${worst.name} on ${metric} does not fire above a duration, so it cannot hold ` +
                  `${service} to its ${budget.tier} budget of ${budgetText}`
                : `critical alert ${worst.name} fires only above ${describeSeconds(worst.threshold.seconds)} of ` +
                  `${metric}; the ${budget.tier} budget for ${service} is ${budgetText}`;
            findings.push(
              finding(
                (worst && rulesOf()) ?? deployment,
                worst ? `monitoring.alerts.${worst.name}.threshold` : "monitoring.alerts",
                message,
                `leave the alert's threshold out to alert at the budget (${where}), or set it at or below ` +
                  `${budgetText}; with comparison ">", severity critical and service ${service}`,
              ),
            );
          }
        }
      }
      return findings;
    });
  },
};
