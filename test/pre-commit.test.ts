/**
 * The pre-commit hook judges the commit (git's index), not the working tree: in a temporary copy of the
 * repository, with real commits, a config staged without its regenerated out/ is refused, and so is
 * the reverse, while the two staged together pass.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GIT_ENV, repositoryCopy } from "./support/repository.ts";

const TIMEOUT_MS = 180_000;
function run(cmd: string, args: string[], cwd: string) {
  const r = spawnSync(cmd, args, { cwd, env: GIT_ENV, encoding: "utf8", timeout: TIMEOUT_MS });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

function must(cmd: string, args: string[], cwd: string): string {
  const r = run(cmd, args, cwd);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(" ")} failed:\n${r.out}`);
  return r.out;
}

test("the hook refuses a config staged without out/, and out/ staged without the config; both together pass", () => {
  const dir = mkdtempSync(join(tmpdir(), "platform-pre-commit-test-"));
  const repo = join(dir, "repo");
  repositoryCopy(repo);
  must("git", ["config", "core.hooksPath", ".githooks"], repo);
  must("git", ["add", "-A"], repo);
  must("git", ["commit", "-q", "--no-verify", "-m", "base"], repo);

  const config = join(repo, "platform.config.ts");
  const before = readFileSync(config, "utf8");
  assert.match(before, "market-data:3.8.0");
  writeFileSync(config, before.replace("market-data:3.8.0", "market-data:3.8.1"));
  must(process.execPath, ["--import", "tsx", "bin/platform.ts", "generate"], repo);
  // The working tree is consistent; only what is staged is not.
  must("git", ["add", "platform.config.ts"], repo);
  const configOnly = run("git", ["commit", "-m", "config only"], repo);
  assert.is.not(configOnly.code, 0, configOnly.out);
  assert.ok(configOnly.out.includes("drift/out-of-date"), configOnly.out);
  assert.match(configOnly.out, "judged on the staged files");

  must("git", ["reset", "-q"], repo);
  must("git", ["add", "out"], repo);
  const outOnly = run("git", ["commit", "-m", "out only"], repo);
  assert.is.not(outOnly.code, 0, outOnly.out);
  assert.ok(outOnly.out.includes("drift/out-of-date"), outOnly.out);

  must("git", ["add", "-A"], repo);
  const both = run("git", ["commit", "-m", "config and out"], repo);
  assert.is(both.code, 0, both.out);
  assert.match(both.out, "check passed");
  assert.is(must("git", ["status", "--porcelain"], repo), "");
  assert.is(must("git", ["log", "--format=%s"], repo), "config and out\nbase\n");
  rmSync(dir, { recursive: true });
});

test.run();
