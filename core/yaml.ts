/**
 * The one place objects become YAML. Stable key order (Kubernetes' conventional head keys first,
 * then alphabetical), no line folding, and YAML 1.1-safe quoting so that kustomize, which still
 * reads YAML 1.1, does not turn "yes", "on" or "2024-01-01" into booleans and dates.
 */
import { Document, parseAllDocuments, type Pair } from "yaml";
import { GENERATED_HEADER } from "./conventions.ts";

// Kubernetes' head keys, then a Prometheus rule's (alert/record, expr, for) before its labels.
const HEAD = [
  "apiVersion",
  "kind",
  "metadata",
  "name",
  "namespace",
  "alert",
  "record",
  "expr",
  "for",
  "labels",
  "annotations",
];

function rank(key: string): number {
  const i = HEAD.indexOf(key);
  return i === -1 ? HEAD.length : i;
}

export function compareKeys(a: string, b: string): number {
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

const sortMapEntries = (a: Pair, b: Pair) =>
  compareKeys(
    String((a.key as { value?: unknown })?.value ?? a.key),
    String((b.key as { value?: unknown })?.value ?? b.key),
  );

export function toYaml(value: unknown): string {
  return new Document(value, { version: "1.1", sortMapEntries, aliasDuplicateObjects: false }).toString({
    lineWidth: 0,
  });
}

/** A generated YAML file: header comment, then one or more documents. */
export function yamlFile(values: readonly unknown[], header = GENERATED_HEADER): string {
  return `# ${header}\n` + values.map(toYaml).join("---\n");
}

/** JSON with sorted keys, two-space indent and a final newline. */
export function jsonFile(value: unknown): string {
  return JSON.stringify(sortKeysDeep(value), null, 2) + "\n";
}

function sortKeysDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeysDeep);
  if (v && typeof v === "object") {
    return Object.fromEntries(
      Object.keys(v)
        .sort(compareKeys)
        .map((k) => [k, sortKeysDeep((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

/** Parses a multi-document YAML stream; throws with the parser's message (callers add the file). */
export function parseYamlDocuments(text: string): unknown[] {
  return parseAllDocuments(text).flatMap((doc) => {
    if (doc.errors.length > 0) throw new Error(doc.errors[0]!.message);
    const v = doc.toJS();
    return v === null || v === undefined ? [] : [v];
  });
}
