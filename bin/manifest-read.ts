/**
 * Reads one manifest file for `vet`, on the main thread or in a parse worker (bin/parse-worker.ts): nothing here
 * imports more than node:fs, so a worker starts quickly.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readFileSync, statSync } from "node:fs";

/**
 * Parsing takes about 40 bytes of memory per byte of YAML: past this, one file could exhaust the heap and end the
 * whole run. The API server takes at most 3 MB per request, so a file this large is many objects: split it.
 */
export const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;

export type ManifestText = { text: string } | { problem: string; rule?: string };

/** Why a path cannot be read, in words. */
export function unreadableReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  switch (code) {
    case "ENOENT":
      return "a symlink to nothing (dangling)";
    case "ELOOP":
      return "a symlink loop";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EISDIR":
      return "a folder";
    default:
      return code ?? String((e as Error)?.message ?? e).split("\n")[0]!;
  }
}

function kindOf(s: { isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean }) {
  if (s.isFIFO()) return "a FIFO";
  if (s.isSocket()) return "a socket";
  if (s.isCharacterDevice() || s.isBlockDevice()) return "a device";
  return "not a regular file";
}

/** The text of a manifest file, or why it cannot be read. Never blocks: a FIFO is refused, not opened for reading. */
export function readManifestFile(file: string): ManifestText {
  let fd: number | undefined;
  try {
    const s = statSync(file);
    if (s.isDirectory())
      return { problem: "a symlink to a folder; kubectl -R does not follow it and cannot read it as a file" };
    if (!s.isFile()) return { problem: `${kindOf(s)}, not a regular file` };
    // Between stat and open the file may have become a FIFO: O_NONBLOCK never waits for a writer.
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
    const opened = fstatSync(fd);
    if (!opened.isFile()) return { problem: `${kindOf(opened)}, not a regular file` };
    if (opened.size > MAX_MANIFEST_BYTES)
      return {
        rule: "too-large",
        problem:
          `it is ${Math.round(opened.size / 2 ** 20)} MiB, more than vet reads (${MAX_MANIFEST_BYTES / 2 ** 20} MiB)` +
          "; split it into files of fewer objects",
      };
    return { text: readFileSync(fd, "utf8") };
  } catch (e) {
    const link = (() => {
      try {
        return lstatSync(file).isSymbolicLink();
      } catch {
        return false;
      }
    })();
    const code = (e as NodeJS.ErrnoException)?.code;
    return { problem: code === "ENOENT" && !link ? "it no longer exists" : unreadableReason(e) };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
