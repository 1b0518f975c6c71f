/**
 * The YAML emitter (core/yaml.ts toYaml) against the readers that matter: thousands of random
 * Kubernetes-shaped objects, full of strings that YAML 1.1 would read as something else, are written and
 * read back as kubectl reads them (parseManifestYaml), equal to what was written; a sample goes through the
 * real `kubectl kustomize` (Go's YAML reader and writer) and comes back equal too.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { compareKeys, parseManifestYaml, toYaml, yamlFile } from "../core/yaml.ts";
import { random } from "./support/random.ts";

/** Strings YAML 1.1 (or a careless emitter) gets wrong when they are written plain. */
const TRICKY = [
  ...["y", "Y", "n", "N", "yes", "No", "ON", "off", "On", "true", "False", "TRUE", "null", "Null", "NULL", "~"],
  ...["0", "-1", "+1", "1.5", ".5", "5.", "1e3", "1E-3", "1_000", "0777", "0o17", "0x1F", "0b101", "-0x1"],
  ...["1:20", "190:20:30", "1:20.5", ".inf", "-.Inf", ".NaN", "1.0.0", "2024-01-01", "2001-12-14t21:59:43.10-05:00"],
  ...["", " ", "  leading", "trailing ", " both ", "a: b", "a #b", "#comment", "key:", ":", "-", "- item", "--", "---"],
  ...["...", "?", "? x", "&anchor", "*alias", "!tag", "%directive", "@at", "`tick", "|", ">", "'", '"', "'q'"],
  ...['"dq"', "[a, b]", "{a: 1}", "a,b", "<<", "=", "a\tb", "\ttab", "line\nbreak", "two\n\nbreaks", "end\n"],
  ...["ends\n\n", "\n", "\n\nlead", " \nspace-line", "a\n \nb", "a\n  indented\nb", "trail \nx", "crlf\r\n", "\r"],
  ...[
    "nel\u0085x",
    "ls\u2028x",
    "ps\u2029x",
    "bom\ufeffx",
    "\ufeffbom",
    "del\u007f",
    "c1\u0080",
    "nul\u0000",
    "bell\u0007",
  ],
  ...[
    "ünïcödé",
    "日本語",
    "emoji 🚀",
    "😀",
    "\u00a0nbsp",
    "nbsp\u00a0",
    "zero\u200bwidth",
    "κ: λ",
    "-Xmx512m",
    "--flag=1",
  ],
  ...["100m", "128Mi", "2", "1Gi", "registry.io/app:1.0.0", "http://x:80/a?b=c#d", "sum(rate(x[5m])) > 0.5"],
  ...["a'b", 'it\'s "quoted"', "back\\slash", "\\n", "{{ .Values }}", "$" + "{VAR}", "$(POD_IP)", "a: {b: c}"],
];

const WORD = "abcdefghijklmnopqrstuvwxyz0123456789-._/:";

function randomString(r: ReturnType<typeof random>): string {
  const roll = r.next();
  if (roll < 0.45) return r.pick(TRICKY);
  if (roll < 0.6) return r.pick(TRICKY) + r.pick(TRICKY);
  if (roll < 0.7) return `${r.pick(TRICKY)}\n${r.pick(TRICKY)}`;
  if (roll < 0.85) {
    let s = "";
    for (let i = r.int(20); i >= 0; i--) s += WORD[r.int(WORD.length)];
    return s;
  }
  // Any code unit at all, lone surrogates included.
  let s = "";
  for (let i = r.int(8); i >= 0; i--) s += String.fromCharCode(r.pick([r.int(0x80), r.int(0x800), r.int(0x10000)]));
  return s;
}

function randomValue(r: ReturnType<typeof random>, depth: number): unknown {
  const roll = r.next();
  if (depth <= 0 || roll < 0.5) {
    const s = r.next();
    if (s < 0.7) return randomString(r);
    if (s < 0.8) return r.pick([0, 1, -1, 3, 0.5, -2.25, 1e21, 123456789, 1e-7, 2 ** 53]);
    if (s < 0.9) return r.pick([true, false]);
    return null;
  }
  if (roll < 0.75) return Array.from({ length: r.int(4) }, () => randomValue(r, depth - 1));
  return randomMap(r, depth - 1);
}

function randomMap(r: ReturnType<typeof random>, depth: number): Record<string, unknown> {
  const map: Record<string, unknown> = {};
  for (let i = r.int(5); i > 0; i--) map[randomString(r)] = randomValue(r, depth);
  return map;
}

/** A Kubernetes-shaped object: the usual head, labels and annotations, and a deep random spec. */
function randomObject(r: ReturnType<typeof random>, i: number): Record<string, unknown> {
  return {
    apiVersion: "example.nautilus.io/v1",
    kind: "Sample",
    metadata: {
      name: `sample-${i}`,
      labels: { app: randomString(r).length > 0 ? `app-${i}` : "x", [`k${r.int(9)}`]: randomString(r) },
      // Keys as Kubernetes allows them (kustomize rewrites metadata, reads a key like ".5" as a number and drops an
      // empty map); any value.
      annotations: Object.fromEntries(
        Array.from({ length: 1 + r.int(3) }, (_, j) => [`n${j}.nautilus.io/x`, randomString(r)]),
      ),
    },
    spec: randomMap(r, 4),
    data: Object.fromEntries(Array.from({ length: r.int(4) }, () => [randomString(r), randomString(r)])),
  };
}

/**
 * What kustomize can write back: well-formed text (a lone surrogate cannot be UTF-8) and no control characters
 * (Go's YAML writer refuses them, though its reader took them), no tab (kustomize rewrites metadata as a block
 * that starts with a tab, which it then cannot read), no U+2028 or U+2029 (its writer leaves them raw in a quoted
 * string, where its reader folds them to spaces), no key "<<" (kustomize drops it however it is written, as a
 * merge key).
 */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const wellFormed = (v: unknown): unknown =>
  typeof v === "string"
    ? v.replace(LONE_SURROGATE, "?").replace(/[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]/g, "?")
    : Array.isArray(v)
      ? v.map(wellFormed)
      : v && typeof v === "object"
        ? Object.fromEntries(
            Object.entries(v).flatMap(([k, x]) => (k === "<<" ? [] : [[wellFormed(k) as string, wellFormed(x)]])),
          )
        : v;

test("thousands of random objects read back by kubectl's YAML 1.1 reader equal to what was written", () => {
  const r = random(14);
  for (let i = 0; i < 3000; i++) {
    const object = randomObject(r, i);
    const text = toYaml(object);
    const docs = parseManifestYaml(text);
    assert.is(docs.length, 1, `object ${i}:\n${text}`);
    assert.is(docs[0]!.problem, undefined, `object ${i}: ${docs[0]!.problem?.message}\n${text}`);
    assert.equal(docs[0]!.value, object, `object ${i}:\n${text}`);
    // And by a plain YAML 1.1 reader (timestamps and sexagesimal numbers included).
    assert.equal(parseAllDocuments(text, { version: "1.1" })[0]!.toJS(), object, `object ${i} (YAML 1.1)`);
  }
});

test("every tricky string, as a value, a key and a list item, reads back as itself", () => {
  for (const s of TRICKY) {
    const object = { [s]: s, list: [s, [s], { [s]: [s] }], nested: { deeper: { [s]: s } } };
    const text = toYaml(object);
    assert.equal(parseManifestYaml(text)[0]!.value, object, `${JSON.stringify(s)}:\n${text}`);
  }
});

test("the output is block style with the conventional key order, deterministic, and quotes only what it must", () => {
  const object = {
    spec: { replicas: 2, args: ["--port=80", "-v"], empty: {}, none: [], on: "on" },
    metadata: { name: "a", labels: { b: "2", a: "1" } },
    kind: "Deployment",
    apiVersion: "apps/v1",
  };
  const text = toYaml(object);
  assert.is(
    text,
    [
      "apiVersion: apps/v1",
      "kind: Deployment",
      "metadata:",
      "  name: a",
      "  labels:",
      '    a: "1"',
      '    b: "2"',
      "spec:",
      "  args:",
      "    - --port=80",
      "    - -v",
      "  empty: {}",
      "  none: []",
      '  "on": "on"',
      "  replicas: 2",
      "",
    ].join("\n"),
  );
  assert.is(toYaml(object), text);
  assert.is(toYaml({ script: "line one\nline two\n" }), "script: |\n  line one\n  line two\n");
  assert.is(toYaml([{ a: 1, b: [1, 2] }, [3]]), "- a: 1\n  b:\n    - 1\n    - 2\n- - 3\n");
  assert.ok(compareKeys("kind", "apiVersion") > 0);
});

test("a key past YAML's 1,024-character limit is written as an explicit key and reads back", () => {
  const long = "k".repeat(1500);
  const object = { [long]: { a: 1 }, list: [{ [long]: "v" }] };
  assert.equal(parseManifestYaml(toYaml(object))[0]!.value, object);
});

test("kubectl kustomize (Go's YAML reader and writer) reads the random objects back equal", () => {
  const r = random(1414);
  const objects = Array.from({ length: 300 }, (_, i) => wellFormed(randomObject(r, i)) as Record<string, unknown>);
  const dir = mkdtempSync(join(tmpdir(), "platform-yaml-emitter-"));
  try {
    writeFileSync(join(dir, "objects.yaml"), yamlFile(objects));
    writeFileSync(join(dir, "kustomization.yaml"), yamlFile([{ resources: ["objects.yaml"] }]));
    const out = spawnSync("kubectl", ["kustomize", dir], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
    assert.is(out.error, undefined, "kubectl is needed: see test/support/tools.ts");
    assert.is(out.status, 0, out.stderr);
    const back = parseManifestYaml(out.stdout).map((d) => d.value as { metadata: { name: string } });
    const byName = new Map(back.map((o) => [o.metadata.name, o]));
    assert.is(byName.size, objects.length);
    for (const o of objects) {
      const name = (o.metadata as { name: string }).name;
      assert.equal(byName.get(name), o, name);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
