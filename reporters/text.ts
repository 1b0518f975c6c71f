/** Findings for people: grouped by environment, then resource or file, each with its fix. */
import { describeRef, type Finding } from "../core/finding.ts";

export function textReport(findings: readonly Finding[]): string {
  if (findings.length === 0) return "";
  const groups = new Map<string, Finding[]>();
  for (const f of findings) {
    const where = f.resource ? describeRef(f.resource) : (f.file ?? "(platform)");
    const key = `${f.environment ? `[${f.environment}] ` : ""}${where}`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  const lines: string[] = [];
  for (const [key, fs] of groups) {
    lines.push(key);
    for (const f of fs) {
      lines.push(`  ${f.severity} ${f.engine}/${f.rule}${f.path ? ` at ${f.path}` : ""}: ${f.message}`);
      if (f.resource && f.file) lines.push(`    (${f.file})`);
      if (f.hint) lines.push(`    fix: ${f.hint}`);
    }
  }
  const count = (s: string) => findings.filter((f) => f.severity === s).length;
  lines.push(`${count("error")} error(s), ${count("warning")} warning(s), ${count("info")} note(s)`);
  return lines.join("\n") + "\n";
}
