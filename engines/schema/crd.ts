/**
 * Custom resources judged against the CustomResourceDefinitions given in the same run, as the API server would:
 * the version must be one the CRD serves, and the object must match that version's `openAPIV3Schema` (types,
 * required fields, enums, bounds, unknown fields unless `x-kubernetes-preserve-unknown-fields`).
 *
 * A small walker rather than a JSON Schema library: a CRD schema is a structural OpenAPI v3 schema with
 * Kubernetes' own extensions (int-or-string, preserve-unknown-fields, embedded resources, nullable, boolean
 * `exclusiveMinimum`), and unknown fields are judged from the structure (`properties`, `additionalProperties`,
 * `items`), never from inside `allOf`/`anyOf`/`oneOf`/`not`, exactly as the API server prunes.
 * Not checked: `pattern` and `format` (Go's RE2 and Kubernetes' format list differ from JavaScript's), CEL
 * `x-kubernetes-validations`, list-type uniqueness of map keys.
 */
import type { KubeObject } from "../../core/finding.ts";
import { joinPath } from "../../core/field-path.ts";
import { deepEqual, isPlainObject } from "../../core/plain.ts";
import { unknownFieldMessage } from "./known-fields.ts";
import { showValue } from "./show.ts";

export interface CrdProblem {
  rule: "schema" | "unknown-field" | "api-version";
  path?: string;
  message: string;
  hint?: string;
}

interface CrdVersion {
  name: string;
  served: boolean;
  schema: unknown;
}

export interface CrdInfo {
  /** metadata.name of the CRD, to name it in messages. */
  name: string;
  versions: CrdVersion[];
}

const groupOf = (apiVersion: string): string | undefined =>
  apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.indexOf("/")) : undefined;

/** The CRDs among `objects`, by "group/kind" of the resources they define; the first definition wins. */
export function indexCrds(objects: readonly KubeObject[]): Map<string, CrdInfo> {
  const index = new Map<string, CrdInfo>();
  for (const o of objects) {
    if (o.apiVersion !== "apiextensions.k8s.io/v1" || o.kind !== "CustomResourceDefinition") continue;
    const spec = o.spec;
    if (!isPlainObject(spec) || typeof spec.group !== "string" || !isPlainObject(spec.names)) continue;
    const kind = spec.names.kind;
    if (typeof kind !== "string" || !Array.isArray(spec.versions)) continue;
    const key = `${spec.group}/${kind}`;
    if (index.has(key)) continue;
    const versions = spec.versions.filter(isPlainObject).flatMap((v): CrdVersion[] =>
      typeof v.name === "string"
        ? [
            {
              name: v.name,
              served: v.served === true,
              schema: isPlainObject(v.schema) ? v.schema.openAPIV3Schema : undefined,
            },
          ]
        : [],
    );
    index.set(key, { name: String(o.metadata?.name), versions });
  }
  return index;
}

export function crdFor(index: ReadonlyMap<string, CrdInfo>, apiVersion: string, kind: string): CrdInfo | undefined {
  const group = groupOf(apiVersion);
  return group === undefined ? undefined : index.get(`${group}/${kind}`);
}

/** Every way `object` (a custom resource of `crd`) would be refused by the API server. */
export function validateCustomResource(object: KubeObject, crd: CrdInfo): CrdProblem[] {
  const version = object.apiVersion.slice(object.apiVersion.indexOf("/") + 1);
  const served = crd.versions.filter((v) => v.served).map((v) => v.name);
  const match = crd.versions.find((v) => v.name === version);
  if (!match?.served)
    return [
      {
        rule: "api-version",
        path: "apiVersion",
        message:
          `${object.apiVersion} ${object.kind}: the CustomResourceDefinition ${crd.name} ` +
          `${match ? "does not serve" : "has no"} version ${version}` +
          ` (served: ${served.length > 0 ? served.join(", ") : "none"})`,
        hint: `use a served version${served.length > 0 ? `: ${served.join(", ")}` : ", or serve this one"}`,
      },
    ];
  if (!isPlainObject(match.schema)) return [];
  const problems: CrdProblem[] = [];
  check(object, match.schema, "", { root: true, structural: true }, problems);
  return problems;
}

interface Mode {
  /** The object's top level, where apiVersion, kind and metadata are always allowed. */
  root: boolean;
  /** False inside allOf/anyOf/oneOf/not: they validate values but never declare fields. */
  structural: boolean;
}

/** Deeper than this, a schema is either recursive by accident or hostile; the walk stops. */
const MAX_DEPTH = 64;

function hasType(v: unknown, type: string): boolean {
  switch (type) {
    case "object":
      return isPlainObject(v);
    case "array":
      return Array.isArray(v);
    case "string":
      return typeof v === "string";
    case "integer":
      return typeof v === "number" && Number.isInteger(v);
    case "number":
      return typeof v === "number" && Number.isFinite(v);
    case "boolean":
      return typeof v === "boolean";
    default:
      return true; // not a type the API server accepts in a CRD; the CRD itself is at fault, not this object
  }
}

function check(value: unknown, s: Record<string, unknown>, path: string, mode: Mode, out: CrdProblem[], depth = 0) {
  if (depth > MAX_DEPTH) return;
  const where = path || "(object)";
  const fail = (message: string, rule: CrdProblem["rule"] = "schema", at = path) =>
    out.push(at ? { rule, path: at, message } : { rule, message });
  // The API server drops nulls of fields that are not nullable before it validates.
  if (value === null) return;

  if (s["x-kubernetes-int-or-string"] === true) {
    if (!(typeof value === "string" || (typeof value === "number" && Number.isInteger(value))))
      return fail(`${where}: must be integer or string, got ${showValue(value)}`);
  } else if (typeof s.type === "string" && !hasType(value, s.type))
    return fail(`${where}: must be ${s.type}, got ${showValue(value)}`);

  if (Array.isArray(s.enum) && !s.enum.some((e) => deepEqual(e, value)))
    fail(`${where}: must be one of ${s.enum.map(showValue).join(", ")}, got ${showValue(value)}`);
  checkBounds(value, s, where, fail);

  if (isPlainObject(value)) checkObject(value, s, path, mode, out, depth);
  else if (Array.isArray(value) && isPlainObject(s.items))
    for (const [i, item] of value.entries())
      check(item, s.items, joinPath(path, i), { root: false, structural: mode.structural }, out, depth + 1);

  const values = { root: mode.root, structural: false };
  if (Array.isArray(s.allOf))
    for (const sub of s.allOf.filter(isPlainObject)) check(value, sub, path, values, out, depth + 1);
  const passes = (sub: Record<string, unknown>) => {
    const trial: CrdProblem[] = [];
    check(value, sub, path, values, trial, depth + 1);
    return trial.length === 0;
  };
  if (Array.isArray(s.anyOf) && !s.anyOf.filter(isPlainObject).some(passes))
    fail(`${where}: matches none of the schema's anyOf alternatives, got ${showValue(value)}`);
  if (Array.isArray(s.oneOf) && s.oneOf.filter(isPlainObject).filter(passes).length !== 1)
    fail(`${where}: must match exactly one of the schema's oneOf alternatives, got ${showValue(value)}`);
  if (isPlainObject(s.not) && passes(s.not)) fail(`${where}: matches the schema's "not", got ${showValue(value)}`);
}

function checkObject(
  value: Record<string, unknown>,
  s: Record<string, unknown>,
  path: string,
  mode: Mode,
  out: CrdProblem[],
  depth: number,
) {
  const properties = isPlainObject(s.properties) ? s.properties : {};
  const additional = s.additionalProperties;
  const preserve = s["x-kubernetes-preserve-unknown-fields"] === true;
  // apiVersion, kind and metadata are the API server's at the top level and in embedded resources.
  const implicit = mode.root || s["x-kubernetes-embedded-resource"] === true;
  if (Array.isArray(s.required))
    for (const name of s.required)
      if (typeof name === "string" && value[name] === undefined)
        out.push({
          rule: "schema",
          path: joinPath(path, name),
          message: `${joinPath(path, name)}: required field is missing`,
        });
  for (const [key, v] of Object.entries(value)) {
    const fieldPath = joinPath(path, key);
    const child = { root: false, structural: mode.structural };
    const declared = Object.hasOwn(properties, key) ? properties[key] : undefined;
    if (implicit && (key === "apiVersion" || key === "kind" || key === "metadata") && !isPlainObject(declared)) {
      // Their own rules (strings, ObjectMeta) are checked by the caller.
      continue;
    }
    if (isPlainObject(declared)) check(v, declared, fieldPath, child, out, depth + 1);
    else if (isPlainObject(additional)) check(v, additional, fieldPath, child, out, depth + 1);
    else if (mode.structural && !preserve && additional !== true)
      out.push({
        rule: "unknown-field",
        path: fieldPath,
        message: unknownFieldMessage(fieldPath, key, Object.keys(properties)),
        hint:
          "remove the field or fix its spelling; the API server rejects fields the CRD's schema does not declare " +
          "under strict field validation",
      });
  }
}

function checkBounds(
  value: unknown,
  s: Record<string, unknown>,
  where: string,
  fail: (message: string) => unknown,
): void {
  const num = (k: string) => (typeof s[k] === "number" ? (s[k] as number) : undefined);
  if (typeof value === "number") {
    const min = num("minimum");
    const max = num("maximum");
    if (min !== undefined && (s.exclusiveMinimum === true ? value <= min : value < min))
      fail(`${where}: must be ${s.exclusiveMinimum === true ? "greater than" : "at least"} ${min}, got ${value}`);
    if (max !== undefined && (s.exclusiveMaximum === true ? value >= max : value > max))
      fail(`${where}: must be ${s.exclusiveMaximum === true ? "less than" : "at most"} ${max}, got ${value}`);
    const step = num("multipleOf");
    if (step !== undefined && step > 0 && !Number.isInteger(value / step))
      fail(`${where}: must be a multiple of ${step}, got ${value}`);
  }
  if (typeof value === "string") {
    // The API server counts characters (runes), not UTF-16 units.
    const length = [...value].length;
    const min = num("minLength");
    const max = num("maxLength");
    if (min !== undefined && length < min) fail(`${where}: must be at least ${min} characters, got ${length}`);
    if (max !== undefined && length > max) fail(`${where}: must be at most ${max} characters, got ${length}`);
  }
  if (Array.isArray(value)) {
    const min = num("minItems");
    const max = num("maxItems");
    if (min !== undefined && value.length < min) fail(`${where}: must have at least ${min} items, got ${value.length}`);
    if (max !== undefined && value.length > max) fail(`${where}: must have at most ${max} items, got ${value.length}`);
    if (s.uniqueItems === true && new Set(value.map(canonical)).size !== value.length)
      fail(`${where}: items must be unique`);
  }
  if (isPlainObject(value)) {
    const count = Object.keys(value).length;
    const min = num("minProperties");
    const max = num("maxProperties");
    if (min !== undefined && count < min) fail(`${where}: must have at least ${min} fields, got ${count}`);
    if (max !== undefined && count > max) fail(`${where}: must have at most ${max} fields, got ${count}`);
  }
}

/** JSON with sorted keys: equal values, equal text (for uniqueness in linear time). */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (isPlainObject(v))
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(",")}}`;
  return JSON.stringify(v) ?? "null";
}
