import { generateBundle } from "../../generators/bundle.ts";
import { ENVIRONMENT_NAMES } from "../../model/environments.ts";
import { textReport } from "../../reporters/text.ts";
import { invalidConfig, loadConfig, UsageError } from "../load-config.ts";
import { readPolicySources } from "../policies.ts";
import { reachabilitySection } from "../report/reachability.ts";
import { CONFIG_OPTION, type Command, stringOption } from "./command.ts";
import { configErrors } from "./config-errors.ts";

export const command: Command = {
  help: `Usage: platform report --env ENV [--config FILE]

Prints what the platform looks like in ENV (dev, staging or prod), from FILE (default platform.config.ts):
the reachability matrix the generated network policies allow (each connection with the config edge that
declares it), what is exposed to clients, and the external endpoints each workload reaches.`,
  options: { ...CONFIG_OPTION, env: { type: "string", default: "" } },
  positionals: false,
  run: (args) => report(stringOption(args, "config"), stringOption(args, "env")),
};

async function report(configFile: string, envName: string): Promise<number> {
  if (!(ENVIRONMENT_NAMES as readonly string[]).includes(envName))
    throw new UsageError(`--env must be one of ${ENVIRONMENT_NAMES.join(", ")}, got ${JSON.stringify(envName)}`);
  const loaded = await loadConfig(configFile);
  if (!loaded.ok) return configErrors(configFile, loaded, textReport, process.stderr, "");
  const result = generateBundle(loaded.platform, readPolicySources());
  if (!result.ok)
    return configErrors(
      configFile,
      invalidConfig(result.errors, configFile, loaded.source),
      textReport,
      process.stderr,
      "",
    );
  const env = result.bundle.environments.find((e) => e.environment === envName)!;
  console.log(reachabilitySection(env));
  return 0;
}
