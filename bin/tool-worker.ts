/**
 * The worker thread of bin/tools-aside.ts: runs promtool and amtool (engines/promtool.ts, engines/amtool.ts) on
 * the files it is given and posts their findings back. Each engine waits on its child processes; here they
 * wait beside the main thread's work instead of after it.
 */
import { parentPort, workerData } from "node:worker_threads";
import { runAmtool } from "../engines/amtool.ts";
import { runPromtool } from "../engines/promtool.ts";

const { files, outDir } = workerData as { files: [string, string][]; outDir: string };
const map = new Map(files);
parentPort?.postMessage({ promtool: runPromtool(map, outDir), amtool: runAmtool(map, outDir) });
