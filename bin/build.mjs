#!/usr/bin/env node
/**
 * Bundles the CLI (bin/platform.ts) into dist/platform.mjs with esbuild: one file that plain `node` starts
 * without tsx's compile-on-load. Plain JavaScript so that `npm ci` (the prepare script), the npm scripts and
 * the pre-commit hook can run it before anything is compiled.
 *
 *   node bin/build.mjs             build
 *   node bin/build.mjs --if-stale  build only when a source the last build read is newer than the bundle,
 *                                  so `npm run check` after an edit never runs yesterday's code
 *   node bin/build.mjs --reuse DIR build, unless DIR (another copy of the repository) holds a bundle that is up
 *                                  to date with its sources, and every one of them has the same bytes here:
 *                                  then copy it. The pre-commit hook builds the staged files this way, so a
 *                                  commit of what is already built skips esbuild and is still judged by its own code
 */
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const BUNDLE = join(ROOT, "dist/platform.mjs");
/** The worker thread `check` runs promtool and amtool in (bin/tools-aside.ts), beside the bundle. */
const WORKER = join(ROOT, "dist/tool-worker.mjs");
/** The worker threads `vet` parses manifests in (bin/parse-files.ts), beside the bundle. */
const PARSE_WORKER = join(ROOT, "dist/parse-worker.mjs");
/** The sources the last build read (esbuild's metafile inputs), for --if-stale. */
const INPUTS = join(ROOT, "dist/platform.inputs.json");

/**
 * Left to node's resolution at run time, from the package's node_modules: the schema engine imports the
 * model of each kind by a computed specifier (engines/schema/models.ts, known-fields.ts), which no bundler
 * can follow; esbuild compiles the TypeScript config (bin/config-module.ts) with the binary it finds from its own
 * files; tsx starts the tool worker's loader thread from its own files.
 */
const EXTERNAL = [
  "esbuild",
  "kubernetes-models",
  "kubernetes-models/*",
  "@kubernetes-models/*",
  "@kubernetes/client-node",
  "@kubernetes/client-node/*",
  "tsx",
  "tsx/*",
];

/** The files of a build: the bundle, its workers, and the list of sources they were built from. */
const OUTPUTS = [BUNDLE, WORKER, PARSE_WORKER, INPUTS];

/** Whether the bundle of the repository copy at `root` misses, or is older than a source it was built from. */
function stale(root = ROOT) {
  const at = (file) => join(root, file.slice(ROOT.length));
  if (OUTPUTS.some((f) => !existsSync(at(f)))) return true;
  const built = statSync(at(BUNDLE)).mtimeMs;
  const inputs = sourcesOf(root);
  // A source added since is only ever reached through an edited (so newer) file that imports it; this script
  // holds the build's options.
  return (
    !inputs ||
    [...inputs, "bin/build.mjs"].some((f) => !existsSync(join(root, f)) || statSync(join(root, f)).mtimeMs > built)
  );
}

/** The sources the last build at `root` read, relative to it; undefined when unreadable. */
function sourcesOf(root) {
  try {
    return JSON.parse(readFileSync(join(root, INPUTS.slice(ROOT.length)), "utf8"));
  } catch {
    return undefined;
  }
}

/** Whether two paths hold the same bytes (one file reached twice, through node_modules' symbolic link, is). */
function sameBytes(a, b) {
  if (!existsSync(a) || !existsSync(b)) return false;
  if (realpathSync(a) === realpathSync(b)) return true;
  return readFileSync(a).equals(readFileSync(b));
}

/**
 * Copies the bundle of the repository copy at `from` here when it is up to date and built from sources with the
 * same bytes as here: esbuild given the same sources, options (this script), tsconfig.json and package.json
 * writes the same bundle. Whether it did.
 */
function reuse(from) {
  if (stale(from)) return false;
  const inputs = sourcesOf(from);
  const same = [...inputs, "bin/build.mjs", "tsconfig.json", "package.json"].every((f) =>
    sameBytes(join(ROOT, f), join(from, f)),
  );
  if (!same) return false;
  mkdirSync(dirname(BUNDLE), { recursive: true });
  for (const f of OUTPUTS) copyFileSync(join(from, f.slice(ROOT.length)), f);
  return true;
}

export async function buildCli() {
  const { build } = await import("esbuild");
  // The bundle is dated when the build began: a source saved while esbuild reads stays newer, so stale.
  const started = new Date();
  const result = await build({
    entryPoints: {
      platform: join(ROOT, "bin/platform.ts"),
      "tool-worker": join(ROOT, "bin/tool-worker.ts"),
      "parse-worker": join(ROOT, "bin/parse-worker.ts"),
    },
    absWorkingDir: ROOT,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    external: EXTERNAL,
    define: { PLATFORM_BUNDLE: "true" },
    // Some bundled CommonJS packages call require(); an ES module has none of its own.
    banner: {
      js:
        'import { createRequire as __platformRequire } from "node:module";\n' +
        "const require = __platformRequire(import.meta.url);",
    },
    write: false,
    metafile: true,
    logLevel: "warning",
    outdir: dirname(BUNDLE),
    outExtension: { ".js": ".mjs" },
  });
  const output = (file) => result.outputFiles.find((f) => f.path === file).text;
  // The entry's own `#!/usr/bin/env -S npx tsx` would run the bundle under tsx: plain node is the point.
  const code = output(BUNDLE).replace(/^#![^\n]*\n/, "");
  mkdirSync(dirname(BUNDLE), { recursive: true });
  // Renamed into place: a CLI starting meanwhile (another `npm run check`) reads the old bundle or the new one.
  const inputs = Object.keys(result.metafile.inputs).sort();
  replace(INPUTS, `${JSON.stringify(inputs, null, 1)}\n`, 0o644);
  // Before the bundle: a bundle newer than the sources is taken as complete by --if-stale.
  replace(WORKER, output(WORKER), 0o644);
  replace(PARSE_WORKER, output(PARSE_WORKER), 0o644);
  replace(BUNDLE, `#!/usr/bin/env node\n${code}`, 0o755, started);
}

function replace(file, text, mode, date) {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, text);
  chmodSync(temp, mode);
  if (date) utimesSync(temp, date, date);
  renameSync(temp, file);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const from = process.argv.indexOf("--reuse");
  if (from >= 0 && process.argv[from + 1] && reuse(process.argv[from + 1])) process.exit(0);
  if (!process.argv.includes("--if-stale") || stale()) await buildCli();
}
