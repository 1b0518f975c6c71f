/**
 * A git repository holding this one's files, for what must run against real commits (the pre-commit hook's test
 * and its bench rows): every tracked or new file copied, node_modules this one's, and git without the caller's
 * configuration or repository, so a run inside a hook does not leak into it.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, realpathSync, symlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import { ROOT } from "./config.ts";

export const GIT_ENV: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries({
    ...process.env,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_AUTHOR_NAME: "test",
    GIT_AUTHOR_EMAIL: "test@example.invalid",
    GIT_COMMITTER_NAME: "test",
    GIT_COMMITTER_EMAIL: "test@example.invalid",
    FORCE_COLOR: "0",
  }).filter(([k]) => !["GIT_DIR", "GIT_INDEX_FILE", "GIT_WORK_TREE", "NO_COLOR"].includes(k)),
);

/** `git args` in `cwd` with `GIT_ENV`; its output, or an error with git's. */
export function git(args: string[], cwd: string): string {
  const r = spawnSync("git", args, { cwd, env: GIT_ENV, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`git ${args.join(" ")} failed:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

/** A new repository at `repo` (nothing staged yet) with this one's files and node_modules. */
export function repositoryCopy(repo: string): void {
  for (const f of git(["ls-files", "--cached", "--others", "--exclude-standard"], ROOT).split("\n")) {
    if (!f || f === "node_modules" || !existsSync(join(ROOT, f))) continue;
    mkdirSync(dirname(join(repo, f)), { recursive: true });
    cpSync(join(ROOT, f), join(repo, f), { verbatimSymlinks: true });
  }
  symlinkSync(realpathSync(join(ROOT, "node_modules")), join(repo, "node_modules"));
  git(["init", "-q"], repo);
}
