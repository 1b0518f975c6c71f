/**
 * The contract of a CLI command: its help, the options it accepts (node:util parseArgs) and what it runs.
 * bin/platform.ts lists the commands and imports each one only when it runs, so `--help` and a command
 * load nothing the others need.
 */
import type { ParseArgsConfig } from "node:util";

export type Options = NonNullable<ParseArgsConfig["options"]>;

export type CommandArgs = {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
};

export type Command = {
  /** `platform <command> --help`. */
  help: string;
  options: Options;
  /** Whether the command takes PATH arguments. */
  positionals: boolean;
  /** The exit code: 0 clean, 1 error findings, 2 bad config or usage. */
  run(args: CommandArgs): Promise<number>;
};

/** Options every command shares. */
export const CONFIG_OPTION = { config: { type: "string", default: "platform.config.ts" } } as const;
export const OUT_OPTION = { out: { type: "string", default: "out" } } as const;
export const FORMAT_OPTION = { format: { type: "string", default: "text" } } as const;

export function stringOption(args: CommandArgs, name: string): string {
  const value = args.values[name];
  return typeof value === "string" ? value : "";
}
