#!/usr/bin/env -S npx tsx
/**
 * The CLI: the only code that reads and writes files. Exit codes: 0 clean, 1 findings at error
 * severity, 2 bad config or usage.
 */
import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { generateBundle } from "../generators/bundle.ts";
import { checkDrift } from "../engines/drift.ts";
import { hasErrors, type Finding } from "../core/finding.ts";
import { mergeEnvironments } from "../core/merge-environments.ts";
import { ENVIRONMENT_NAMES } from "../model/environments.ts";
import { textReport } from "../reporters/text.ts";
import { locateFindings } from "./locate-findings.ts";
import { checkKustomize } from "../engines/kustomize.ts";
import { runObjectEngines } from "./object-engines.ts";
import { runConfigChecks } from "../checks/registry.ts";
import { runPromtool } from "../engines/promtool.ts";
import { REPORTERS } from "../reporters/index.ts";
import { type ConfigErrors, invalidConfig, loadConfig, UsageError } from "./load-config.ts";
import { snapshot, writeOut } from "./out-dir.ts";
import { readPolicySources } from "./policies.ts";
import { vetPaths } from "./manifests.ts";

const HELP: Record<string, string> = {
  main: `Usage: platform <command> [options]

Commands:
  generate   write out/ from platform.config.ts (Kustomize base and overlays, rendered manifests, ...)
  check      the gate: out/ matches the config, every overlay builds, every engine passes
  vet        the schema and policy engines on any YAML manifests
  help       show this help, or "platform <command> --help"

Exit codes: 0 clean, 1 findings, 2 bad config or usage.`,
  generate: `Usage: platform generate [--config FILE] [--out DIR]

Writes DIR (default out/) from FILE (default platform.config.ts). The write is atomic: on any
error the previous DIR is left exactly as it was. Files generated earlier that the config no longer
produces are removed; files this tool did not write are kept.`,
  check: `Usage: platform check [--config FILE] [--out DIR] [--format ${Object.keys(REPORTERS).join("|")}]

Regenerates in memory and reports: every file of DIR that differs from the config (drift), every
overlay that kubectl kustomize does not build into exactly the rendered objects, and the findings
of the engines. Exit 0 clean, 1 findings at error severity, 2 bad config or usage.`,
  vet: `Usage: platform vet [--kubernetes-version 1.30] [--format ${Object.keys(REPORTERS).join("|")}] PATH...

Runs the schema engine (strict Kubernetes schemas and the API server's own rules) and every policy
in policies/ on the YAML manifests in PATH (files or folders, recursively; multi-document files).
Exit 0 clean, 1 findings at error severity, 2 usage.`,
};

const OPTIONS = {
  config: { type: "string", default: "platform.config.ts" },
  out: { type: "string", default: "out" },
  format: { type: "string", default: "text" },
  "kubernetes-version": { type: "string" },
  help: { type: "boolean", short: "h", default: false },
} as const;

const WROTE_NOTHING = "; nothing in the output folder was changed";

/** A config that does not load, parse or resolve: its findings, through `report`, and exit 2. */
function configErrors(
  configFile: string,
  failed: ConfigErrors,
  report: (findings: readonly Finding[]) => string,
  stream: NodeJS.WriteStream,
  consequence: string,
): number {
  const findings = mergeEnvironments(failed.findings, ENVIRONMENT_NAMES);
  console.error(`error: ${configFile}: ${failed.summary} (${findings.length} problem(s))${consequence}`);
  stream.write(report(findings));
  return 2;
}

async function generate(configFile: string, outDir: string): Promise<number> {
  const loaded = await loadConfig(configFile);
  if (!loaded.ok) return configErrors(configFile, loaded, textReport, process.stderr, WROTE_NOTHING);
  const { platform, source } = loaded;
  const result = generateBundle(platform, readPolicySources());
  if (!result.ok)
    return configErrors(
      configFile,
      invalidConfig(result.errors, configFile, source),
      textReport,
      process.stderr,
      WROTE_NOTHING,
    );
  const { written, removed } = writeOut(outDir, result.bundle.files);
  console.log(
    `generated ${written} files in ` +
      `${outDir}/${removed.length > 0 ? `, removed ${removed.length} no longer produced (${removed.join(", ")})` : ""}`,
  );
  return 0;
}

async function check(configFile: string, outDir: string, format: string): Promise<number> {
  const report = REPORTERS[format];
  if (!report) throw new UsageError(`--format ${format}: expected one of ${Object.keys(REPORTERS).join(", ")}`);
  const loaded = await loadConfig(configFile);
  if (!loaded.ok) return configErrors(configFile, loaded, report, process.stdout, "");
  const { platform, source } = loaded;
  const policies = readPolicySources();
  const result = generateBundle(platform, policies);
  if (!result.ok)
    return configErrors(configFile, invalidConfig(result.errors, configFile, source), report, process.stdout, "");
  const { files, environments } = result.bundle;
  if (!existsSync(outDir))
    throw new UsageError(`${outDir}: no such folder; run \`npm run generate\` first (or pass --out)`);
  const engineFindings: Finding[] = [
    ...checkDrift(files, snapshot(outDir, files.keys()), outDir),
    ...checkKustomize(outDir, environments),
    ...(await runObjectEngines({ environments, policies, kubernetesVersion: platform.kubernetesVersion })),
    ...runConfigChecks({ environments, platform, out: { dir: outDir, files } }),
    ...runPromtool(files, outDir),
  ];
  const located = locateFindings(engineFindings, { configFile, source, environments, outDir });
  const findings = mergeEnvironments(located, ENVIRONMENT_NAMES);
  process.stdout.write(report(findings));
  if (format === "text" && !hasErrors(findings))
    console.log(
      `check passed: ${outDir}/ matches ${configFile}, ${environments.length} environments, ` +
        `${environments.reduce((n, e) => n + e.objects.length, 0)} objects`,
    );
  return hasErrors(findings) ? 1 : 0;
}

async function vet(paths: string[], format: string, kubernetesVersion?: string): Promise<number> {
  const report = REPORTERS[format];
  if (!report) throw new UsageError(`--format ${format}: expected one of ${Object.keys(REPORTERS).join(", ")}`);
  if (paths.length === 0) throw new UsageError(`vet needs at least one PATH\n\n${HELP.vet}`);
  const { findings, objects } = await vetPaths(paths, kubernetesVersion);
  process.stdout.write(report(findings));
  if (format === "text" && !hasErrors(findings)) console.log(`vet passed: ${objects} objects`);
  return hasErrors(findings) ? 1 : 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === "help" || command === "--help" || command === "-h") {
    console.log(HELP[rest[0] ?? "main"] ?? HELP.main);
    return command ? 0 : 2;
  }
  if (!(command in HELP) || command === "main") throw new UsageError(`unknown command "${command}"\n\n${HELP.main}`);
  let values: { config: string; out: string; format: string; help: boolean; "kubernetes-version"?: string };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: rest,
      options: OPTIONS,
      allowPositionals: command === "vet",
      strict: true,
    }));
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n\n${HELP[command]}`);
  }
  if (values.help) {
    console.log(HELP[command]);
    return 0;
  }
  if (command === "generate") return generate(values.config, values.out);
  if (command === "vet") return vet(positionals, values.format, values["kubernetes-version"]);
  return check(values.config, values.out, values.format);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (e instanceof UsageError) {
      console.error(`error: ${e.message}`);
      process.exit(2);
    }
    // A file-system failure (permissions, a full disk) is the environment's, not ours: say what and where.
    const io = e as NodeJS.ErrnoException;
    if (io?.code && io.syscall) {
      console.error(
        `error: could not ${io.syscall} ${io.path ?? ""}: ${io.code}; nothing in the output folder was changed`,
      );
      process.exit(2);
    }
    console.error(`internal error: ${(e as Error)?.stack ?? e}`);
    process.exit(2);
  },
);
