#!/usr/bin/env node
/**
 * Bundles the CLI (bin/platform.ts) into dist/platform.mjs with esbuild: one file that plain `node` starts
 * without tsx's compile-on-load. Plain JavaScript so that `npm ci` (the prepare script), the npm scripts and
 * the pre-commit hook can run it before anything is compiled.
 *
 *   node bin/build.mjs             build
 *   node bin/build.mjs --if-stale  build only when a source the last build read is newer than the bundle,
 *                                  so `npm run check` after an edit never runs yesterday's code
 */
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
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

function stale() {
  if (!existsSync(BUNDLE) || !existsSync(INPUTS) || !existsSync(WORKER) || !existsSync(PARSE_WORKER)) return true;
  const built = statSync(BUNDLE).mtimeMs;
  let inputs;
  try {
    inputs = JSON.parse(readFileSync(INPUTS, "utf8"));
  } catch {
    return true;
  }
  // A source added since is only ever reached through an edited (so newer) file that imports it; this script
  // holds the build's options.
  return [...inputs, "bin/build.mjs"].some(
    (f) => !existsSync(join(ROOT, f)) || statSync(join(ROOT, f)).mtimeMs > built,
  );
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
  if (!process.argv.includes("--if-stale") || stale()) await buildCli();
}
