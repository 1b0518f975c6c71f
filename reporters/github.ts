/**
 * Findings as GitHub Actions workflow commands, one line each:
 * `::error file=platform.config.ts,line=57,col=5,title=platform/guaranteed-qos::[prod] Deployment ns/name
 * spec...: message (fix: hint)`.
 * The runner turns them into annotations on the run and, with `file` and `line` in the repository, on
 * the diff: so every command has both.
 */
import { describeRef, environmentLabel, type Finding, type Severity, withLocation } from "../core/finding.ts";

const COMMANDS: Record<Severity, "error" | "warning" | "notice"> = {
  error: "error",
  warning: "warning",
  info: "notice",
};

/** Escaping of the message (data) part, as the runner's `escapeData`. */
export function escapeData(s: string): string {
  return s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** Escaping of a property value, as the runner's `escapeProperty`. */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

/** `[prod] Deployment nautilus-trading/nautilus-risk-engine spec.x: message (fix: hint)` */
export function githubMessage(f: Finding): string {
  const where: string[] = [];
  if (environmentLabel(f)) where.push(environmentLabel(f));
  if (f.resource) where.push(describeRef(f.resource));
  if (f.path) where.push(f.path);
  const text = where.length ? `${where.join(" ")}: ${f.message}` : f.message;
  return f.hint ? `${text} (fix: ${f.hint})` : text;
}

export function githubLine(f: Finding): string {
  const { file, line, column } = withLocation(f);
  const props = [`file=${escapeProperty(file)}`, `line=${line}`];
  if (column) props.push(`col=${column}`);
  props.push(`title=${escapeProperty(`${f.engine}/${f.rule}`)}`);
  return `::${COMMANDS[f.severity] ?? "warning"} ${props.join(",")}::${escapeData(githubMessage(f))}`;
}

export function githubReport(findings: readonly Finding[]): string {
  if (findings.length === 0) return "";
  return findings.map(githubLine).join("\n") + "\n";
}
