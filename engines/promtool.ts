/**
 * The real promtool on the generated Prometheus files: `check rules` on every rule file, `check
 * config` on prometheus.yml (with its rule files beside it, as in out/prometheus/), and `test rules`
 * on every alert unit test. Failures become findings naming the file.
 *
 * Two things of a running cluster are stood in for, in a temporary copy only: the ServiceAccount
 * token and CA file the cluster job reads (promtool checks that they exist), and, when this promtool
 * was built without Kubernetes service discovery (Debian's package is), the `kubernetes_sd_configs`
 * blocks, which are then checked here structurally and reported as an info finding.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join, posix } from "node:path";
import { OBSERVABILITY_OUT } from "../core/layout.ts";
import { SERVICE_ACCOUNT_DIR } from "../core/conventions.ts";
import { parseYamlDocuments, plainManifestValues, toYaml } from "../core/yaml.ts";
import type { Finding } from "../core/finding.ts";
import { runTool, type ToolRunner } from "./tool-runner.ts";

const ENGINE = "promtool";
const SD_ROLES = ["node", "service", "pod", "endpoints", "endpointslice", "ingress"];

let kubernetesSdSupport: boolean | undefined;

/** Whether this promtool knows `kubernetes_sd_configs` (asked once per process). */
function supportsKubernetesSd(dir: string, run: ToolRunner): boolean {
  if (kubernetesSdSupport === undefined) {
    const probe = join(dir, "sd-probe.yml");
    writeFileSync(probe, toYaml({ scrape_configs: [{ job_name: "probe", kubernetes_sd_configs: [{ role: "pod" }] }] }));
    const r = run("promtool", ["check", "config", "--syntax-only", probe], dir, ["sd-probe.yml"]);
    // Gone again, so the folder `check config` later reads is the same whether or not this process probed.
    rmSync(probe, { force: true });
    kubernetesSdSupport = !/field kubernetes_sd_configs not found/.test(r.output);
  }
  return kubernetesSdSupport;
}

interface Job {
  job_name?: string;
  kubernetes_sd_configs?: { role?: string; namespaces?: { names?: unknown } }[];
  [k: string]: unknown;
}

/** The config as promtool can check it outside a cluster, and what could only be checked here. */
function standIns(
  config: Record<string, unknown>,
  saDir: string,
  withSd: boolean,
  file: string,
): { config: unknown; findings: Finding[] } {
  const findings: Finding[] = [];
  const replacePaths = (v: unknown): unknown => {
    if (typeof v === "string")
      return v.startsWith(SERVICE_ACCOUNT_DIR) ? saDir + v.slice(SERVICE_ACCOUNT_DIR.length) : v;
    if (Array.isArray(v)) return v.map(replacePaths);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, replacePaths(x)]));
    return v;
  };
  const out = replacePaths(config) as { scrape_configs?: Job[] };
  if (withSd) return { config: out, findings };
  let replaced = 0;
  for (const job of out.scrape_configs ?? []) {
    const sd = job.kubernetes_sd_configs;
    if (!sd) continue;
    sd.forEach((c, i) => {
      if (!c.role || !SD_ROLES.includes(c.role))
        findings.push({
          engine: ENGINE,
          rule: "check-config",
          severity: "error",
          file,
          path: `scrape_configs.${job.job_name}.kubernetes_sd_configs[${i}].role`,
          message:
            `job ${job.job_name}: kubernetes_sd_configs role ${JSON.stringify(c.role)} is not one of ` +
            `${SD_ROLES.join(", ")}`,
        });
      const names = c.namespaces?.names;
      if (names !== undefined && !(Array.isArray(names) && names.every((n) => typeof n === "string" && n.length > 0)))
        findings.push({
          engine: ENGINE,
          rule: "check-config",
          severity: "error",
          file,
          path: `scrape_configs.${job.job_name}.kubernetes_sd_configs[${i}].namespaces.names`,
          message: `job ${job.job_name}: namespaces.names must be a list of namespace names`,
        });
    });
    delete job.kubernetes_sd_configs;
    job.static_configs = [{ targets: [`${job.job_name ?? "job"}.kubernetes-sd.invalid:9090`] }];
    replaced++;
  }
  if (replaced > 0) {
    findings.push({
      engine: ENGINE,
      rule: "kubernetes-sd-unsupported",
      severity: "info",
      file,
      message:
        `this promtool was built without Kubernetes service discovery (as Debian's package is), so it cannot check ` +
        `kubernetes_sd_configs: ` +
        `their role and namespaces in ${replaced} jobs were checked here instead; the rest of the config, the ` +
        `rules and the alert tests were checked by promtool`,
    });
  }
  return { config: out, findings };
}

/**
 * Runs promtool on the Prometheus files of a bundle (`files`: out/-relative path → content).
 * `outDir` only prefixes file names in findings; `run` starts each promtool process.
 */
export function runPromtool(
  files: ReadonlyMap<string, string>,
  outDir = "out",
  { run = runTool }: { run?: ToolRunner } = {},
): Finding[] {
  const prefix = "prometheus/";
  const mine = [...files].filter(([p]) => p.startsWith(prefix));
  if (mine.length === 0) return [];
  const dir = mkdtempSync(join(tmpdir(), "nautilus-promtool-"));
  const findings: Finding[] = [];
  const shown = (p: string) => `${outDir}/${p}`;
  try {
    for (const [p, content] of mine) {
      mkdirSync(dirname(join(dir, p)), { recursive: true });
      writeFileSync(join(dir, p), content);
    }
    const rules = mine.map(([p]) => p).filter((p) => p.startsWith(`${OBSERVABILITY_OUT.rules}/`));
    const tests = mine.map(([p]) => p).filter((p) => p.startsWith(`${OBSERVABILITY_OUT.tests}/`));

    for (const p of rules) {
      const r = run("promtool", ["check", "rules", p], dir, [p]);
      if (r.missing) return [unavailable(r.output)];
      if (!r.ok)
        findings.push({
          engine: ENGINE,
          rule: "check-rules",
          severity: "error",
          file: shown(p),
          message: `promtool check rules ${shown(p)} failed:\n${r.output}`,
        });
    }

    const configContent = files.get(OBSERVABILITY_OUT.config);
    if (configContent !== undefined) {
      const file = shown(OBSERVABILITY_OUT.config);
      let parsed: Record<string, unknown> | undefined;
      try {
        parsed = (parseYamlDocuments(configContent)[0] ?? {}) as Record<string, unknown>;
      } catch (e) {
        findings.push({
          engine: ENGINE,
          rule: "check-config",
          severity: "error",
          file,
          message: `${file} is not valid YAML: ${(e as Error).message}`,
        });
      }
      if (parsed) {
        const saDir = join(dir, "serviceaccount");
        mkdirSync(saDir, { recursive: true });
        writeFileSync(join(saDir, "token"), "stand-in token\n");
        writeFileSync(join(saDir, "ca.crt"), "stand-in CA\n");
        const { config, findings: own } = standIns(parsed, saDir, supportsKubernetesSd(dir, run), file);
        findings.push(...own);
        // Beside the real one, so its relative rule_files paths resolve to the same rule files.
        const checked = join(dir, dirname(OBSERVABILITY_OUT.config), "prometheus.checked.yml");
        writeFileSync(checked, toYaml(config));
        const r = run("promtool", ["check", "config", checked], dir);
        if (r.missing) return [unavailable(r.output)];
        if (!r.ok)
          findings.push({
            engine: ENGINE,
            rule: "check-config",
            severity: "error",
            file,
            message: `promtool check config ${file} failed:\n${r.output.split(checked).join(file)}`,
          });
      }
    }

    for (const p of tests) {
      const r = run("promtool", ["test", "rules", p], dir, testInputs(p, files.get(p) ?? ""));
      if (r.missing) return [unavailable(r.output)];
      if (!r.ok)
        findings.push({
          engine: ENGINE,
          rule: "test-rules",
          severity: "error",
          file: shown(p),
          message: `promtool test rules ${shown(p)} failed:\n${r.output}`,
        });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return findings;
}

/**
 * The files `promtool test rules` reads for the test file `p`: itself and its `rule_files`, which promtool resolves
 * against the test file's folder. Undefined (every file counts) when that is not sure: a glob, a path leaving the
 * folder promtool runs in, a file that does not parse.
 */
function testInputs(p: string, content: string): string[] | undefined {
  let ruleFiles: unknown;
  try {
    const doc = (plainManifestValues(content) ?? parseYamlDocuments(content))[0];
    ruleFiles = (doc as { rule_files?: unknown } | undefined)?.rule_files ?? [];
  } catch {
    return undefined;
  }
  if (!Array.isArray(ruleFiles)) return undefined;
  const inputs = [p];
  for (const f of ruleFiles) {
    if (typeof f !== "string" || isAbsolute(f) || /[*?[\\]/.test(f)) return undefined;
    const resolved = posix.normalize(posix.join(posix.dirname(p), f));
    if (resolved.startsWith("../")) return undefined;
    inputs.push(resolved);
  }
  return inputs;
}

function unavailable(detail: string): Finding {
  return {
    engine: ENGINE,
    rule: "unavailable",
    severity: "error",
    message: `promtool could not be run (${detail}), so the Prometheus rules, config and alert tests are unchecked`,
    hint: "install it: sudo apt-get update && sudo apt-get install -y prometheus",
  };
}
