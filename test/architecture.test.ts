/**
 * Dependencies point one way (shared/DESIGN.md): the allowed edges between top-level folders are
 * written once, below, and every relative import of every TypeScript file is held to them.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, normalize, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Which folders each folder may import from (its own always allowed). */
export const ALLOWED_IMPORTS: Readonly<Record<string, readonly string[]>> = {
  core: [],
  schemas: ["core"],
  model: ["core", "schemas"],
  generators: ["core", "schemas", "model"],
  checks: ["core", "schemas", "model"],
  engines: ["core"],
  reporters: ["core"],
  policies: ["core"],
  "platform.config.ts": ["schemas"],
  bin: ["core", "schemas", "model", "generators", "checks", "engines", "reporters", "policies"],
  test: ["*"],
  bench: ["*"],
};

const IMPORT = /(?:\bfrom|\bimport)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g;

const topOf = (path: string) => path.split("/")[0]!;

/** Every import that points the wrong way, as `file -> target (folder may import: ...)`. */
export function wrongWayImports(files: readonly { path: string; text: string }[]): string[] {
  const problems: string[] = [];
  for (const { path, text } of files) {
    const from = topOf(path);
    const allowed = ALLOWED_IMPORTS[from];
    if (!allowed) {
      problems.push(`${path}: folder "${from}" has no entry in ALLOWED_IMPORTS; add it where it belongs`);
      continue;
    }
    for (const m of text.matchAll(IMPORT)) {
      const target = normalize(join(dirname(path), m[1]!));
      const to = topOf(target);
      if (to === from || allowed.includes("*") || allowed.includes(to)) continue;
      problems.push(`${path} -> ${target}: ${from} may import ${allowed.join(", ") || "nothing of ours"}`);
    }
  }
  return problems;
}

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

test("every import in the repository points the way DESIGN.md allows", () => {
  const paths = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "*.ts"], {
    cwd: root,
    encoding: "utf8",
  })
    .split("\n")
    .filter(Boolean);
  const files = paths.flatMap((path) => {
    try {
      return [{ path, text: readFileSync(join(root, path), "utf8") }];
    } catch {
      return []; // deleted in the working tree, not yet in the index
    }
  });
  assert.ok(files.length > 50, `expected the repository's TypeScript files, found ${files.length}`);
  assert.equal(wrongWayImports(files), []);
});

test("a wrong-way import is reported, static, type-only, re-export or dynamic", () => {
  const found = wrongWayImports([
    { path: "core/finding.ts", text: 'import type { Platform } from "../schemas/platform.ts";' },
    { path: "engines/schema.ts", text: 'export { hugepages } from "../checks/apiserver/hugepages.ts";' },
    { path: "generators/x.ts", text: 'const m = await import("../checks/platform.ts");' },
    { path: "reporters/text.ts", text: 'import { toYaml } from "../generators/yaml.ts";' },
    { path: "model/monitoring.ts", text: 'import { labels } from "../generators/meta.ts";' },
  ]);
  assert.is(found.length, 5, found.join("\n"));
  assert.match(found[0]!, /^core\/finding\.ts -> schemas\/platform\.ts: core may import nothing of ours$/);
});

test("a right-way import, a same-folder import and a package import pass", () => {
  const found = wrongWayImports([
    {
      path: "generators/deployment.ts",
      text: 'import { LABEL } from "../core/conventions.ts";\nimport { z } from "zod";',
    },
    {
      path: "checks/platform/cpu.ts",
      text: 'import { peak } from "./check.ts";\nimport type { X } from "../../model/environments.ts";',
    },
    { path: "test/a.test.ts", text: 'import { main } from "../bin/platform.ts";' },
  ]);
  assert.equal(found, []);
});

test("a new top-level folder must be given its place", () => {
  assert.equal(wrongWayImports([{ path: "utils/x.ts", text: "" }]), [
    'utils/x.ts: folder "utils" has no entry in ALLOWED_IMPORTS; add it where it belongs',
  ]);
});

test.run();
