/**
 * Strict unknown-field checks for custom resources (prometheus-operator's PrometheusRule,
 * ServiceMonitor, PodMonitor), whose only schema here is the ajv-compiled validator in
 * `@kubernetes-models/prometheus-operator`.
 *
 * ajv's generated code reads every declared property of an object (`data.spec !== undefined`)
 * and enumerates the keys of maps (`for (key in data)`). So the validator is run over a Proxy
 * that records, per object, which keys were read and whether the keys were enumerated:
 * - keys enumerated → a map, every key is allowed;
 * - some keys read  → a structured object, a key that was never read is unknown;
 * - nothing read    → a free-form object (`x-kubernetes-preserve-unknown-fields`), not checked.
 * Known limit: ajv skips properties whose schema is empty (`{}`), so such a property would be
 * reported as unknown; none occurs in the three CRDs we emit (tested on realistic objects).
 */
import type { Finding } from "../../core/finding.ts";
import { joinPath } from "../../core/field-path.ts";
import { unknownFieldMessage } from "./known-fields.ts";

interface Trace {
  read: Set<string>;
  enumerated: boolean;
}

export interface Traced {
  /** What to hand to the validator instead of the object. */
  proxy: unknown;
  /** After validation: reports every field the validator never looked at. */
  unknownFields(report: (f: Pick<Finding, "path" | "message">) => void): void;
}

export function traceObject(root: unknown): Traced {
  const traces = new WeakMap<object, Trace>();
  const proxies = new WeakMap<object, object>();

  const wrap = (value: unknown): unknown => {
    if (typeof value !== "object" || value === null) return value;
    const existing = proxies.get(value);
    if (existing) return existing;
    const trace: Trace = { read: new Set(), enumerated: false };
    traces.set(value, trace);
    const proxy = new Proxy(value, {
      get(target, key, receiver) {
        if (typeof key === "string") trace.read.add(key);
        return wrap(Reflect.get(target, key, receiver));
      },
      has(target, key) {
        if (typeof key === "string") trace.read.add(key);
        return Reflect.has(target, key);
      },
      ownKeys(target) {
        trace.enumerated = true;
        return Reflect.ownKeys(target);
      },
    });
    proxies.set(value, proxy);
    return proxy;
  };

  const walk = (value: unknown, path: string, report: (f: Pick<Finding, "path" | "message">) => void): void => {
    if (typeof value !== "object" || value === null) return;
    const trace = traces.get(value);
    if (!trace) return; // the validator never reached it (for example inside a free-form object)
    if (Array.isArray(value)) {
      for (const [i, item] of value.entries()) walk(item, joinPath(path, i), report);
      return;
    }
    const known = [...trace.read].filter((k) => !/^\d+$/.test(k) && k !== "length");
    const structured = !trace.enumerated && known.length > 0;
    for (const [k, v] of Object.entries(value)) {
      const fieldPath = joinPath(path, k);
      if (structured && !trace.read.has(k))
        report({ path: fieldPath, message: unknownFieldMessage(fieldPath, k, known) });
      else walk(v, fieldPath, report);
    }
  };

  return { proxy: wrap(root), unknownFields: (report) => walk(root, "", report) };
}
