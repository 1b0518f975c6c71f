import { test } from "uvu";
import * as assert from "uvu/assert";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { cli, configInput, ROOT } from "./support/config.ts";

function tree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p, "utf8"));
    }
  };
  walk(dir);
  return out;
}

const temp = () => mkdtempSync(join(tmpdir(), "platform-test-"));

/** A config file outside the repo: the real config with overrides, as a plain object export. */
function writeConfig(dir: string, overrides: unknown = {}, name = "platform.config.ts"): string {
  const file = join(dir, name);
  writeFileSync(file, `export default ${JSON.stringify(configInput(overrides), null, 2)};\n`);
  return file;
}

test("golden: the committed out/ is exactly what generate makes from the committed config", () => {
  const dir = temp();
  const r = cli(["generate", "--out", join(dir, "out")]);
  assert.is(r.code, 0, r.stderr);
  const fresh = tree(join(dir, "out"));
  const committed = tree(join(ROOT, "out"));
  const differing = [...new Set([...fresh.keys(), ...committed.keys()])].filter(
    (k) => fresh.get(k) !== committed.get(k),
  );
  assert.equal(differing, [], "run `npm run generate` and commit out/");
  rmSync(dir, { recursive: true });
});

test("generate is deterministic: two runs are byte-identical", () => {
  const dir = temp();
  assert.is(cli(["generate", "--out", join(dir, "a")]).code, 0);
  assert.is(cli(["generate", "--out", join(dir, "b")]).code, 0);
  assert.equal([...tree(join(dir, "a"))], [...tree(join(dir, "b"))]);
  rmSync(dir, { recursive: true });
});

test(
  "a bad config exits 2 with the config path of each problem, no stack trace, and leaves out/ " +
    "byte-for-byte intact",
  () => {
    const dir = temp();
    const out = join(dir, "out");
    assert.is(cli(["generate", "--out", out]).code, 0);
    const before = tree(out);
    const mtime = statSync(join(out, "base/kustomization.yaml")).mtimeMs;
    const bad = writeConfig(dir, { services: { "risk-engine": { resources: { requests: { cpu: "2 cores" } } } } });
    const r = cli(["generate", "--config", bad, "--out", out]);
    assert.is(r.code, 2);
    assert.match(
      r.stderr,
      'services.risk-engine.resources.requests.cpu: expected a CPU quantity like "2" or "500m", got "2 cores"',
    );
    assert.not.match(r.stderr, /\n\s+at /);
    assert.equal([...tree(out)], [...before]);
    assert.is(statSync(join(out, "base/kustomization.yaml")).mtimeMs, mtime);
    assert.equal(readdirSync(dir).sort(), ["out", "platform.config.ts"], "no staging folder left behind");
    rmSync(dir, { recursive: true });
  },
);

test("a config that does not load exits 2 naming the file", () => {
  const dir = temp();
  const file = join(dir, "broken.config.ts");
  writeFileSync(file, "export default {\n");
  const r = cli(["generate", "--config", file, "--out", join(dir, "out")]);
  assert.is(r.code, 2);
  assert.match(r.stderr, `${file}: the config does not load`);
  assert.is(existsSync(join(dir, "out")), false);
  const missing = cli(["generate", "--config", join(dir, "nope.ts"), "--out", join(dir, "out")]);
  assert.is(missing.code, 2);
  assert.match(missing.stderr, "no such config file");
  rmSync(dir, { recursive: true });
});

test("generate removes files it no longer produces and keeps files it never wrote", () => {
  const dir = temp();
  const out = join(dir, "out");
  assert.is(cli(["generate", "--out", out]).code, 0);
  writeFileSync(join(out, "NOTES.md"), "hand-written\n");
  const smaller = writeConfig(dir, {
    storage: { cache: null },
    services: { "market-data": { volumes: [{ claim: "logs", mountPath: "/var/log/nautilus" }] } },
    environments: { dev: { storage: { cache: null } } },
  });
  const r = cli(["generate", "--config", smaller, "--out", out]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, "removed");
  assert.is(existsSync(join(out, "base/storage/persistentvolumeclaim-nautilus-cache.yaml")), false);
  assert.is(existsSync(join(out, "rendered/prod/nautilus-trading/persistentvolumeclaim-nautilus-cache.yaml")), false);
  assert.is(readFileSync(join(out, "NOTES.md"), "utf8"), "hand-written\n");
  rmSync(dir, { recursive: true });
});

test("generate refuses a folder it did not write, and to overwrite a file it did not write", () => {
  const dir = temp();
  const out = join(dir, "out");
  cpSync(join(ROOT, "test/fixtures/out/foreign"), out, { recursive: true });
  const r = cli(["generate", "--out", out]);
  assert.is(r.code, 2);
  assert.match(r.stderr, `${out}/ is not empty and has no .generated-files written by this tool`);
  assert.match(r.stderr, "(base/kustomization.yaml)");
  assert.is(readFileSync(join(out, "base/kustomization.yaml"), "utf8"), "# mine\n");
  // Ours, with a manifest, but this one file was put there by hand.
  const ours = join(dir, "ours");
  assert.is(cli(["generate", "--out", ours]).code, 0);
  const manifest = join(ours, ".generated-files");
  writeFileSync(manifest, readFileSync(manifest, "utf8").replace("base/kustomization.yaml\n", ""));
  writeFileSync(join(ours, "base/kustomization.yaml"), "# mine\n");
  const clash = cli(["generate", "--out", ours]);
  assert.is(clash.code, 2);
  assert.match(clash.stderr, "would overwrite files this tool did not generate: base/kustomization.yaml");
  assert.is(readFileSync(join(ours, "base/kustomization.yaml"), "utf8"), "# mine\n");
  rmSync(dir, { recursive: true });
});

test("check passes on the committed out/ and exits 1 naming a hand-edited file", () => {
  assert.is(cli(["check"]).code, 0);
  const dir = temp();
  const out = join(dir, "out");
  cpSync(join(ROOT, "out"), out, { recursive: true });
  const file = join(out, "overlays/prod/kustomization.yaml");
  writeFileSync(file, readFileSync(file, "utf8") + "# tweak\n");
  const r = cli(["check", "--out", out]);
  assert.is(r.code, 1);
  assert.match(r.stdout, `${out}/overlays/prod/kustomization.yaml differs from what platform.config.ts generates`);
  rmSync(dir, { recursive: true });
});

test("check names missing and stale files", () => {
  const dir = temp();
  const out = join(dir, "out");
  cpSync(join(ROOT, "out"), out, { recursive: true });
  rmSync(join(out, "rendered/dev/nautilus-engines/service-nautilus-risk-engine.yaml"));
  writeFileSync(join(out, "base/platform/old.yaml"), "kind: Old\n");
  writeFileSync(
    join(out, ".generated-files"),
    readFileSync(join(out, ".generated-files"), "utf8") + "base/platform/old.yaml\n",
  );
  const r = cli(["check", "--out", out, "--format", "json"]);
  assert.is(r.code, 1);
  const rules = (JSON.parse(r.stdout) as { findings: { rule: string; file: string }[] }).findings.map(
    (f) => `${f.rule} ${f.file}`,
  );
  assert.ok(
    rules.includes(`missing ${out}/rendered/dev/nautilus-engines/service-nautilus-risk-engine.yaml`),
    rules.join("\n"),
  );
  assert.ok(rules.includes(`stale ${out}/base/platform/old.yaml`), rules.join("\n"));
  rmSync(dir, { recursive: true });
});

test("an output path that cannot be a folder, or no out/ to check, exits 2 with the path and no stack trace", () => {
  const dir = temp();
  const file = join(dir, "a-file");
  writeFileSync(file, "x");
  for (const [args, message] of [
    [["generate", "--out", file], `${file}: exists and is not a folder`],
    [["generate", "--out", join(file, "out")], `could not`],
    [
      ["check", "--out", join(dir, "missing")],
      `${join(dir, "missing")}: no such folder; run \`npm run generate\` first`,
    ],
  ] as const) {
    const r = cli([...args]);
    assert.is(r.code, 2, r.stderr);
    assert.match(r.stderr, message);
    assert.not.match(r.stderr, /\n\s+at /);
  }
  assert.is(readFileSync(file, "utf8"), "x");
  rmSync(dir, { recursive: true });
});

test("usage errors exit 2 and every command has --help", () => {
  assert.is(cli(["frobnicate"]).code, 2);
  assert.is(cli(["generate", "--nope"]).code, 2);
  assert.is(cli(["check", "--format", "xml"]).code, 2);
  for (const cmd of ["generate", "check"]) {
    const r = cli([cmd, "--help"]);
    assert.is(r.code, 0);
    assert.match(r.stdout, `Usage: platform ${cmd}`);
  }
});

test.run();
