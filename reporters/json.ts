/** Findings as JSON: `{ findings: [...] }`, each with its file and line (see `withLocation`). */
import { type Finding, withLocation } from "../core/finding.ts";

export function jsonReport(findings: readonly Finding[]): string {
  return JSON.stringify({ findings: findings.map((f) => withLocation(f)) }, null, 2) + "\n";
}
