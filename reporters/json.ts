import type { Finding } from "../engines/finding.ts";

export function jsonReport(findings: readonly Finding[]): string {
  return JSON.stringify({ findings }, null, 2) + "\n";
}
