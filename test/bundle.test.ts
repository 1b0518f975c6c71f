/**
 * The bundled CLI (dist/platform.mjs, what `npm run generate|check|vet`, the package `bin` and the pre-commit hook
 * run) says and writes exactly what the sources say under tsx: the same files, reports, exit codes and config
 * error findings (the TypeScript config loads through tsx's loader registered by the bundle), from any folder.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { configInput, ROOT } from "./support/config.ts";

const BUNDLE = join(ROOT, "dist/platform.mjs");

// Built here when missing or older than a source it was built from, as `npm run check` does.
const build = spawnSync(process.execPath, [join(ROOT, "bin/build.mjs"), "--if-stale"], { encoding: "utf8" });
if (build.status !== 0) throw new Error(`bin/build.mjs failed:\n${build.stdout}${build.stderr}`);

type Run = { code: number; stdout: string; stderr: string };

function run(command: string[], args: string[], cwd: string): Run {
  const r = spawnSync(command[0]!, [...command.slice(1), ...args], {
    cwd,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1" },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const tsx = (args: string[], cwd = ROOT) =>
  run([process.execPath, "--import", import.meta.resolve("tsx"), join(ROOT, "bin/platform.ts")], args, cwd);
const bundled = (args: string[], cwd = ROOT) => run([process.execPath, BUNDLE], args, cwd);

/** Every file under `dir`, by path relative to it. */
function tree(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else files.set(relative(dir, p), readFileSync(p, "utf8"));
    }
  };
  walk(dir);
  return files;
}

const temp = () => mkdtempSync(join(tmpdir(), "platform-bundle-test-"));

test("the bundle is an executable node script with a shebang, the package's bin", () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
    bin: Record<string, string>;
    scripts: Record<string, string>;
  };
  assert.equal(pkg.bin, { platform: "dist/platform.mjs" });
  for (const s of ["generate", "check", "vet"]) assert.match(pkg.scripts[s]!, `node dist/platform.mjs ${s}`);
  assert.match(readFileSync(BUNDLE, "utf8"), /^#!\/usr\/bin\/env node\n/);
  // Run as the file itself, as npm's bin link does, from a folder that is not the project.
  const r = run([BUNDLE], ["--help"], tmpdir());
  assert.is(r.code, 0, r.stderr);
  assert.equal(r, tsx(["--help"]));
  assert.equal(bundled(["check", "--help"]), tsx(["check", "--help"]));
  assert.equal(bundled(["frobnicate"]), tsx(["frobnicate"]));
});

test("generate from another folder: the same files as the committed out/ and the same message", () => {
  const dir = temp();
  const cwd = temp();
  const a = bundled(["generate", "--config", join(ROOT, "platform.config.ts"), "--out", join(dir, "a")], cwd);
  const b = tsx(["generate", "--config", join(ROOT, "platform.config.ts"), "--out", join(dir, "b")], cwd);
  assert.is(a.code, 0, a.stderr);
  assert.equal(
    [a.code, a.stdout.replace(`${dir}/a`, "DIR"), a.stderr],
    [b.code, b.stdout.replace(`${dir}/b`, "DIR"), b.stderr],
  );
  const generated = tree(join(dir, "a"));
  assert.equal(generated, tree(join(dir, "b")));
  const committed = tree(join(ROOT, "out"));
  assert.equal([...generated.keys()].sort(), [...committed.keys()].sort());
  for (const [path, text] of committed) assert.is(generated.get(path), text, path);
  rmSync(dir, { recursive: true });
  rmSync(cwd, { recursive: true });
});

test("check on the committed out/ and on a drifted copy: the same report and exit code as the sources", () => {
  const clean = bundled(["check", "--format", "json"]);
  assert.is(clean.code, 0, clean.stdout + clean.stderr);
  assert.equal(clean, tsx(["check", "--format", "json"]));
  const dir = temp();
  assert.is(tsx(["generate", "--out", dir]).code, 0);
  const kustomization = join(dir, "overlays/prod/kustomization.yaml");
  writeFileSync(kustomization, `${readFileSync(kustomization, "utf8")}# edited by hand\n`);
  const drifted = bundled(["check", "--out", dir]);
  assert.is(drifted.code, 1, drifted.stdout + drifted.stderr);
  assert.match(drifted.stdout, "drift/");
  assert.equal(drifted, tsx(["check", "--out", dir]));
  rmSync(dir, { recursive: true });
});

test("vet on fixtures with findings and on the rendered manifests: the same report as the sources", () => {
  for (const paths of [["test/fixtures/schema"], ["test/fixtures/vet"], ["out/cluster/rendered", "out/rendered"]]) {
    const a = bundled(["vet", "--format", "json", ...paths]);
    assert.equal(a, tsx(["vet", "--format", "json", ...paths]), paths.join(" "));
    assert.ok(a.code === 0 || a.code === 1, a.stderr);
  }
  assert.is(bundled(["vet", "test/fixtures/schema"]).code, 1);
});

test("--if-stale rebuilds a bundle older than a source it was built from, and only then", () => {
  const ifStale = () => {
    const r = spawnSync(process.execPath, [join(ROOT, "bin/build.mjs"), "--if-stale"], { encoding: "utf8" });
    assert.is(r.status, 0, r.stderr);
    return statSync(BUNDLE).mtimeMs;
  };
  const fresh = ifStale();
  assert.is(ifStale(), fresh, "an up-to-date bundle was rebuilt");
  const source = statSync(join(ROOT, "engines/drift.ts")).mtime;
  // As if engines/drift.ts had been saved after the build.
  const before = new Date(source.getTime() - 60_000);
  utimesSync(BUNDLE, before, before);
  const rebuilt = ifStale();
  assert.ok(rebuilt > before.getTime(), "a stale bundle was not rebuilt");
  assert.is(ifStale(), rebuilt);
  assert.match(readFileSync(BUNDLE, "utf8"), /^#!\/usr\/bin\/env node\n/);
});

test("--reuse DIR copies DIR's up-to-date bundle only when every source it was built from has the same bytes", () => {
  const sources = [
    ...(JSON.parse(readFileSync(join(ROOT, "dist/platform.inputs.json"), "utf8")) as string[]),
    "bin/build.mjs",
    "tsconfig.json",
    "package.json",
  ].filter((f) => !f.startsWith("node_modules/"));
  /** A copy of the sources, its node_modules the repository's (as in the hook's staged folder). */
  const copy = () => {
    const dir = temp();
    for (const f of sources) {
      mkdirSync(dirname(join(dir, f)), { recursive: true });
      cpSync(join(ROOT, f), join(dir, f));
    }
    symlinkSync(realpathSync(join(ROOT, "node_modules")), join(dir, "node_modules"));
    return dir;
  };
  // The working tree: a fresh bundle, marked so that a copy of it can be told from a build.
  const working = copy();
  cpSync(join(ROOT, "dist"), join(working, "dist"), { recursive: true });
  const marked = `${readFileSync(join(working, "dist/platform.mjs"), "utf8")}// the working tree's bundle\n`;
  writeFileSync(join(working, "dist/platform.mjs"), marked);
  const staged = copy();
  const reuse = () => {
    const r = spawnSync(process.execPath, ["bin/build.mjs", "--reuse", working], { cwd: staged, encoding: "utf8" });
    assert.is(r.status, 0, r.stderr);
    return readFileSync(join(staged, "dist/platform.mjs"), "utf8");
  };
  assert.is(reuse(), marked, "the same sources: the bundle is copied");
  const drift = join(staged, "engines/drift.ts");
  writeFileSync(drift, `${readFileSync(drift, "utf8")}// staged, not in the working tree\n`);
  const built = reuse();
  assert.is.not(built, marked, "one source differs: built");
  assert.match(built, /^#!\/usr\/bin\/env node\n/);
  writeFileSync(drift, readFileSync(join(ROOT, "engines/drift.ts")));
  // The working tree's own bundle is older than one of its sources: not reused, whatever the bytes.
  const old = new Date(statSync(join(working, "engines/drift.ts")).mtimeMs - 60_000);
  utimesSync(join(working, "dist/platform.mjs"), old, old);
  assert.is.not(reuse(), marked, "a stale bundle is not reused");
  rmSync(working, { recursive: true });
  rmSync(staged, { recursive: true });
});

/** The real config as a plain module, edited as text, in a fresh folder (as test/config-errors.test.ts). */
function brokenConfig(edit: (text: string) => string, esm: boolean): { dir: string; file: string } {
  const dir = temp();
  // Without a package.json, tsx compiles the config to CommonJS, where a top-level await is a syntax error.
  if (esm) writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
  const file = join(dir, "platform.config.ts");
  writeFileSync(file, edit(`export default ${JSON.stringify(configInput(), null, 2)};\n`));
  return { dir, file };
}

const broken: { description: string; edit: (t: string) => string; expect: string; esm?: boolean }[] = [
  {
    description: "a syntax error, at esbuild's line and column",
    edit: (t) => t.replace('"name": "nautilus",', '"name": "nautilus" "oops",'),
    expect: ":2:21: error config/syntax-error",
  },
  {
    description: "an error thrown while the config evaluates, at its line",
    edit: (t) => t.replace('"name": "nautilus",', '"name": missingName,'),
    expect: ":2:11: error config/throws",
  },
  { description: "throw undefined", edit: (t) => `throw undefined;\n${t}`, expect: "it threw undefined" },
  {
    description: "an import of a module that does not exist, at the import",
    edit: (t) => `import "./no-such-module.ts";\n${t}`,
    expect: ":1:8: error config/missing-import",
  },
  {
    description: "TypeScript types and an import of a .ts module, compiled to CommonJS",
    edit: (t) =>
      `import { definePlatform } from "${join(ROOT, "schemas/platform.ts")}";\n` +
      `const replicas: number = "two" as unknown as number;\n` +
      t
        .replace("export default {", "export default definePlatform({")
        .replace(/};\n$/, "});\n")
        .replace('"replicas": 2,', '"replicas": replicas,'),
    expect: "services.risk-engine.replicas: expected number",
  },
  {
    description: "a config that awaits a promise nothing settles",
    edit: (t) => `await new Promise(() => {});\n${t}`,
    expect: "never finished",
    esm: true,
  },
  {
    description: "a top-level await in a CommonJS folder",
    edit: (t) => `await Promise.resolve();\n${t}`,
    expect: ":1: error config/syntax-error",
  },
];

for (const row of broken) {
  test(`a config with ${row.description}: the same finding from the bundle as from the sources`, () => {
    const { dir, file } = brokenConfig(row.edit, row.esm ?? false);
    const args = ["generate", "--config", file, "--out", join(dir, "out")];
    const a = bundled(args);
    assert.is(a.code, 2, a.stdout + a.stderr);
    assert.match(a.stderr, row.expect);
    assert.not.match(a.stderr, /\n\s+at /);
    assert.equal(a, tsx(args));
    rmSync(dir, { recursive: true });
  });
}

test.run();
