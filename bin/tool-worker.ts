/**
 * The worker thread of bin/tools-aside.ts: runs promtool and amtool (engines/promtool.ts, engines/amtool.ts) on
 * the files it is given and posts their findings back. Each engine waits on its child processes; here they
 * wait beside the main thread's work instead of after it.
 */
import { parentPort, workerData } from "node:worker_threads";
import { pruneWritten } from "./tool-cache.ts";
import { runTools } from "./tools-aside.ts";

const { files, outDir, cache } = workerData as { files: [string, string][]; outDir: string; cache?: string };
const findings = runTools(new Map(files), outDir, cache);
pruneWritten();
parentPort?.postMessage(findings);
