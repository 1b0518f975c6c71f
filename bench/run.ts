/**
 * `npm run bench`: first cold processes through the real CLI, bundled (dist/platform.mjs) and under tsx, as a
 * user and the pre-commit hook meet them (`--help`, `generate` + `check` on the real config and on 1,000
 * services, `vet` of their rendered manifests), with peak memory; then how generation, the in-process engines
 * and kustomize scale with the number of services, each figure the median of several runs and printed as a
 * ratio to the real config's figure measured in the same run, so a slower machine does not change the
 * conclusion; and the floor under each goal (bench/floors.ts), measured on the cold rows' own inputs. Writes
 * bench/results.md with the figures, the machine, the goals of issue 14 and what stops those not met.
 * Never part of `npm test`.
 *
 *   npx tsx bench/run.ts --only '10000 services'   only the cold rows whose case matches the regular expression,
 *                                                   printed; neither the in-process part nor bench/results.md
 *   npx tsx bench/run.ts --floors                   only the floors (with --only, beside those cold rows), their
 *                                                   table printed; bench/results.md untouched
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { readPolicySources } from "../bin/policies.ts";
import {
  checkFloor,
  checkFloorMs,
  count,
  describeCheckFloor,
  distance,
  type FloorRow,
  floorTable,
  scaled,
  seconds,
  startupFloor,
  vetFloor,
} from "./floors.ts";
import { findingLine } from "../core/finding.ts";
import { generateBundle, type Bundle } from "../generators/bundle.ts";
import { KUSTOMIZE_OBJECT_LIMIT, kustomizeBuild } from "../engines/kustomize.ts";
import { runObjectEngines } from "../bin/object-engines.ts";
import { runAmtool } from "../engines/amtool.ts";
import { runPromtool } from "../engines/promtool.ts";
import { configInput, platformOf, ROOT, withSyntheticServices } from "../test/support/config.ts";
import { GIT_ENV, git, repositoryCopy } from "../test/support/repository.ts";

const policies = readPolicySources();

/** The real config plus `extraServices` synthetic ones, on enough nodes for them all in every environment. */
const withServices = withSyntheticServices;

function bundleWith(extraServices: number): Bundle {
  const r = generateBundle(platformOf(withServices(extraServices)), policies);
  if (!r.ok) throw new Error(r.errors.map(findingLine).join("\n"));
  return r.bundle;
}

async function median(runs: number, f: () => unknown | Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await f();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}

function writeTree(files: ReadonlyMap<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "platform-bench-"));
  for (const [p, c] of files) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), c);
  }
  return dir;
}

// ---- Cold processes through the real CLI ----

const build = spawnSync(process.execPath, [join(ROOT, "bin/build.mjs"), "--if-stale"], { stdio: "inherit" });
if (build.status !== 0) throw new Error("bin/build.mjs failed");

const CLIS = {
  bundled: [process.execPath, join(ROOT, "dist/platform.mjs")],
  // What `npx tsx bin/platform.ts` runs (the tsx CLI starts node again with its loaders).
  tsx: [join(ROOT, "node_modules/.bin/tsx"), join(ROOT, "bin/platform.ts")],
} as const;
type Cli = keyof typeof CLIS;

const TIME = "/usr/bin/time";
const hasTime = existsSync(TIME);
/** coreutils' timeout puts the run in a process group of its own and ends all of it, kubectl and promtool too. */
const TIMEOUT = "/usr/bin/timeout";

/** `unfinished`: stopped at its time limit, or not run because the step before it was; `ms` is then no result. */
type Figure = { ms: number; cpuMs?: number; peakMb?: number; unfinished?: string };

const onlyAt = process.argv.indexOf("--only");
const floorsOnly = process.argv.includes("--floors");
// --floors alone runs no cold row: their figures are the floor table's "now", left empty.
const only = onlyAt >= 0 ? new RegExp(process.argv[onlyAt + 1] ?? "") : floorsOnly ? /(?!)/ : undefined;
/** Either flag measures a part and writes nothing. */
const partial = only !== undefined;

/** Issue 14's goals, written once: the cold table's goal column and the floor table read them. */
const GOAL = {
  helpMs: 300,
  realMs: 1500,
  bigMs: 4000,
  bigMb: 1024,
  vetMs: 1000,
  vetDocuments: 10_000,
  /** 10,000 services against 1,000: linear is at most ten times the CPU. */
  hugeGrowth: 10,
};
const under = (ms: number) => `< ${ms / 1000} s`;

/**
 * One cold run: wall time, and with GNU time the CPU time (user + system, the process and its children) and the
 * peak resident memory of the largest process of the run. CPU time is the steadier figure on a shared machine.
 */
function coldRun(cli: Cli, args: string[], limitS?: number, env: NodeJS.ProcessEnv = process.env): Figure {
  return timedRun([...CLIS[cli], ...args], ROOT, limitS, env);
}

/** `cmd` run once in `cwd`, measured as `coldRun` says. */
function timedRun(cmd: string[], cwd: string, limitS?: number, env: NodeJS.ProcessEnv = process.env): Figure {
  const timed = hasTime ? [TIME, "-v", ...cmd] : cmd;
  const argv = limitS === undefined ? timed : [TIMEOUT, "--kill-after=10", String(limitS), ...timed];
  const t = performance.now();
  const r = spawnSync(argv[0]!, argv.slice(1), { cwd, env, encoding: "utf8", maxBuffer: 512 * 1024 * 1024 });
  const ms = performance.now() - t;
  // 124: timeout stopped it; 137: it had to kill it after the grace period.
  if (limitS !== undefined && (r.status === 124 || r.status === 137))
    return { ms, unfinished: `stopped after ${limitS} s` };
  if (r.status !== 0) throw new Error(`${cmd.join(" ")} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  const field = (name: string) => {
    const m = new RegExp(`${name}: ([\\d.]+)`).exec(r.stderr ?? "");
    return m ? Number(m[1]) : undefined;
  };
  const user = field("User time \\(seconds\\)");
  const system = field("System time \\(seconds\\)");
  const rss = field("Maximum resident set size \\(kbytes\\)");
  return {
    ms,
    ...(user !== undefined && system !== undefined ? { cpuMs: (user + system) * 1000 } : {}),
    ...(rss !== undefined ? { peakMb: rss / 1024 } : {}),
  };
}

/**
 * How `check` finds the result cache (bin/tool-cache.ts): "off" measures all the work, as CI and a fresh clone do;
 * "warm" primes it with one run first, as the pre-commit hook finds it when out/ is what it checked before.
 */
type Cache = "off" | "warm";
const NO_CACHE = { ...process.env, PLATFORM_NO_CACHE: "1" };

/** The run of median wall time among `runs` cold runs, with the highest peak memory among them. */
function cold(cli: Cli, args: string[], runs: number, limitS?: number, cache: Cache = "off"): Figure {
  const env = cache === "off" ? NO_CACHE : process.env;
  if (cache === "warm") coldRun(cli, args, limitS, env);
  return medianFigure(Array.from({ length: runs }, () => coldRun(cli, args, limitS, env)));
}

/** The run of median wall time, with the highest peak memory among `all`. */
function medianFigure(all: Figure[]): Figure {
  const sorted = [...all].sort((a, b) => a.ms - b.ms);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  const peaks = sorted.flatMap((r) => (r.peakMb === undefined ? [] : [r.peakMb]));
  return peaks.length > 0 ? { ...median, peakMb: Math.max(...peaks) } : median;
}

const work = mkdtempSync(join(tmpdir(), "platform-bench-cli-"));

/** A folder of `work` holding a config of `services` services in all (the real 7 and synthetic ones). */
function syntheticConfig(name: string, services: number): { dir: string; config: string } {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
  const config = join(dir, "platform.config.ts");
  writeFileSync(config, `export default ${JSON.stringify(configInput(withServices(services - 7)), null, 2)};\n`);
  return { dir, config };
}

const realConfig = join(ROOT, "platform.config.ts");
const BIG = 1000;
const { dir: bigDir, config: bigConfig } = syntheticConfig("big", BIG);
/** 10,000 services must complete and grow linearly from 1,000: each step gets a time limit, so a floor shows. */
const HUGE = 10_000;
const HUGE_LIMIT_S = Number(process.env.BENCH_LIMIT_S ?? 600);
const { dir: hugeDir, config: hugeConfig } = syntheticConfig("huge", HUGE);

const BIG_VET = `${BIG} services: \`vet\` of the rendered manifests`;
/** Both layers' rendered manifests of a generated tree: an environment's namespaces are in the cluster layer. */
const bigRendered = (out: string) => [join(out, "cluster", "rendered"), join(out, "rendered")];

type ColdRow = { case: string; goal: string; figures: { bundled: Figure; tsx?: Figure | undefined } };
const loadBefore = loadavg()[0]!;
const coldRows: ColdRow[] = [];
const COLD: [name: string, goal: string, runs: number, args: (cli: Cli) => string[], limitS?: number, cache?: Cache][] =
  [
    ["`--help`", under(GOAL.helpMs), 5, () => ["--help"]],
    ["real config: `generate`", "", 3, (cli: Cli) => ["generate", "--config", realConfig, "--out", join(work, cli)]],
    [
      "real config: `check`, result cache warm",
      "",
      3,
      (cli: Cli) => ["check", "--config", realConfig, "--out", join(work, cli)],
      undefined,
      "warm",
    ],
    [
      "real config: `check`, no result cache",
      "",
      3,
      (cli: Cli) => ["check", "--config", realConfig, "--out", join(work, cli)],
    ],
    [
      `${BIG} services: \`generate\``,
      "",
      1,
      (cli: Cli) => ["generate", "--config", bigConfig, "--out", join(bigDir, `out-${cli}`)],
    ],
    [
      `${BIG} services: \`check\``,
      "",
      1,
      (cli: Cli) => ["check", "--config", bigConfig, "--out", join(bigDir, `out-${cli}`)],
    ],
    [BIG_VET, "", 1, (cli: Cli) => ["vet", ...bigRendered(join(bigDir, `out-${cli}`))]],
    [
      `${HUGE} services: \`generate\``,
      "",
      1,
      (cli: Cli) => ["generate", "--config", hugeConfig, "--out", join(hugeDir, `out-${cli}`)],
      HUGE_LIMIT_S,
    ],
    [
      `${HUGE} services: \`check\``,
      "",
      1,
      (cli: Cli) => ["check", "--config", hugeConfig, "--out", join(hugeDir, `out-${cli}`)],
      HUGE_LIMIT_S,
    ],
  ];
for (const [name, goal, runs, args, limitS, cache] of COLD) {
  if (only && !only.test(name)) continue;
  // `check` on a generated tree: when `generate` did not finish there is nothing to check.
  const before = coldRows.at(-1);
  if (
    name.endsWith("`check`") &&
    before?.case === name.replace("`check`", "`generate`") &&
    before.figures.bundled.unfinished
  ) {
    coldRows.push({ case: name, goal, figures: { bundled: { ms: 0, unfinished: "not reached" } } });
    console.log(`${name}: not reached`);
    continue;
  }
  // The sources' runs at 1,000 and 10,000 services would only repeat the bundle's plus tsx's start-up.
  const large = name.startsWith(`${BIG} `) || name.startsWith(`${HUGE} `);
  const figures = {
    bundled: cold("bundled", args("bundled"), runs, limitS, cache),
    tsx: large ? undefined : cold("tsx", args("tsx"), runs, limitS, cache),
  };
  coldRows.push({ case: name, goal, figures });
  console.log(
    `${name}: bundled ${wall(figures.bundled)} (${cpu(figures.bundled.cpuMs)} CPU, ` +
      `${mb(figures.bundled.peakMb)}), tsx ${figures.tsx ? wall(figures.tsx) : "-"}`,
  );
}

// ---- The pre-commit hook: the gate as a commit meets it ----

/**
 * A git repository of this one's files with everything staged and its bundle up to date (as `npm run generate`
 * leaves it), its node_modules this one's: the hook checks out the index, copies the bundle and runs `check`.
 */
function hookRepository(): string {
  const dir = join(work, "hook");
  repositoryCopy(dir);
  git(["add", "-A"], dir);
  const build = spawnSync(process.execPath, ["bin/build.mjs"], { cwd: dir, encoding: "utf8" });
  if (build.status !== 0) throw new Error(`bin/build.mjs failed:\n${build.stderr}`);
  return dir;
}
const HOOK: [name: string, cache: Cache][] = [
  ["pre-commit hook on a commit of this repository, result cache warm", "warm"],
  ["pre-commit hook on a commit of this repository, no result cache", "off"],
];
const hookRows = HOOK.filter(([name]) => !only || only.test(name));
if (hookRows.length > 0) {
  const repo = hookRepository();
  const at = coldRows.findIndex((r) => r.case === "real config: `check`, no result cache");
  hookRows.forEach(([name, cache], i) => {
    const env = cache === "off" ? { ...GIT_ENV, PLATFORM_NO_CACHE: "1" } : GIT_ENV;
    const hook = () => timedRun(["sh", ".githooks/pre-commit"], repo, undefined, env);
    if (cache === "warm") hook();
    const figure = medianFigure(Array.from({ length: 3 }, hook));
    coldRows.splice(at < 0 ? coldRows.length : at + 1 + i, 0, { case: name, goal: "", figures: { bundled: figure } });
    console.log(`${name}: ${wall(figure)} (${cpu(figure.cpuMs)} CPU)`);
  });
}

if (only && !floorsOnly) {
  rmSync(work, { recursive: true });
  process.exit(0);
}
const loadAfter = loadavg()[0]!;

/** The sum of two rows' figures, for the goals that are about `generate` + `check` together. */
function together(name: string, a: ColdRow, b: ColdRow, goal: string): ColdRow {
  const sum = (cli: Cli): Figure | undefined => {
    const [x, y] = [a.figures[cli], b.figures[cli]];
    if (!x || !y) return undefined;
    const unfinished = x.unfinished ?? y.unfinished;
    if (unfinished) return { ms: 0, unfinished: `${x.unfinished ? "`generate`" : "`check`"} ${unfinished}` };
    return {
      ms: x.ms + y.ms,
      ...(x.cpuMs !== undefined && y.cpuMs !== undefined ? { cpuMs: x.cpuMs + y.cpuMs } : {}),
      ...(x.peakMb !== undefined && y.peakMb !== undefined ? { peakMb: Math.max(x.peakMb, y.peakMb) } : {}),
    };
  };
  return { case: name, goal, figures: { bundled: sum("bundled")!, tsx: sum("tsx") } };
}
const row = (name: string) => coldRows.find((r) => r.case === name);
/** Puts `generate` + `check` after `after` (or last), when this run measured both rows. */
function addTogether(name: string, generate: string, check: string, goal: string, after?: string): ColdRow | undefined {
  const [a, b] = [row(generate), row(check)];
  if (!a || !b) return undefined;
  const both = together(name, a, b, goal);
  const at = after ? row(after) : undefined;
  coldRows.splice(at ? coldRows.indexOf(at) + 1 : coldRows.length, 0, both);
  return both;
}
const REAL_BOTH_WARM = "real config: `generate` + `check` (cache warm)";
const REAL_BOTH = "real config: `generate` + `check` (no cache)";
const BIG_BOTH = `${BIG} services: \`generate\` + \`check\``;
const HUGE_BOTH = `${HUGE} services: \`generate\` + \`check\``;
const REAL_CHECK = "real config: `check`, no result cache";
const BIG_CHECK = `${BIG} services: \`check\``;
const REAL_GENERATE = "real config: `generate`";
const BIG_GOAL = `${under(GOAL.bigMs)}, < ${GOAL.bigMb / 1024} GB`;
addTogether(REAL_BOTH_WARM, REAL_GENERATE, "real config: `check`, result cache warm", under(GOAL.realMs), REAL_CHECK);
addTogether(REAL_BOTH, REAL_GENERATE, REAL_CHECK, under(GOAL.realMs), REAL_BOTH_WARM);
const bigBoth = addTogether(
  BIG_BOTH,
  `${BIG} services: \`generate\``,
  `${BIG} services: \`check\``,
  BIG_GOAL,
  BIG_CHECK,
);
const hugeBoth = addTogether(HUGE_BOTH, `${HUGE} services: \`generate\``, `${HUGE} services: \`check\``, "");
const vetRow = row(BIG_VET);
const VET_PER = GOAL.vetDocuments.toLocaleString("en");
if (vetRow) vetRow.goal = `${VET_PER} documents ${under(GOAL.vetMs)}`;
// Linear growth from 1,000 services is 10 times its CPU (the figure least stretched by other work on the machine).
const growth = (x: Figure, y: Figure) =>
  x.cpuMs !== undefined && y.cpuMs !== undefined && !y.unfinished ? y.cpuMs / x.cpuMs : undefined;
const hugeGrowth = bigBoth && hugeBoth ? growth(bigBoth.figures.bundled, hugeBoth.figures.bundled) : undefined;
const HUGE_GOAL = `completes, ≤ ${GOAL.hugeGrowth}× the ${BIG}-service CPU (linear)`;
if (hugeBoth) hugeBoth.goal = `${HUGE_GOAL}: ${hugeGrowth?.toFixed(1) ?? "–"}×`;

function mb(x?: number): string {
  return x === undefined ? "–" : `${Math.round(x)} MB`;
}

function cpu(x?: number): string {
  return x === undefined ? "–" : seconds(x);
}

/** A figure's wall time, or why there is none. */
function wall(f: Figure): string {
  return f.unfinished ?? seconds(f.ms);
}

// ---- The floors, on the trees the cold rows generated (generated here when this run has no such row) ----

const realOut = join(work, "bundled");
const bigOut = join(bigDir, "out-bundled");
for (const [config, out] of [
  [realConfig, realOut],
  [bigConfig, bigOut],
] as const)
  if (!existsSync(out)) coldRun("bundled", ["generate", "--config", config, "--out", out], undefined, NO_CACHE);
const startup = startupFloor(5);
console.log(`floor: node -e 0 ${seconds(startup)}`);
const realBundle = bundleWith(0);
const realFloor = checkFloor(realBundle.files, realOut, realBundle.environments, 3);
console.log(`floor, real config: ${describeCheckFloor(realFloor)}`);
let bigBundle: Bundle | undefined = bundleWith(BIG - 7);
const bigFloor = checkFloor(bigBundle.files, bigOut, bigBundle.environments, 1);
bigBundle = undefined; // half a gigabyte the rest of the bench need not keep
console.log(`floor, ${BIG} services: ${describeCheckFloor(bigFloor)}`);
// The engines' modules (schema models) load once per process: a floor leaves that to the cold row.
await runObjectEngines({ environments: realBundle.environments, policies });
const vet = await vetFloor(bigRendered(bigOut), policies);
const per = (ms: number) => scaled(ms, vet.documents, GOAL.vetDocuments);
console.log(
  `floor, vet: ${vet.documents} documents read ${seconds(vet.read)}, engines ${seconds(vet.engines)}, per ` +
    `${VET_PER}: ${seconds(per(vet.read))} and ${seconds(per(vet.engines))}`,
);
const renderedDocs = vet.documents;

/** A cold row's wall time as the floor table's "now", met when under `goalMs`. */
function now(name: string, goalMs: number, text = (f: Figure) => wall(f)): FloorRow["now"] {
  const f = row(name)?.figures.bundled;
  return f && { text: text(f), met: !f.unfinished && f.ms < goalMs };
}
const perVet = per(vet.read);
const floorRows: FloorRow[] = [
  {
    goal: `\`--help\` ${under(GOAL.helpMs)}`,
    goalMs: GOAL.helpMs,
    now: now("`--help`", GOAL.helpMs),
    floor: { what: "node starting with nothing to run (`node -e 0`)", ms: startup },
  },
  {
    goal: `${REAL_BOTH_WARM} ${under(GOAL.realMs)}`,
    goalMs: GOAL.realMs,
    now: now(REAL_BOTH_WARM, GOAL.realMs),
    floor: { what: "two node start-ups (`generate` and `check` are two processes)", ms: 2 * startup },
  },
  {
    goal: `${REAL_BOTH} ${under(GOAL.realMs)}`,
    goalMs: GOAL.realMs,
    now: now(REAL_BOTH, GOAL.realMs),
    floor: { what: describeCheckFloor(realFloor), ms: checkFloorMs(realFloor) },
  },
  {
    goal: `${BIG_BOTH} ${BIG_GOAL}`,
    goalMs: GOAL.bigMs,
    now: ((n) => n && { ...n, met: n.met && (bigBoth?.figures.bundled.peakMb ?? Infinity) < GOAL.bigMb })(
      now(BIG_BOTH, GOAL.bigMs, (f) => `${wall(f)}, ${mb(f.peakMb)}`),
    ),
    floor: { what: describeCheckFloor(bigFloor), ms: checkFloorMs(bigFloor) },
  },
  {
    goal: `\`vet\` of ${VET_PER} documents ${under(GOAL.vetMs)}`,
    goalMs: GOAL.vetMs,
    now: ((f) =>
      f && {
        text: `${wall(f)} for ${count(vet.documents)} documents: ${seconds(per(f.ms))} per ${VET_PER}`,
        met: !f.unfinished && per(f.ms) < GOAL.vetMs,
      })(vetRow?.figures.bundled),
    floor: {
      what:
        `reading ${count(vet.documents)} documents of ${count(BIG)} services (\`readManifests\`) ` +
        `${seconds(vet.read)}: ${seconds(perVet)} per ${VET_PER}; then the object engines alone ` +
        `${seconds(vet.engines)}: ${seconds(per(vet.engines))} per ${VET_PER}, ` +
        distance(per(vet.engines), GOAL.vetMs),
      ms: perVet,
    },
  },
  {
    goal: `${HUGE_BOTH} ${HUGE_GOAL}`,
    now: hugeBoth && {
      text: `${wall(hugeBoth.figures.bundled)}, ${hugeGrowth?.toFixed(1) ?? "–"}× the CPU`,
      met: hugeGrowth !== undefined && hugeGrowth <= GOAL.hugeGrowth,
    },
  },
];
const floorLines = floorTable(floorRows);
for (const line of floorLines) console.log(line);
rmSync(work, { recursive: true });
if (partial) process.exit(0);

// ---- In process: scaling of generation, engines and kustomize ----

const sizes = [0, 50, 200, 400];
const rows: {
  services: number;
  objects: number;
  generate: number;
  engines: number;
  kustomize: number;
  tools: number;
}[] = [];
await runObjectEngines({ environments: bundleWith(0).environments, policies }); // warm the lazy schema imports
for (const extra of sizes) {
  const bundle = bundleWith(extra);
  const prod = bundle.environments.find((e) => e.environment === "prod")!;
  const dir = writeTree(bundle.files);
  rows.push({
    services: 7 + extra,
    objects: prod.objects.length,
    generate: await median(5, () => bundleWith(extra)),
    engines: await median(3, () => runObjectEngines({ environments: bundle.environments, policies })),
    kustomize: await median(3, () => kustomizeBuild(join(dir, "overlays/prod"))),
    tools: await median(1, () => [runPromtool(bundle.files), runAmtool(bundle.files)]),
  });
  rmSync(dir, { recursive: true });
}

const base = rows[0]!;
console.log("services  objects/env  generate ms (ratio)  engines ms, 3 envs (ratio)  kustomize prod ms (ratio)");
for (const r of rows) {
  const cell = (v: number, b: number) => `${v.toFixed(0).padStart(8)} (${(v / b).toFixed(1)}x)`;
  console.log(
    `${String(r.services).padStart(8)}  ${String(r.objects).padStart(11)}  ` +
      `${cell(r.generate, base.generate).padStart(19)}  ${cell(r.engines, base.engines).padStart(26)}  ` +
      `${cell(r.kustomize, base.kustomize).padStart(25)}`,
  );
}

const cpuModel =
  /model name\s*:\s*(.*)/.exec(existsSync("/proc/cpuinfo") ? readFileSync("/proc/cpuinfo", "utf8") : "")?.[1] ??
  cpus()[0]?.model ??
  "unknown";
const results = [
  "# Bench results",
  "",
  "Written by `npm run bench` (bench/run.ts); the goals are issue 14's. One run: on a machine shared with other",
  "work, wall times stretch with the load (below), CPU times less: compare runs made at a similar load.",
  "",
  `- Machine: ${cpus().length} CPUs (\`nproc\`), ${cpuModel}, ${(totalmem() / 2 ** 30).toFixed(1)} GB memory`,
  `- Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`,
  // Other work on the machine stretches wall times (not CPU times): the load says how much there was.
  `- Load average (1 min) ${loadBefore.toFixed(1)} before the cold runs and ${loadAfter.toFixed(1)} after them`,
  "",
  "## Cold processes through the CLI",
  "",
  "Wall time, then CPU time (user + system of the process and its children), each a new process as a user or",
  "the pre-commit hook runs it: `node dist/platform.mjs` (the bundle, what `npm run generate|check|vet`,",
  "`npx platform` and the hook run) and `tsx bin/platform.ts` (the sources, for development). The run of",
  "median wall time of 5 for `--help`, of 3 for the real config, 1 at 1,000 and 10,000 services (bundled only:",
  "the sources would only add tsx's start-up). Peak memory",
  `is the largest resident set of one process of the run (${hasTime ? "GNU time -v" : "not measured: no time"});`,
  "`check` runs `kubectl kustomize` and `promtool` as child processes, and their time is in its figures. Every",
  "run is without the result cache (`PLATFORM_NO_CACHE=1`) except the rows that say it is warm: there one run",
  "fills the cache first, as the pre-commit hook finds it for a commit whose out/ it has checked before. The hook's",
  "rows run `.githooks/pre-commit` in a git repository of this one's files, all staged, its bundle up to date: it",
  "checks the index out into a temporary folder, copies the bundle (`build.mjs --reuse`) and runs `check` there.",
  `At ${BIG} services the rendered manifests hold ${renderedDocs} documents in 3 environments. At ${HUGE}`,
  `services each step has ${HUGE_LIMIT_S} s (\`BENCH_LIMIT_S\`) and is stopped there, so a floor shows as a`,
  "stopped run rather than a bench that never ends.",
  "",
  "| case | bundled | tsx | bundled, CPU | tsx, CPU | peak memory (bundled) | goal |",
  "|---|---|---|---|---|---|---|",
  ...coldRows.map(
    (r) =>
      `| ${r.case} | ${wall(r.figures.bundled)} | ${r.figures.tsx ? wall(r.figures.tsx) : "–"} | ` +
      `${cpu(r.figures.bundled.cpuMs)} | ${cpu(r.figures.tsx?.cpuMs)} | ${mb(r.figures.bundled.peakMb)} | ${r.goal} |`,
  ),
  "",
  "## In process: scaling with the number of services",
  "",
  "Median of several runs inside one process (no start-up); the ratio is to the real config in the same run.",
  "`kubectl kustomize` builds the prod overlay written to a temporary folder; promtool and amtool run as `check`",
  `runs them (every rule file, the config, every alert test, every route case), once per size.`,
  "",
  "| services | objects per environment | generate | engines, 3 environments | kubectl kustomize, prod | " +
    "promtool + amtool (one run) |",
  "|---|---|---|---|---|---|",
  ...rows.map((r) => {
    const cell = (v: number, b: number) => `${v.toFixed(0)} ms (${(v / b).toFixed(1)}x)`;
    return (
      `| ${r.services} | ${r.objects} | ${cell(r.generate, base.generate)} | ${cell(r.engines, base.engines)} | ` +
      `${cell(r.kustomize, base.kustomize)} | ${cell(r.tools, base.tools)} |`
    );
  }),
  "",
  "## What stops the goals that are not met",
  "",
  "Each floor is work the command cannot do without, timed alone in the bench's process on the inputs of the cold",
  "rows above (the trees their `generate` wrote): node starting (`node -e 0`, the middle of 5 runs); the real tools",
  "`check` starts, without the result cache: promtool then amtool, as its worker runs them, and `checkKustomize`'s",
  `\`kubectl kustomize\` builds (none above ${KUSTOMIZE_OBJECT_LIMIT} objects, where \`check\` skips them); the`,
  "bundle's files written into an empty folder with `writeFileSync` and read back (the least `generate` and `check`'s",
  "snapshot pay); for `vet`, `readManifests` on the rendered manifests and the object engines on its objects, scaled",
  `to ${VET_PER} documents. The real config's figures are the middle of 3 runs, the rest one run. A`,
  "`generate` + `check` floor is the writing plus the longer of `check`'s two strands, which run at once: promtool",
  "and amtool in the worker, reading back and kustomize on the main thread. Now is the bundled cold row's wall time.",
  "",
  ...floorLines,
  "",
];
const resultsFile = join(ROOT, "bench/results.md");
writeFileSync(resultsFile, results.join("\n"));
// Committed, so in the formatter's shape (biome aligns the tables' columns).
spawnSync(join(ROOT, "node_modules/.bin/biome"), ["format", "--write", resultsFile], { stdio: "inherit" });
console.log("wrote bench/results.md");
