/**
 * The code as a reader meets it: it type-checks (fixtures are typed, so a misspelt field fails
 * here), the formatter and linter are satisfied, and no line runs past 120 characters.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const MAX_LINE = 120;

test("tsc --noEmit passes", () => {
  const r = spawnSync(join(root, "node_modules/.bin/tsc"), ["--noEmit", "-p", root], { encoding: "utf8" });
  assert.is(r.status, 0, `${r.stdout}${r.stderr}`);
});

test("biome check passes (format and lint)", () => {
  const r = spawnSync(join(root, "node_modules/.bin/biome"), ["check", "--colors=off", "--error-on-warnings", root], {
    cwd: root,
    encoding: "utf8",
  });
  assert.is(r.status, 0, `${r.stdout}${r.stderr}\nrun \`npm run format\`, then fix what the linter names`);
});

test(`no line of TypeScript runs past ${MAX_LINE} characters`, () => {
  const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "*.ts"], {
    cwd: root,
    encoding: "utf8",
  })
    .split("\n")
    .filter(Boolean);
  const long: string[] = [];
  for (const f of files) {
    let text: string;
    try {
      text = readFileSync(join(root, f), "utf8");
    } catch {
      continue; // deleted in the working tree
    }
    text.split("\n").forEach((line, i) => {
      if ([...line].length > MAX_LINE) long.push(`${f}:${i + 1} (${[...line].length})`);
    });
  }
  assert.equal(long, []);
});

test.run();
