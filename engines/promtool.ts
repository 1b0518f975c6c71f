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
import { groupBy } from "../core/group-by.ts";
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

    const checkRules = eachFile(run, ["check", "rules"], rules, dir, (p) => [p], shown);
    if ("missing" in checkRules) return [unavailable(checkRules.missing)];
    findings.push(...checkRules);

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

    const testRules = eachFile(run, ["test", "rules"], tests, dir, (p) => testInputs(p, files.get(p) ?? ""), shown);
    if ("missing" in testRules) return [unavailable(testRules.missing)];
    findings.push(...testRules);
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
/**
 * `promtool <verb> files...`, one process for each set of files that read the same other files (the unit tests
 * of the service alerts, of the meta-monitoring alerts): starting promtool once per file cost the real config 23
 * starts, and a result cache (bin/tool-cache.ts) still re-runs only the groups that read a changed file. A run
 * fails when any of its files fails; only then is each of its files run on its own, so every failure names its
 * file and quotes only that file's output: a finding `<verb>-<noun>` (`test-rules`) on that file, as `shown` names it.
 * `inputsOf`: the files one file's run reads (see `ToolRunner`).
 */
function eachFile(
  run: ToolRunner,
  verb: readonly [string, string],
  files: readonly string[],
  cwd: string,
  inputsOf: (file: string) => readonly string[] | undefined,
  shown: (file: string) => string,
): Finding[] | { missing: string } {
  const inputs = new Map(files.map((f) => [f, inputsOf(f)]));
  const others = (f: string) => {
    const i = inputs.get(f);
    return i === undefined ? "*" : JSON.stringify(i.filter((x) => x !== f).sort());
  };
  const failed: Finding[] = [];
  const failure = (file: string, output: string): Finding => ({
    engine: ENGINE,
    rule: verb.join("-"),
    severity: "error",
    file: shown(file),
    message: `promtool ${verb.join(" ")} ${shown(file)} failed:\n${output}`,
  });
  for (const group of groupBy(files, others).values()) {
    const each = group.map((f) => inputs.get(f));
    const all = each.every((i) => i !== undefined) ? [...new Set(each.flat() as string[])] : undefined;
    const together = group.length > 1 ? run("promtool", [...verb, ...group], cwd, all) : undefined;
    if (together?.missing) return { missing: together.output };
    if (together?.ok) continue;
    const before = failed.length;
    for (const [i, file] of group.entries()) {
      const r = run("promtool", [...verb, file], cwd, each[i]);
      if (r.missing) return { missing: r.output };
      if (!r.ok) failed.push(failure(file, r.output));
    }
    // Never a pass the tool did not give: a run that failed with no file failing alone is reported as it is.
    if (together && failed.length === before)
      failed.push(
        failure(
          group[0]!,
          `run together with ${group.slice(1).join(", ")}, it failed though each passes alone:\n${together.output}`,
        ),
      );
  }
  return failed;
}

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
