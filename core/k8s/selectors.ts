/**
 * metav1.LabelSelector matching (`matchLabels` and `matchExpressions` with In, NotIn, Exists,
 * DoesNotExist), shared by admission matching and the API-server rules. Takes untrusted data: a
 * malformed expression or an unknown operator matches nothing, as LabelSelectorAsSelector errors.
 */
import { isPlainObject as isRecord } from "../plain.ts";

export function matchesLabelSelector(selector: unknown, labels: Record<string, string>): boolean {
  if (!isRecord(selector)) return false;
  const matchLabels = isRecord(selector.matchLabels) ? selector.matchLabels : {};
  for (const [k, v] of Object.entries(matchLabels)) if (labels[k] !== v) return false;
  const expressions = Array.isArray(selector.matchExpressions) ? selector.matchExpressions : [];
  for (const e of expressions) {
    if (!isRecord(e) || typeof e.key !== "string") return false;
    const has = Object.hasOwn(labels, e.key);
    const values = Array.isArray(e.values) ? e.values.filter((x): x is string => typeof x === "string") : [];
    const value = labels[e.key];
    switch (e.operator) {
      case "In":
        if (!has || !values.includes(value!)) return false;
        break;
      case "NotIn":
        if (has && values.includes(value!)) return false;
        break;
      case "Exists":
        if (!has) return false;
        break;
      case "DoesNotExist":
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/**
 * A fixed list of label sets, queried by selector: `select(selector)` lists, ascending, the positions of the sets
 * `matchesLabelSelector` accepts. It tries only the sets holding the labels the selector requires (a matchLabels
 * pair, one of an `In` list's values, an `Exists` key), so a selector naming one workload costs that workload, not
 * the whole list; every candidate is still judged by `matchesLabelSelector`, which keeps the answers the same.
 */
export function labelIndex(sets: readonly Record<string, string>[]): { select(selector: unknown): number[] } {
  const byLabel = new Map<string, Map<unknown, number[]>>();
  sets.forEach((labels, i) => {
    for (const [k, v] of Object.entries(labels)) {
      const values = byLabel.get(k) ?? byLabel.set(k, new Map()).get(k)!;
      (values.get(v) ?? values.set(v, []).get(v)!).push(i);
    }
  });
  const all = sets.map((_, i) => i);
  const holding = (key: string, values: readonly unknown[]): number[] => {
    const byValue = byLabel.get(key);
    if (!byValue) return [];
    const lists = values.map((v) => byValue.get(v) ?? []).filter((l) => l.length > 0);
    return lists.length === 1 ? lists[0]! : [...new Set(lists.flat())].sort((a, b) => a - b);
  };
  return {
    select(selector) {
      if (!isRecord(selector)) return [];
      let candidates: readonly number[] = all;
      const narrow = (c: readonly number[]) => {
        if (c.length < candidates.length) candidates = c;
      };
      const matchLabels = isRecord(selector.matchLabels) ? selector.matchLabels : {};
      for (const [k, v] of Object.entries(matchLabels)) narrow(byLabel.get(k)?.get(v) ?? []);
      const expressions = Array.isArray(selector.matchExpressions) ? selector.matchExpressions : [];
      for (const e of expressions) {
        if (!isRecord(e) || typeof e.key !== "string") continue;
        if (e.operator === "In" && Array.isArray(e.values))
          narrow(
            holding(
              e.key,
              e.values.filter((x) => typeof x === "string"),
            ),
          );
        else if (e.operator === "Exists") narrow(holding(e.key, [...(byLabel.get(e.key)?.keys() ?? [])]));
      }
      return candidates.filter((i) => matchesLabelSelector(selector, sets[i]!));
    },
  };
}
