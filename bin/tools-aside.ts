/**
 * promtool and amtool as `check` runs them, in a worker thread (bin/tool-worker.ts) while the main thread runs
 * kustomize and the in-process engines: their child processes take most of `check`'s time, and on two cores
 * they need not wait for the rest. The findings are the engines' own, as if run in line; if the worker cannot
 * start (its file missing from a partial build), they run in line.
 */
import { Worker } from "node:worker_threads";
import type { Finding } from "../core/finding.ts";
import { OBSERVABILITY_OUT } from "../core/layout.ts";
import { runAmtool } from "../engines/amtool.ts";
import { runPromtool } from "../engines/promtool.ts";
import { cachedRunner, readEntry, toolIdentity, valueKey, writeEntry } from "./tool-cache.ts";

/** Defined as `true` by bin/build.mjs; undeclared when the sources run under tsx. */
declare const PLATFORM_BUNDLE: boolean | undefined;

export interface ToolFindings {
  promtool: Finding[];
  amtool: Finding[];
}

/** The folders of out/ the two tools read: only their files are copied to the worker. */
const TOOL_FOLDERS = [OBSERVABILITY_OUT.config, OBSERVABILITY_OUT.alertmanagerConfig].map((p) => `${p.split("/")[0]}/`);

/** The two engines on `files`, their runs answered from the cache folder `cache` when it is given. */
export function runTools(files: ReadonlyMap<string, string>, outDir: string, cache?: string): ToolFindings {
  const run = cachedRunner(cache);
  return { promtool: runPromtool(files, outDir, { run }), amtool: runAmtool(files, outDir, { run }) };
}

/**
 * Starts promtool and amtool on `files`; `await` the result once the main thread's own work is done. `cache`: the
 * folder of bin/tool-cache.ts, or none to run every tool.
 */
export function toolsAside(files: ReadonlyMap<string, string>, outDir: string, cache?: string): Promise<ToolFindings> {
  // The bundle's worker is dist/tool-worker.mjs beside dist/platform.mjs; under tsx, the source beside this one.
  const entry =
    typeof PLATFORM_BUNDLE === "undefined"
      ? new URL("./tool-worker.ts", import.meta.url)
      : new URL("./tool-worker.mjs", import.meta.url);
  const wanted = [...files].filter(([p]) => TOOL_FOLDERS.some((f) => p.startsWith(f)));
  // Both engines' findings on exactly these files, by these binaries, from an earlier check: no worker at all.
  const identities = cache ? [toolIdentity("promtool"), toolIdentity("amtool")] : [];
  const key =
    cache && identities.every((i) => i !== undefined)
      ? valueKey("tools-aside", [outDir, ...(identities as string[])], wanted)
      : undefined;
  if (cache && key) {
    const hit = readEntry<ToolFindings>(cache, key);
    if (hit && Array.isArray(hit.promtool) && Array.isArray(hit.amtool)) return Promise.resolve(hit);
  }
  const remember = (findings: ToolFindings): ToolFindings => {
    const ran = ![...findings.promtool, ...findings.amtool].some((f) => f.rule === "unavailable");
    if (cache && key && ran) writeEntry(cache, key, findings);
    return findings;
  };
  let worker: Worker;
  try {
    const workerData = { files: wanted, outDir, cache };
    // Under tsx the worker registers tsx's loader before it imports its TypeScript: a worker inherits neither
    // the loader's hooks nor (in time) its --import.
    worker =
      typeof PLATFORM_BUNDLE === "undefined"
        ? new Worker(
            `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))})` +
              `.then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); })`,
            { eval: true, workerData },
          )
        : new Worker(entry, { workerData });
  } catch {
    return Promise.resolve(remember(runTools(files, outDir, cache)));
  }
  return new Promise((resolve, reject) => {
    let settled = false;
    worker.once("message", (m: ToolFindings) => {
      settled = true;
      resolve(remember(m));
    });
    worker.once("error", (e) => {
      if (settled) return;
      settled = true;
      // A worker that could not load its module never ran a tool: run them here. Any other error is a bug.
      if ((e as NodeJS.ErrnoException).code === "ERR_MODULE_NOT_FOUND")
        resolve(remember(runTools(files, outDir, cache)));
      else reject(e);
    });
    worker.once("exit", (code) => {
      if (!settled) {
        settled = true;
        reject(new Error(`the promtool/amtool worker exited (code ${code}) without its findings`));
      }
    });
  });
}
