import { parse } from "yaml";
import { LABEL, LATENCY_BUDGET_SECONDS, TIER } from "../../core/conventions.ts";
import { refOf, type Finding, type KubeObject } from "../../core/finding.ts";
import type { ConfigCheck } from "../check.ts";
import { CONFIG_FILE } from "./config.ts";

interface Alert {
  alert: string;
  expr: string;
  labels: Record<string, string>;
  source: KubeObject;
}

const SECONDS_PER_UNIT: Record<string, number> = { microseconds: 1e-6, seconds: 1 };

/** Alerting rules wherever the environment deploys them: rule ConfigMaps (standalone) or PrometheusRules (operator). */
function deployedAlerts(objects: readonly KubeObject[]): Alert[] {
  const groupsOf = (o: KubeObject): unknown[] => {
    if (o.kind === "PrometheusRule") return ((o.spec as { groups?: unknown[] })?.groups ?? []) as unknown[];
    if (o.kind !== "ConfigMap") return [];
    return Object.entries((o.data as Record<string, string>) ?? {})
      .filter(([k]) => /\.ya?ml$/.test(k))
      .flatMap(([, v]) => {
        try {
          const doc = parse(v) as { groups?: unknown[] } | null;
          return Array.isArray(doc?.groups) ? doc.groups : [];
        } catch {
          return [];
        }
      });
  };
  return objects.flatMap((o) =>
    groupsOf(o).flatMap((g) =>
      (((g as { rules?: unknown[] }).rules ?? []) as Record<string, unknown>[])
        .filter((r) => typeof r.alert === "string" && typeof r.expr === "string")
        .map((r) => ({
          alert: r.alert as string,
          expr: r.expr as string,
          labels: (r.labels ?? {}) as Record<string, string>,
          source: o,
        })),
    ),
  );
}

/** The number an alert fires above (`metric > 2.75`), or undefined for any other shape. */
function upperThreshold(expr: string): number | undefined {
  const m = /(?:>|>=)\s*(?:bool\s+)?([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$/.exec(expr.trim());
  return m ? Number(m[1]) : undefined;
}

const micro = (seconds: number) => `${Number((seconds * 1e6).toPrecision(6))} µs`;

/**
 * Every ultra-low-latency service that exposes a latency metric has a critical alert on it, with
 * `service` set to it, firing at or below the 2.75 µs budget in the metric's own unit; an
 * ultra-low-latency service that exposes no latency metric at all fails too, since nothing would
 * tell anyone its latency regressed. Checked on what each environment deploys.
 */
export const latencyAlertCoverage: ConfigCheck = {
  id: "platform/latency-alert-coverage",
  needs: "config",
  description: "Each ultra-low-latency service has a critical p99 latency alert at or below 2.75 µs.",
  severity: "error",
  doc: {
    catches:
      "An ultra-low-latency service that exposes no latency metric, or whose latency metrics have no " +
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
      const alerts = deployedAlerts(env.objects);
      const metrics = Object.entries(env.platform.monitoring.metrics);
      for (const o of env.objects) {
        if (o.kind !== "Deployment" || o.metadata.labels?.[LABEL.tier] !== TIER.ultraLowLatency) continue;
        const service = o.metadata.labels?.[LABEL.name] ?? o.metadata.name;
        if (!(service in env.platform.services)) continue;
        const latency = metrics.filter(([, m]) => m.unit in SECONDS_PER_UNIT && m.services.includes(service));
        if (latency.length === 0) {
          findings.push({
            engine: "platform",
            rule: "latency-alert-coverage",
            severity: "error",
            environment: env.environment,
            resource: refOf(o),
            file: CONFIG_FILE,
            path: "monitoring.metrics",
            message:
              `${service} is ultra-low-latency but exposes no latency metric, so no alert would fire ` +
              `if its latency regressed`,
            hint:
              `declare its p99 latency metric in monitoring.metrics and a critical alert on it at or ` +
              `below ${micro(LATENCY_BUDGET_SECONDS)}`,
          });
          continue;
        }
        for (const [metric, def] of latency) {
          const candidates = alerts.filter(
            (a) =>
              a.labels.severity === "critical" &&
              a.labels.service === service &&
              new RegExp(`\\b${metric}(_bucket)?\\b`).test(a.expr),
          );
          const budget = LATENCY_BUDGET_SECONDS / SECONDS_PER_UNIT[def.unit]!;
          const within = candidates.filter((a) => {
            const t = upperThreshold(a.expr);
            return t !== undefined && t <= budget * (1 + 1e-9);
          });
          if (within.length > 0) continue;
          const worst = candidates[0];
          const t = worst ? upperThreshold(worst.expr) : undefined;
          findings.push({
            engine: "platform",
            rule: "latency-alert-coverage",
            severity: "error",
            environment: env.environment,
            resource: refOf(worst?.source ?? o),
            file: CONFIG_FILE,
            path: worst ? `monitoring.alerts.${worst.alert}.threshold` : "monitoring.alerts",
            message: worst
              ? t === undefined
                ? `critical alert ${worst.alert} on ${metric} has no readable "> threshold", so its budget ` +
                  `cannot be checked against ${micro(LATENCY_BUDGET_SECONDS)}`
                : `critical alert ${worst.alert} fires only above ${micro(t * SECONDS_PER_UNIT[def.unit]!)} ` +
                  `of ${metric}; the ultra-low-latency budget for ${service} is ${micro(LATENCY_BUDGET_SECONDS)}`
              : `${service} exposes ${metric} but no critical alert with service: ${service} watches it`,
            hint:
              `alert at or below "2.75us" (monitoring.alerts.<name>.threshold), with severity critical ` +
              `and service ${service}`,
          });
        }
      }
      return findings;
    });
  },
};
