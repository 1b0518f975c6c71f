/**
 * `vet` judges what kubectl would send and survives what a hostile or careless folder holds (issue 10, items 1, 3,
 * 11, 12): a CRD among manifests, custom resources, Lists, YAML 1.1 scalars, merge keys, FIFOs, broken symlinks,
 * alias bombs, a 20 MB map; and no command ever passes a run that never finished. Each CLI run is a child process
 * with a kill timeout, so a hang fails the test instead of the suite; no test asserts a duration.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Finding } from "../core/finding.ts";
import { parseManifestYaml, parseYamlDocuments } from "../core/yaml.ts";
import { ROOT } from "./support/config.ts";

/** Long enough for a loaded machine, short enough that a hang ends the test. */
const KILL_AFTER_MS = 10 * 60 * 1000;

function run(args: string[], cwd = ROOT) {
  const r = spawnSync(process.execPath, ["--import", "tsx", `${ROOT}bin/platform.ts`, ...args], {
    cwd,
    encoding: "utf8",
    timeout: KILL_AFTER_MS,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

function vet(...args: string[]) {
  const r = run(["vet", "--format", "json", ...args]);
  assert.is(r.signal, null, `vet did not finish: ${r.stderr}`);
  let findings: Finding[] = [];
  try {
    findings = (JSON.parse(r.stdout) as { findings: Finding[] }).findings;
  } catch {
    assert.unreachable(`vet printed no JSON report (exit ${r.code}): ${r.stderr}`);
  }
  return { code: r.code, stderr: r.stderr, findings };
}

const temp = () => mkdtempSync(join(tmpdir(), "platform-vet-robust-"));
const seed = "test/fixtures/vet/seed";
const fixtures = "test/fixtures/vet";
const crdDir = `${fixtures}/crd`;
const yamlDir = `${fixtures}/kubectl-yaml`;
const errorsIn = (fs: Finding[], prefix: string) =>
  fs.filter((f) => f.severity === "error" && f.file?.startsWith(prefix));
const find = (fs: Finding[], rule: string, fileEnd: string, path?: string) =>
  fs.find((f) => f.rule === rule && f.file?.endsWith(fileEnd) && (path === undefined || f.path === path));

test("a CRD among other manifests is validated, and every finding of the others is still reported", () => {
  const dir = temp();
  writeFileSync(
    join(dir, "crd.yaml"),
    "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: foos.example.com\n" +
      "spec: {}\n",
  );
  const alone = vet(seed);
  assert.is(errorsIn(alone.findings, seed).length, 11);
  const r = vet(seed, dir);
  assert.is(r.code, 1, r.stderr);
  assert.is(errorsIn(r.findings, seed).length, 11, "the seed's own findings");
  const crd = r.findings.filter((f) => f.file === join(dir, "crd.yaml"));
  assert.equal(
    crd.map((f) => `${f.engine}/${f.rule} ${f.path}`).sort(),
    ["spec.group", "spec.names", "spec.scope", "spec.versions"].map((p) => `schema/schema ${p}`),
  );
  rmSync(dir, { recursive: true });
});

test("custom resources are judged by the CRD given in the same run: versions, types, enums, unknown fields", () => {
  const r = vet(crdDir);
  assert.is(r.code, 1);
  assert.equal(
    r.findings.filter((f) => f.file?.endsWith("orderbook-good.yaml") || f.file?.endsWith("orderbook-crd.yaml")),
    [],
    "the CRD and the valid custom resource pass",
  );
  const bad = r.findings
    .filter((f) => f.file?.endsWith("orderbook-bad.yaml"))
    .map((f) => `${f.resource?.name} ${f.engine}/${f.rule} ${f.path}`)
    .sort();
  assert.equal(bad, [
    "bad schema/schema spec.depth",
    "bad schema/schema spec.symbol",
    "bad schema/schema spec.tags.a",
    "bad schema/schema spec.venue",
    "bad schema/unknown-field metadata.labelz",
    "bad schema/unknown-field spec.symbl",
    "no-such-version schema/api-version apiVersion",
    "not-served schema/api-version apiVersion",
  ]);
  assert.match(find(r.findings, "unknown-field", "orderbook-bad.yaml", "spec.symbl")!.message, 'did you mean "symbol"');
  assert.match(find(r.findings, "schema", "orderbook-bad.yaml", "spec.venue")!.message, '"XNAS", "XNYS"');
  assert.match(
    r.findings.find((f) => f.resource?.name === "not-served")!.message,
    "does not serve version v1beta1 (served: v1)",
  );
  // Without its CRD, the same resource cannot be judged and says so.
  const alone = vet(`${crdDir}/orderbook-good.yaml`);
  assert.equal(
    alone.findings.map((f) => `${f.severity} ${f.rule}`),
    ["warning unknown-kind"],
  );
});

test("List items are objects, typed lists lend their kind, YAML 1.1 and merge keys read as kubectl reads them", () => {
  const r = vet(yamlDir);
  assert.is(r.code, 1);
  const got = r.findings.map((f) => `${f.severity} ${f.engine}/${f.rule} ${f.file?.split("/").pop()} ${f.path ?? ""}`);
  assert.equal(got.sort(), [
    "error schema/schema list.yaml data.level",
    "error schema/schema list.yaml data.replicas",
    "error schema/schema merge.yaml data.debug",
    "error schema/schema yaml11.yaml data.enabled",
    "error schema/schema yaml11.yaml data.limit",
    "error schema/schema yaml11.yaml data.mode",
    "error schema/schema yaml11.yaml data.value",
    "error vet/not-an-object list.yaml ",
    "error vet/not-an-object yaml11.yaml ",
  ]);
  const value = find(r.findings, "schema", "yaml11.yaml", "data.value")!;
  assert.match(value.message, "must be string, got true");
  assert.match(value.hint ?? "", 'quote it ("on")');
  assert.is(value.line, 8);
  assert.match(find(r.findings, "schema", "yaml11.yaml", "data.mode")!.hint ?? "", "the number 511");
  assert.match(find(r.findings, "schema", "merge.yaml", "data.debug")!.hint ?? "", 'quote it ("off")');
  assert.match(find(r.findings, "not-an-object", "list.yaml")!.message, "items[1]");
  assert.match(find(r.findings, "schema", "yaml11.yaml", "data.limit")!.message, "got Infinity");
  const unnamed = find(r.findings, "not-an-object", "yaml11.yaml")!;
  assert.match(unnamed.message, "metadata.name must be a string, got true");
  assert.is(unnamed.hint, 'quote it ("y")');
});

test("the manifest reader is YAML 1.1 as kubectl reads it; the other readers stay YAML 1.2", () => {
  const [doc] = parseManifestYaml("a: on\nb: yes\nc: y\nd: 0777\ne: 1:20\nf: 2024-01-01\ng: 0x1F\nh: 1_000\n");
  assert.equal(doc!.value, { a: true, b: true, c: true, d: 511, e: "1:20", f: "2024-01-01", g: 31, h: 1000 });
  assert.equal(parseYamlDocuments("a: on\nb: yes\n"), [{ a: "on", b: "yes" }]);
  const [merged] = parseManifestYaml("base: &b {x: 1, z: 2}\nm:\n  <<: *b\n  z: 3\n");
  assert.equal(merged!.value, { base: { x: 1, z: 2 }, m: { x: 1, z: 3 } });
  assert.equal(merged!.locate(["m", "x"]), { line: 1, column: 14, plain: "1" });
  const [dup] = parseManifestYaml("a: 1\nb: 2\na: 3\n");
  assert.equal(dup!.problem, {
    kind: "duplicate-key",
    message: 'the key "a" is set twice in one map (first on line 1)',
    line: 3,
    column: 1,
  });
});

test("one bad input is a finding naming it, the rest is still judged: FIFO, symlinks, folders, bombs, size", () => {
  const dir = temp();
  cpSync(seed, join(dir, "seed"), { recursive: true });
  spawnSync("mkfifo", [join(dir, "fifo.yaml")]);
  symlinkSync(join(dir, "nowhere.yaml"), join(dir, "dangling.yaml"));
  symlinkSync(join(dir, "loop-b.yaml"), join(dir, "loop-a.yaml"));
  symlinkSync(join(dir, "loop-a.yaml"), join(dir, "loop-b.yaml"));
  symlinkSync(join(dir, "seed"), join(dir, "folder-link.yaml"));
  mkdirSync(join(dir, "x.yaml"));
  cpSync(`${yamlDir}/yaml11.yaml`, join(dir, "x.yaml", "inside.yaml"));
  const levels = ["a: &a [x, x, x, x, x, x, x, x, x]"];
  for (const [i, name] of ["b", "c", "d", "e", "f", "g"].entries()) {
    const prev = String.fromCharCode(97 + i);
    levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(", ")}]`);
  }
  writeFileSync(join(dir, "bomb.yaml"), `${levels.join("\n")}\n`);
  writeFileSync(join(dir, "dup.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: d\n  name: e\n");
  writeFileSync(join(dir, "broken.yaml"), "kind: [\n");
  // Sparse: no disk is spent, and the size alone refuses it before a byte is read.
  writeFileSync(join(dir, "huge.yaml"), "");
  truncateSync(join(dir, "huge.yaml"), 65 * 1024 * 1024);
  const r = vet(dir);
  assert.is(r.code, 1, r.stderr);
  assert.is(r.stderr, "");
  const byFile = new Map(r.findings.filter((f) => f.engine === "vet").map((f) => [f.file, f]));
  const expect: [string, string, string][] = [
    ["fifo.yaml", "unreadable", "a FIFO"],
    ["dangling.yaml", "unreadable", "dangling"],
    ["loop-a.yaml", "unreadable", "symlink loop"],
    ["loop-b.yaml", "unreadable", "symlink loop"],
    ["folder-link.yaml", "unreadable", "a symlink to a folder"],
    ["bomb.yaml", "alias-bomb", "alias bomb"],
    ["dup.yaml", "duplicate-key", 'the key "name" is set twice'],
    ["broken.yaml", "not-yaml", "broken.yaml"],
    ["huge.yaml", "too-large", "65 MiB, more than vet reads"],
  ];
  for (const [file, rule, words] of expect) {
    const f = byFile.get(join(dir, file));
    assert.ok(f, `no finding for ${file}: ${JSON.stringify(r.findings.map((x) => x.file))}`);
    assert.is(f!.rule, rule, file);
    assert.is(f!.severity, "error", file);
    assert.match(f!.message, words, file);
    assert.match(f!.message, join(dir, file), `${file}: the message names the file`);
  }
  // The rest of the run went on: the seed's 11 errors, and the folder named x.yaml was walked like any folder.
  assert.is(errorsIn(r.findings, join(dir, "seed")).length, 11);
  assert.ok(find(r.findings, "schema", "x.yaml/inside.yaml", "data.value"));
  rmSync(dir, { recursive: true });
});

test("a named path that is a dangling symlink or a FIFO is a finding too; a missing one is a usage error", () => {
  const dir = temp();
  symlinkSync(join(dir, "nowhere"), join(dir, "dangling.yaml"));
  spawnSync("mkfifo", [join(dir, "pipe.yaml")]);
  const r = vet(join(dir, "dangling.yaml"), join(dir, "pipe.yaml"), seed);
  assert.is(r.code, 1, r.stderr);
  assert.equal(
    r.findings.filter((f) => f.engine === "vet").map((f) => `${f.rule} ${f.file}`),
    [`unreadable ${join(dir, "dangling.yaml")}`, `unreadable ${join(dir, "pipe.yaml")}`],
  );
  const missing = run(["vet", join(dir, "no-such.yaml")]);
  assert.is(missing.code, 2);
  assert.match(missing.stderr, `${join(dir, "no-such.yaml")}: no such file or folder`);
  rmSync(dir, { recursive: true });
});

test("a 20 MB map is judged to the end (duplicate keys are found in linear time)", () => {
  const dir = temp();
  const lines = [
    "apiVersion: v1",
    "kind: ConfigMap",
    "metadata:",
    "  name: big",
    "  namespace: nautilus-trading",
    "data:",
  ];
  const keys = 400_000;
  for (let i = 0; i < keys; i++) lines.push(`  key-${i}: value-${i}-xxxxxxxxxxxxxxxxxxxxxxxxxxxx`);
  lines.push("  last: yes");
  writeFileSync(join(dir, "big.yaml"), `${lines.join("\n")}\n`);
  const r = vet(dir);
  assert.is(r.code, 1, r.stderr);
  const last = find(r.findings, "schema", "big.yaml", "data.last");
  assert.ok(last, JSON.stringify(r.findings));
  assert.is(last!.line, lines.length);
  rmSync(dir, { recursive: true });
});

test("a report far larger than a pipe's buffer reaches the reader whole before the exit", () => {
  const dir = temp();
  const keys = 5_000;
  const data = Array.from({ length: keys }, (_, i) => `  key-${i}: on`).join("\n");
  writeFileSync(
    join(dir, "many.yaml"),
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: many\n  namespace: x\ndata:\n${data}\n`,
  );
  const r = vet(dir);
  assert.is(r.code, 1);
  assert.is(r.findings.filter((f) => f.rule === "schema").length, keys);
  rmSync(dir, { recursive: true });
});

test("--kubernetes-version that is not a Kubernetes version is a usage error, not a finding", () => {
  for (const version of ["99.99", "banana"]) {
    const r = run(["vet", "--kubernetes-version", version, seed]);
    assert.is(r.code, 2, version);
    assert.is(r.stdout, "", version);
    assert.match(r.stderr, `--kubernetes-version "${version}"`);
  }
});

test("generate and check with a config that never finishes loading exit 2 with a message, never 0", () => {
  const dir = temp();
  // A module folder of its own, so the config may await at top level.
  writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
  writeFileSync(join(dir, "platform.config.ts"), "await new Promise(() => {});\nexport default {};\n");
  for (const command of ["generate", "check"]) {
    const r = run([command, "--config", join(dir, "platform.config.ts"), "--out", join(dir, "out")]);
    assert.is(r.signal, null, `${command} did not end`);
    assert.is(r.code, 2, `${command}: ${r.stderr}`);
    assert.match(r.stderr, `internal error: "${command}" never finished`);
  }
  rmSync(dir, { recursive: true });
});

test.run();
