/**
 * The real tools the tests run. A missing tool is installed when we can (root with apt) and is
 * otherwise a failure with the exact install command: tests never skip silently.
 */
import { spawnSync } from "node:child_process";

export function has(cmd: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${cmd}`], { encoding: "utf8" }).status === 0;
}

export function ensurePromtool(): { ok: boolean; message: string } {
  const problems: string[] = [];
  if (!has("promtool")) {
    if (process.getuid?.() === 0 && has("apt-get")) {
      spawnSync(
        "sh",
        ["-c", "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus"],
        { stdio: "inherit" },
      );
    }
    if (!has("promtool"))
      problems.push(
        "promtool is missing: install it with `sudo apt-get update && sudo apt-get install -y prometheus` " +
          "(Debian/Ubuntu).",
      );
  }
  if (!has("kubectl")) {
    problems.push(
      "kubectl (with kustomize v5) is missing: install it from your distribution or " +
        "https://kubernetes.io/docs/tasks/tools/.",
    );
  }
  return { ok: problems.length === 0, message: problems.join("\n") };
}
