import type { Finding } from "../core/finding.ts";

export function jsonReport(findings: readonly Finding[]): string {
  return JSON.stringify({ findings }, null, 2) + "\n";
}
