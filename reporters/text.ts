/**
 * Findings for people, one per line in the form compilers use, so editors and terminals open the
 * place: `platform.config.ts:57:5: error cel/pinned-images [dev, staging, prod] Deployment ns/name
 * spec.x: message`, the fix on the next line, and the counts last.
 */
import { describeRef, environmentLabel, type Finding, withLocation } from "../core/finding.ts";

/** `platform.config.ts:57:5`, or `out/x.yaml:1` when the column is not known. */
export function textLocation(f: Finding): string {
  const { file, line, column } = withLocation(f);
  return `${file}:${line}${column ? `:${column}` : ""}`;
}

export function textLine(f: Finding): string {
  const subject = [environmentLabel(f), f.resource ? describeRef(f.resource) : "", f.path ?? ""].filter((s) => s);
  return (
    `${textLocation(f)}: ${f.severity} ${f.engine}/${f.rule}` +
    (subject.length > 0 ? ` ${subject.join(" ")}` : "") +
    `: ${f.message}`
  );
}

export function textReport(findings: readonly Finding[]): string {
  if (findings.length === 0) return "";
  const lines: string[] = [];
  for (const f of findings) {
    lines.push(textLine(f));
    if (f.hint) lines.push(`    fix: ${f.hint}`);
  }
  const count = (s: string) => findings.filter((f) => f.severity === s).length;
  lines.push(`${count("error")} error(s), ${count("warning")} warning(s), ${count("info")} note(s)`);
  return lines.join("\n") + "\n";
}
