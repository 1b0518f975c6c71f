/**
 * The only writer of out/. It touches nothing but its own files: files other people put in out/ stay
 * exactly as they are (content, mode, owner, links, empty folders), because out/ is never moved or
 * copied, only the generated files in it are replaced, each by a rename (so no file is ever half
 * written). New content is staged in out/.generate-staging first; a failure before the first rename
 * leaves out/ as it was. Before the first rename, .generated-files lists every file the run may create,
 * so a run killed in the middle leaves files the next run knows as its own: it cleans up and finishes.
 * A lock (out/.generate-lock, holding the process id) keeps two runs apart and tells a killed run's
 * leftovers from a live one's.
 */
import {
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  chmodSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { homedir } from "node:os";
import { basename, dirname, join, parse as parsePath, resolve, sep } from "node:path";
import {
  IN_PROGRESS,
  MANIFEST,
  manifestText,
  parseManifest,
  type EntryKind,
  type OutSnapshot,
  type ParsedManifest,
} from "../engines/drift.ts";
import { UsageError } from "./load-config.ts";

/** `out/` and `out` are the same folder; messages name it one way. */
export function displayDir(outDir: string): string {
  const d = outDir.replace(/\/+$/, "");
  return d === "" ? "/" : d;
}

interface Walked {
  /** Every entry that is not a real folder, out/-relative, sorted; symbolic links are not followed. */
  entries: Map<string, EntryKind>;
  /** Every real folder below out/, with its device (a different one is a mount point). */
  dirs: Map<string, number>;
  device: number;
}

function walk(root: string): Walked {
  const found: [string, EntryKind][] = [];
  const dirs = new Map<string, number>();
  const visit = (rel: string) => {
    for (const e of readdirSync(rel ? join(root, rel) : root, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        dirs.set(r, lstatSync(join(root, r)).dev);
        visit(r);
      } else found.push([r, e.isSymbolicLink() ? "symlink" : e.isFile() ? "file" : "other"]);
    }
  };
  visit("");
  found.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { entries: new Map(found), dirs, device: statSync(root).dev };
}

/**
 * What `check` compares: every entry of out/, and the content of the files it generates. Given the expected
 * contents (not only their paths), a file that holds exactly its expected content is recorded with the expected
 * string itself, so the copy read from disk is garbage at once: `check` keeps one copy of out/ in memory, not
 * two (at 10,000 services, half a gigabyte less for the garbage collector to walk), and drift's comparison of
 * an unchanged file is one of identical strings.
 */
export function snapshot(outDir: string, expected: Iterable<string> | ReadonlyMap<string, string>): OutSnapshot {
  const root = resolve(outDir);
  const contents = expected instanceof Map ? (expected as ReadonlyMap<string, string>) : undefined;
  const wanted = new Set([...(contents ? contents.keys() : (expected as Iterable<string>)), MANIFEST]);
  const entries = new Map<string, { kind: EntryKind; content?: string }>();
  for (const [path, kind] of walk(root).entries) {
    if (kind !== "file" || !wanted.has(path)) {
      entries.set(path, { kind });
      continue;
    }
    const content = readFileSync(join(root, path), "utf8");
    const want = contents?.get(path);
    entries.set(path, { kind, content: want !== undefined && content === want ? want : content });
  }
  return { entries };
}

/** The real path of `path`, or of its nearest existing folder with the rest appended. */
function realpathOfNearest(path: string): string {
  let existing = resolve(path);
  const rest: string[] = [];
  while (!existsSync(existing) && dirname(existing) !== existing) {
    rest.unshift(existing.slice(dirname(existing).length).replace(/^[/\\]/, ""));
    existing = dirname(existing);
  }
  return join(realpathSync(existing), ...rest);
}

const within = (parent: string, child: string) => child.startsWith(parent.endsWith(sep) ? parent : parent + sep);

/**
 * Refuses an output folder that can only be a mistake, before anything is written: the root of the file
 * system, the home folder, the project (the folder holding the config, or a git repository's root) or a
 * folder holding either.
 */
export function guardOutDir(outDir: string, configFile: string, use = "write there"): void {
  const real = realpathOfNearest(outDir);
  const refuse = (why: string) => {
    throw new UsageError(
      `--out ${outDir}: refusing to ${use}: ${why}; the output folder must be a folder of its own (e.g. --out out)`,
    );
  };
  if (parsePath(real).root === real) refuse("it is the root of the file system");
  for (const home of new Set([homedir(), process.env.HOME].filter((h): h is string => !!h).map(realpathOfNearest))) {
    if (real === home) refuse("it is your home folder");
    if (within(real, home)) refuse(`it holds your home folder (${home})`);
  }
  const configDir = realpathOfNearest(dirname(resolve(configFile)));
  if (real === configDir) refuse(`it is the folder that holds ${configFile}`);
  if (within(real, configDir)) refuse(`it holds ${configFile}`);
  for (let d = configDir; ; d = dirname(d)) {
    if (existsSync(join(d, ".git"))) {
      if (real === d) refuse("it is the root of the git repository");
      break;
    }
    if (dirname(d) === d) break;
  }
  if (existsSync(join(real, ".git"))) refuse("it holds a .git folder (the root of a repository)");
}

export interface WriteResult {
  /** Files the config generates. */
  total: number;
  /** Files whose content changed or that are new. */
  written: number;
  /** Generated before, no longer produced, removed. */
  removed: string[];
  /** Whether .generated-files was written (new, rebuilt or changed). */
  manifestWritten: boolean;
  /** Said to the user, never fatal. */
  warnings: string[];
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

const ioMessage = (e: unknown) => {
  const io = e as NodeJS.ErrnoException;
  return io?.code ? `${io.code} on ${io.path ?? "?"}` : String((e as Error)?.message ?? e);
};

function readOwnManifest(root: string, walked: Walked): ParsedManifest | undefined {
  if (walked.entries.get(MANIFEST) !== "file") return undefined;
  const parsed = parseManifest(readFileSync(join(root, MANIFEST), "utf8"));
  return parsed.ours ? parsed : undefined;
}

function contentOf(root: string, walked: Walked, path: string): string | undefined {
  return walked.entries.get(path) === "file" ? readFileSync(join(root, path), "utf8") : undefined;
}

const isLeftover = (path: string) =>
  path === IN_PROGRESS.lock || path.startsWith(`${IN_PROGRESS.lock}.`) || path.startsWith(`${IN_PROGRESS.staging}/`);

const listed = (paths: readonly string[]) => `${paths.slice(0, 5).join(", ")}${paths.length > 5 ? ", ..." : ""}`;

/**
 * Everything that makes a write into `root` wrong, found without writing: a folder that is not ours,
 * a file of someone else's where we would write, something not a folder where we need one.
 */
function conflicts(
  root: string,
  name: string,
  walked: Walked,
  manifest: ParsedManifest | undefined,
  files: ReadonlyMap<string, string>,
): void {
  if (!manifest) {
    const foreign = [...walked.entries.keys()].filter(
      (p) => !isLeftover(p) && (!files.has(p) || contentOf(root, walked, p) !== files.get(p)),
    );
    if (foreign.length > 0)
      throw new UsageError(
        `${name}/ is not empty and has no ${MANIFEST} written by this tool, so its files are not known to be ours ` +
          `(${listed(foreign)}); generate writes only into a new or empty folder or one it wrote before: restore ` +
          `${name}/${MANIFEST} (e.g. git checkout -- ${name}/${MANIFEST}) or move these files away`,
      );
    return;
  }
  const clash = [...files.keys()].filter((p) => {
    const kind = walked.entries.get(p);
    if (kind === undefined) return false;
    if (kind !== "file") return true;
    return !manifest.paths.has(p) && contentOf(root, walked, p) !== files.get(p);
  });
  if (clash.length > 0)
    throw new UsageError(
      `${name}: would overwrite files this tool did not generate: ${listed(clash)}; move them away first`,
    );
  const blocked = new Set<string>();
  for (const path of files.keys()) {
    if (walked.dirs.has(path)) blocked.add(`${name}/${path} is a folder where generate writes a file`);
    const parts = path.split("/");
    for (let i = 1; i < parts.length; i++) {
      const folder = parts.slice(0, i).join("/");
      const kind = walked.entries.get(folder);
      if (kind)
        blocked.add(
          `${name}/${folder} is a ${kind === "symlink" ? "symbolic link" : "file"} where generate needs a folder ` +
            `(it writes only into real folders of ${name}/)`,
        );
      const device = walked.dirs.get(folder);
      if (device !== undefined && device !== walked.device)
        blocked.add(`${name}/${folder} is a mount point (generate renames files within one file system)`);
    }
  }
  if (blocked.size > 0) throw new UsageError(`${name}: cannot write: ${listed([...blocked])}; move them away first`);
}

/**
 * Earlier versions staged a whole copy beside out/ (`out.staging-<pid>`, `out.previous-<pid>`, or inside
 * it when --out ended in a slash) and a killed run left it there. They lie outside what this run owns
 * or hold files of anyone's, so they are named, not removed.
 */
function legacyLeftovers(root: string, name: string): string[] {
  const pattern = (base: string) =>
    new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\.(staging|previous)-\\d+$`);
  const list = (dir: string) => {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  };
  const beside = list(dirname(root))
    .filter((e) => pattern(basename(root)).test(e))
    .map((e) => join(dirname(name), e));
  const inside = list(root)
    .filter((e) => pattern("").test(e))
    .map((e) => `${name}/${e}`);
  return [...beside, ...inside].map(
    (p) => `${p} looks like what an interrupted generate of an earlier version left; check it and remove it by hand`,
  );
}

/** Takes out/'s lock; a lock left by a process that no longer runs is taken over. Returns that process. */
function lock(root: string, name: string): number | undefined {
  const path = join(root, IN_PROGRESS.lock);
  const mine = `${path}.${process.pid}`;
  for (const entry of readdirSync(root)) {
    const pid = entry.startsWith(`${IN_PROGRESS.lock}.`) ? Number(entry.slice(IN_PROGRESS.lock.length + 1)) : NaN;
    if (!Number.isNaN(pid) && !alive(pid)) rmSync(join(root, entry), { force: true });
  }
  writeFileSync(mine, `${process.pid}\n`);
  let recovered: number | undefined;
  try {
    for (;;) {
      try {
        // A hard link appears whole or not at all: whoever reads the lock reads a complete process id.
        linkSync(mine, path);
        return recovered;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST" || recovered !== undefined) throw e;
      }
      let holder = NaN;
      try {
        holder = Number(readFileSync(path, "utf8").trim());
      } catch {}
      if (alive(holder))
        throw new UsageError(
          `another generate (process ${holder}) is writing ${name}/ now; wait for it to finish (if none is ` +
            `running, delete ${name}/${IN_PROGRESS.lock})`,
        );
      rmSync(path, { force: true });
      recovered = Number.isNaN(holder) ? 0 : holder;
    }
  } finally {
    rmSync(mine, { force: true });
  }
}

/**
 * Writes `files` (out/-relative path → content) into `outDir` and removes the files an earlier run
 * generated that `files` no longer has; touches nothing else. Files whose content is unchanged are
 * left alone (mode and time included).
 */
export function writeOut(outDir: string, files: ReadonlyMap<string, string>, configFile: string): WriteResult {
  const name = displayDir(outDir);
  const root = resolve(outDir);
  guardOutDir(outDir, configFile);
  if (existsSync(root) && !statSync(root).isDirectory())
    throw new UsageError(`${name}: exists and is not a folder; --out names the folder to write`);
  const warnings: string[] = [];
  if (existsSync(root)) {
    const first = walk(root);
    conflicts(root, name, first, readOwnManifest(root, first), files);
  }

  let created: string | undefined;
  let locked = false;
  const staging = join(root, IN_PROGRESS.staging);
  // Only the lock's holder may clear the staging folder: another run's is its own.
  const release = () => {
    if (!locked) return;
    rmSync(staging, { recursive: true, force: true });
    rmSync(join(root, IN_PROGRESS.lock), { force: true });
  };
  const undo = () => {
    release();
    if (created)
      for (let d = root; d.length >= created.length; d = dirname(d)) {
        try {
          rmdirSync(d);
        } catch {
          break;
        }
      }
  };
  const plan: string[] = [];
  let previous: ParsedManifest | undefined;
  let walked: Walked;
  try {
    created = mkdirSync(root, { recursive: true });
    const recovered = lock(root, name);
    locked = true;
    if (recovered !== undefined)
      warnings.push(
        `cleaned up after a generate that was interrupted${recovered ? ` (process ${recovered})` : ""}; this run ` +
          `finishes its update`,
      );
    rmSync(staging, { recursive: true, force: true });
    // Again under the lock: someone may have written into out/ since the first look.
    walked = walk(root);
    previous = readOwnManifest(root, walked);
    conflicts(root, name, walked, previous, files);
    warnings.push(...legacyLeftovers(root, name));
    for (const entry of previous?.ignored ?? [])
      warnings.push(`${name}/${MANIFEST} lists ${JSON.stringify(entry)}, which is not inside ${name}/; ignored`);
    mkdirSync(staging);
    for (const [path, content] of files) {
      if (contentOf(root, walked, path) === content) continue;
      const staged = join(staging, String(plan.length));
      writeFileSync(staged, content);
      const mode = walked.entries.has(path) ? lstatSync(join(root, path)).mode & 0o7777 : undefined;
      if (mode !== undefined) chmodSync(staged, mode);
      plan.push(path);
    }
  } catch (e) {
    undo();
    if (e instanceof UsageError) throw e;
    throw new UsageError(`could not prepare ${name}/: ${ioMessage(e)}; nothing in ${name}/ was changed`);
  }

  const stale = [...(previous?.paths ?? [])].filter((p) => !files.has(p));
  const removable = stale.filter((p) => walked.entries.get(p) === "file");
  for (const p of stale.filter((p) => walked.entries.has(p) && walked.entries.get(p) !== "file"))
    warnings.push(`${name}/${p} was generated before but is no longer a regular file; left alone`);
  const finalManifest = manifestText(files.keys());
  const manifestChanged = contentOf(root, walked, MANIFEST) !== finalManifest;
  let done = 0;
  const removed: string[] = [];
  try {
    const writeManifest = (text: string) => {
      const staged = join(staging, "manifest");
      writeFileSync(staged, text);
      renameSync(staged, join(root, MANIFEST));
    };
    // Listed before they exist: a run killed after the next rename leaves no file the next run does not know.
    if (plan.some((path) => !previous?.paths.has(path)))
      writeManifest(manifestText(new Set([...files.keys(), ...(previous?.paths ?? [])])));
    for (const path of plan) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      renameSync(join(staging, String(done)), join(root, path));
      done++;
    }
    for (const path of removable) {
      unlinkSync(join(root, path));
      removed.push(path);
      for (let d = dirname(path); d !== "."; d = dirname(d)) {
        try {
          rmdirSync(join(root, d));
        } catch {
          break;
        }
      }
    }
    if (manifestChanged) writeManifest(finalManifest);
  } catch (e) {
    release();
    throw new UsageError(
      `generate stopped part-way through updating ${name}/ (${done} of ${plan.length} changed files written, ` +
        `${removed.length} of ${removable.length} old files removed): ${ioMessage(e)}; ${name}/${MANIFEST} lists ` +
        `every file it may have written, so fix the cause and run generate again to finish`,
    );
  }
  release();
  return { total: files.size, written: plan.length, removed, manifestWritten: manifestChanged, warnings };
}
