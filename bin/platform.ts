#!/usr/bin/env -S npx tsx
/**
 * The CLI: the only code that reads and writes files. Exit codes: 0 clean, 1 findings at error
 * severity, 2 bad config or usage.
 */
import { parseArgs } from "node:util";
import type { Command } from "./commands/command.ts";
import { UsageError } from "./load-config.ts";

/** Each command, its line in the main help, and its module, imported only when it runs. */
const COMMANDS: Record<string, { summary: string; load: () => Promise<{ command: Command }> }> = {
  generate: {
    summary: "write out/ from platform.config.ts (Kustomize base and overlays, rendered manifests, ...)",
    load: () => import("./commands/generate.ts"),
  },
  check: {
    summary: "the gate: out/ matches the config, every overlay builds, every engine passes",
    load: () => import("./commands/check.ts"),
  },
  vet: {
    summary: "the schema and policy engines on any YAML manifests",
    load: () => import("./commands/vet.ts"),
  },
  report: {
    summary: "one environment: capacity per tier, service and node pool, and what its network policies let reach what",
    load: () => import("./commands/report.ts"),
  },
  diff: {
    summary: "the plan of a change per environment: replicas, capacity, images, alerts, policies",
    load: () => import("./commands/diff.ts"),
  },
  deploy: {
    summary: "the seed's staged deploy with kubectl: preflight, dry run, diff, apply wave by wave, wait, smoke",
    load: () => import("./commands/deploy.ts"),
  },
};

const HELP = `Usage: platform <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, { summary }]) => `  ${name.padEnd(10)} ${summary}`)
  .join("\n")}
  help       show this help, or "platform <command> --help"
  --version  print the version

Exit codes: 0 clean, 1 findings, 2 bad config or usage.`;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === "--version" || name === "-v" || name === "version") {
    const { packageVersion } = await import("./policies.ts");
    console.log(`platform ${packageVersion()}`);
    return 0;
  }
  if (!name || name === "help" || name === "--help" || name === "-h") {
    const topic = rest[0] !== undefined ? COMMANDS[rest[0]] : undefined;
    console.log(topic ? (await topic.load()).command.help : HELP);
    return name ? 0 : 2;
  }
  const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!entry) throw new UsageError(`unknown command "${name}"\n\n${HELP}`);
  const { command } = await entry.load();
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: rest,
      options: { ...command.options, help: { type: "boolean", short: "h", default: false } },
      allowPositionals: command.positionals,
      strict: true,
    });
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n\n${command.help}`);
  }
  if (parsed.values.help) {
    console.log(command.help);
    return 0;
  }
  return command.run({ values: parsed.values, positionals: parsed.positionals });
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
