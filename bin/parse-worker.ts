/**
 * A worker thread of bin/parse-files.ts: takes chunks of `vet`'s files from the shared counter, reads and parses
 * each, and posts the chunk back, until no file is left.
 */
import { workerData } from "node:worker_threads";
import { CHUNK, type WorkerInput, wireFile } from "./parse-files.ts";

const { files, next, port } = workerData as WorkerInput;
for (let start = Atomics.add(next, 0, CHUNK); start < files.length; start = Atomics.add(next, 0, CHUNK))
  port.postMessage({ start, results: files.slice(start, start + CHUNK).map(wireFile) });
