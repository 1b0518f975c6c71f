/**
 * A result cache for the real tools `check` runs (promtool, amtool, kubectl kustomize): a run whose tool binary,
 * arguments and input bytes are those of an earlier run gets that run's result without starting the tool. The
 * object engines' findings (bin/object-engines.ts) are kept the same way, by their whole input.
 *
 * The key is the sha256 of the tool's identity (its resolved path, size and modification time), its arguments
 * (with the temporary folder it runs in written as a placeholder), the bytes of every file it reads, by relative
 * path (an absent file counts as absent), and the bytes of our code that turns the run into the stored value.
 * Nothing else is trusted: a changed byte, argument, binary or CLI build is a miss. A run whose inputs changed
 * while it ran is not stored. Only what is deterministic is stored: a tool's verdict and output on its inputs,
 * never a tool that could not start.
 *
 * Entries live in node_modules/.cache/nautilus-platform/ of the project (absent in a fresh clone, so CI always
 * runs the tools), one JSON file each, written to a temporary name and renamed into place so that concurrent
 * writers and readers only ever see whole entries. An entry that cannot be read or parsed is a miss, never an
 * error; the folder is pruned to the most recently used entries. `PLATFORM_NO_CACHE=1` turns it off,
 * `PLATFORM_CACHE_DIR` moves it.
 */
import { createHash } from "node:crypto";
import {
  accessSync,
  constants,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { delimiter, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { parseYamlDocuments, plainManifestValues } from "../core/yaml.ts";
import { deepEqual } from "../core/plain.ts";
import { kustomizeBuild } from "../engines/kustomize.ts";
import { runTool, type ToolRun, type ToolRunner } from "../engines/tool-runner.ts";

/** Part of every key: entries of an older layout are misses. */
const FORMAT = "nautilus-tool-cache/1";
/** Kept entries, most recently used first; the rest are deleted once a run adds one past the bound. */
export const MAX_ENTRIES = 2000;
/** The total size of kept entries. */
export const MAX_BYTES = 256 * 1024 * 1024;
/** A temporary file older than this is left from a process that died while writing: deleted when pruning. */
const STALE_TEMP_MS = 60 * 60 * 1000;
/** Stands for the folder a tool runs in, in keys and stored output, so a temporary folder's name does not matter. */
const CWD = "\u0000cwd\u0000";

/**
 * The code that derives the stored values (the noise filter, the YAML reader, the engines): its bytes are part of
 * every key, so a rebuilt bundle with other code or an edited source starts afresh (by content, not modification
 * time: the pre-commit hook bundles the staged sources anew for every commit). Bundled, this module's own file is
 * the whole CLI; under tsx, every source file of the folders the CLI is built from.
 */
const SOURCE_FOLDERS = ["bin", "core", "schemas", "model", "generators", "checks", "engines", "policies", "reporters"];

/** Defined as `true` by bin/build.mjs; undeclared when the sources run under tsx. */
declare const PLATFORM_BUNDLE: boolean | undefined;

let codeIdentityMemo: string | undefined;

function codeIdentity(): string {
  if (codeIdentityMemo === undefined) {
    const hash = createHash("sha256");
    const self = fileURLToPath(import.meta.url);
    if (typeof PLATFORM_BUNDLE !== "undefined") hash.update(readFileSync(self));
    else {
      // By the bytes alone: the same code in another folder (the hook's temporary checkout) is the same code.
      const root = dirname(dirname(self));
      hashFiles(
        hash,
        root,
        SOURCE_FOLDERS.flatMap((f) => filesUnder(join(root, f)).map((p) => join(f, p))),
      );
    }
    codeIdentityMemo = hash.digest("hex");
  }
  return codeIdentityMemo;
}

/** The cache folder, or undefined when caching is off or there is no project folder to hold it. */
export function toolCacheDir(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string | undefined {
  const off = env.PLATFORM_NO_CACHE;
  if (off !== undefined && off !== "" && off !== "0") return undefined;
  if (env.PLATFORM_CACHE_DIR) return resolve(cwd, env.PLATFORM_CACHE_DIR);
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    if (isDirectory(join(dir, "node_modules"))) return join(dir, "node_modules", ".cache", "nautilus-platform");
    if (dirname(dir) === dir) return undefined;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * What says which binary `tool` is: the real path of the first executable of that name on PATH, its size and its
 * modification time (an upgrade changes at least one). Undefined when it is not found: then nothing is cached and
 * the run itself says the tool is missing.
 */
export function toolIdentity(tool: string, path = process.env.PATH ?? ""): string | undefined {
  let found: string | undefined;
  const candidates = tool.includes("/") ? [resolve(tool)] : path.split(delimiter).map((d) => join(d || ".", tool));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      const real = realpathSync(candidate);
      const s = statSync(real);
      if (!s.isFile()) continue;
      found = [real, s.size, s.mtimeMs, s.ino].join("\u0000");
      break;
    } catch {}
  }
  return found;
}

/** `toolIdentity`, looked up once per tool for the life of one runner (one `check`). */
function identities(): (tool: string) => string | undefined {
  const known = new Map<string, string | undefined>();
  return (tool) => {
    if (!known.has(tool)) known.set(tool, toolIdentity(tool));
    return known.get(tool);
  };
}

/**
 * The bytes of each file, by path relative to `root`, in a stable order; an absent file is marked as such. With
 * `placeholder`, `root` written inside a file counts as the placeholder: a file that names the temporary folder it
 * is in (promtool's config names its stand-in token there) is the same input in another such folder.
 */
function hashFiles(hash: ReturnType<typeof createHash>, root: string, paths: readonly string[], placeholder?: string) {
  for (const p of [...new Set(paths)].sort()) {
    hash.update(`\u0000file\u0000${p}\u0000`);
    try {
      let bytes = readFileSync(join(root, p));
      if (placeholder !== undefined && bytes.includes(root))
        bytes = Buffer.from(bytes.toString("latin1").split(root).join(placeholder), "latin1");
      hash.update(`${bytes.length}\u0000`);
      hash.update(bytes);
    } catch {
      hash.update("absent");
    }
  }
}

/** Every file under `dir`, relative to it, following symbolic links as the tools do. */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    let entries: string[];
    try {
      entries = readdirSync(join(dir, rel));
    } catch {
      return;
    }
    for (const name of entries) {
      const p = rel ? `${rel}/${name}` : name;
      let s: ReturnType<typeof statSync>;
      try {
        s = statSync(join(dir, p));
      } catch {
        continue;
      }
      if (s.isDirectory()) walk(p);
      else if (s.isFile()) out.push(p);
    }
  };
  walk("");
  return out;
}

/** The key of one run: tool identity, arguments (the folder it runs in as a placeholder), input bytes. */
export function runKey(
  identity: string,
  args: readonly string[],
  cwd: string,
  inputs: readonly string[] | undefined,
): string {
  const hash = createHash("sha256");
  hash.update(`${FORMAT}\u0000${codeIdentity()}\u0000${identity}\u0000`);
  for (const a of args) hash.update(`${a.split(cwd).join(CWD)}\u0000`);
  hash.update(inputs ? "\u0000inputs\u0000" : "\u0000every file\u0000");
  hashFiles(hash, cwd, inputs ?? filesUnder(cwd), CWD);
  return hash.digest("hex");
}

/**
 * The key of a value derived from in-memory `files` (path, content) by `what`, given `parts` (tool identities,
 * options): for results that depend on nothing else but this code.
 */
export function valueKey(
  what: string,
  parts: readonly string[],
  files: readonly (readonly [string, string])[],
): string {
  const hash = createHash("sha256");
  hash.update(`${FORMAT}\u0000${codeIdentity()}\u0000${what}\u0000`);
  for (const p of parts) hash.update(`${p}\u0000`);
  for (const [p, content] of [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    hash.update(`\u0000file\u0000${p}\u0000${Buffer.byteLength(content)}\u0000${content}`);
  return hash.digest("hex");
}

interface Entry<T> {
  format: string;
  key: string;
  value: T;
}

/** The value stored under `key`, or undefined when there is none or it cannot be read whole. */
export function readEntry<T>(dir: string, key: string): T | undefined {
  const file = join(dir, `${key}.json`);
  try {
    const entry = JSON.parse(readFileSync(file, "utf8")) as Entry<T>;
    if (entry?.format !== FORMAT || entry.key !== key || entry.value === undefined) return undefined;
    // Used now: pruning keeps the most recently used.
    const now = new Date();
    try {
      utimesSync(file, now, now);
    } catch {}
    return entry.value;
  } catch {
    return undefined;
  }
}

/** Stores `value` under `key`: whole or not at all. A cache that cannot be written is no cache, not an error. */
export function writeEntry(dir: string, key: string, value: unknown): void {
  try {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${key}.json`);
    const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    const entry: Entry<unknown> = { format: FORMAT, key, value };
    writeFileSync(temp, JSON.stringify(entry));
    try {
      renameSync(temp, file);
    } catch {
      try {
        unlinkSync(temp);
      } catch {}
      return;
    }
    written.add(dir);
  } catch {}
}

/** Folders this process wrote to: pruned once, before it exits. */
const written = new Set<string>();

/** Deletes all but the most recently used entries within `maxEntries` and `maxBytes`, and stale temporary files. */
export function pruneCache(dir: string, maxEntries = MAX_ENTRIES, maxBytes = MAX_BYTES, now = Date.now()): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  const entries: { file: string; used: number; size: number }[] = [];
  for (const name of names) {
    const file = join(dir, name);
    try {
      const s = statSync(file);
      if (name.endsWith(".tmp")) {
        if (now - s.mtimeMs > STALE_TEMP_MS) unlinkSync(file);
      } else if (name.endsWith(".json")) entries.push({ file, used: s.mtimeMs, size: s.size });
    } catch {}
  }
  entries.sort((a, b) => b.used - a.used);
  let bytes = 0;
  entries.forEach((e, i) => {
    bytes += e.size;
    if (i < maxEntries && bytes <= maxBytes) return;
    try {
      unlinkSync(e.file);
    } catch {}
  });
}

/** Prunes the folders this process added entries to (a run that only read the cache prunes nothing). */
export function pruneWritten(): void {
  for (const dir of written) pruneCache(dir);
  written.clear();
}

/**
 * `run`, answered from the cache in `dir` when the same tool ran on the same arguments and input bytes before. A
 * tool that cannot be found or started is never cached.
 */
export function cachedRunner(dir: string | undefined, run: ToolRunner = runTool): ToolRunner {
  if (!dir) return run;
  const identityOf = identities();
  return (tool, args, cwd, inputs) => {
    const identity = identityOf(tool);
    if (!identity) return run(tool, args, cwd, inputs);
    const key = runKey(identity, args, cwd, inputs);
    const hit = readEntry<ToolRun>(dir, key);
    if (hit && typeof hit.ok === "boolean" && typeof hit.output === "string")
      return { ok: hit.ok, output: hit.output.split(CWD).join(cwd) };
    const r = run(tool, args, cwd, inputs);
    if (!r.missing && runKey(identity, args, cwd, inputs) === key)
      writeEntry(dir, key, { ok: r.ok, output: r.output.split(cwd).join(CWD) });
    return r;
  };
}

type KustomizeBuild = typeof kustomizeBuild;

const KUSTOMIZATION_FILES = new Set(["kustomization.yaml", "kustomization.yml", "Kustomization"]);

/** The folders one kustomization file names under `resources`, `components` or `bases`; undefined when not sure. */
function namedFolders(root: string, file: string): string[] | undefined {
  let text: string;
  try {
    text = readFileSync(join(root, file), "utf8");
  } catch {
    return [];
  }
  let doc: unknown;
  try {
    doc = (plainManifestValues(text) ?? parseYamlDocuments(text))[0];
  } catch {
    // kustomize fails on it too; that failure is cached with the bytes that caused it.
    return [];
  }
  const k = (doc ?? {}) as Record<string, unknown>;
  const folders: string[] = [];
  for (const field of ["resources", "components", "bases"]) {
    const list = k[field];
    if (list === undefined) continue;
    if (!Array.isArray(list)) return undefined;
    for (const entry of list) {
      // Not a string as we read it (kustomize's YAML may read it as one), or remote: not cached.
      if (typeof entry !== "string" || /^[a-z][a-z0-9+.-]*:\/\/|^git@|^github\.com\//i.test(entry)) return undefined;
      const target = isAbsolute(entry) ? entry : resolve(root, dirname(file), entry);
      if (isDirectory(target)) folders.push(target);
    }
  }
  return folders;
}

/** A folder's files and their digest (sha256 of each relative path and its bytes). */
function folderDigest(root: string): string {
  const hash = createHash("sha256");
  hashFiles(hash, root, filesUnder(root));
  return hash.digest("hex");
}

/**
 * The folders `kubectl kustomize overlay` reads: the overlay and, transitively, every local folder a kustomization
 * in them names under `resources`, `components` or `bases` (kustomize loads other files only from inside a
 * kustomization's own folder). Undefined when one names something remote or unreadable as a list of paths.
 */
export function kustomizeRoots(overlay: string, namedIn = namedFolders): string[] | undefined {
  const roots: string[] = [];
  const queue = [resolve(overlay)];
  const inside = (p: string) => roots.some((r) => p === r || p.startsWith(`${r}${sep}`));
  while (queue.length > 0) {
    const root = queue.shift()!;
    if (inside(root)) continue;
    roots.push(root);
    for (const file of filesUnder(root)) {
      if (!KUSTOMIZATION_FILES.has(file.split("/").pop()!)) continue;
      const named = namedIn(root, file);
      if (!named) return undefined;
      queue.push(...named.filter((f) => !inside(f)));
    }
  }
  return roots;
}

/**
 * `kubectl kustomize overlay`, answered from the cache in `dir` when kubectl and every file it reads are unchanged.
 * One builder serves one `check`: what it reads of a folder shared by several overlays (a base) is read once.
 */
export function cachedKustomizeBuild(dir: string | undefined, build: KustomizeBuild = kustomizeBuild): KustomizeBuild {
  if (!dir) return build;
  const identityOf = identities();
  const named = new Map<string, string[] | undefined>();
  const digests = new Map<string, string>();
  const namedOnce = (root: string, file: string) => {
    const at = join(root, file);
    if (!named.has(at)) named.set(at, namedFolders(root, file));
    return named.get(at);
  };
  const key = (identity: string, overlay: string, roots: readonly string[], digest: (root: string) => string) => {
    const hash = createHash("sha256");
    hash.update(`${FORMAT}\u0000${codeIdentity()}\u0000kustomize\u0000${identity}\u0000${overlay}\u0000`);
    // Relative to the working folder, as the argument is: moving the project does not matter.
    for (const root of roots) hash.update(`\u0000root\u0000${relative(process.cwd(), root)}\u0000${digest(root)}`);
    return hash.digest("hex");
  };
  const digestOnce = (root: string) => {
    if (!digests.has(root)) digests.set(root, folderDigest(root));
    return digests.get(root)!;
  };
  return (overlay) => {
    const identity = identityOf("kubectl");
    const roots = kustomizeRoots(overlay, namedOnce);
    if (!identity || !roots) return build(overlay);
    const k = key(identity, overlay, roots, digestOnce);
    const hit = readEntry<ReturnType<KustomizeBuild>>(dir, k);
    if (hit && (hit.ok ? Array.isArray(hit.objects) : typeof hit.message === "string")) return hit;
    const r = build(overlay);
    // Not a tool that could not start, and only objects that JSON keeps as they are (no NaN, no Infinity); and
    // not when a file it read changed while it ran (read afresh here, not from this builder's memory).
    const cacheable = r.ok
      ? deepEqual(JSON.parse(JSON.stringify(r.objects)), r.objects)
      : !r.message.startsWith("could not run kubectl");
    if (cacheable && key(identity, overlay, roots, folderDigest) === k) writeEntry(dir, k, r);
    return r;
  };
}
