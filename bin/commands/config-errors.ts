import type { Finding } from "../../core/finding.ts";
import { mergeEnvironments } from "../../core/merge-environments.ts";
import { ENVIRONMENT_NAMES } from "../../model/environments.ts";
import type { ConfigErrors } from "../load-config.ts";

/** A config that does not load, parse or resolve: its findings, through `report`, and exit 2. */
export function configErrors(
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
