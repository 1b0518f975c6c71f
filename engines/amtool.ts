/**
 * The real amtool on the generated Alertmanager files: `amtool check-config` on alertmanager.yml, then every
 * route case of alertmanager/tests/*.yaml as `amtool config routes test --verify.receivers=<receivers> <labels>`,
 * which fails unless the alert's labels reach exactly those receivers. Failures become findings naming the file
 * (and the case). The credentials the config reads as files need not exist: amtool checks the configuration, not
 * delivery.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { OBSERVABILITY_OUT } from "../core/layout.ts";
import { parseYamlDocuments } from "../core/yaml.ts";
import type { Finding } from "../core/finding.ts";

const ENGINE = "amtool";
const MAX_OUTPUT = 4000;

type Run = { ok: boolean; output: string; missing?: boolean };

function amtool(args: string[], cwd: string): Run {
  const r = spawnSync("amtool", args, { cwd, encoding: "utf8" });
  if (r.error) return { ok: false, output: r.error.message, missing: true };
  // amtool warns on every run that --config.file overrides --alertmanager.url: noise, not a finding.
  const output = `${r.stdout}${r.stderr}`
    .split("\n")
    .filter((l) => !l.startsWith("Warning: --config.file flag overrides"))
    .join("\n")
    .trim();
  return { ok: r.status === 0, output: output.length > MAX_OUTPUT ? `${output.slice(0, MAX_OUTPUT)}\n...` : output };
}

export interface RouteCase {
  name: string;
  labels: Record<string, string>;
  receivers: string[];
}

/** The cases of one route test file, or a message saying what is wrong with it. */
function readCases(content: string): RouteCase[] | string {
  let doc: unknown;
  try {
    doc = parseYamlDocuments(content)[0];
  } catch (e) {
    return `not valid YAML: ${(e as Error).message}`;
  }
  const cases = (doc as { cases?: unknown } | undefined)?.cases;
  if (!Array.isArray(cases)) return "expected a mapping with a `cases` list";
  const out: RouteCase[] = [];
  for (const [i, c] of cases.entries()) {
    const x = c as Partial<RouteCase> | null;
    const labels = x?.labels;
    const receivers = x?.receivers;
    if (
      !labels ||
      typeof labels !== "object" ||
      !Object.values(labels).every((v) => typeof v === "string") ||
      !Array.isArray(receivers) ||
      receivers.length === 0 ||
      !receivers.every((r) => typeof r === "string")
    )
      return `cases[${i}]: expected labels (a mapping of strings) and receivers (a non-empty list of names)`;
    out.push({ name: typeof x.name === "string" ? x.name : `cases[${i}]`, labels, receivers });
  }
  return out;
}

/**
 * Runs amtool on the Alertmanager files of a bundle (`files`: out/-relative path → content). `outDir` only
 * prefixes file names in findings.
 */
export function runAmtool(files: ReadonlyMap<string, string>, outDir = "out"): Finding[] {
  const config = files.get(OBSERVABILITY_OUT.alertmanagerConfig);
  if (config === undefined) return [];
  const tests = [...files].filter(([p]) => p.startsWith(`${OBSERVABILITY_OUT.alertmanagerTests}/`));
  const shown = (p: string) => `${outDir}/${p}`;
  const configFile = shown(OBSERVABILITY_OUT.alertmanagerConfig);
  const dir = mkdtempSync(join(tmpdir(), "nautilus-amtool-"));
  const findings: Finding[] = [];
  try {
    const path = join(dir, OBSERVABILITY_OUT.alertmanagerConfig);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, config);
    const checked = amtool(["check-config", path], dir);
    if (checked.missing) return [unavailable(checked.output)];
    if (!checked.ok)
      // Route tests on a config amtool cannot load would only repeat the same error.
      return [
        {
          engine: ENGINE,
          rule: "check-config",
          severity: "error",
          file: configFile,
          message: `amtool check-config ${configFile} failed:\n${checked.output.split(path).join(configFile)}`,
        },
      ];
    for (const [p, content] of tests) {
      const cases = readCases(content);
      if (typeof cases === "string") {
        findings.push({
          engine: ENGINE,
          rule: "routes-test",
          severity: "error",
          file: shown(p),
          message: `${shown(p)}: ${cases}`,
        });
        continue;
      }
      for (const c of cases) {
        const labels = Object.entries(c.labels).map(([k, v]) => `${k}=${v}`);
        const args = [
          "config",
          "routes",
          "test",
          `--config.file=${path}`,
          `--verify.receivers=${c.receivers.join(",")}`,
        ];
        const r = amtool([...args, ...labels], dir);
        if (r.missing) return [unavailable(r.output)];
        if (!r.ok)
          findings.push({
            engine: ENGINE,
            rule: "routes-test",
            severity: "error",
            file: shown(p),
            message:
              `route case "${c.name}" failed: ${labels.join(" ")} should reach ${c.receivers.join(", ")}, but ` +
              `${configFile} routes it to ${r.output.split("\n")[0] || "nothing"}`,
            hint: `amtool config routes test --config.file=${configFile} ${labels.join(" ")}`,
          });
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return findings;
}

function unavailable(detail: string): Finding {
  return {
    engine: ENGINE,
    rule: "unavailable",
    severity: "error",
    message: `amtool could not be run (${detail}), so the Alertmanager configuration and its routes are unchecked`,
    hint: "install it: sudo apt-get update && sudo apt-get install -y prometheus-alertmanager",
  };
}
