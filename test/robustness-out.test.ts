/**
 * generate never harms what it did not write and never leaves out/ half-written; check refuses any file
 * in out/ the config does not generate. Every case runs in its own temporary folder: nothing here
 * writes outside one. Bounded: a fixed list of cases, every spawned process killed after a deadline.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn, spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  chmodSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IN_PROGRESS, MANIFEST, checkDrift } from "../engines/drift.ts";
import { snapshot, writeOut } from "../bin/out-dir.ts";
import { bundleOf, cli, configInput, ROOT } from "./support/config.ts";

const CONFIG = join(ROOT, "platform.config.ts");
const DEADLINE_MS = 60_000;
const temp = () => mkdtempSync(join(tmpdir(), "platform-robust-out-"));

/** A config with fewer files than the real one (no cache volume) and some changed ones. */
const SMALLER = {
  storage: { cache: null },
  services: { "market-data": { volumes: [{ claim: "logs", mountPath: "/var/log/nautilus" }] } },
  environments: { dev: { storage: { cache: null } } },
};

const realFiles = bundleOf().files;
const smallerFiles = bundleOf(SMALLER).files;

function writeConfig(dir: string, overrides: unknown): string {
  const file = join(dir, "platform.config.ts");
  writeFileSync(file, `export default ${JSON.stringify(configInput(overrides), null, 2)};\n`);
  return file;
}

/** Every entry under `dir` except folders: path → content (files) or `-> target` (links). */
function tree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else if (e.isSymbolicLink()) out.set(r, `-> ${readlinkSync(join(dir, r))}`);
      else out.set(r, readFileSync(join(dir, r), "utf8"));
    }
  };
  walk("");
  return out;
}

/** The CLI as a user runs it, with `env` added to the environment. */
function cliWithEnv(args: string[], env: Record<string, string>, cwd = ROOT) {
  const r = spawnSync(process.execPath, ["--import", import.meta.resolve("tsx"), `${ROOT}bin/platform.ts`, ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, ...env },
    timeout: DEADLINE_MS,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Runs `platform generate`; once `when()` holds (polled every millisecond) it calls `meanwhile`, or SIGKILLs
 * the process `killAfterMs` later. Resolves with the exit code (null when killed).
 */
function generateAsync(
  args: string[],
  options: { when?: () => boolean; meanwhile?: () => void; killAfterMs?: number },
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", `${ROOT}bin/platform.ts`, "generate", ...args], {
    cwd: ROOT,
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on("exit", (code) => resolve({ code, stdout, stderr })),
  );
  const timer = setTimeout(() => child.kill("SIGKILL"), DEADLINE_MS);
  done.then(() => clearTimeout(timer));
  if (options.when) {
    const until = Date.now() + DEADLINE_MS;
    while (!options.when() && child.exitCode === null && Date.now() < until) sleep(1);
    options.meanwhile?.();
    if (options.killAfterMs !== undefined) {
      sleep(options.killAfterMs);
      child.kill("SIGKILL");
    }
  }
  return done;
}

const without = (t: Map<string, string>, ...names: string[]) =>
  new Map(
    [...t].filter(
      ([p]) => !names.includes(p) && !p.startsWith(`${IN_PROGRESS.lock}`) && !p.startsWith(`${IN_PROGRESS.staging}/`),
    ),
  );

const same = (a: Map<string, string>, b: Map<string, string>) =>
  a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);

test("check fails on a file added under out/rendered, on a symlink, and on a manifest pointing outside out/", () => {
  const dir = temp();
  const out = join(dir, "out");
  cpSync(join(ROOT, "out"), out, { recursive: true });
  writeFileSync(
    join(out, "rendered/prod/nautilus-trading/pod-evil.yaml"),
    "apiVersion: v1\nkind: Pod\nmetadata: {name: evil, namespace: nautilus-trading}\n" +
      "spec: {containers: [{name: x, image: x, securityContext: {privileged: true}}]}\n",
  );
  symlinkSync("../../../base/kustomization.yaml", join(out, "rendered/dev/nautilus-trading/link.yaml"));
  writeFileSync(join(out, MANIFEST), `${readFileSync(join(out, MANIFEST), "utf8")}../decoy/x\n/etc/hostname\n`);
  const r = cli(["check", "--out", `${out}/`, "--format", "json"]);
  assert.is(r.code, 1, r.stderr);
  const findings = (JSON.parse(r.stdout) as { findings: { rule: string; file?: string; message: string }[] }).findings;
  const ids = findings.map((f) => `${f.rule} ${f.file ?? ""}`);
  for (const id of [
    `unexpected-file ${out}/rendered/prod/nautilus-trading/pod-evil.yaml`,
    `unexpected-file ${out}/rendered/dev/nautilus-trading/link.yaml`,
    `changed ${out}/${MANIFEST}`,
    `manifest-outside ${out}/${MANIFEST}`,
  ])
    assert.ok(ids.includes(id), `${id} not in:\n${ids.join("\n")}`);
  assert.ok(
    findings.every((f) => !f.file?.includes("hostname") && !f.file?.includes("decoy")),
    "a path outside out/ is never read or named as a file",
  );
  assert.not.match(r.stdout, `${out}//`, "out/ with a trailing slash is named once");
  rmSync(dir, { recursive: true });
});

test("a deleted manifest fails check, and generate rebuilds it when the folder holds exactly our files", () => {
  const dir = temp();
  const out = join(dir, "out");
  const files = realFiles;
  writeOut(out, files, CONFIG);
  const manifest = readFileSync(join(out, MANIFEST), "utf8");
  rmSync(join(out, MANIFEST));
  const drift = checkDrift(files, snapshot(out, files.keys()), out);
  assert.equal(
    drift.map((f) => `${f.rule} ${f.file}`),
    [`out-of-date ${out}/`, `missing ${out}/${MANIFEST}`],
  );
  const r = writeOut(out, files, CONFIG);
  assert.equal([r.written, r.removed], [0, []]);
  assert.is(readFileSync(join(out, MANIFEST), "utf8"), manifest);
  // Not exactly ours: a foreign file and no manifest, so generate cannot tell which files it may replace.
  rmSync(join(out, MANIFEST));
  writeFileSync(join(out, "NOTES.md"), "mine\n");
  assert.throws(
    () => writeOut(out, files, CONFIG),
    (e: Error) =>
      e.message.includes(`${out}/ is not empty and has no ${MANIFEST} written by this tool`) &&
      e.message.includes("(NOTES.md)"),
  );
  assert.is(existsSync(join(out, MANIFEST)), false);
  rmSync(dir, { recursive: true });
});

test("manifest entries outside out/ are ignored with a warning, never removed", () => {
  const dir = temp();
  const out = join(dir, "out");
  mkdirSync(join(dir, "decoy"));
  writeFileSync(join(dir, "decoy/x"), "decoy\n");
  const hostname = existsSync("/etc/hostname") ? statSync("/etc/hostname").mtimeMs : undefined;
  writeOut(out, realFiles, CONFIG);
  writeFileSync(join(out, MANIFEST), `${readFileSync(join(out, MANIFEST), "utf8")}../decoy/x\n/etc/hostname\n`);
  const r = writeOut(out, smallerFiles, CONFIG);
  assert.equal(r.warnings, [
    `${out}/${MANIFEST} lists "../decoy/x", which is not inside ${out}/; ignored`,
    `${out}/${MANIFEST} lists "/etc/hostname", which is not inside ${out}/; ignored`,
  ]);
  assert.ok(r.removed.length > 0);
  assert.ok(
    r.removed.every((p) => !p.includes("decoy") && !p.includes("hostname")),
    r.removed.join(", "),
  );
  assert.is(readFileSync(join(dir, "decoy/x"), "utf8"), "decoy\n");
  if (hostname !== undefined) assert.is(statSync("/etc/hostname").mtimeMs, hostname);
  assert.not.match(readFileSync(join(out, MANIFEST), "utf8"), "decoy");
  rmSync(dir, { recursive: true });
});

test("foreign files stay untouched: mode 0700, relative symlinks, hard links, empty folders", () => {
  const dir = temp();
  const out = join(dir, "out");
  writeOut(out, realFiles, CONFIG);
  mkdirSync(join(out, "private"), { mode: 0o700 });
  chmodSync(join(out, "private"), 0o700);
  writeFileSync(join(out, "private/key"), "secret\n", { mode: 0o600 });
  chmodSync(join(out, "private/key"), 0o600);
  linkSync(join(out, "private/key"), join(out, "key-hardlink"));
  symlinkSync("rendered/prod", join(out, "latest"));
  symlinkSync("../overlays/prod/kustomization.yaml", join(out, "base/prod-kustomization.yaml"));
  mkdirSync(join(out, "empty"));
  mkdirSync(join(out, "base/services/empty-too"));
  const before = {
    dir: lstatSync(join(out, "private")),
    key: lstatSync(join(out, "private/key")),
  };
  assert.ok(writeOut(out, smallerFiles, CONFIG).removed.length > 0);
  const dirStat = lstatSync(join(out, "private"));
  const keyStat = lstatSync(join(out, "private/key"));
  assert.is(dirStat.mode & 0o7777, 0o700);
  assert.is(keyStat.mode & 0o7777, 0o600);
  assert.equal(
    [dirStat.ino, dirStat.uid, keyStat.ino, keyStat.mtimeMs],
    [before.dir.ino, before.dir.uid, before.key.ino, before.key.mtimeMs],
  );
  assert.is(lstatSync(join(out, "key-hardlink")).ino, keyStat.ino, "the hard link is not split");
  assert.is(readlinkSync(join(out, "latest")), "rendered/prod");
  assert.is(readlinkSync(join(out, "base/prod-kustomization.yaml")), "../overlays/prod/kustomization.yaml");
  assert.ok(statSync(join(out, "empty")).isDirectory());
  assert.ok(statSync(join(out, "base/services/empty-too")).isDirectory());
  rmSync(dir, { recursive: true });
});

test("a file written into out/ while generate runs survives it", async () => {
  const dir = temp();
  const out = join(dir, "out");
  writeOut(out, realFiles, CONFIG);
  const smaller = writeConfig(dir, SMALLER);
  const late = {
    "rendered/prod/nautilus-trading/written-meanwhile.yaml": "kind: Note\n",
    "written-meanwhile.md": "notes\n",
  };
  const r = await generateAsync(["--config", smaller, "--out", out], {
    when: () => existsSync(join(out, IN_PROGRESS.lock)),
    meanwhile: () => {
      for (const [p, c] of Object.entries(late)) writeFileSync(join(out, p), c);
    },
  });
  assert.is(r.code, 0, r.stderr);
  for (const [p, c] of Object.entries(late)) assert.is(readFileSync(join(out, p), "utf8"), c, p);
  assert.is(existsSync(join(out, "base/storage/persistentvolumeclaim-nautilus-cache.yaml")), false);
  rmSync(dir, { recursive: true });
});

test("SIGKILL at any point leaves out/ old or new, every file whole, and the next generate finishes", async () => {
  const dir = temp();
  const oldFiles = smallerFiles;
  const newFiles = realFiles;
  const template = join(dir, "template");
  writeOut(template, oldFiles, CONFIG);
  writeFileSync(join(template, "NOTES.md"), "mine\n");
  const oldTree = without(tree(template), MANIFEST);
  const fresh = join(dir, "fresh");
  writeOut(fresh, newFiles, CONFIG);
  const newTree = without(tree(fresh), MANIFEST);
  newTree.set("NOTES.md", "mine\n");
  const templateManifest = readFileSync(join(template, MANIFEST), "utf8");
  // Among the first renames (the run writes in the order of the bundle); it exists in the old tree too.
  const firstChanged = [...newFiles].find(([p, c]) => oldFiles.has(p) && oldFiles.get(p) !== c)!;
  const entries = (path: string) => (existsSync(path) ? readdirSync(path).length : 0);
  // Points of a run, seen from outside: locked, new content staged, the manifest rewritten (the renames
  // begin), and plain delays after the lock.
  const points: [string, (out: string) => boolean, number][] = [
    ["locked", (out) => existsSync(join(out, IN_PROGRESS.lock)), 0],
    ["staged", (out) => entries(join(out, IN_PROGRESS.staging)) > 0, 0],
    ["renaming", (out) => readFileSync(join(out, MANIFEST), "utf8") !== templateManifest, 0],
    ["first file renamed", (out) => readFileSync(join(out, firstChanged[0]), "utf8") === firstChanged[1], 0],
    ["locked + 15 ms", (out) => existsSync(join(out, IN_PROGRESS.lock)), 15],
  ];
  const outcomes: string[] = [];
  for (const [index, [point, when, killAfterMs]] of points.entries()) {
    const out = join(dir, `out-${index}`);
    cpSync(template, out, { recursive: true });
    const r = await generateAsync(["--out", out], { when: () => when(out), killAfterMs });
    const after = without(tree(out), MANIFEST);
    const state = same(after, oldTree) ? "old" : same(after, newTree) ? "new" : "mixed";
    outcomes.push(`${point}: ${r.code === null ? "killed" : `exit ${r.code}`}, ${state}`);
    if (state === "mixed") {
      // Killed between two renames: every file is still a whole version, and the manifest, written
      // before the first rename, lists every file of ours so the next run can finish.
      for (const [p, c] of after)
        assert.ok(c === oldTree.get(p) || c === newTree.get(p), `${p} is neither the old nor the new file`);
      const listed = new Set(readFileSync(join(out, MANIFEST), "utf8").split("\n"));
      for (const p of after.keys()) assert.ok(p === "NOTES.md" || listed.has(p), `${p} not in the manifest`);
    }
    const interrupted = existsSync(join(out, IN_PROGRESS.lock));
    const next = writeOut(out, newFiles, CONFIG);
    assert.equal(without(tree(out), MANIFEST), newTree, point);
    assert.equal(
      readdirSync(out).filter((e) => e.startsWith(".generate-")),
      [],
      `no leftovers after the next run (${point})`,
    );
    assert.is(readFileSync(join(out, MANIFEST), "utf8"), readFileSync(join(fresh, MANIFEST), "utf8"));
    if (interrupted)
      assert.ok(
        next.warnings.some((w) => w.includes("interrupted")),
        next.warnings.join("\n"),
      );
  }
  assert.is(outcomes.length, points.length, outcomes.join("\n"));
  rmSync(dir, { recursive: true });
});

test("a run killed between two renames is finished by the next: check fails until then", () => {
  const dir = temp();
  const out = join(dir, "out");
  writeOut(out, smallerFiles, CONFIG);
  writeFileSync(join(out, "NOTES.md"), "mine\n");
  // What a run from the smaller config to the real one leaves when killed after its first renames:
  // the manifest lists old and new files, a few new files are in place, the rest still staged.
  const union = new Set([...realFiles.keys(), ...smallerFiles.keys()]);
  writeFileSync(
    join(out, MANIFEST),
    `${readFileSync(join(out, MANIFEST), "utf8").split("\n")[0]}\n${[...union].join("\n")}\n`,
  );
  const changed = [...realFiles].filter(([p, c]) => smallerFiles.get(p) !== c);
  assert.ok(changed.length > 4);
  for (const [p, c] of changed.slice(0, 3)) {
    mkdirSync(join(out, p, ".."), { recursive: true });
    writeFileSync(join(out, p), c);
  }
  mkdirSync(join(out, IN_PROGRESS.staging));
  writeFileSync(join(out, IN_PROGRESS.staging, "3"), changed[3]![1]);
  writeFileSync(join(out, IN_PROGRESS.lock), "2147483646\n");
  const drift = checkDrift(realFiles, snapshot(out, realFiles.keys()), out);
  assert.ok(drift.some((f) => f.rule === "out-of-date"));
  assert.ok(drift.some((f) => f.rule === "interrupted"));
  const r = writeOut(out, realFiles, CONFIG);
  assert.is(r.written, changed.length - 3);
  const fresh = join(dir, "fresh");
  writeOut(fresh, realFiles, CONFIG);
  const expected = tree(fresh);
  expected.set("NOTES.md", "mine\n");
  assert.equal(tree(out), expected);
  assert.equal(
    checkDrift(realFiles, snapshot(out, realFiles.keys()), out).map((f) => `${f.rule} ${f.file}`),
    [`unexpected-file ${out}/NOTES.md`],
  );
  rmSync(dir, { recursive: true });
});

test("a leftover lock of a dead run is taken over and reported; a live one refuses", () => {
  const dir = temp();
  const out = join(dir, "out");
  writeOut(out, realFiles, CONFIG);
  mkdirSync(join(out, IN_PROGRESS.staging));
  writeFileSync(join(out, IN_PROGRESS.staging, "0"), "half");
  writeFileSync(join(out, IN_PROGRESS.lock), "2147483646\n");
  const drift = checkDrift(realFiles, snapshot(out, realFiles.keys()), out);
  assert.equal(
    drift.map((f) => f.rule),
    ["interrupted"],
  );
  const r = writeOut(out, realFiles, CONFIG);
  assert.ok(
    r.warnings.some((w) => w.includes("interrupted (process 2147483646)")),
    r.warnings.join("\n"),
  );
  assert.equal(
    readdirSync(out).filter((e) => e.startsWith(".generate-")),
    [],
  );
  // The process that runs this test file is alive: its lock is another generate's.
  writeFileSync(join(out, IN_PROGRESS.lock), `${process.ppid}\n`);
  assert.throws(
    () => writeOut(out, realFiles, CONFIG),
    (e: Error) => e.message.includes(`another generate (process ${process.ppid}) is writing ${out}/ now`),
  );
  assert.is(readFileSync(join(out, IN_PROGRESS.lock), "utf8"), `${process.ppid}\n`, "a live lock is left alone");
  rmSync(dir, { recursive: true });
});

test("generate never writes through a symbolic link in out/ into a folder elsewhere", () => {
  const dir = temp();
  const out = join(dir, "out");
  writeOut(out, realFiles, CONFIG);
  cpSync(join(out, "grafana"), join(dir, "elsewhere"), { recursive: true });
  rmSync(join(out, "grafana"), { recursive: true });
  symlinkSync("../elsewhere", join(out, "grafana"));
  const before = tree(join(dir, "elsewhere"));
  const dashboard = [...realFiles.keys()].find((p) => p.startsWith("grafana/"))!;
  writeFileSync(join(dir, "elsewhere", dashboard.slice("grafana/".length)), "changed elsewhere\n");
  before.set(dashboard.slice("grafana/".length), "changed elsewhere\n");
  assert.throws(
    () => writeOut(out, realFiles, CONFIG),
    (e: Error) => e.message.includes(`${out}/grafana is a symbolic link where generate needs a folder`),
  );
  assert.equal(tree(join(dir, "elsewhere")), before);
  rmSync(dir, { recursive: true });
});

test("copies an earlier version left beside or inside out/ are reported, not removed", () => {
  const dir = temp();
  const out = join(dir, "out");
  writeOut(out, realFiles, CONFIG);
  mkdirSync(join(dir, "out.staging-123"));
  mkdirSync(join(dir, "out.previous-124"));
  mkdirSync(join(out, ".staging-125"));
  const r = writeOut(`${out}/`, realFiles, CONFIG);
  assert.equal(
    r.warnings.map((w) => w.split(" looks like")[0]),
    [join(dir, "out.previous-124"), join(dir, "out.staging-123"), `${out}/.staging-125`],
  );
  assert.equal(readdirSync(dir).sort(), ["out", "out.previous-124", "out.staging-123"]);
  assert.ok(existsSync(join(out, ".staging-125")));
  rmSync(dir, { recursive: true });
});

test("--out refuses /, the home folder, the repository root and foreign folders before writing anything", () => {
  const dir = temp();
  const home = join(dir, "home");
  mkdirSync(join(home, ".ssh"), { recursive: true, mode: 0o700 });
  writeFileSync(join(home, ".ssh/id"), "key\n");
  symlinkSync("/", join(dir, "root-link"));
  mkdirSync(join(dir, "foreign"));
  writeFileSync(join(dir, "foreign/file.txt"), "x\n");
  const rootBefore = readdirSync("/").sort();
  // As a user meets them: exit 2 and the reason, before the config is even loaded.
  for (const [out, message] of [
    [`${join(dir, "root-link")}/`, "it is the root of the file system"],
    [home, "it is your home folder"],
  ]) {
    const r = cliWithEnv(["generate", "--out", out!], { HOME: home });
    assert.is(r.code, 2, `${out}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, `error: --out ${out}: refusing to write there: ${message}`);
    assert.not.match(r.stderr, /\n\s+at /);
  }
  const checkRoot = cliWithEnv(["check", "--out", join(dir, "root-link")], { HOME: home });
  assert.is(checkRoot.code, 2, checkRoot.stdout + checkRoot.stderr);
  assert.match(checkRoot.stderr, "refusing to check it: it is the root of the file system");
  const previousHome = process.env.HOME;
  process.env.HOME = home;
  try {
    for (const [out, message] of [
      [join(dir, "root-link"), "it is the root of the file system"],
      [join(dir, "root-link", "tmp", ".."), "it is the root of the file system"],
      [join(home, ".."), "it holds your home folder"],
      [ROOT, "it is the folder that holds"],
      [join(ROOT, ".."), "it holds"],
      [join(dir, "foreign"), "is not empty and has no .generated-files written by this tool"],
    ])
      assert.throws(
        () => writeOut(out!, realFiles, CONFIG),
        (e: Error) => e.message.includes(message!),
        out,
      );
  } finally {
    process.env.HOME = previousHome;
  }
  assert.equal(readdirSync("/").sort(), rootBefore, "nothing written to /");
  assert.equal(readdirSync(home).sort(), [".ssh"]);
  assert.is(statSync(join(home, ".ssh")).mode & 0o777, 0o700);
  assert.equal(readdirSync(join(dir, "foreign")), ["file.txt"]);
  rmSync(dir, { recursive: true });
});

test("--out out/ and --out . write in place and leave no copies", () => {
  const dir = temp();
  const out = join(dir, "out");
  const slash = cli(["generate", "--out", `${out}/`]);
  assert.is(slash.code, 0, slash.stderr);
  assert.match(slash.stdout, `in ${out}/:`);
  const again = cliWithEnv(["generate", "--config", CONFIG, "--out", "."], {}, out);
  assert.is(again.code, 0, again.stderr);
  assert.match(again.stdout, "nothing changed");
  assert.equal(readdirSync(dir), ["out"]);
  assert.equal(
    readdirSync(out).filter((e) => e.startsWith(".") && e !== MANIFEST),
    [],
  );
  assert.equal(without(tree(out), MANIFEST).size, realFiles.size);
  rmSync(dir, { recursive: true });
});

test.run();
