import type { Finding } from "../core/finding.ts";
import { githubReport } from "./github.ts";
import { jsonReport } from "./json.ts";
import { junitReport } from "./junit.ts";
import { sarifReport } from "./sarif.ts";
import { textReport } from "./text.ts";

export const REPORTERS: Record<string, (findings: readonly Finding[]) => string> = {
  text: textReport,
  json: jsonReport,
  sarif: sarifReport,
  github: githubReport,
  junit: junitReport,
};
