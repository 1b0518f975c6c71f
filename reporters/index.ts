import type { Finding } from "../engines/finding.ts";
import { jsonReport } from "./json.ts";
import { textReport } from "./text.ts";

export const REPORTERS: Record<string, (findings: readonly Finding[]) => string> = {
  text: textReport,
  json: jsonReport,
};
