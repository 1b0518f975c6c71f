/**
 * RFC 6902 patches between two versions of an object. An overlay holds exactly what an environment
 * changes, derived from the objects themselves, so an overlay can never drift from the config.
 */
import { deepEqual, isPlainObject } from "../core/plain.ts";

export type JsonPatchOp =
  | { op: "add"; path: string; value: unknown }
  | { op: "replace"; path: string; value: unknown }
  | { op: "remove"; path: string };

const isPlain = isPlainObject;
const escapeKey = (key: string) => key.replace(/~/g, "~0").replace(/\//g, "~1");

export function jsonPatch(from: unknown, to: unknown, path = ""): JsonPatchOp[] {
  if (deepEqual(from, to)) return [];
  if (isPlain(from) && isPlain(to)) {
    const ops: JsonPatchOp[] = [];
    const keys = [...new Set([...Object.keys(from), ...Object.keys(to)])].sort();
    for (const k of keys) {
      const p = `${path}/${escapeKey(k)}`;
      if (to[k] === undefined) {
        if (from[k] !== undefined) ops.push({ op: "remove", path: p });
      } else if (from[k] === undefined) ops.push({ op: "add", path: p, value: to[k] });
      else ops.push(...jsonPatch(from[k], to[k], p));
    }
    return ops;
  }
  // Same-length arrays (containers, ports) are patched element by element to keep patches small.
  if (Array.isArray(from) && Array.isArray(to) && from.length === to.length) {
    return from.flatMap((v, i) => jsonPatch(v, to[i], `${path}/${i}`));
  }
  return [{ op: "replace", path, value: to }];
}
