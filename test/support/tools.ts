/**
 * The real tools the tests run. A missing tool is installed when we can (root with apt) and is
 * otherwise a failure with the exact install command: tests never skip silently.
 */
import { spawnSync } from "node:child_process";

export function has(cmd: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${cmd}`], { encoding: "utf8" }).status === 0;
}

/** Installs Debian's `pkg` when `cmd` is missing and we are root; otherwise the exact command, as a problem. */
export function ensureDebianTool(cmd: string, pkg: string): string | undefined {
  if (has(cmd)) return undefined;
  if (process.getuid?.() === 0 && has("apt-get")) {
    spawnSync("sh", ["-c", `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${pkg}`], {
      stdio: "inherit",
    });
  }
  return has(cmd)
    ? undefined
    : `${cmd} is missing: install it with \`sudo apt-get update && sudo apt-get install -y ${pkg}\` (Debian/Ubuntu).`;
}

/** amtool (Debian's prometheus-alertmanager), for the Alertmanager configuration and route tests. */
export function ensureAmtool(): { ok: boolean; message: string } {
  const problem = ensureDebianTool("amtool", "prometheus-alertmanager");
  return { ok: problem === undefined, message: problem ?? "" };
}

export function ensurePromtool(): { ok: boolean; message: string } {
  const problems: string[] = [];
  const promtool = ensureDebianTool("promtool", "prometheus");
  if (promtool) problems.push(promtool);
  // The gate runs amtool next to promtool: the test run needs both.
  const amtool = ensureDebianTool("amtool", "prometheus-alertmanager");
  if (amtool) problems.push(amtool);
  if (!has("kubectl")) {
    problems.push(
      "kubectl (with kustomize v5) is missing: install it from your distribution or " +
        "https://kubernetes.io/docs/tasks/tools/.",
    );
  }
  return { ok: problems.length === 0, message: problems.join("\n") };
}

/** Headless Chromium (Debian's chromium), for looking at the generated pictures as a browser renders them. */
export function ensureChromium(): { ok: boolean; message: string } {
  const problem = ensureDebianTool("chromium", "chromium");
  return { ok: problem === undefined, message: problem ?? "" };
}

/** Fails the test at hand unless the real Prometheus and Alertmanager servers are installed (or installable). */
export function requirePrometheusServers(): void {
  for (const [cmd, pkg] of [
    ["prometheus", "prometheus"],
    ["prometheus-alertmanager", "prometheus-alertmanager"],
  ] as const) {
    const problem = ensureDebianTool(cmd, pkg);
    if (problem) throw new Error(problem);
  }
}
