/**
 * The one place objects become YAML. Stable key order (Kubernetes' conventional head keys first,
 * then alphabetical), no line folding, and YAML 1.1-safe quoting so that kustomize, which still
 * reads YAML 1.1, does not turn "yes", "on" or "2024-01-01" into booleans and dates.
 */
import {
  Document,
  isAlias,
  isCollection,
  isMap,
  isNode,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  type Pair,
  parseAllDocuments,
  type Tags,
  type YAMLMap,
} from "yaml";
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

/**
 * Why a document of a manifest stream cannot be judged: not YAML at all, an alias bomb (a few
 * bytes that expand exponentially), or a map that sets one key twice.
 */
export interface YamlProblem {
  kind: "not-yaml" | "alias-bomb" | "duplicate-key";
  message: string;
  /** 1-based, where the problem is written. */
  line?: number;
  column?: number;
}

/** Where a value is written, and how (the raw text of a plain, unquoted scalar). */
export interface YamlLocation {
  line: number;
  column: number;
  /** The text of the scalar as written, when it is plain (unquoted). */
  plain?: string;
}

export interface ManifestDocument {
  /** The value kubectl would send; absent when `problem` is set or the document is empty. */
  value?: unknown;
  problem?: YamlProblem;
  /** 1-based line where the document's content starts. */
  line: number;
  /**
   * Where the value at `path` (map keys and sequence indexes) is written; the deepest part of the path that is
   * written in this document when the rest is not (merged in by `<<`, or not there at all).
   */
  locate(path: readonly (string | number)[]): YamlLocation;
}

// YAML 1.1 as kubectl reads it (sigs.k8s.io/yaml, go-yaml v2): booleans yes/no/on/off/y/n, octal 0777, merge
// keys; but no sexagesimal numbers (go-yaml reads `1:20` as a string), and timestamps stay strings.
const NOT_KUBECTL = new Set([
  "tag:yaml.org,2002:timestamp",
  "tag:yaml.org,2002:binary",
  "tag:yaml.org,2002:omap",
  "tag:yaml.org,2002:pairs",
  "tag:yaml.org,2002:set",
]);

const kubectlTags = (tags: Tags): Tags =>
  tags.filter((t) => typeof t === "string" || (!NOT_KUBECTL.has(t.tag) && t.format !== "TIME"));

/**
 * Parses a manifest stream the way kubectl reads it: YAML 1.1 scalars (`on`, `yes`, `y` are true; `0777` is 511),
 * `<<` merge keys resolved. Never throws for bad input: each document either has a value or names its problem.
 * Duplicate keys are found in linear time (the parser's own check compares every key with every earlier one).
 */
export function parseManifestYaml(text: string): ManifestDocument[] {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, {
    version: "1.1",
    customTags: kubectlTags,
    merge: true,
    uniqueKeys: false,
    lineCounter,
  });
  const at = (offset: number | undefined) => {
    const p = lineCounter.linePos(offset ?? 0);
    return { line: p.line, column: p.col };
  };
  const list = Array.isArray(docs) ? docs : [docs];
  return list.map((doc): ManifestDocument => {
    const start = at(doc.contents?.range[0] ?? doc.range[0]).line;
    const locate = (path: readonly (string | number)[]): YamlLocation => locateIn(doc, path, at);
    const error = doc.errors[0];
    if (error) {
      const pos = at(error.pos[0]);
      return {
        problem: { kind: "not-yaml", message: error.message.split("\n")[0]!, ...pos },
        line: start,
        locate,
      };
    }
    const duplicate = firstDuplicateKey(doc.contents);
    if (duplicate) {
      const pos = at(duplicate.node.range?.[0]);
      const first = at(duplicate.first.range?.[0]).line;
      return {
        problem: {
          kind: "duplicate-key",
          message: `the key "${duplicate.key}" is set twice in one map (first on line ${first})`,
          ...pos,
        },
        line: start,
        locate,
      };
    }
    try {
      const value = doc.toJS();
      return value === null || value === undefined ? { line: start, locate } : { value, line: start, locate };
    } catch (e) {
      const bomb = e instanceof ReferenceError && /alias/i.test(e.message);
      return {
        problem: {
          kind: bomb ? "alias-bomb" : "not-yaml",
          message: bomb
            ? "its aliases expand to far more data than is written (an alias bomb)"
            : String((e as Error)?.message ?? e).split("\n")[0]!,
        },
        line: start,
        locate,
      };
    }
  });
}

const keyText = (key: unknown): string | undefined => {
  if (!isScalar(key)) return undefined;
  // A merge key's value is a symbol, so a quoted "<<" stays an ordinary key.
  if (typeof key.value === "symbol") return key.value.description;
  return key.value === null ? "" : String(key.value);
};

/** The first key set twice in a map, walking every node once (no recursion: nesting depth is the input's). */
function firstDuplicateKey(root: unknown): { key: string; node: Node; first: Node } | undefined {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isMap(node)) {
      const seen = new Map<string, Node>();
      for (const pair of node.items) {
        const key = keyText(pair.key);
        if (key !== undefined && key !== "<<") {
          const first = seen.get(key);
          if (first) return { key, node: pair.key as Node, first };
          seen.set(key, pair.key as Node);
        }
        if (isCollection(pair.key)) stack.push(pair.key);
        stack.push(pair.value);
      }
    } else if (isSeq(node)) for (const item of node.items) stack.push(item);
  }
  return undefined;
}

function locateIn(
  doc: Document,
  path: readonly (string | number)[],
  at: (offset: number | undefined) => { line: number; column: number },
): YamlLocation {
  let node: unknown = doc.contents;
  let where = at((node as Node | null)?.range?.[0] ?? doc.range?.[0]);
  for (const segment of path) {
    if (isAlias(node)) node = node.resolve(doc);
    let next: unknown;
    if (isMap(node)) next = mapValue(doc, node, String(segment));
    else if (isSeq(node) && typeof segment === "number") next = node.items[segment];
    if (!isNode(next) || !next.range) return where;
    node = next;
    where = at(next.range[0]);
  }
  return isScalar(node) && node.type === "PLAIN" && typeof node.source === "string"
    ? { ...where, plain: node.source }
    : where;
}

/** The value of `key` in a map, written there or merged in by `<<` (a map, or a list of maps, maybe aliased). */
function mapValue(doc: Document, map: YAMLMap, key: string, visited = new Set<YAMLMap>()): unknown {
  const own = keyIndex(map).get(key);
  if (own) return own.value;
  // Each map once: merges of merges of the same anchors would otherwise be searched exponentially often.
  if (visited.has(map)) return undefined;
  visited.add(map);
  for (const pair of map.items) {
    if (keyText(pair.key) !== "<<") continue;
    const source = isAlias(pair.value) ? pair.value.resolve(doc) : pair.value;
    const sources = isSeq(source) ? source.items.map((s) => (isAlias(s) ? s.resolve(doc) : s)) : [source];
    for (const s of sources) {
      const found = isMap(s) ? mapValue(doc, s, key, visited) : undefined;
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** Each map's pairs by key, built on first lookup: one finding per key of a huge map must not scan it each time. */
const keyIndexes = new WeakMap<YAMLMap, Map<string, Pair>>();

function keyIndex(map: YAMLMap): Map<string, Pair> {
  let index = keyIndexes.get(map);
  if (!index) {
    index = new Map();
    for (const pair of map.items) {
      const key = keyText(pair.key);
      // The first pair of a key, as the parser's own lookups do.
      if (key !== undefined && !index.has(key)) index.set(key, pair);
    }
    keyIndexes.set(map, index);
  }
  return index;
}
