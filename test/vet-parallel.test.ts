/**
 * `vet` parses a large tree of manifests in worker threads beside the main thread (bin/parse-files.ts): the
 * findings (rules, messages, files, lines, columns, hints, order) and the objects must be exactly those of the
 * main thread alone, for plain files, files only the exact reader reads, syntax errors, duplicate keys and values
 * JSON cannot carry; and a worker that cannot start leaves its files to the main thread, never fails `vet`.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { vetPaths } from "../bin/manifests.ts";
import { readManifestFile } from "../bin/manifest-read.ts";
import { parseFiles } from "../bin/parse-files.ts";
import { ROOT } from "./support/config.ts";

/** The rendered manifests of every environment, the vet fixtures, and files each reader path must handle. */
function plantedTree(): string {
  const dir = mkdtempSync(join(tmpdir(), "platform-vet-parallel-"));
  cpSync(join(ROOT, "out/cluster/rendered"), join(dir, "cluster"), { recursive: true });
  cpSync(join(ROOT, "out/rendered"), join(dir, "rendered"), { recursive: true });
  cpSync(join(ROOT, "test/fixtures/vet"), join(dir, "fixtures"), { recursive: true });
  const planted = join(dir, "planted");
  mkdirSync(planted);
  const configMap = (name: string, rest: string) =>
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: nautilus-trading\n${rest}`;
  // Anchors and a merge key: the exact reader's, on whichever thread; the schema error is located through them.
  writeFileSync(
    join(planted, "exact.yaml"),
    `${configMap("anchored", "  labels: &l\n    app: x\n")}data:\n  <<: *l\n  mode: 0777\n`,
  );
  writeFileSync(join(planted, "broken.yaml"), `${configMap("broken", "data:\n  a: [1, 2\n")}`);
  writeFileSync(join(planted, "dup.yaml"), `${configMap("dup", "data:\n  a: x\n  a: y\n")}`);
  // NaN, an infinity and -0 come back from JSON as null and 0: a worker leaves them to the main thread.
  writeFileSync(
    join(planted, "numbers.yaml"),
    `${configMap("numbers", "  annotations:\n    a: .nan\n    b: -.inf\n    c: -0\ndata:\n  d: on\n")}` +
      "---\n# a second document, after a comment\n" +
      configMap("second", "data:\n  e: 1e3\n"),
  );
  // An own key named __proto__ survives JSON as it survives the parser: a key, never the prototype.
  writeFileSync(join(planted, "proto.yaml"), configMap("proto", "data:\n  __proto__: polluted\n"));
  writeFileSync(join(planted, "not-an-object.yaml"), "just: data\n---\n- a\n- b\n");
  return dir;
}

const dir = plantedTree();
const files = (): number => {
  let n = 0;
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }))
      if (e.isDirectory()) walk(join(d, e.name));
      else n++;
  };
  walk(dir);
  return n;
};

test("vet with workers gives exactly the findings and objects of the main thread alone", async () => {
  assert.ok(files() > 500, `${files()} files`);
  const alone = await vetPaths([dir], undefined, 0);
  const rules = new Set(alone.findings.map((f) => `${f.engine}/${f.rule} ${f.file?.slice(dir.length + 1)}`));
  for (const expected of [
    "vet/not-yaml planted/broken.yaml",
    "vet/duplicate-key planted/dup.yaml",
    "vet/not-an-object planted/not-an-object.yaml",
    "schema/schema planted/exact.yaml",
    "schema/schema planted/numbers.yaml",
    "vet/duplicate-object fixtures/seed/risk-engine-deployment.yaml",
  ])
    assert.ok(rules.has(expected), `${expected} in ${[...rules].join("\n")}`);
  assert.ok(alone.findings.every((f) => f.line !== undefined));
  for (const workers of [1, 2]) assert.equal(await vetPaths([dir], undefined, workers), alone, `${workers} workers`);
});

test("workers take the files the main thread does not get to, with the same texts and values", async () => {
  const list: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1)))
      if (e.isDirectory()) walk(join(d, e.name));
      else list.push(join(d, e.name));
  };
  walk(dir);
  const alone = await parseFiles(list, readManifestFile, 0);
  // A main thread slowed down to 5 ms a file leaves most of them to a worker, even one that starts late.
  let mainThread = 0;
  const slow = (file: string) => {
    mainThread++;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    return readManifestFile(file);
  };
  const shared = await parseFiles(list, slow, 1);
  assert.ok(mainThread < list.length / 2, `the main thread read ${mainThread} of ${list.length} files`);
  assert.equal(shared, alone);
  // assert.equal takes -0 for 0: the values JSON cannot carry, one by one.
  const numbers = shared[list.findIndex((f) => f.endsWith("numbers.yaml"))]!;
  assert.ok("values" in numbers);
  const [first] = numbers.values as [{ metadata: { annotations: Record<string, number> } }];
  const { a, b, c } = first.metadata.annotations;
  assert.ok(Number.isNaN(a) && b === -Infinity && Object.is(c, -0), JSON.stringify({ a, b, c }));
  const proto = shared[list.findIndex((f) => f.endsWith("proto.yaml"))]!;
  assert.ok("values" in proto);
  const [configMap] = proto.values as [{ data: object }];
  assert.equal(Object.keys(configMap.data), ["__proto__"]);
  assert.is(Object.getPrototypeOf(configMap.data), Object.prototype);
});

test("the bundle: the same report with and without workers, and with a worker file that is missing", () => {
  const build = spawnSync(process.execPath, [join(ROOT, "bin/build.mjs"), "--if-stale"], { encoding: "utf8" });
  assert.is(build.status, 0, build.stderr);
  // A bundle beside no parse-worker.mjs (a partial build) still finds the package's policies from inside it.
  const partial = mkdtempSync(join(ROOT, "dist/vet-parallel-test-"));
  cpSync(join(ROOT, "dist/platform.mjs"), join(partial, "platform.mjs"));
  const vet = (bundle: string, workers: string) => {
    const r = spawnSync(process.execPath, [bundle, "vet", "--format", "json", dir], {
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, PLATFORM_VET_WORKERS: workers },
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const alone = vet(join(ROOT, "dist/platform.mjs"), "0");
  assert.is(alone.code, 1, alone.stderr);
  assert.equal(vet(join(ROOT, "dist/platform.mjs"), "2"), alone);
  assert.equal(vet(join(partial, "platform.mjs"), "2"), alone);
  rmSync(partial, { recursive: true });
});

test.after(() => rmSync(dir, { recursive: true }));

test.run();
