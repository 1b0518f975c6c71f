import { generateBundle } from "../../generators/bundle.ts";
import { capacitySection } from "../../generators/capacity-report.ts";
import type { ReportSection } from "../../generators/report-section.ts";
import type { BundleEnvironment } from "../../model/environments.ts";
import { ENVIRONMENT_NAMES } from "../../model/environments.ts";
import { textReport } from "../../reporters/text.ts";
import { invalidConfig, loadConfig, UsageError } from "../load-config.ts";
import { readPolicySources } from "../policies.ts";
import { reachabilitySection } from "../report/reachability.ts";
import { CONFIG_OPTION, type Command, stringOption } from "./command.ts";
import { configErrors } from "./config-errors.ts";

const reachability: ReportSection = {
  title: "Reachability",
  text: (env: BundleEnvironment) => reachabilitySection(env),
  markdown: (env: BundleEnvironment) => `\`\`\`text\n${reachabilitySection(env)}\n\`\`\``,
};

/** The report's sections, in the order they print; another section is one more entry. */
const SECTIONS: readonly ReportSection[] = [capacitySection, reachability];

const FORMATS = ["text", "markdown"] as const;

export const command: Command = {
  help: `Usage: platform report --env ${ENVIRONMENT_NAMES.join("|")} [--format text|markdown] [--config FILE]

Prints what the environment asks of its nodes, from the scheduling engine that \`check\` runs: per tier and
service the replicas and the requests per replica, at peak (HPA maxReplicas) and during a rollout; per pool the
nodes' allocatable CPU, memory and hugepages, the demand and what is left; the seed's "Total ULL Resources"
beside the real totals; the pods that fit nowhere, with the scheduler's reason; then the reachability matrix the
generated network policies allow (each connection with the config edge that declares it), what is exposed to
clients, and the external endpoints each workload reaches. The picture of the
placement is out/report/<env>.svg, written by \`generate\`. --format markdown is for a pull request's job
summary (\`>> $GITHUB_STEP_SUMMARY\`). Exit 0, or 2 for a bad config or usage.`,
  options: { ...CONFIG_OPTION, env: { type: "string" }, format: { type: "string", default: "text" } },
  positionals: false,
  run: (args) => report(stringOption(args, "config"), stringOption(args, "env"), stringOption(args, "format")),
};

async function report(configFile: string, env: string, format: string): Promise<number> {
  if (!(ENVIRONMENT_NAMES as readonly string[]).includes(env))
    throw new UsageError(`--env ${JSON.stringify(env)}: expected one of ${ENVIRONMENT_NAMES.join(", ")}`);
  if (!(FORMATS as readonly string[]).includes(format))
    throw new UsageError(`--format ${JSON.stringify(format)}: expected one of ${FORMATS.join(", ")}`);
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
  const environment = result.bundle.environments.find((e) => e.environment === env)!;
  const markdown = format === "markdown";
  const title = `${loaded.platform.name} ${env}`;
  const parts = SECTIONS.map((s) =>
    markdown
      ? `## ${s.title}: ${title}\n\n${s.markdown(environment)}`
      : `${s.title}: ${title}\n\n${s.text(environment)}`,
  );
  const picture = `out/report/${env}.svg`;
  parts.push(markdown ? `The placement, drawn: \`${picture}\`.` : `The placement, drawn: ${picture}`);
  process.stdout.write(`${parts.join("\n\n")}\n`);
  return 0;
}
