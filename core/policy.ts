/** A policy of policies/ as text: read by bin/, compiled by engines/, emitted with its binding by generators/. */
export interface PolicySource {
  /** Repository-relative path, e.g. "policies/guaranteed-qos/policy.yaml". */
  file: string;
  text: string;
}

/**
 * The keys of the latency-alert policy's param ConfigMap, written by the generator and the fixtures' builder and
 * read by the policy's CEL (policies/latency-alert/policy.yaml spells them too).
 */
export const LATENCY_PARAM = {
  /** The budget in seconds, as a decimal string ("0.000003"); absent when the config declares no budget. */
  budgetSeconds: "budget-seconds",
  /** The budget for messages ("3 µs"). */
  budget: "budget",
  /** `unit.<metric>`: the catalogue unit of each latency metric ("microseconds", "seconds"). */
  unitPrefix: "unit.",
} as const;

/** The data of the latency-alert param: the budget (absent: none declared) and the unit of each latency metric. */
export function latencyParamData(
  budget: { seconds: number; text: string } | undefined,
  units: Readonly<Record<string, string>>,
): Record<string, string> {
  const data: Record<string, string> = {};
  if (budget) {
    data[LATENCY_PARAM.budget] = budget.text;
    data[LATENCY_PARAM.budgetSeconds] = String(budget.seconds);
  }
  for (const [metric, unit] of Object.entries(units)) data[`${LATENCY_PARAM.unitPrefix}${metric}`] = unit;
  return data;
}
