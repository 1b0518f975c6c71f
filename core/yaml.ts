/**
 * The one place objects become YAML. Stable key order (Kubernetes' conventional head keys first,
 * then alphabetical), no line folding, and YAML 1.1-safe quoting so that kustomize, which still
 * reads YAML 1.1, does not turn "yes", "on" or "2024-01-01" into booleans and dates.
 */
import {
  type Document,
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
  Schema,
  type Tags,
  type YAMLMap,
} from "yaml";
import {
  constructFromEvents,
  defineMappingTag,
  defineScalarTag,
  EVENT_ALIAS,
  EVENT_SCALAR,
  NOT_RESOLVED,
  parseEvents,
  SCALAR_STYLE_PLAIN,
  Schema as FastSchema,
  seqTag,
  strTag,
} from "js-yaml";
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

const RANK = new Map(HEAD.map((k, i) => [k, i]));

function rank(key: string): number {
  return RANK.get(key) ?? HEAD.length;
}

export function compareKeys(a: string, b: string): number {
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

// YAML 1.1 (kustomize, kubectl) reads these plain scalars as something other than a string: booleans,
// null, integers (binary, octal, hex, sexagesimal, underscores), floats (several dots too), infinities, NaN,
// and timestamps. A string that looks like any of them is quoted. Deliberately wider than either reader (the
// `yaml` library's YAML 1.1 schema even reads "e3" as a float).
const NOT_A_STRING = [
  /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/,
  /^(?:~|null|Null|NULL)$/,
  /^[-+]?(?:0[bBoOxX][0-9a-fA-F_]*|[0-9._][0-9._:eE+-]*|[eE][-+]?[0-9]+)$/,
  /^[-+]?\.(?:inf|Inf|INF|nan|NaN|NAN)$/,
  /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}/,
];

// Printable in YAML and no line break of YAML 1.1 (U+0085, U+2028, U+2029), no byte order mark.
const UNPRINTABLE = /[^\t\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\ud800-\udfff]/;
// A lone surrogate cannot be written as UTF-8.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

// Most generated strings (names, labels, paths, images): plain unless a word YAML 1.1 reads otherwise. Tested
// first because it is one regular expression instead of a dozen.
const WORDLIKE = /^[A-Za-z][A-Za-z0-9_./-]*$/;
const WORD_NOT_A_STRING =
  /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|[eE][0-9]+)$/;

/** Whether `s` may be written plain (unquoted) and reads back as exactly this string. */
function plainSafe(s: string): boolean {
  if (WORDLIKE.test(s)) return !WORD_NOT_A_STRING.test(s);
  if (s === "" || s === "<<" || s === "=") return false;
  const first = s.charCodeAt(0);
  // An indicator, a space or a quote first; dashes only before a letter ("--port=80", never "- x" or "-1").
  if ("?:,[]{}#&*!|>'\"%@` \t".includes(s[0]!)) return false;
  if (first === 45 /* - */ && !/^--?[A-Za-z]/.test(s)) return false;
  const last = s[s.length - 1]!;
  if (last === " " || last === ":" || last === "\t") return false;
  if (s.includes(": ") || s.includes(" #") || s.includes("\t") || s.includes("\n") || UNPRINTABLE.test(s)) return false;
  if (LONE_SURROGATE.test(s)) return false;
  return !NOT_A_STRING.some((re) => re.test(s));
}

/** A double-quoted scalar: JSON's escapes are YAML's, plus the characters YAML must not see raw. */
function quoted(s: string): string {
  return JSON.stringify(s).replace(
    /[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/**
 * A multi-line string as a literal block (`|`), readable in review, when YAML can hold it there exactly: every
 * character printable, no line break but `\n`, and no leading space on the first line (which would need an
 * indentation indicator). The chomping indicator keeps the final newlines exactly.
 */
function literalBlock(s: string, indent: string): string | undefined {
  if (UNPRINTABLE.test(s) || LONE_SURROGATE.test(s) || s.includes("\t")) return undefined;
  if (s[0] === " " || s[0] === "\n") return undefined;
  const body = s.replace(/\n+$/, "");
  const trailing = s.length - body.length;
  // A line of spaces only may read as an empty line, not content.
  if (/(^|\n) +(\n|$)/.test(body)) return undefined;
  const chomp = trailing === 0 ? "-" : trailing === 1 ? "" : "+";
  const lines = (trailing > 1 ? s.slice(0, -1) : body).split("\n");
  return `|${chomp}\n${lines.map((l) => (l === "" ? "" : indent + l)).join("\n")}\n`;
}

/** Plain when safe; else single-quoted when that needs no escape for a double quote, else double-quoted. */
function scalarText(s: string): string {
  if (plainSafe(s)) return s;
  if (s.includes('"') && !s.includes("'") && !/[\t\n]/.test(s) && !UNPRINTABLE.test(s) && !LONE_SURROGATE.test(s))
    return `'${s}'`;
  return quoted(s);
}

function numberText(n: number): string {
  if (Number.isNaN(n)) return ".nan";
  if (n === Number.POSITIVE_INFINITY) return ".inf";
  if (n === Number.NEGATIVE_INFINITY) return "-.inf";
  return String(n);
}

/** The keys of a map to write, in `compareKeys` order: undefined values (and functions) are left out, as JSON does. */
function keysOf(value: Record<string, unknown>): string[] {
  const keys = Object.keys(value);
  let kept = keys;
  for (let i = 0; i < keys.length; i++) {
    const v = value[keys[i]!];
    if (v === undefined || typeof v === "function" || typeof v === "symbol") {
      kept = keys.filter((k) => {
        const x = value[k];
        return x !== undefined && typeof x !== "function" && typeof x !== "symbol";
      });
      break;
    }
  }
  return kept.length < 2 ? kept : kept.sort(compareKeys);
}

/** Deeper than any generated object; a cyclic structure gets here instead of overflowing the stack. */
const MAX_DEPTH = 500;

/**
 * `value` as YAML text. `indent` is the indentation of the value's own lines; `context` says where it stands:
 * after a key (a scalar or an empty collection follows on the same line, a non-empty one on the next lines,
 * indented), after a sequence dash (a collection starts right after the dash), or at the top of a document.
 */
function emit(value: unknown, indent: string, context: "key" | "item" | "top", depth: number): string {
  const lead = context === "top" ? "" : " ";
  switch (typeof value) {
    case "string": {
      if (!value.includes("\n")) return `${lead}${scalarText(value)}\n`;
      // The block's lines are indented past the key, or past the dash of a sequence item.
      const block = literalBlock(value, context === "item" ? indent : `${indent}  `);
      return `${lead}${block ?? `${quoted(value)}\n`}`;
    }
    case "number":
      return `${lead}${numberText(value)}\n`;
    case "boolean":
    case "bigint":
      return `${lead}${String(value)}\n`;
    case "object":
      if (value === null) return `${lead}null\n`;
      break;
    default:
      return `${lead}null\n`;
  }
  if (depth > MAX_DEPTH) throw new TypeError(`cannot write YAML nested over ${MAX_DEPTH} levels deep (or cyclic)`);
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === "function") return emit(toJSON.call(value), indent, context, depth + 1);
  // A collection under a key is indented one step (a sequence too, as kubectl writes it); in a sequence it starts
  // after the dash.
  const own = context === "key" ? `${indent}  ` : indent;
  let text = context === "key" ? "\n" : "";
  let first = context === "item";
  if (Array.isArray(value)) {
    if (value.length === 0) return `${lead}[]\n`;
    for (const item of value) {
      text += `${first ? " -" : `${own}-`}${emit(item === undefined ? null : item, `${own}  `, "item", depth + 1)}`;
      first = false;
    }
    return text;
  }
  const map: Record<string, unknown> =
    value instanceof Map ? Object.fromEntries([...value].map(([k, v]) => [String(k), v])) : (value as never);
  const keys = keysOf(map);
  if (keys.length === 0) return `${lead}{}\n`;
  for (const k of keys) {
    const key = scalarText(k);
    const head = first ? " " : own;
    first = false;
    // Past YAML's 1,024-character limit of an implicit key, an explicit one (`? key`).
    if (key.length > 1000) text += `${head}? ${key}\n${own}:${emit(map[k], `${own}  `, "item", depth + 1)}`;
    else text += `${head}${key}:${emit(map[k], own, "key", depth + 1)}`;
  }
  return text;
}

/**
 * Plain data (objects, arrays, strings, numbers, booleans, null) as one YAML document: keys in `compareKeys`
 * order, block style, strings plain when YAML 1.1 reads them back as the same string and quoted otherwise,
 * multi-line strings as literal blocks. Written here rather than by the `yaml` library: several times faster,
 * and `check` serialises every generated file on every commit.
 */
export function toYaml(value: unknown): string {
  return emit(value, "", "top", 0);
}

/** A generated YAML file: header comment, then one or more documents. */
export function yamlFile(values: readonly unknown[], header = GENERATED_HEADER): string {
  const text = `# ${header}\n` + values.map(toYaml).join("---\n");
  // The emitter concatenates, so the text is a tree of string pieces until something reads it whole; a search
  // makes V8 flatten it now, and the pieces of tens of thousands of files (13 % of the heap `generate` keeps at
  // 1,000 services) become garbage at once instead of living until the files are written or compared.
  text.indexOf("\0");
  return text;
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

// The plain scalars kubectl reads as something other than a string, as the `yaml` library's YAML 1.1 schema
// resolves them (with `kubectlTags`): written once there, used by both readers.
const KUBECTL_SCALARS = new Schema({ schema: "yaml-1.1", customTags: kubectlTags }).tags.filter(
  (t) => t.default === true && t.test !== undefined && typeof t.resolve === "function",
);

const NO_BIGINT = { intAsBigInt: false } as never;
const IGNORE_ERROR = () => {};

const kubectlScalar = defineScalarTag("tag:nautilus.io,2026:kubectl-yaml-1.1", {
  implicit: true,
  resolve: (source) => {
    for (const t of KUBECTL_SCALARS) {
      if (!t.test!.test(source)) continue;
      const value = (t.resolve as (...a: unknown[]) => unknown)(source, IGNORE_ERROR, NO_BIGINT);
      // Some resolve to a Scalar node (to keep a float's format), which `toJS` unwraps.
      return isScalar(value) ? value.value : value;
    }
    return NOT_RESOLVED;
  },
  identify: () => false,
});

class UnsupportedKey extends Error {}

/** A map key as the `yaml` library's `toJS` writes it into a plain object: null is "", scalars their text. */
function keyString(key: unknown): string {
  if (key === null) return "";
  if (typeof key === "object") throw new UnsupportedKey("a collection as a map key");
  return String(key);
}

// Plain objects as the `yaml` library builds them: every key an own property, `__proto__` included.
const kubectlMap = defineMappingTag<Record<string, unknown>>("tag:yaml.org,2002:map", {
  create: () => ({}),
  addPair: (map, key, value) => {
    const k = keyString(key);
    if (k in map) Object.defineProperty(map, k, { value, writable: true, enumerable: true, configurable: true });
    else map[k] = value;
    return "";
  },
  has: (map, key) => Object.hasOwn(map, keyString(key)),
  keys: (map) => Object.keys(map),
  get: (map, key) => map[keyString(key)],
  identify: () => false,
});

const KUBECTL_SCHEMA = new FastSchema([strTag, seqTag, kubectlMap, kubectlScalar]);

/**
 * The values of a stream whose documents use nothing beyond plain data: no anchors, aliases, tags, directives or
 * merge keys, no duplicate or collection keys, no syntax error. Undefined otherwise, for the exact reader.
 */
export function plainManifestValues(text: string): unknown[] | undefined {
  // A directive or a document end marker (`...`, after which the two parsers may count documents differently):
  // rare in manifests, and the exact reader's to read.
  if (/^(?:%|\.\.\.)/m.test(text)) return undefined;
  try {
    const events = parseEvents(text, { maxDepth: MAX_FAST_DEPTH });
    for (const e of events) {
      if (e.type === EVENT_ALIAS) return undefined;
      if ("anchorStart" in e && (e.anchorStart !== -1 || e.tagStart !== -1)) return undefined;
      // A plain `<<`, maybe a merge key.
      if (
        e.type === EVENT_SCALAR &&
        e.style === SCALAR_STYLE_PLAIN &&
        e.valueEnd - e.valueStart === 2 &&
        text.startsWith("<<", e.valueStart)
      )
        return undefined;
    }
    return constructFromEvents(events, { source: text, schema: KUBECTL_SCHEMA });
  } catch {
    return undefined;
  }
}

/** Deeper documents go to the exact reader, which has no depth limit of its own. */
const MAX_FAST_DEPTH = 1000;

/**
 * Parses a manifest stream the way kubectl reads it, as `parseManifestYamlTree` does, with the same values,
 * problems and positions. A stream of plain data (nearly every manifest) is read by js-yaml's event parser with
 * the same YAML 1.1 scalars, several times faster and without a document tree; a document's own position comes
 * from the text, any other from the exact reader, run on one document only when a finding first asks. Anything
 * else (anchors, aliases, merge keys, tags, a duplicate key, not YAML) is read by the exact reader from the start.
 */
export function parseManifestYaml(text: string): ManifestDocument[] {
  return manifestDocuments(text, plainManifestValues(text));
}

/**
 * `parseManifestYaml` with the stream's `plainManifestValues` already read (by a worker thread, say): the same
 * documents; undefined values mean the exact reader's.
 */
export function manifestDocuments(text: string, values: unknown[] | undefined): ManifestDocument[] {
  if (!values) return parseManifestYamlTree(text);
  const starts = documentStarts(text, values.length);
  let whole: ManifestDocument[] | undefined;
  // Each document's tree on its own when the documents can be told apart by their markers, else the file's.
  const trees = new Map<number, ManifestDocument>();
  const tree = (i: number): ManifestDocument => {
    if (!starts) {
      whole ??= parseManifestYamlTree(text);
      return whole[i]!;
    }
    let doc = trees.get(i);
    if (!doc) {
      doc = shifted(parseManifestYamlTree(text.slice(starts[i]!.offset, starts[i + 1]?.offset))[0]!, starts[i]!.line);
      trees.set(i, doc);
    }
    return doc;
  };
  // A map's or list's own position is where its document's content starts: found in the text, with no tree.
  const root = (i: number): YamlLocation | undefined =>
    starts && typeof values[i] === "object" && values[i] !== null ? contentStart(text, starts[i]!) : undefined;
  return values.map((value, i) => {
    const doc: ManifestDocument = {
      get line() {
        return (root(i) ?? tree(i)).line;
      },
      locate: (path) => (path.length === 0 && root(i)) || tree(i).locate(path),
    };
    if (value !== null && value !== undefined) doc.value = value;
    return doc;
  });
}

/**
 * Where each document of a stream of plain data starts (offset and 0-based line), found by its `---` marker: with
 * no directives and no `...`, a line that starts with `---` and a space or its end opens a document, in any
 * context. Undefined when they do not come out as `count` documents.
 */
function documentStarts(text: string, count: number): { offset: number; line: number }[] | undefined {
  const starts: { offset: number; line: number }[] = [];
  const marker = /^---(?:[ \t\r]|$)/gm;
  let line = 0;
  let counted = 0;
  for (let m = marker.exec(text); m; m = marker.exec(text)) {
    for (; counted < m.index; counted++) if (text.charCodeAt(counted) === 10) line++;
    starts.push({ offset: m.index, line });
  }
  // Before the first marker: a document when anything but comments and blank lines is written there.
  const head = text.slice(0, starts[0]?.offset ?? text.length);
  if (/^[ \t]*[^\s#]/m.test(head)) starts.unshift({ offset: 0, line: 0 });
  return starts.length === count ? starts : undefined;
}

/**
 * The position (1-based) of a document's first character of content: after its `---` marker, blanks, line breaks
 * and comments (a `#` first on a line, or after blanks, starts one).
 */
function contentStart(text: string, start: { offset: number; line: number }): YamlLocation {
  let i = text.startsWith("---", start.offset) ? start.offset + 3 : start.offset;
  let line = start.line;
  let lineStart = text.lastIndexOf("\n", start.offset) + 1;
  for (; i < text.length; i++) {
    const c = text[i];
    if (c === "#") {
      const end = text.indexOf("\n", i);
      if (end < 0) break;
      i = end - 1;
    } else if (c === "\n") {
      line++;
      lineStart = i + 1;
    } else if (c !== " " && c !== "\t" && c !== "\r") break;
  }
  return { line: line + 1, column: i - lineStart + 1 };
}

/** A document read on its own, with its positions moved down by the lines before it in its file. */
function shifted(doc: ManifestDocument, lines: number): ManifestDocument {
  if (lines === 0) return doc;
  return {
    line: doc.line + lines,
    locate: (path) => {
      const at = doc.locate(path);
      return { ...at, line: at.line + lines };
    },
  };
}

/**
 * Parses a manifest stream the way kubectl reads it: YAML 1.1 scalars (`on`, `yes`, `y` are true; `0777` is 511),
 * `<<` merge keys resolved. Never throws for bad input: each document either has a value or names its problem.
 * Duplicate keys are found in linear time (the parser's own check compares every key with every earlier one).
 * This reader keeps the whole document tree, for exact positions; `parseManifestYaml` reads the same values
 * several times faster and asks this one for positions only when a finding needs them.
 */
export function parseManifestYamlTree(text: string): ManifestDocument[] {
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
