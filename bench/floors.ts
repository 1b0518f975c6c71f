/**
 * The floors under issue 14's goals: work a command cannot do without (the real tools `check` starts, the files
 * `generate` writes and `check` reads back, the YAML `vet` parses), each timed alone on the inputs the bench's cold
 * rows used, so bench/results.md says which floor stops an unmet goal and by how much, from the run itself.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { readManifests } from "../bin/manifests.ts";
import { runObjectEngines } from "../bin/object-engines.ts";
import { type EnvironmentObjects, type Finding, findingLine } from "../core/finding.ts";
import { runAmtool } from "../engines/amtool.ts";
import type { PolicySource } from "../engines/cel.ts";
import { checkKustomize, KUSTOMIZE_OBJECT_LIMIT, kustomizeBuild } from "../engines/kustomize.ts";
import { runPromtool } from "../engines/promtool.ts";

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

/** A count in words' figures: 27,629. */
export const count = (n: number) => n.toLocaleString("en");

function timed<T>(f: () => T): { value: T; ms: number } {
  const t = performance.now();
  const value = f();
  return { value, ms: performance.now() - t };
}

/** The middle of `runs` runs of `measure`, ranked by `total`: its parts stay those of one real run. */
function medianRun<T>(runs: number, measure: () => T, total: (r: T) => number): T {
  const all = Array.from({ length: runs }, measure).sort((a, b) => total(a) - total(b));
  return all[Math.floor(runs / 2)]!;
}

/** A floor measured on input the bench believed good is meaningless if the engine failed: say so and stop. */
function mustPass(what: string, findings: readonly Finding[]): void {
  const bad = findings.filter((f) => f.severity === "error" || f.rule === "unavailable");
  if (bad.length > 0)
    throw new Error(`${what} did not pass, so its time is no floor:\n${bad.map(findingLine).join("\n")}`);
}

/** node itself starting with nothing to run: no CLI process starts faster. */
export function startupFloor(runs: number): number {
  return medianRun(
    runs,
    () => timed(() => spawnSync(process.execPath, ["-e", "0"])).ms,
    (ms) => ms,
  );
}

/** What `generate` + `check` cannot do without, in milliseconds, each part measured alone. */
export interface CheckFloor {
  files: number;
  /** `generate`: the files into an empty folder with plain writeFileSync (their folders made first). */
  write: number;
  /** `check`'s snapshot: the same files read back with readFileSync. */
  read: number;
  /** `checkKustomize`'s `kubectl kustomize` builds: none above its object limit, as in `check`. */
  builds: number;
  kustomize: number;
  promtool: number;
  amtool: number;
  /** The CPU time (user + system) of those tools' processes, where the system tells it (Linux). */
  toolsCpu?: number;
}

function fileSystemFloor(files: ReadonlyMap<string, string>): { write: number; read: number } {
  const dir = mkdtempSync(join(tmpdir(), "platform-bench-floor-"));
  try {
    const paths = [...files.keys()].map((p) => join(dir, p));
    const write = timed(() => {
      for (const d of new Set(paths.map((p) => dirname(p)))) mkdirSync(d, { recursive: true });
      for (const [i, content] of [...files.values()].entries()) writeFileSync(paths[i]!, content);
    }).ms;
    const read = timed(() => {
      for (const p of paths) readFileSync(p, "utf8");
    }).ms;
    return { write, read };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The parts of `check` that no code of ours can shorten, on `files` (the bundle) and `outDir` (the tree `generate`
 * wrote from it), each the middle of `runs` runs. promtool and amtool run with the engines' default runner: no
 * result cache, one after the other, as tools-aside's worker runs them.
 */
export function checkFloor(
  files: ReadonlyMap<string, string>,
  outDir: string,
  environments: readonly EnvironmentObjects[],
  runs: number,
): CheckFloor {
  const io = medianRun(
    runs,
    () => fileSystemFloor(files),
    (r) => r.write + r.read,
  );
  const kustomize = medianRun(
    runs,
    () => {
      let builds = 0;
      let ms = 0;
      const cpu = childrenCpuMs();
      const findings = checkKustomize(outDir, environments, KUSTOMIZE_OBJECT_LIMIT, [], (overlay) => {
        builds++;
        const r = timed(() => kustomizeBuild(overlay));
        ms += r.ms;
        return r.value;
      });
      mustPass(`kubectl kustomize on ${outDir}`, findings);
      return { builds, ms, cpu: since(cpu) };
    },
    (r) => r.ms,
  );
  const tools = medianRun(
    runs,
    () => {
      const cpu = childrenCpuMs();
      const promtool = timed(() => runPromtool(files));
      mustPass("promtool", promtool.value);
      const amtool = timed(() => runAmtool(files));
      mustPass("amtool", amtool.value);
      return { promtool: promtool.ms, amtool: amtool.ms, cpu: since(cpu) };
    },
    (r) => r.promtool + r.amtool,
  );
  return {
    files: files.size,
    ...io,
    builds: kustomize.builds,
    kustomize: kustomize.ms,
    promtool: tools.promtool,
    amtool: tools.amtool,
    ...(kustomize.cpu !== undefined && tools.cpu !== undefined ? { toolsCpu: kustomize.cpu + tools.cpu } : {}),
  };
}

/**
 * The CPU time of this process's finished child processes, in milliseconds (Linux: /proc/self/stat's cutime and
 * cstime, in ticks of 1/100 s); undefined elsewhere.
 */
function childrenCpuMs(): number | undefined {
  try {
    const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1]!.split(" ");
    // After "pid (comm) ": state is field 3, cutime field 16, cstime field 17.
    return (Number(fields[16 - 3]) + Number(fields[17 - 3])) * 10;
  } catch {
    return undefined;
  }
}

const since = (before: number | undefined) => {
  const now = childrenCpuMs();
  return before === undefined || now === undefined ? undefined : now - before;
};

/**
 * `generate` writes before `check` starts; in `check` the worker runs promtool then amtool (bin/tools-aside.ts)
 * while the main thread reads out/ back and runs the kustomize builds, so on two cores `check` ends no sooner than
 * the longer of the two strands. The floor adds nothing else of `check` (regenerating, the engines): it is the
 * least the gate pays while it runs these tools and writes and reads these files.
 */
export function checkFloorMs(f: CheckFloor): number {
  return f.write + Math.max(f.promtool + f.amtool, f.read + f.kustomize);
}

export function describeCheckFloor(f: CheckFloor): string {
  const kustomize =
    f.builds > 0
      ? `${f.builds} \`kubectl kustomize\` builds ${seconds(f.kustomize)}`
      : `no \`kubectl kustomize\` (\`check\` skips it over ${count(KUSTOMIZE_OBJECT_LIMIT)} objects)`;
  const worker = f.promtool + f.amtool;
  const main = f.read + f.kustomize;
  return (
    `\`generate\` writing ${count(f.files)} files ${seconds(f.write)}, then \`check\`'s longer strand: promtool ` +
    `${seconds(f.promtool)} + amtool ${seconds(f.amtool)} = ${seconds(worker)} in the worker` +
    `${worker >= main ? "" : " (shorter)"}, beside reading the files back ${seconds(f.read)} + ${kustomize} = ` +
    `${seconds(main)} on the main thread${main > worker ? "" : " (shorter)"}` +
    (f.toolsCpu === undefined
      ? ""
      : `; the tools' own CPU is ${seconds(f.toolsCpu)}: on ${availableParallelism()} cores no less than ` +
        `${seconds(f.toolsCpu / availableParallelism())} however they are run`)
  );
}

/** What `vet` cannot do without on `paths`: reading its manifests, and the object engines on them. */
export interface VetFloor {
  documents: number;
  /** bin/manifests.ts `readManifests`: walking the folders, reading and parsing the YAML (with its parse workers). */
  read: number;
  /** `runObjectEngines` on those objects as one set, as `vet` runs them; their modules loaded beforehand. */
  engines: number;
}

export async function vetFloor(paths: readonly string[], policies: PolicySource[]): Promise<VetFloor> {
  const started = performance.now();
  const { manifests } = await readManifests(paths);
  const read = performance.now() - started;
  const objects = manifests.map((m) => m.object);
  const t = performance.now();
  await runObjectEngines({ environments: [{ environment: "", objects }], policies });
  return { documents: objects.length, read, engines: performance.now() - t };
}

/** A figure of `ms` for `documents` documents, per `per` documents. */
export const scaled = (ms: number, documents: number, per: number) => (ms * per) / documents;

/** One goal of issue 14 in the floor table. */
export interface FloorRow {
  goal: string;
  /** The goal as a wall time, when it is one. */
  goalMs?: number;
  /** The cold row's figure in words, and whether it meets the goal; absent when this run did not measure it. */
  now?: { text: string; met: boolean };
  /** The floor in words with its parts, and its figure. */
  floor?: { what: string; ms: number };
}

/** How far `floor` is from `goal`: over it, as a ratio and a difference; under it, by how much. */
export function distance(floor: number, goal: number): string {
  return floor > goal
    ? `${(floor / goal).toFixed(1)}× the goal (+${seconds(floor - goal)} over)`
    : `${seconds(goal - floor)} under the goal (${Math.round((floor / goal) * 100)}% of it)`;
}

export function floorTable(rows: readonly FloorRow[]): string[] {
  return [
    "| goal | now | the floor | its figure | against the goal |",
    "|---|---|---|---|---|",
    ...rows.map((r) => {
      const against = r.now?.met
        ? "**met**"
        : r.floor && r.goalMs !== undefined
          ? `the floor alone is ${distance(r.floor.ms, r.goalMs)}`
          : r.now
            ? "not met; no floor measured"
            : "–";
      return (
        `| ${r.goal} | ${r.now?.text ?? "not run"} | ${r.floor?.what ?? "–"} | ` +
        `${r.floor ? seconds(r.floor.ms) : "–"} | ${against} |`
      );
    }),
  ];
}
