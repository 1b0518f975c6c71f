/**
 * How the engines run a real tool (promtool, amtool): one child process, its standard output and error joined and
 * trimmed, capped so one runaway message cannot flood a report, and "not installed" told apart from "failed".
 * Engines take a `ToolRunner` so a test can count or stand in for the processes they start.
 */
import { spawnSync } from "node:child_process";

/** How much of a tool's output a finding quotes. */
const MAX_OUTPUT = 4000;

/** Lines a tool prints on every run that say nothing about the input. */
const NOISE: Readonly<Record<string, RegExp>> = {
  // amtool, whenever --config.file is given.
  amtool: /^Warning: --config\.file flag overrides/,
};

export interface ToolRun {
  ok: boolean;
  output: string;
  /** The tool could not be started at all (not on the PATH). */
  missing?: boolean;
}

/**
 * Starts `tool args` in `cwd`. `inputs`: the files (relative to `cwd`) the run reads, when the engine knows them
 * exactly; without it, every file under `cwd` counts. Only a runner that caches results (bin/tool-cache.ts) looks
 * at it: naming too many files only costs needless misses, naming too few would serve a stale result.
 */
export type ToolRunner = (tool: string, args: readonly string[], cwd: string, inputs?: readonly string[]) => ToolRun;

/** Runs `tool args` in `cwd` and waits for it. */
export const runTool: ToolRunner = (tool, args, cwd) => {
  const r = spawnSync(tool, args, { cwd, encoding: "utf8" });
  if (r.error) return { ok: false, output: r.error.message, missing: true };
  const noise = NOISE[tool];
  const joined = `${r.stdout}${r.stderr}`;
  const output = (
    noise
      ? joined
          .split("\n")
          .filter((l) => !noise.test(l))
          .join("\n")
      : joined
  ).trim();
  return { ok: r.status === 0, output: output.length > MAX_OUTPUT ? `${output.slice(0, MAX_OUTPUT)}\n...` : output };
};
