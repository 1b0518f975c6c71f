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
