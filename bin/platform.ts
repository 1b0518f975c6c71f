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
import { checkKustomize } from "../engines/kustomize.ts";
import { runObjectEngines } from "./object-engines.ts";
import { runPlatformChecks } from "../checks/platform.ts";
import { checkPromql } from "../checks/promql.ts";
import { runPromtool } from "../engines/promtool.ts";
import { REPORTERS } from "../reporters/index.ts";
import { loadConfig, UsageError } from "./load-config.ts";
import { snapshot, writeOut } from "./out-dir.ts";
import { readPolicySources } from "./policies.ts";
import { vetPaths } from "./manifests.ts";
import { parseMinor } from "../engines/schema/api-versions.ts";

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
in policies/ on the YAML manifests in PATH (files or folders, recursively; multi-document files),
read as kubectl reads them: YAML 1.1 (unquoted on/yes/0777 are a boolean and a number), merge keys,
the items of List kinds. Custom resources are judged by the CustomResourceDefinitions among them.
A file that cannot be read or parsed (a FIFO, a broken symlink, an alias bomb, a duplicate key) is
an error finding naming it, and the rest is still judged.
Exit 0 clean, 1 findings at error severity, 2 usage or internal error.`,
};

const OPTIONS = {
  config: { type: "string", default: "platform.config.ts" },
  out: { type: "string", default: "out" },
  format: { type: "string", default: "text" },
  "kubernetes-version": { type: "string" },
  help: { type: "boolean", short: "h", default: false },
} as const;

async function generate(configFile: string, outDir: string): Promise<number> {
  const platform = await loadConfig(configFile);
  const result = generateBundle(platform, readPolicySources());
  if (!result.ok)
    throw new UsageError(`${configFile}: the config is not valid:\n${result.errors.map((e) => `  ${e}`).join("\n")}`);
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
  const platform = await loadConfig(configFile);
  const policies = readPolicySources();
  const result = generateBundle(platform, policies);
  if (!result.ok)
    throw new UsageError(`${configFile}: the config is not valid:\n${result.errors.map((e) => `  ${e}`).join("\n")}`);
  const { files, environments } = result.bundle;
  if (!existsSync(outDir))
    throw new UsageError(`${outDir}: no such folder; run \`npm run generate\` first (or pass --out)`);
  const findings: Finding[] = [
    ...checkDrift(files, snapshot(outDir, files.keys()), outDir),
    ...checkKustomize(outDir, environments),
    ...(await runObjectEngines({ environments, policies, kubernetesVersion: platform.kubernetesVersion })),
    ...runPlatformChecks({ environments, files }),
    ...runPromtool(files, outDir),
    ...checkPromql(files, platform.monitoring, outDir),
  ];
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
  if (kubernetesVersion !== undefined && parseMinor(kubernetesVersion) === undefined)
    throw new UsageError(
      `--kubernetes-version ${JSON.stringify(kubernetesVersion)}: expected a Kubernetes version like "1.30"`,
    );
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

const argv = process.argv.slice(2);
let finished = false;

/**
 * Ends the run with `code` once stdout and stderr are flushed: `process.exit` drops whatever a pipe has not taken
 * yet (a JSON report piped to another tool was cut at 64 KiB). A reader that went away (`| head`) ends it too.
 */
function exit(code: number): void {
  finished = true;
  let open = 2;
  const flushed = () => {
    if (--open === 0) process.exit(code);
  };
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", () => process.exit(code));
    stream.write("", flushed);
  }
}

// Node exits 0 when the event loop empties, even with main() still pending (a config that awaits a promise
// nothing settles, a loader waiting on itself): a run that never finished must not pass as a clean one.
process.once("beforeExit", () => {
  if (finished) return;
  console.error(
    `internal error: "${argv[0] ?? ""}" never finished: it waited for something that can never happen ` +
      "(does the config await a promise that never settles?)",
  );
  exit(2);
});

main(argv).then(exit, (e: unknown) => {
  if (e instanceof UsageError) {
    console.error(`error: ${e.message}`);
    return exit(2);
  }
  // A file-system failure (permissions, a full disk) is the environment's, not ours: say what and where.
  const io = e as NodeJS.ErrnoException;
  if (io?.code && io.syscall) {
    console.error(
      `error: could not ${io.syscall}${io.path ? ` ${io.path}` : ""}: ${io.code}` +
        (argv[0] === "generate" ? "; nothing in the output folder was changed" : ""),
    );
    return exit(2);
  }
  console.error(`internal error: ${(e as Error)?.stack ?? e}`);
  exit(2);
});
