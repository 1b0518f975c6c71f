/**
 * `npm test`: every `test/**\/*.test.ts` under uvu (the type check, formatter and linter among them,
 * in static.test.ts), then one closing line `N passed, M failed` that CI reads.
 * Pass a pattern to run some files only: `npm test -- policies`.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { ensurePromtool } from "./support/tools.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const pattern = process.argv[2];
let passed = 0;
let failed = 0;

// Missing real tools fail the run loudly here, once, instead of in every test that needs them; the
// count is uvu's own unless a tool is missing.
const tools = ensurePromtool();
if (!tools.ok) {
  failed++;
  console.error(tools.message);
}

const uvu = spawnSync(
  process.execPath,
  [
    "--import",
    "tsx",
    join(root, "node_modules/uvu/bin.js"),
    "test",
    pattern ? `${pattern}.*\\.test\\.ts$` : "\\.test\\.ts$",
  ],
  {
    cwd: root,
    encoding: "utf8",
    // Tests see the real tools run, never an earlier run's cached result (test/tool-cache.test.ts tests the cache).
    env: { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1", PLATFORM_NO_CACHE: "1" },
    maxBuffer: 256 * 1024 * 1024,
  },
);
process.stdout.write(uvu.stdout);
process.stderr.write(uvu.stderr);
// uvu prints per-file totals only in aggregate: "Total: N", "Passed: P", "Skipped: S".
const plain = (uvu.stdout + uvu.stderr).replace(/\x1b\[[0-9;]*m/g, "");
const total = Number(/Total:\s+(\d+)/.exec(plain)?.[1] ?? NaN);
const ok = Number(/Passed:\s+(\d+)/.exec(plain)?.[1] ?? NaN);
const skipped = Number(/Skipped:\s+(\d+)/.exec(plain)?.[1] ?? 0);
if (Number.isNaN(total) || Number.isNaN(ok)) {
  // A crash before uvu's summary (a syntax error, an import failure) is one failure, not zero tests.
  failed++;
} else {
  passed += ok;
  failed += total - ok - skipped;
  if (uvu.status !== 0 && total - ok - skipped === 0) failed++;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
