/**
 * The real tools' result cache (bin/tool-cache.ts): a run on unchanged inputs is answered without starting the
 * tool; any changed input byte, argument or binary is a miss; a corrupt entry is a miss; concurrent writers leave
 * whole entries; PLATFORM_NO_CACHE turns it off. And with a warm cache, a changed rule or overlay still gives the
 * tools' findings.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn, spawnSync } from "node:child_process";
import {
  chmodSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { OBSERVABILITY_OUT } from "../core/layout.ts";
import { runAmtool } from "../engines/amtool.ts";
import { checkKustomize, KUSTOMIZE_OBJECT_LIMIT, kustomizeBuild } from "../engines/kustomize.ts";
import { runPromtool } from "../engines/promtool.ts";
import { runTool, type ToolRunner } from "../engines/tool-runner.ts";
import {
  cachedKustomizeBuild,
  cachedRunner,
  kustomizeRoots,
  pruneCache,
  readEntry,
  toolCacheDir,
  writeEntry,
} from "../bin/tool-cache.ts";
import { toolsAside } from "../bin/tools-aside.ts";
import { cachedObjectEngines, runObjectEngines } from "../bin/object-engines.ts";
import { readPolicySources } from "../bin/policies.ts";
import type { Deployment } from "kubernetes-types/apps/v1.js";
import { bundleOf, ROOT } from "./support/config.ts";
import { ensureAmtool, ensurePromtool } from "./support/tools.ts";

for (const ensure of [ensurePromtool, ensureAmtool]) {
  const r = ensure();
  if (!r.ok) throw new Error(r.message);
}

const temps: string[] = [];
const temp = (name: string) => {
  const dir = mkdtempSync(join(tmpdir(), `platform-tool-cache-${name}-`));
  temps.push(dir);
  return dir;
};

/** A tool that prints its arguments and its input file, and counts its runs in `calls`. */
function fakeTool(dir: string, version = "1"): { tool: string; calls: () => number } {
  const tool = join(dir, "fake-tool");
  const log = join(dir, "calls.log");
  writeFileSync(log, "");
  writeFileSync(tool, `#!/bin/sh\n# version ${version}\necho run >> '${log}'\necho "args: $*"\ncat input.txt\n`);
  chmodSync(tool, 0o755);
  return { tool, calls: () => readFileSync(log, "utf8").split("\n").filter(Boolean).length };
}

function workDir(content = "threshold: 0.5\n"): string {
  const dir = temp("work");
  writeFileSync(join(dir, "input.txt"), content);
  return dir;
}

test("a run on the same tool, arguments and input bytes is answered without starting the tool", () => {
  const { tool, calls } = fakeTool(temp("bin"));
  const cache = temp("cache");
  const work = workDir();
  const first = cachedRunner(cache)(tool, ["check", "input.txt"], work, ["input.txt"]);
  const second = cachedRunner(cache)(tool, ["check", "input.txt"], work, ["input.txt"]);
  assert.equal(second, first);
  assert.match(first.output, "threshold: 0.5");
  assert.is(calls(), 1);
  // Another temporary folder with the same bytes: the folder's name is not part of the key, nor of the output.
  const other = workDir();
  const moved = cachedRunner(cache)(tool, ["check", join(other, "input.txt")], other, ["input.txt"]);
  const again = cachedRunner(cache)(tool, ["check", join(work, "input.txt")], work, ["input.txt"]);
  assert.is(calls(), 2);
  assert.is(again.output, moved.output.split(other).join(work));
});

test("a changed input byte, argument or binary is a miss", () => {
  const bin = temp("bin");
  const { tool, calls } = fakeTool(bin);
  const cache = temp("cache");
  const work = workDir();
  const run = () => cachedRunner(cache)(tool, ["check", "input.txt"], work, ["input.txt"]);
  run();
  writeFileSync(join(work, "input.txt"), "threshold: 0.6\n");
  assert.match(run().output, "threshold: 0.6");
  assert.is(calls(), 2);
  assert.match(cachedRunner(cache)(tool, ["check", "--strict", "input.txt"], work, ["input.txt"]).output, "--strict");
  assert.is(calls(), 3);
  // The same name, size and time, other bytes: the binary's identity is its size and time, so keep the size and
  // change the time, as an upgrade does.
  const before = statSync(tool);
  fakeTool(bin, "2");
  utimesSync(tool, before.atime, new Date(before.mtimeMs + 5000));
  run();
  assert.is(readFileSync(join(bin, "calls.log"), "utf8").split("\n").filter(Boolean).length, 1, "the new binary ran");
  // Without declared inputs every file of the folder counts: a new file is a miss.
  const all = () => cachedRunner(cache)(tool, ["check"], work);
  all();
  all();
  assert.is(readFileSync(join(bin, "calls.log"), "utf8").split("\n").filter(Boolean).length, 2);
  writeFileSync(join(work, "other.yml"), "x: 1\n");
  all();
  assert.is(readFileSync(join(bin, "calls.log"), "utf8").split("\n").filter(Boolean).length, 3);
  assert.ok(calls() >= 3);
});

test("a file that names the temporary folder it is in is the same input in another such folder", () => {
  const { tool, calls } = fakeTool(temp("bin"));
  const cache = temp("cache");
  const run = (work: string) => cachedRunner(cache)(tool, ["check"], work);
  const a = workDir();
  writeFileSync(join(a, "input.txt"), `token: ${a}/token\n`);
  const b = workDir();
  writeFileSync(join(b, "input.txt"), `token: ${b}/token\n`);
  const first = run(a);
  assert.is(run(b).output, first.output.split(a).join(b));
  assert.is(calls(), 1);
  writeFileSync(join(b, "input.txt"), `token: ${a}/token\n`);
  run(b);
  assert.is(calls(), 2, "another folder's path is other bytes");
});

test("promtool and amtool: a warm cache starts no tool; a changed rule file re-runs only the runs that read it", () => {
  const cache = temp("cache");
  let runs: string[] = [];
  const counting: ToolRunner = (tool, args, cwd, inputs) => {
    runs.push(`${tool} ${args.join(" ")}`);
    return runTool(tool, args, cwd, inputs);
  };
  const files = new Map(bundleOf().files);
  const both = () => {
    runs = [];
    const run = cachedRunner(cache, counting);
    return [...runPromtool(files, "out", { run }), ...runAmtool(files, "out", { run })];
  };
  const cold = both();
  const coldRuns = runs.length;
  assert.ok(coldRuns > 5, `${coldRuns}`);
  assert.equal(both(), cold);
  assert.equal(runs, []);
  const rules = `${OBSERVABILITY_OUT.rules}/nautilus-alerts.yaml`;
  assert.ok(files.get(rules)?.includes("> 0.01\n"), "HighErrorRate's threshold is where this test expects it");
  files.set(rules, files.get(rules)!.replace("> 0.01\n", "> 0.02\n"));
  const changed = both();
  assert.ok(runs.length > 0, runs.join("\n"));
  assert.ok(
    runs.some((r) => r.startsWith("promtool check rules ") && r.includes(rules)),
    runs.join("\n"),
  );
  assert.not.ok(
    runs.some((r) => r.startsWith("amtool")),
    "amtool reads no rule file",
  );
  // The meta-monitoring alerts' unit tests read only their own rule file: nothing of theirs runs again.
  const meta = `${OBSERVABILITY_OUT.tests}/PrometheusRuleFailures.yaml`;
  assert.ok(files.get(meta)?.includes("rule_files:\n  - ../rules/nautilus-meta.yaml\n"), "it reads its own rules only");
  assert.not.ok(
    runs.some((r) => r.startsWith("promtool test rules ") && r.includes(meta)),
    runs.join("\n"),
  );
  assert.ok(
    changed.some((f) => f.rule === "test-rules" && f.file === "out/prometheus/tests/HighErrorRate.yaml"),
    JSON.stringify(changed),
  );
});

test("a tool that is not on the PATH is never cached", () => {
  const cache = temp("cache");
  const r = cachedRunner(cache)("nautilus-no-such-tool", [], workDir());
  assert.ok(r.missing);
  assert.equal(readdirSync(cache), []);
});

test("a corrupt, truncated or foreign entry is a miss, never an error, and is replaced", () => {
  const { tool, calls } = fakeTool(temp("bin"));
  const cache = temp("cache");
  const work = workDir();
  const run = () => cachedRunner(cache)(tool, ["check"], work, ["input.txt"]);
  const expected = run();
  const [entry] = readdirSync(cache);
  const file = join(cache, entry!);
  const whole = readFileSync(file, "utf8");
  for (const corrupt of [
    "",
    "{",
    whole.slice(0, whole.length / 2),
    "null",
    '{"format":"other","value":{}}',
    "\u0000",
  ]) {
    writeFileSync(file, corrupt);
    const before = calls();
    assert.equal(run(), expected);
    assert.is(calls(), before + 1, JSON.stringify(corrupt));
  }
  assert.equal(run(), expected);
  assert.is(calls(), 7);
  // An entry stored under another key's name is not that key's.
  writeFileSync(join(cache, `${"0".repeat(64)}.json`), whole);
  assert.is(readEntry(cache, "0".repeat(64)), undefined);
  // An unreadable cache folder (a file in its place) is no cache, not an error.
  const blocked = join(temp("blocked"), "cache");
  writeFileSync(blocked, "not a folder");
  assert.equal(cachedRunner(blocked)(tool, ["check"], work, ["input.txt"]), expected);
});

test("concurrent writers of one key leave a whole entry and no temporary files", async () => {
  const cache = temp("cache");
  const key = "a".repeat(64);
  const module = JSON.stringify(new URL("../bin/tool-cache.ts", import.meta.url).href);
  const writer = (n: number) =>
    new Promise<number>((resolve) => {
      const [at, k] = [JSON.stringify(cache), JSON.stringify(key)];
      const script =
        `const c = await import(${module});` +
        `for (let i = 0; i < 150; i++) {` +
        `  c.writeEntry(${at}, ${k}, { writer: ${n}, pad: "x".repeat(${n} * 50000) });` +
        `  const v = c.readEntry(${at}, ${k});` +
        `  if (v !== undefined && v.pad.length !== v.writer * 50000) process.exit(3);` +
        `}`;
      const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
        cwd: ROOT,
        stdio: "inherit",
      });
      child.on("exit", (code) => resolve(code ?? -1));
    });
  assert.equal(await Promise.all([1, 2, 3, 4].map(writer)), [0, 0, 0, 0], "no reader saw a partial entry");
  const value = readEntry<{ writer: number; pad: string }>(cache, key);
  assert.ok(value && value.pad.length === value.writer * 50000);
  assert.equal(readdirSync(cache), [`${key}.json`]);
});

test("pruning keeps the most recently used entries within the bounds", () => {
  const cache = temp("cache");
  const now = Date.now();
  for (let i = 0; i < 10; i++) {
    writeEntry(cache, `${i}`.padStart(64, "0"), { i });
    const t = new Date(now - (10 - i) * 60_000);
    utimesSync(join(cache, `${`${i}`.padStart(64, "0")}.json`), t, t);
  }
  writeFileSync(join(cache, "x.json.1.tmp"), "left by a writer that died");
  utimesSync(join(cache, "x.json.1.tmp"), new Date(now - 2 * 3600_000), new Date(now - 2 * 3600_000));
  // Read now: the oldest becomes the most recently used.
  assert.equal(readEntry(cache, "0".padStart(64, "0")), { i: 0 });
  pruneCache(cache, 4);
  assert.equal(
    readdirSync(cache).sort(),
    [0, 7, 8, 9].map((i) => `${`${i}`.padStart(64, "0")}.json`),
  );
});

test("PLATFORM_NO_CACHE turns it off; PLATFORM_CACHE_DIR moves it; by default it is in node_modules/.cache", () => {
  assert.is(toolCacheDir({ PLATFORM_NO_CACHE: "1", PLATFORM_CACHE_DIR: "/x" }, ROOT), undefined);
  assert.is(toolCacheDir({ PLATFORM_CACHE_DIR: "/x" }, ROOT), "/x");
  assert.is(toolCacheDir({}, join(ROOT, "out")), join(ROOT, "node_modules/.cache/nautilus-platform"));
  assert.is(toolCacheDir({ PLATFORM_NO_CACHE: "0" }, ROOT), join(ROOT, "node_modules/.cache/nautilus-platform"));
  const { tool, calls } = fakeTool(temp("bin"));
  const work = workDir();
  const off = cachedRunner(toolCacheDir({ PLATFORM_NO_CACHE: "1" }));
  off(tool, ["check"], work);
  off(tool, ["check"], work);
  assert.is(calls(), 2);
});

test("kustomize: the overlay and the bases it names are the inputs; a changed base byte is a miss", () => {
  const dir = temp("kustomize");
  const files: Record<string, string> = {
    "base/kustomization.yaml": "resources:\n  - cm.yaml\n",
    "base/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  x: '1'\n",
    "overlays/prod/kustomization.yaml": "resources:\n  - ../../base\nnamespace: prod\n",
    "unrelated/file.yaml": "x: 1\n",
  };
  for (const [p, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), content);
  }
  const overlay = join(dir, "overlays/prod");
  assert.equal(kustomizeRoots(overlay), [overlay, join(dir, "base")]);
  let builds = 0;
  const counted: typeof kustomizeBuild = (o) => {
    builds++;
    return kustomizeBuild(o);
  };
  const cache = temp("cache");
  const first = cachedKustomizeBuild(cache, counted)(overlay);
  assert.ok(first.ok && first.objects[0]?.metadata?.namespace === "prod", JSON.stringify(first));
  assert.equal(cachedKustomizeBuild(cache, counted)(overlay), first);
  assert.is(builds, 1);
  writeFileSync(join(dir, "unrelated/file.yaml"), "x: 2\n");
  cachedKustomizeBuild(cache, counted)(overlay);
  assert.is(builds, 1, "a file kustomize does not read is not an input");
  writeFileSync(join(dir, "base/cm.yaml"), files["base/cm.yaml"]!.replace("'1'", "'2'"));
  const changed = cachedKustomizeBuild(cache, counted)(overlay);
  assert.is(builds, 2);
  assert.ok(changed.ok && (changed.objects[0] as { data?: { x?: string } }).data?.x === "2");
  // A failure is kustomize's verdict on those bytes: cached too.
  writeFileSync(join(dir, "base/kustomization.yaml"), "resources:\n  - missing.yaml\n");
  const failed = cachedKustomizeBuild(cache, counted)(overlay);
  assert.equal(cachedKustomizeBuild(cache, counted)(overlay), failed);
  assert.ok(!failed.ok);
  assert.is(builds, 3);
  // A remote resource is not cached.
  writeFileSync(join(dir, "base/kustomization.yaml"), "resources:\n  - https://example.invalid/x.yaml\n");
  assert.is(kustomizeRoots(overlay), undefined);
});

test("with a warm cache, a changed alert threshold and a changed overlay still give the tools' findings", async () => {
  const cache = temp("cache");
  const bundle = bundleOf();
  const warm = await toolsAside(bundle.files, "out", cache);
  assert.equal(await toolsAside(bundle.files, "out", cache), warm);
  assert.not.ok(
    [...warm.promtool, ...warm.amtool].some((f) => f.severity === "error"),
    JSON.stringify(warm),
  );
  // A threshold the alert tests do not expect: promtool's unit tests must fail, cache or not.
  const files = new Map(bundle.files);
  const rules = [...files.keys()].find(
    (p) => p.startsWith(`${OBSERVABILITY_OUT.rules}/`) && files.get(p)!.includes("alert: HighErrorRate"),
  )!;
  const text = files.get(rules)!;
  const changed = text.replace(/(alert: HighErrorRate\n(?:.*\n)*?\s+expr: [^\n]*>\s*)([0-9.]+)/, "$1100");
  assert.is.not(changed, text, "the threshold was found");
  files.set(rules, changed);
  const broken = await toolsAside(files, "out", cache);
  assert.ok(
    broken.promtool.some((f) => f.rule === "test-rules" && f.severity === "error"),
    JSON.stringify(broken.promtool),
  );

  // kustomize on a copy of out/, warmed, then one overlay patch changed: the object differs.
  const out = join(temp("out"), "out");
  cpSync(join(ROOT, "out"), out, { recursive: true });
  const kcache = temp("kcache");
  const envs = bundle.environments.filter((e) => e.environment === "prod");
  const check = () => checkKustomize(out, envs, KUSTOMIZE_OBJECT_LIMIT, [], cachedKustomizeBuild(kcache));
  assert.equal(check(), []);
  assert.equal(check(), []);
  const patches = join(out, "overlays/prod/patches");
  const patch = readdirSync(patches).find((f) => f.startsWith("deployment-"))!;
  const before = readFileSync(join(patches, patch), "utf8");
  const after = before.replace(/value: [0-9a-f]{64}/, `value: ${"0".repeat(64)}`);
  assert.is.not(after, before, "the patch sets a checksum");
  writeFileSync(join(patches, patch), after);
  const findings = check();
  assert.ok(
    findings.some((f) => f.rule === "object-differs" && f.path?.startsWith("spec.template.metadata.annotations")),
    JSON.stringify(findings),
  );
});

test("check with a warm cache starts no tool, and PLATFORM_NO_CACHE=1 starts them all", () => {
  // Wrappers that count their runs before running the real tool.
  const bin = temp("wrappers");
  const log = join(bin, "calls.log");
  writeFileSync(log, "");
  for (const tool of ["promtool", "amtool", "kubectl"]) {
    const real = spawnSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" }).stdout.trim();
    writeFileSync(join(bin, tool), `#!/bin/sh\necho ${tool} >> '${log}'\nexec '${real}' "$@"\n`);
    chmodSync(join(bin, tool), 0o755);
  }
  const cache = temp("cache");
  const check = (extra: Record<string, string> = {}) => {
    writeFileSync(log, "");
    const r = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "bin/platform.ts"), "check"], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH}`, PLATFORM_CACHE_DIR: cache, ...extra },
    });
    const calls = readFileSync(log, "utf8").split("\n").filter(Boolean);
    return { code: r.status, out: r.stdout, err: r.stderr, calls };
  };
  const cold = check({ PLATFORM_NO_CACHE: "" });
  assert.is(cold.code, 0, cold.out + cold.err);
  assert.ok(cold.calls.includes("promtool") && cold.calls.includes("amtool") && cold.calls.includes("kubectl"));
  const warm = check({ PLATFORM_NO_CACHE: "" });
  assert.is(warm.code, 0, warm.out + warm.err);
  assert.equal(warm.calls, []);
  assert.is(warm.out, cold.out);
  const off = check({ PLATFORM_NO_CACHE: "1" });
  assert.is(off.calls.length, cold.calls.length);
  assert.is(off.out, cold.out);
});

test("the object engines' findings are remembered by their whole input: a changed object is judged anew", async () => {
  const dir = temp("objects");
  const bundle = bundleOf();
  const kubernetesVersion = bundle.environments[0]!.platform.kubernetesVersion;
  const input = { environments: bundle.environments, policies: readPolicySources(), kubernetesVersion };
  const first = await cachedObjectEngines(dir, input);
  assert.equal(first, await runObjectEngines(input));
  // A hit is what the entry holds: the engines do not run again.
  const [entry] = readdirSync(dir).filter((f) => f.endsWith(".json"));
  const path = join(dir, entry!);
  const planted = { ...JSON.parse(readFileSync(path, "utf8")), value: [{ ...first[0], message: "from the cache" }] };
  writeFileSync(path, JSON.stringify(planted));
  assert.is((await cachedObjectEngines(dir, input))[0]?.message, "from the cache");
  // One container of one environment running as root: a miss, and the policy's finding.
  const changed = structuredClone(input);
  const deployment = changed.environments[2]!.objects.find((o) => o.kind === "Deployment") as Deployment;
  deployment.spec!.template.spec!.containers[0]!.securityContext = { runAsNonRoot: false, runAsUser: 0 };
  const judged = await cachedObjectEngines(dir, changed);
  assert.ok(
    judged.some((f) => f.rule === "non-root" && f.resource?.name === deployment.metadata!.name),
    judged.map((f) => `${f.engine}/${f.rule} ${f.resource?.name}`).join("\n"),
  );
});

test.after(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

test.run();
