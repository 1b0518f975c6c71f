import { hasErrors } from "../../core/finding.ts";
import { parseMinor } from "../../engines/schema/api-versions.ts";
import { REPORTERS } from "../../reporters/index.ts";
import { UsageError } from "../load-config.ts";
import { vetPaths } from "../manifests.ts";
import { type Command, FORMAT_OPTION, stringOption } from "./command.ts";

const HELP = `Usage: platform vet [--kubernetes-version 1.30] [--format ${Object.keys(REPORTERS).join("|")}] PATH...

Runs the schema engine (strict Kubernetes schemas and the API server's own rules) and every policy
in policies/ on the YAML manifests in PATH (files or folders, recursively; multi-document files; "-"
reads standard input, as in \`helm template ... | platform vet -\`),
read as kubectl reads them: YAML 1.1 (unquoted on/yes/0777 are a boolean and a number), merge keys,
the items of List kinds. Custom resources are judged by the CustomResourceDefinitions among them.
A file that cannot be read or parsed (a FIFO, a broken symlink, an alias bomb, a duplicate key) is
an error finding naming it, and the rest is still judged.
Exit 0 clean, 1 findings at error severity, 2 usage or internal error.`;

export const command: Command = {
  help: HELP,
  options: { ...FORMAT_OPTION, "kubernetes-version": { type: "string" } },
  positionals: true,
  run: (args) =>
    vet(
      args.positionals,
      stringOption(args, "format"),
      typeof args.values["kubernetes-version"] === "string" ? args.values["kubernetes-version"] : undefined,
    ),
};

async function vet(paths: string[], format: string, kubernetesVersion?: string): Promise<number> {
  const report = REPORTERS[format];
  if (!report) throw new UsageError(`--format ${format}: expected one of ${Object.keys(REPORTERS).join(", ")}`);
  if (paths.length === 0) throw new UsageError(`vet needs at least one PATH\n\n${HELP}`);
  if (kubernetesVersion !== undefined && parseMinor(kubernetesVersion) === undefined)
    throw new UsageError(
      `--kubernetes-version ${JSON.stringify(kubernetesVersion)}: expected a Kubernetes version like "1.30"`,
    );
  const { findings, objects } = await vetPaths(paths, kubernetesVersion);
  process.stdout.write(report(findings));
  if (format === "text" && !hasErrors(findings)) console.log(`vet passed: ${objects} objects`);
  return hasErrors(findings) ? 1 : 0;
}
