import type { Fixture, KubeObjectLike } from "../builders.ts";
import { latencyBudgetParams, latencyRule } from "../builders.ts";

/** The budget of these fixtures, in seconds: a parameter, so any value shows the policy reads it. */
const BUDGET = 3e-6;
const histogram = (threshold: string) =>
  `histogram_quantile(0.99, sum by (le) (rate(nautilus_order_processing_duration_seconds_bucket[1m]))) > ${threshold}`;

/** The param every fixture below is evaluated with, unless it carries its own. */
export const params: KubeObjectLike = latencyBudgetParams(BUDGET);

export const allow: Fixture[] = [
  latencyRule("microseconds-at-budget", "nautilus_risk_check_latency_microseconds_p99 > 3"),
  latencyRule(
    "microseconds-below-budget",
    "max by (service) (nautilus_integration_e2e_latency_microseconds_p99) >= 2.5",
    "IntegrationE2ELatencyHigh",
  ),
  latencyRule("seconds-histogram-at-budget", histogram("3e-06"), "OrderManagerP99LatencyHigh"),
  latencyRule(
    "warning-severity-is-not-checked",
    "nautilus_risk_check_latency_microseconds_p99 > 10",
    "RiskEngineP99LatencyHigh",
    "warning",
  ),
  latencyRule(
    "other-alerts-are-not-checked",
    "nautilus_memory_pool_efficiency_ratio < 0.95",
    "MemoryPoolEfficiencyLow",
  ),
  {
    object: latencyRule("budget-comes-from-the-param", "nautilus_risk_check_latency_microseconds_p99 > 5"),
    params: latencyBudgetParams(5e-6),
  },
  {
    object: latencyRule("no-budget-declared", "nautilus_risk_check_latency_microseconds_p99 > 100"),
    params: latencyBudgetParams(undefined),
  },
];

export const deny: Fixture[] = [
  latencyRule("microseconds-above-budget", "nautilus_risk_check_latency_microseconds_p99 > 3.5"),
  latencyRule("seconds-histogram-above-budget", histogram("4e-06"), "OrderManagerP99LatencyHigh"),
  latencyRule("seconds-metric-with-microsecond-threshold", histogram("3"), "OrderManagerP99LatencyHigh"),
  // The unit is the catalogue's, not the name's: this metric says microseconds but the param says seconds.
  {
    object: latencyRule("unit-differs-in-the-catalogue", "nautilus_risk_check_latency_microseconds_p99 > 3"),
    params: latencyBudgetParams(BUDGET, { nautilus_risk_check_latency_microseconds_p99: "seconds" }),
  },
  latencyRule("no-threshold", "nautilus_risk_check_latency_microseconds_p99", "IntegrationE2ELatencyHigh"),
  latencyRule("metric-not-in-the-catalogue", "nautilus_risk_check_latency_p99 > 3"),
  { object: latencyRule("param-missing", "nautilus_risk_check_latency_microseconds_p99 > 3"), params: null },
];
