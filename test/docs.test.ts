/**
 * The committed docs are what `npm run docs` writes from the registry of checks and the policies:
 * a page per check and per policy, and the tables of README.md and policies/README.md.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { docFiles, fill, orphanDocs } from "../bin/docs.ts";
import { CHECKS } from "../checks/registry.ts";
import { policyIds } from "../bin/policies.ts";
import { ROOT } from "./support/config.ts";

const files = await docFiles();

test("every committed doc page and generated table is up to date (run `npm run docs`)", () => {
  const stale = [...files].filter(([path, content]) => {
    const target = join(ROOT, path);
    return !existsSync(target) || readFileSync(target, "utf8") !== content;
  });
  assert.equal(
    stale.map(([path]) => path),
    [],
    "stale: run `npm run docs`",
  );
  assert.equal(orphanDocs(files), [], "pages of checks or policies that no longer exist: run `npm run docs`");
});

test("there is a page for every check and every policy, and the README tables link each", () => {
  const readme = files.get("README.md")!;
  for (const c of CHECKS) {
    const page = `docs/checks/${c.id.replace("/", "-")}.md`;
    assert.ok(files.has(page), page);
    assert.ok(readme.includes(`[\`${c.id}\`](${page})`), `README.md does not link ${page}`);
  }
  for (const id of policyIds()) {
    assert.ok(files.has(`docs/policies/${id}.md`), id);
    assert.ok(readme.includes(`(docs/policies/${id}.md)`), `README.md does not link docs/policies/${id}.md`);
    assert.ok(files.get("policies/README.md")!.includes(`(../docs/policies/${id}.md)`), id);
  }
});

test("a policy page lists its fixtures with the message each denied one gets", () => {
  const page = files.get("docs/policies/exclusive-cpus.md")!;
  assert.match(page, /## Allowed \(\d+ fixtures\)/);
  assert.match(page, /## Denied \(\d+ fixtures\)/);
  assert.not.match(page, /\(no message\)/);
});

test("filling a generated block keeps the text around it and refuses a file without the markers", () => {
  const text = "before\n<!-- generated:checks -->\nold\n<!-- /generated:checks -->\nafter\n";
  assert.is(
    fill(text, "checks", "new\n", "X.md"),
    "before\n<!-- generated:checks -->\nnew\n<!-- /generated:checks -->\nafter\n",
  );
  assert.throws(() => fill("no markers", "checks", "new\n", "X.md"), /X.md: no <!-- generated:checks -->/);
});

test.run();
