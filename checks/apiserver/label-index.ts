/**
 * Items with labels, indexed by namespace and by each label's key and value, so that finding what a selector may
 * select costs the size of one label's bucket instead of a scan of every item: the scan per Service made
 * selector-targets-workload quadratic in the number of services. `candidates` returns a superset of the items the
 * selector selects (every item carrying one of its required `key: value` pairs); callers still judge each
 * candidate with `selects`, so the verdicts are the scan's.
 */
import { isPlainObject } from "../../core/plain.ts";

export interface Labelled<T> {
  namespace: string;
  labels: Record<string, string>;
  item: T;
}

export class LabelIndex<T> {
  private readonly byNamespace = new Map<string, T[]>();
  private readonly byLabel = new Map<string, Map<string, Map<unknown, T[]>>>();

  constructor(entries: Iterable<Labelled<T>>) {
    for (const { namespace, labels, item } of entries) {
      push(this.byNamespace, namespace, item);
      let keys = this.byLabel.get(namespace);
      if (!keys) {
        keys = new Map();
        this.byLabel.set(namespace, keys);
      }
      for (const [k, v] of Object.entries(labels)) {
        let values = keys.get(k);
        if (!values) {
          values = new Map();
          keys.set(k, values);
        }
        push(values, v, item);
      }
    }
  }

  /**
   * The items of `namespace` that `selector` may select: a Service's plain label map (`plain`) or a
   * LabelSelector, whose `matchLabels` pairs are all required. Without a required pair, every item of the
   * namespace.
   */
  candidates(namespace: string, selector: unknown, plain = false): readonly T[] {
    const all = this.byNamespace.get(namespace) ?? [];
    if (!isPlainObject(selector)) return all;
    const required = plain ? selector : isPlainObject(selector.matchLabels) ? selector.matchLabels : {};
    const keys = this.byLabel.get(namespace);
    let best: readonly T[] = all;
    // A label matches only as an own property: a selector's values are data, never an inherited member.
    for (const [k, v] of Object.entries(required)) {
      const bucket = keys?.get(k)?.get(v) ?? [];
      if (bucket.length < best.length) best = bucket;
      if (best.length === 0) break;
    }
    return best;
  }
}

function push<K, T>(map: Map<K, T[]>, key: K, item: T): void {
  const list = map.get(key);
  if (list) list.push(item);
  else map.set(key, [item]);
}
