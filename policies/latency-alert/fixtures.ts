import type { KubeObjectLike } from "../builders.ts";
import { latencyRule } from "../builders.ts";

export const allow: KubeObjectLike[] = [
  latencyRule("microseconds-at-budget", "nautilus_risk_check_latency_microseconds_p99 > 2.75"),
  latencyRule(
    "microseconds-below-budget",
    "max by (service) (nautilus_integration_e2e_latency_microseconds_p99) >= 2.5",
    "IntegrationE2ELatencyHigh",
  ),
  latencyRule(
    "seconds-histogram-at-budget",
    "histogram_quantile(0.99, sum by (le) (rate(nautilus_risk_check_duration_seconds_bucket[1m]))) > 2.75e-06",
  ),
  latencyRule("nanoseconds-at-budget", "nautilus_risk_check_latency_nanoseconds_p99 > 2750"),
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
];

export const deny: KubeObjectLike[] = [
  latencyRule("microseconds-above-budget", "nautilus_risk_check_latency_microseconds_p99 > 5"),
  latencyRule(
    "seconds-metric-with-microsecond-threshold",
    "histogram_quantile(0.99, sum by (le) (rate(nautilus_risk_check_duration_seconds_bucket[1m]))) > 2.75",
  ),
  latencyRule("no-threshold", "nautilus_risk_check_latency_microseconds_p99", "IntegrationE2ELatencyHigh"),
  latencyRule("unit-unknown", "nautilus_risk_check_latency_p99 > 2.75"),
];
