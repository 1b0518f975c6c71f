/**
 * Strict unknown-field checks for built-in kinds, from `@kubernetes/client-node`'s generated models.
 *
 * Why this source: the JSON schemas inside `kubernetes-models` ship only as ajv-compiled code
 * (no `properties` lists, no `additionalProperties: false`), while each client-node model class,
 * generated from the same official OpenAPI document, lists every field with its type via
 * `getAttributeTypeMap()`. The package's top-level import needs Node 22, so models are imported
 * one file at a time, by path, and only for the types an object actually reaches.
 */
import type { Finding } from "../../core/finding.ts";
import { isPlainObject as isObject } from "../../core/plain.ts";
import { addedAfter, FIELD_SINCE } from "./field-versions.ts";
import { didYouMean, joinPath } from "../../core/field-path.ts";

export type FieldType =
  | { t: "model"; name: string }
  | { t: "array"; of: FieldType }
  | { t: "map"; of: FieldType }
  | { t: "scalar" }
  | { t: "free" };

interface Attribute {
  baseName: string;
  type: string;
}

const SCALARS = new Set(["string", "number", "boolean", "Date", "IntOrString"]);

export function parseFieldType(type: string): FieldType {
  const s = type.trim();
  const array = /^Array<(.+)>$/.exec(s);
  if (array) return { t: "array", of: parseFieldType(array[1]!) };
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(s);
  if (map) return { t: "map", of: parseFieldType(map[1]!) };
  if (SCALARS.has(s)) return { t: "scalar" };
  if (s === "any" || s === "object") return { t: "free" };
  if (/^[A-Za-z0-9]+$/.test(s)) return { t: "model", name: s };
  return { t: "free" };
}

/** Model name → field name → type; filled by `loadModel`, read synchronously by `checkKnownFields`. */
const models = new Map<string, Map<string, FieldType>>();
/** One import per model name, shared by concurrent loads. */
const imports = new Map<string, Promise<Map<string, FieldType> | undefined>>();

function importOnce(name: string): Promise<Map<string, FieldType> | undefined> {
  let p = imports.get(name);
  if (!p) {
    p = importModel(name);
    imports.set(name, p);
  }
  return p;
}

async function importModel(name: string): Promise<Map<string, FieldType> | undefined> {
  try {
    const mod = (await import(`@kubernetes/client-node/dist/gen/models/${name}.js`)) as Record<string, unknown>;
    const cls = mod[name] as { getAttributeTypeMap?: () => Attribute[] } | undefined;
    if (!cls?.getAttributeTypeMap) return undefined;
    return new Map(cls.getAttributeTypeMap().map((a) => [a.baseName, parseFieldType(a.type)] as const));
  } catch {
    return undefined;
  }
}

function modelNames(type: FieldType, out: string[]): void {
  if (type.t === "model") out.push(type.name);
  else if (type.t === "array" || type.t === "map") modelNames(type.of, out);
}

/**
 * Loads a model and every model its fields reach; false when the model does not exist.
 *
 * Breadth-first over the imports, never awaiting another load: models refer to themselves
 * (`V1JSONSchemaProps.items` is a `V1JSONSchemaProps`), and a load that awaited the load of a model
 * reaching back to it would wait for itself for ever.
 */
export function loadModel(name: string): Promise<boolean> {
  let p = loads.get(name);
  if (!p) {
    p = loadReachable(name);
    loads.set(name, p);
  }
  return p;
}

/**
 * One load per model name: walking the models a kind reaches again for every object of the kind cost more than
 * validating it.
 */
const loads = new Map<string, Promise<boolean>>();

async function loadReachable(name: string): Promise<boolean> {
  if (!(await importOnce(name))) return false;
  const seen = new Set([name]);
  let frontier = [name];
  while (frontier.length > 0) {
    const loaded = await Promise.all(frontier.map(importOnce));
    const next: string[] = [];
    for (const [i, fields] of loaded.entries()) {
      if (!fields) continue;
      models.set(frontier[i]!, fields);
      const reached: string[] = [];
      for (const type of fields.values()) modelNames(type, reached);
      for (const r of reached)
        if (!seen.has(r)) {
          seen.add(r);
          next.push(r);
        }
    }
    frontier = next;
  }
  return true;
}

const kindModels = new Map<string, Promise<string | undefined>>();

/**
 * The client-node class of a top-level kind: `apps/v1 Deployment` → `V1Deployment`; kinds whose
 * name clashes across groups carry the group: `events.k8s.io/v1 Event` → `EventsV1Event`.
 */
export function modelForKind(apiVersion: string, kind: string): Promise<string | undefined> {
  const key = `${apiVersion}/${kind}`;
  let p = kindModels.get(key);
  if (!p) {
    p = findModelForKind(apiVersion, kind);
    kindModels.set(key, p);
  }
  return p;
}

async function findModelForKind(apiVersion: string, kind: string): Promise<string | undefined> {
  if (!/^[A-Za-z0-9]+$/.test(kind)) return undefined;
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/", 2) : ["", apiVersion];
  if (!version || !/^v\d+[a-z0-9]*$/.test(version)) return undefined;
  const v = version[0]!.toUpperCase() + version.slice(1);
  const groupPrefix = (group || "core").split(".")[0]!.replace(/^./, (c) => c.toUpperCase());
  for (const name of [`${v}${kind}`, `${groupPrefix}${v}${kind}`]) {
    if (await loadModel(name)) {
      const fields = models.get(name)!;
      // A same-named model from another group would be a false match: it must carry apiVersion/kind.
      if (fields.has("apiVersion") && fields.has("kind")) return name;
    }
  }
  return undefined;
}

/** The fields of a loaded model and their types (the CEL type checker resolves `object.…` selections with them). */
export function modelFields(name: string): ReadonlyMap<string, FieldType> | undefined {
  return models.get(name);
}

/** Every field of `value` that the model does not declare, recursively; the model must be loaded. */
export function checkKnownFields(
  value: unknown,
  modelName: string,
  path: string,
  report: (f: Pick<Finding, "path" | "message">) => void,
  minor?: number,
): void {
  walk(value, { t: "model", name: modelName }, { root: path }, report, minor);
}

/**
 * Where a value is, as the chain of keys to it: the field path is only written out for a finding, since nearly
 * every field of nearly every object is known (writing each one's path cost more than the check).
 */
type At = { root: string } | { up: At; key: string | number };

function pathOf(at: At): string {
  return "root" in at ? at.root : joinPath(pathOf(at.up), at.key);
}

function walk(
  value: unknown,
  type: FieldType,
  at: At,
  report: (f: Pick<Finding, "path" | "message">) => void,
  minor?: number,
): void {
  if (value === null || value === undefined) return;
  switch (type.t) {
    case "scalar":
    case "free":
      return;
    case "array":
      if (Array.isArray(value) && type.of.t !== "scalar" && type.of.t !== "free")
        for (let i = 0; i < value.length; i++) walk(value[i], type.of, { up: at, key: i }, report, minor);
      return;
    case "map":
      // Nothing to check under scalar values; a ConfigMap's data can hold hundreds of thousands of them.
      if (type.of.t === "scalar" || type.of.t === "free") return;
      if (isObject(value))
        for (const k of Object.keys(value)) walk(value[k], type.of, { up: at, key: k }, report, minor);
      return;
    case "model": {
      const fields = models.get(type.name);
      // Type errors (an array where an object belongs) are the schema validator's to report.
      if (!fields || !isObject(value)) return;
      const newer = FIELD_SINCE[type.name];
      for (const k of Object.keys(value)) {
        const fieldType = fields.get(k);
        const since = newer ? addedAfter(type.name, k, minor) : undefined;
        if (since !== undefined) {
          const fieldPath = joinPath(pathOf(at), k);
          report({
            path: fieldPath,
            message: `unknown field "${fieldPath}" for Kubernetes 1.${minor}: it was added in 1.${since}`,
          });
        } else if (fieldType) walk(value[k], fieldType, { up: at, key: k }, report, minor);
        else {
          const fieldPath = joinPath(pathOf(at), k);
          report({ path: fieldPath, message: unknownFieldMessage(fieldPath, k, fields.keys()) });
        }
      }
    }
  }
}

export function unknownFieldMessage(fieldPath: string, key: string, known: Iterable<string>): string {
  const guess = didYouMean(key, known);
  return `unknown field "${fieldPath}"${guess ? ` (did you mean "${guess}"?)` : ""}`;
}
