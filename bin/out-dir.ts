/**
 * The only writer of out/. A generate builds the whole tree in a sibling staging folder and swaps
 * it in with renames, so a failure at any point leaves the previous out/ as it was. A manifest
 * records what we generated: files we no longer produce are removed, files we never wrote are kept.
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative } from "node:path";
import type { OutSnapshot } from "../engines/drift.ts";
import { UsageError } from "./load-config.ts";

export const MANIFEST = ".generated-files";

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else out.push(relative(dir, p).split("\\").join("/"));
    }
  };
  walk(dir);
  return out.sort();
}

export function readManifest(outDir: string): Set<string> | undefined {
  const p = join(outDir, MANIFEST);
  if (!existsSync(p)) return undefined;
  return new Set(
    readFileSync(p, "utf8")
      .split("\n")
      .filter((l) => l && !l.startsWith("#")),
  );
}

export function snapshot(outDir: string, expected: Iterable<string>): OutSnapshot {
  const previouslyGenerated = readManifest(outDir) ?? new Set<string>();
  const files = new Map<string, string | undefined>();
  for (const path of new Set([...expected, ...previouslyGenerated])) {
    const p = join(outDir, path);
    files.set(path, existsSync(p) && statSync(p).isFile() ? readFileSync(p, "utf8") : undefined);
  }
  return { files, previouslyGenerated };
}

export function writeOut(outDir: string, files: ReadonlyMap<string, string>): { written: number; removed: string[] } {
  if (existsSync(outDir) && !statSync(outDir).isDirectory())
    throw new UsageError(`${outDir}: exists and is not a folder; --out names the folder to write`);
  const previous = readManifest(outDir);
  const existing = listFiles(outDir);
  const foreign = existing.filter((f) => f !== MANIFEST && !(previous?.has(f) ?? false));
  const clash = foreign.filter((f) => files.has(f));
  if (clash.length > 0) {
    throw new UsageError(
      `${outDir}: would overwrite files this tool did not generate: ` +
        `${clash.slice(0, 5).join(", ")}${clash.length > 5 ? ", ..." : ""}; move them away first`,
    );
  }
  const stage = `${outDir}.staging-${process.pid}`;
  const old = `${outDir}.previous-${process.pid}`;
  rmSync(stage, { recursive: true, force: true });
  try {
    for (const [path, content] of files) {
      const p = join(stage, path);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, content);
    }
    for (const f of foreign) cpSync(join(outDir, f), join(stage, f), { preserveTimestamps: true });
    writeFileSync(
      join(stage, MANIFEST),
      `# Files written by \`npm run generate\`; it removes them when the config stops producing ` +
        `them.\n${[...files.keys()].join("\n")}\n`,
    );
  } catch (e) {
    rmSync(stage, { recursive: true, force: true });
    throw e;
  }
  if (existsSync(outDir)) renameSync(outDir, old);
  try {
    renameSync(stage, outDir);
  } catch (e) {
    if (existsSync(old)) renameSync(old, outDir);
    rmSync(stage, { recursive: true, force: true });
    throw e;
  }
  rmSync(old, { recursive: true, force: true });
  const removed = previous ? [...previous].filter((f) => !files.has(f)) : [];
  return { written: files.size, removed };
}
