/**
 * The fast manifest reader (core/yaml.ts parseManifestYaml: js-yaml's event parser with the `yaml` library's
 * YAML 1.1 scalars) against the exact one it stands in for (parseManifestYamlTree, the `yaml` library's document
 * tree): thousands of random Kubernetes-shaped streams, written by hand in every style YAML allows (plain
 * scalars YAML 1.1 reads as booleans and numbers, quotes, blocks, flow collections, comments, document markers,
 * and now and then anchors, merge keys, tags, duplicate keys and syntax errors), must read to the same values and
 * problems, with the same lines and locations.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseManifestYaml, parseManifestYamlTree, plainManifestValues, type ManifestDocument } from "../core/yaml.ts";
import { random } from "./support/random.ts";

type Rng = ReturnType<typeof random>;

/** Plain scalars as people write them in manifests, many of which YAML 1.1 reads as something else. */
const PLAIN = [
  ...["nginx", "app", "v1", "Deployment", "/health/live", "registry.io/a/b:1.0.0", "100m", "128Mi", "IfNotPresent"],
  ...["y", "n", "yes", "No", "ON", "off", "On", "true", "False", "TRUE", "null", "Null", "~", "Y", "NO"],
  ...["0", "-1", "+1", "1.5", ".5", "5.", "1e3", "1E-3", "1.5e3", "1_000", "0777", "0755", "-0755", "0o17", "08"],
  ...["0x1F", "0b101", "-0x1", "1:20", "190:20:30", "1:20.5", ".inf", "-.Inf", ".NaN", "1.0.0", "2024-01-01"],
  ...["2001-12-14t21:59:43.10-05:00", "9007199254740993", "-0", "-0.0", "0.0", "e3", "a b c", "x:y", "a#b", "ünï"],
  ...["日本", "κ λ", "-Xmx512m", "--port=80", "key=value", "http://x.io/a?b=c", "*.example.com", "a,b", "=", "<"],
];

/** Strings only a quoted or block scalar can hold. */
const QUOTED = [...PLAIN, "", " ", " lead", "trail ", "a: b", "a #b", "#c", "- x", "[a]", "{a: 1}", "'", '"', "\t"];
const MULTI = ["line1\nline2", "a\n\nb\n", "echo hi\nexit 0\n", "  indented\nx", "x\n  deeper\ny\n", "end\n\n"];

const KEYS = [
  ...["apiVersion", "kind", "metadata", "name", "namespace", "labels", "annotations", "spec", "replicas", "image"],
  ...["containers", "env", "value", "ports", "containerPort", "command", "args", "data", "mode", "enabled"],
  ...["app.kubernetes.io/name", "key with space", "ü", "a.b", "x-1", "name.v2"],
];
/** Keys YAML 1.1 reads as something else: two of them in one map may be one key twice ("on" and "true"). */
const ODD_KEYS = ["on", "yes", "y", "n", "1", "0777", "true", "null", "~", "1.0", "0x1F"];

const indentOf = (n: number) => " ".repeat(n);

/** A double-quoted scalar with YAML's escapes (JSON's are a subset). */
const dq = (s: string) => JSON.stringify(s);
const sq = (s: string) => `'${s.replace(/'/g, "''")}'`;
const plainOk = (s: string) => /^[^\s'"\-?:,[\]{}#&*!|>%@`][^#\n]*$/.test(s) && !/[:,[\]{}]\s|:$|\s$/.test(s);

/** A scalar in some style that reads back as a string or a YAML 1.1 value; its text fits on a key's line. */
function scalar(r: Rng, indent: number): string {
  const style = r.int(10);
  if (style < 5) {
    const s = r.pick(PLAIN);
    return plainOk(s) ? s : dq(s);
  }
  if (style < 7) return r.next() < 0.5 ? dq(r.pick(QUOTED)) : sq(r.pick(QUOTED).replace(/\t/g, " "));
  if (style < 9) {
    const s = r.pick(MULTI);
    if (s.startsWith(" ")) return dq(s);
    const chomp = r.pick(["", "-", "+"]);
    const body = s.replace(/\n+$/, "").split("\n");
    return `${r.pick(["|", ">"])}${chomp}${r.next() < 0.2 ? " # block" : ""}\n${body
      .map((l) => (l === "" ? "" : indentOf(indent + 2) + l))
      .join("\n")}${s.endsWith("\n\n") && chomp === "+" ? "\n" : ""}`;
  }
  // Flow collections of scalars.
  const items = Array.from({ length: r.int(4) }, () => {
    const s = r.pick(PLAIN);
    return plainOk(s) && !/[,\]}]/.test(s) ? s : dq(s);
  });
  return r.next() < 0.5 ? `[${items.join(", ")}]` : `{${items.map((v, i) => `${dq(`k${i}`)}: ${v}`).join(", ")}}`;
}

/** A block collection's lines at `indent`, to `depth` more levels. */
function block(r: Rng, indent: number, depth: number, keys: readonly string[] = []): string[] {
  const lines: string[] = [];
  const pad = indentOf(indent);
  const comment = () => (r.next() < 0.05 ? [`${pad}# a comment`] : []);
  const value = (childIndent: number, kind: "key" | "item"): string[] => {
    if (depth <= 0 || r.next() < 0.55) {
      const s = scalar(r, childIndent - (kind === "key" ? 2 : 0));
      const [first, ...rest] = s.split("\n");
      return [` ${first}${r.next() < 0.05 ? " # trailing" : ""}`, ...rest];
    }
    const seq = r.next() < 0.4;
    const inner = block(r, childIndent, depth - 1);
    if (seq) {
      const items = Array.from({ length: 1 + r.int(3) }, () => {
        const [head, ...tail] = value(childIndent + 2, "item");
        return [`${indentOf(childIndent)}-${head}`, ...tail];
      }).flat();
      return ["", ...items];
    }
    return ["", ...inner];
  };
  const count = keys.length > 0 ? keys.length : 1 + r.int(4);
  const used = new Set<string>();
  for (let i = 0; i < count; i++) {
    let key = keys[i] ?? (r.next() < 0.1 ? r.pick(ODD_KEYS) : r.pick(KEYS));
    if (used.has(key) && r.next() < 0.97) key = `${key}-${i}`;
    used.add(key);
    const keyText = plainOk(key) ? key : r.next() < 0.5 ? dq(key) : sq(key);
    lines.push(...comment());
    const [head, ...rest] = value(indent + 2, "key");
    lines.push(head === "" ? `${pad}${keyText}:` : `${pad}${keyText}:${head}`, ...rest);
  }
  return lines;
}

/** One stream: documents separated by markers, with comments, blank lines and sometimes `...` ends. */
function stream(r: Rng): string {
  const docs = Array.from({ length: 1 + r.int(4) }, () => {
    if (r.next() < 0.05) return r.next() < 0.5 ? "" : "# nothing here\n";
    const lines = block(r, 0, 3, ["apiVersion", "kind", "metadata", "spec"]);
    return `${lines.join("\n")}\n`;
  });
  let text = "";
  docs.forEach((d, i) => {
    if (i > 0 || r.next() < 0.3) text += r.next() < 0.1 ? "--- # doc\n" : "---\n";
    text += d;
    if (r.next() < 0.01) text += "...\n";
    if (r.next() < 0.1) text += "\n";
  });
  // Now and then what only the exact reader takes: anchors and aliases, a merge key, a tag, a directive, a
  // duplicate key, tabs and broken syntax. (Not collection keys: the exact reader warns on each.)
  const odd = r.int(40);
  if (odd === 0) text = text.replace(/^metadata:/m, "metadata: &meta").replace(/$/, "extra: *meta\n");
  if (odd === 1) text += "base: &b {x: 1}\nm:\n  <<: *b\n  y: 2\n";
  if (odd === 2) text = text.replace(/^kind: /m, "kind: !!str ");
  if (odd === 3) text = `%YAML 1.1\n---\n${text}`;
  if (odd === 4) text = text.replace(/^(apiVersion:.*)$/m, "$1\napiVersion: v2");
  if (odd === 5) text = text.replace(/^spec:/m, "spec: [unclosed");
  if (odd === 6) text = text.replace(/\n {2}/, "\n\t");
  return text;
}

/** Every path to a value of `v`, and one under each that is not there. */
function pathsOf(v: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []) {
  out.push(prefix);
  if (Array.isArray(v))
    v.forEach((x, i) => {
      pathsOf(x, [...prefix, i], out);
    });
  else if (v && typeof v === "object")
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) pathsOf(x, [...prefix, k], out);
  out.push([...prefix, "missing"]);
  return out;
}

/** A few of them: positions come from one reader either way, what matters is that documents line up. */
const somePaths = (r: Rng, v: unknown) => pathsOf(v).filter(() => r.next() < 0.2);

/** What a reader says of a stream: values (numbers exactly, -0 and NaN too), problems, lines, locations. */
function reading(docs: ManifestDocument[], paths: (string | number)[][][]) {
  return docs.map((d, i) => ({
    value: JSON.stringify(d.value, (_k, x) =>
      typeof x === "number" && (Object.is(x, -0) || !Number.isFinite(x)) ? `number:${Object.is(x, -0) ? "-0" : x}` : x,
    ),
    problem: d.problem,
    line: d.line,
    locations: (paths[i] ?? []).map((p) => d.locate(p)),
  }));
}

test("the fast reader reads thousands of random manifest streams exactly as the document tree does", () => {
  let fast = 0;
  let documents = 0;
  const streams = 2000;
  for (let seed = 1; seed <= streams; seed++) {
    const text = stream(random(seed));
    const exact = parseManifestYamlTree(text);
    const r = random(-seed);
    const paths = exact.map((d) => somePaths(r, d.value));
    const got = parseManifestYaml(text);
    assert.equal(reading(got, paths), reading(exact, paths), `seed ${seed}:\n${text}`);
    if (plainManifestValues(text)) fast++;
    documents += exact.length;
  }
  // The comparison means something only if most streams took the fast path, and the rest the exact one.
  assert.ok(fast > streams * 0.7, `${fast} of ${streams} streams read fast`);
  assert.ok(fast < streams, "some streams need the exact reader");
  assert.ok(documents > streams * 2);
});

test("YAML 1.1 as kubectl reads it: booleans, octals and merge keys; no sexagesimals, no timestamps", () => {
  const [doc] = parseManifestYaml("a: on\nb: yes\nc: y\nd: 0777\ne: 1:20\nf: 2024-01-01\ng: 0x1F\nh: 1_000\ni: ~\n");
  assert.equal(doc!.value, { a: true, b: true, c: true, d: 511, e: "1:20", f: "2024-01-01", g: 31, h: 1000, i: null });
  assert.ok(plainManifestValues("a: on\n"), "plain data is read fast");
  // A heredoc in a script is no merge key.
  assert.ok(plainManifestValues("args: [sh, -c, cat <<EOF]\nx: a << b\n"));
  assert.is(plainManifestValues("m:\n  <<: {x: 1}\n"), undefined);
  // Positions come from the exact reader, asked only then.
  const [second] = parseManifestYaml("a: 1\n---\nkind: x\nspec:\n  mode: 0755\n").slice(1);
  assert.equal(second!.locate(["spec", "mode"]), { line: 5, column: 9, plain: "0755" });
  assert.is(second!.line, 3);
  const [merged] = parseManifestYaml("base: &b {x: 1, z: 2}\nm:\n  <<: *b\n  z: 3\n");
  assert.equal(merged!.value, { base: { x: 1, z: 2 }, m: { x: 1, z: 3 } });
  const [dup] = parseManifestYaml("a: 1\nb: 2\na: 3\n");
  assert.is(dup!.problem?.kind, "duplicate-key");
  assert.is(dup!.problem?.line, 3);
  const [proto] = parseManifestYaml("__proto__: {polluted: 1}\n");
  assert.is(Object.getPrototypeOf(proto!.value), Object.prototype);
  assert.equal(Object.keys(proto!.value as object), ["__proto__"]);
});

test.run();
