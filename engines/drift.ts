/**
 * out/ must be exactly what the config generates: every changed, missing or stale file, and every file
 * the config does not generate at all, is a finding. `kubectl apply -f out/rendered --recursive` deploys
 * whatever lies there, so a hand-added manifest is as dangerous as a hand-edited one.
 */
import type { Finding } from "../core/finding.ts";

/** The record of what `generate` wrote, in out/ itself, so a later run removes only its own files. */
export const MANIFEST = ".generated-files";
const MANIFEST_HEADER = "# Files written by `npm run generate`; it removes them when the config stops producing them.";

/** Names `generate` uses inside out/ while it runs; they outlive it only when it is killed. */
export const IN_PROGRESS = { lock: ".generate-lock", staging: ".generate-staging" } as const;

export function manifestText(paths: Iterable<string>): string {
  return `${MANIFEST_HEADER}\n${[...paths].join("\n")}\n`;
}

/**
 * An out/-relative path that stays inside out/: no absolute path, no `..`, `.` or empty segment. The
 * manifest is a file anyone can edit, so its entries are only trusted when they pass this.
 */
export function isInside(path: string): boolean {
  return (
    path.length > 0 &&
    !path.startsWith("/") &&
    !path.includes("\\") &&
    !path.includes("\0") &&
    path.split("/").every((s) => s !== "" && s !== "." && s !== "..")
  );
}

export interface ParsedManifest {
  /** Whether the file starts with our header: a `.generated-files` someone else wrote does not make a folder ours. */
  ours: boolean;
  paths: Set<string>;
  /** Entries that point outside out/: never read, never removed. */
  ignored: string[];
}

export function parseManifest(text: string): ParsedManifest {
  const lines = text.split("\n");
  const paths = new Set<string>();
  const ignored: string[] = [];
  for (const line of lines) {
    if (!line || line.startsWith("#")) continue;
    if (isInside(line)) paths.add(line);
    else ignored.push(line);
  }
  return { ours: lines[0] === MANIFEST_HEADER, paths, ignored };
}

export type EntryKind = "file" | "symlink" | "other";

export interface OutSnapshot {
  /**
   * Every entry under out/ that is not a folder (symbolic links are not followed), out/-relative, with the
   * content of the regular files the comparison needs: the expected ones and the manifest.
   */
  entries: ReadonlyMap<string, { kind: EntryKind; content?: string }>;
}

const KIND_NAMES: Record<EntryKind, string> = { file: "a file", symlink: "a symbolic link", other: "a special file" };

const HINT = "run `npm run generate` and commit out/ together with platform.config.ts";
/** Enough of a diff to see what changed without burying the other findings. */
const DIFF_LINES = 12;
/** Unexpected files are listed one by one up to here, then counted. */
const LISTED_UNEXPECTED = 50;

export function checkDrift(expected: ReadonlyMap<string, string>, actual: OutSnapshot, outDir = "out"): Finding[] {
  const shown = (p: string) => `${outDir}/${p}`;
  const findings: Finding[] = [];
  const want = new Map(expected);
  want.set(MANIFEST, manifestText(expected.keys()));
  const manifestOnDisk = actual.entries.get(MANIFEST);
  const manifest = parseManifest(manifestOnDisk?.kind === "file" ? (manifestOnDisk.content ?? "") : "");
  let changed = 0;
  let missing = 0;
  let stale = 0;
  for (const [path, content] of want) {
    const onDisk = actual.entries.get(path);
    if (onDisk?.kind === "file" && onDisk.content === content) continue;
    if (onDisk?.kind === "file" && onDisk.content !== undefined) {
      changed++;
      findings.push({
        engine: "drift",
        rule: "changed",
        severity: "error",
        file: shown(path),
        message:
          `${shown(path)} differs from what platform.config.ts generates (edited by hand, or the config changed ` +
          `without regenerating):\n${unifiedDiff(content, onDisk.content)}`,
        hint: HINT,
      });
    } else {
      missing++;
      findings.push({
        engine: "drift",
        rule: "missing",
        severity: "error",
        file: shown(path),
        message: onDisk
          ? `${shown(path)} is ${KIND_NAMES[onDisk.kind]}, not the file the config generates`
          : `${shown(path)} is missing: the config generates it`,
        hint: HINT,
      });
    }
  }
  const unexpected: string[] = [];
  const leftovers: string[] = [];
  for (const [path, entry] of actual.entries) {
    if (want.has(path)) continue;
    if (
      path === IN_PROGRESS.lock ||
      path.startsWith(`${IN_PROGRESS.lock}.`) ||
      path.startsWith(`${IN_PROGRESS.staging}/`)
    )
      leftovers.push(path);
    else if (manifest.ours && manifest.paths.has(path) && entry.kind === "file") {
      stale++;
      findings.push({
        engine: "drift",
        rule: "stale",
        severity: "error",
        file: shown(path),
        message: `${shown(path)} was generated before but the config no longer produces it`,
        hint: HINT,
      });
    } else unexpected.push(path);
  }
  if (changed + missing + stale > 0)
    findings.unshift({
      engine: "drift",
      rule: "out-of-date",
      severity: "error",
      file: `${outDir}/`,
      message:
        `${outDir}/ is stale: run \`npm run generate\` (${changed} changed, ${missing} missing, ${stale} no longer ` +
        `produced; the findings below show each difference)`,
      hint: HINT,
    });
  if (leftovers.length > 0)
    findings.push({
      engine: "drift",
      rule: "interrupted",
      severity: "error",
      file: shown(leftovers[0]!),
      message:
        `a \`generate\` is running in ${outDir}/ or was interrupted (${leftovers.length} of its working files are ` +
        `there, e.g. ${shown(leftovers[0]!)})`,
      hint: "run `npm run generate` again: it cleans up after an interrupted run and finishes the update",
    });
  for (const path of unexpected.slice(0, LISTED_UNEXPECTED)) {
    const kind = actual.entries.get(path)?.kind;
    findings.push({
      engine: "drift",
      rule: "unexpected-file",
      severity: "error",
      file: shown(path),
      message:
        `${shown(path)} is ${KIND_NAMES[kind ?? "file"]} ` +
        `the config does not generate; whatever lies in ${outDir}/ may be applied to the cluster ` +
        `(kubectl apply -f ${outDir}/rendered --recursive), so only generated files may be there`,
      hint: `remove it or move it out of ${outDir}/ (generate never deletes files it did not write)`,
    });
  }
  if (unexpected.length > LISTED_UNEXPECTED)
    findings.push({
      engine: "drift",
      rule: "unexpected-file",
      severity: "error",
      file: `${outDir}/`,
      message: `${unexpected.length - LISTED_UNEXPECTED} more files under ${outDir}/ that the config does not generate`,
      hint: `remove them or move them out of ${outDir}/`,
    });
  for (const entry of manifest.ignored)
    findings.push({
      engine: "drift",
      rule: "manifest-outside",
      severity: "warning",
      file: shown(MANIFEST),
      message:
        `${shown(MANIFEST)} lists ${JSON.stringify(entry)}, which is not inside ${outDir}/; ignored (never read ` +
        `or removed)`,
      hint: HINT,
    });
  return findings;
}

/** Paths whose drift other comparisons would only restate (the files `kubectl kustomize` reads). */
export function driftedPaths(findings: readonly Finding[], outDir = "out"): string[] {
  const prefix = `${outDir}/`;
  return findings
    .filter((f) => f.engine === "drift" && (f.rule === "changed" || f.rule === "missing") && f.file?.startsWith(prefix))
    .map((f) => f.file!.slice(prefix.length))
    .filter((p) => p.length > 0);
}

/**
 * A short unified-style diff, `-` what is on disk that the config does not generate and `+` what it
 * generates instead, bounded to DIFF_LINES lines. Lines are compared by longest common subsequence
 * between the first and last difference; a huge middle is shown whole rather than compared.
 */
export function unifiedDiff(expected: string, actual: string): string {
  const a = actual.split("\n");
  const b = expected.split("\n");
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const midA = a.slice(start, endA);
  const midB = b.slice(start, endB);
  const ops: string[] = [];
  if (midA.length * midB.length <= 250_000) {
    const lcs: number[][] = Array.from({ length: midA.length + 1 }, () => new Array<number>(midB.length + 1).fill(0));
    for (let i = midA.length - 1; i >= 0; i--)
      for (let j = midB.length - 1; j >= 0; j--)
        lcs[i]![j] = midA[i] === midB[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    let i = 0;
    let j = 0;
    while (i < midA.length || j < midB.length) {
      if (i < midA.length && j < midB.length && midA[i] === midB[j]) {
        ops.push(` ${midA[i]}`);
        i++;
        j++;
      } else if (j >= midB.length || (i < midA.length && lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) ops.push(`-${midA[i++]}`);
      else ops.push(`+${midB[j++]}`);
    }
  } else ops.push(...midA.map((l) => `-${l}`), ...midB.map((l) => `+${l}`));
  const context = start > 0 ? [` ${a[start - 1]}`] : [];
  const body = [...context, ...ops];
  const changedLines = ops.filter((l) => !l.startsWith(" ")).length;
  const shownLines = body.slice(0, DIFF_LINES);
  const more = changedLines - shownLines.filter((l) => !l.startsWith(" ")).length;
  return [
    "    --- on disk",
    "    +++ generated",
    `    @@ line ${start + 1 - context.length} @@`,
    ...shownLines.map((l) => `    ${l}`),
    ...(more > 0 ? [`    ... ${more} more changed lines`] : []),
  ].join("\n");
}
