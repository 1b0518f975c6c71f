/**
 * Reads and parses `vet`'s manifest files on every core: worker threads (bin/parse-worker.ts) and the main thread
 * take chunks of the file list from one shared counter until none is left, so whichever starts late or runs slow
 * simply takes fewer. A worker sends each file's text and its values as JSON, which the main thread reads several
 * times faster than YAML; positions stay lazy, from the text, on the main thread. A file the fast reader leaves
 * to the exact one, or whose values JSON cannot carry, is parsed on the main thread as without workers; so is
 * every file of a worker that cannot start or stops: the result never depends on the workers.
 */
import { availableParallelism } from "node:os";
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from "node:worker_threads";
import { plainManifestValues } from "../core/yaml.ts";
import { type ManifestText, readManifestFile } from "./manifest-read.ts";

/** Defined as `true` by bin/build.mjs; undeclared when the sources run under tsx. */
declare const PLATFORM_BUNDLE: boolean | undefined;

/** A file's text and its plain values (undefined: the exact reader's), or why it cannot be read. */
export type ParsedFile = { text: string; values: unknown[] | undefined } | { problem: string; rule?: string };

/** What a worker sends for one file: `json` the values; `exact` for the exact reader; neither: parse it again. */
export type WireFile = { text: string; json?: string; exact?: true } | { problem: string; rule?: string };

export interface WorkerInput {
  files: readonly string[];
  /** The index of the next file no thread has taken, shared by all. */
  next: Int32Array;
  /** Where the chunks go: the main thread takes them from it between its own chunks. */
  port: MessagePort;
}

export interface WorkerChunk {
  start: number;
  results: WireFile[];
}

/**
 * Files per chunk: small enough that the last chunk does not keep the others waiting, large enough that messages
 * cost little (a rendered manifest file is a few kB).
 */
export const CHUNK = 32;

/**
 * Below this many files no worker starts. A worker starts in 60-100 ms and costs CPU of its own (the YAML readers
 * loaded again, the JSON); at a few hundred files that buys little wall time, and nothing on a machine whose other
 * core is busy. The usual `vet` of a folder, the real config's whole out/ (785 files) among them, stays on one
 * thread as before.
 */
const MIN_FILES_FOR_WORKERS = 1000;

/**
 * Measured on 2 cores only, where one worker beside the main thread was as fast as two; past a few workers the
 * main thread's share (reading their JSON) would be what everyone waits for.
 */
const MAX_WORKERS = 3;

/** `PLATFORM_VET_WORKERS=n` starts exactly n workers whatever the size (0: none), to measure or test either path. */
const WORKERS_ENV = "PLATFORM_VET_WORKERS";

function defaultWorkers(files: number): number {
  const forced = process.env[WORKERS_ENV];
  if (forced !== undefined && /^\d+$/.test(forced)) return Number(forced);
  if (files < MIN_FILES_FOR_WORKERS) return 0;
  return Math.max(0, Math.min(MAX_WORKERS, availableParallelism() - 1));
}

function parsed(read: ManifestText): ParsedFile {
  return "text" in read ? { text: read.text, values: plainManifestValues(read.text) } : read;
}

/** Values JSON carries exactly: no NaN, infinity or -0 (they come back as null or 0), nothing but plain data. */
function jsonExact(v: unknown): boolean {
  switch (typeof v) {
    case "string":
    case "boolean":
      return true;
    case "number":
      return Number.isFinite(v) && !Object.is(v, -0);
    case "object":
      if (v === null) return true;
      if (Array.isArray(v)) return v.every(jsonExact);
      if (Object.getPrototypeOf(v) !== Object.prototype) return false;
      for (const k in v) if (!jsonExact((v as Record<string, unknown>)[k])) return false;
      return true;
    default:
      return false;
  }
}

/** One file read and parsed in a worker, as it is sent to the main thread. */
export function wireFile(file: string): WireFile {
  const read = readManifestFile(file);
  if (!("text" in read)) return read;
  const values = plainManifestValues(read.text);
  if (!values) return { text: read.text, exact: true };
  if (!values.every(jsonExact)) return { text: read.text };
  try {
    return { text: read.text, json: JSON.stringify(values) };
  } catch {
    return { text: read.text }; // nesting too deep for JSON.stringify: the main thread parses it
  }
}

function fromWire(w: WireFile): ParsedFile {
  if (!("text" in w)) return w;
  if (w.json !== undefined) return { text: w.text, values: JSON.parse(w.json) as unknown[] };
  return { text: w.text, values: w.exact ? undefined : plainManifestValues(w.text) };
}

function startWorker(workerData: WorkerInput): Worker | undefined {
  const transferList = [workerData.port];
  try {
    // Under tsx the worker registers tsx's loader before it imports its TypeScript (as bin/tools-aside.ts does).
    if (typeof PLATFORM_BUNDLE === "undefined") {
      const entry = new URL("./parse-worker.ts", import.meta.url);
      return new Worker(
        `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))})` +
          `.then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); })`,
        { eval: true, workerData, transferList },
      );
    }
    return new Worker(new URL("./parse-worker.mjs", import.meta.url), { workerData, transferList });
  } catch {
    return undefined;
  }
}

/**
 * Each of `files` read (by `read` on the main thread) and parsed, in order. `workers`: how many worker threads help
 * the main thread; by default one per other core, and none for a small set of files (or `PLATFORM_VET_WORKERS`).
 * `meanwhile` runs on the main thread while the workers start and take their first chunks.
 */
export async function parseFiles(
  files: readonly string[],
  read: (file: string) => ManifestText,
  workers = defaultWorkers(files.length),
  meanwhile: () => void = () => {},
): Promise<ParsedFile[]> {
  const out: (ParsedFile | undefined)[] = new Array(files.length);
  if (workers <= 0) {
    meanwhile();
    return files.map((f) => parsed(read(f)));
  }
  const next = new Int32Array(new SharedArrayBuffer(4));
  let filled = 0;
  let running = 0;
  let wake: () => void = () => {};
  const take = ({ start, results }: WorkerChunk) => {
    results.forEach((r, j) => {
      out[start + j] = fromWire(r);
    });
    filled += results.length;
    if (filled === files.length) wake();
  };
  const ports: MessagePort[] = [];
  // Read between the main thread's own chunks, so that it takes fewer chunks while the workers take more.
  const drain = () => {
    for (const port of ports)
      for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) take(m.message as WorkerChunk);
  };
  const started: Worker[] = [];
  for (let i = 0; i < workers; i++) {
    const { port1, port2 } = new MessageChannel();
    const worker = startWorker({ files, next, port: port2 });
    if (!worker) {
      port1.close();
      break;
    }
    started.push(worker);
    ports.push(port1);
    running++;
    // A worker that cannot load its module, or fails, leaves its files to the main thread.
    worker.on("error", () => {});
    worker.once("exit", () => {
      running--;
      if (running === 0) wake();
    });
  }
  meanwhile();
  for (let start = Atomics.add(next, 0, CHUNK); start < files.length; start = Atomics.add(next, 0, CHUNK)) {
    const end = Math.min(start + CHUNK, files.length);
    for (let i = start; i < end; i++) out[i] = parsed(read(files[i]!));
    filled += end - start;
    drain();
  }
  drain();
  // Every chunk is taken: wait for those the workers took, unless they are all done already.
  if (filled < files.length && running > 0)
    await new Promise<void>((resolve) => {
      wake = resolve;
      for (const port of ports) port.on("message", take);
    });
  drain();
  for (const port of ports) port.close();
  // A worker still starting takes nothing more: stop it rather than wait for it.
  for (const w of started) void w.terminate();
  return out.map((r, i) => r ?? parsed(read(files[i]!)));
}
