/**
 * The config's skip list applied to findings: a matched finding stays in the report as a note that says it is
 * suppressed and why, so nothing a team accepted goes silent; an entry that matches nothing is a warning (the
 * problem went away, or the entry has a typo and suppresses nothing).
 */
import type { Finding } from "./finding.ts";

export interface SkipEntry {
  rule: string;
  object?: string | undefined;
  environment?: string | undefined;
  reason: string;
}

export function applySkips(findings: readonly Finding[], skips: readonly SkipEntry[], configFile: string): Finding[] {
  const used = new Set<number>();
  const out = findings.map((f) => {
    if (f.severity === "info") return f;
    const i = skips.findIndex((s) => matches(s, f));
    if (i < 0) return f;
    used.add(i);
    const s = skips[i]!;
    return {
      ...f,
      severity: "info" as const,
      message: `suppressed (${f.severity}, skip[${i}]: ${s.reason}): ${f.message}`,
    };
  });
  skips.forEach((s, i) => {
    if (used.has(i)) return;
    out.push({
      engine: "config",
      rule: "unused-skip",
      severity: "warning",
      file: configFile,
      path: `skip[${i}]`,
      message:
        `skip[${i}] (${s.rule}${s.object ? ` ${s.object}` : ""}${s.environment ? ` in ${s.environment}` : ""}) ` +
        "matches no finding, so it suppresses nothing",
      hint: "remove it, or correct its rule, object or environment",
    });
  });
  return out;
}

function matches(s: SkipEntry, f: Finding): boolean {
  if (`${f.engine}/${f.rule}` !== s.rule) return false;
  if (s.environment && f.environment !== s.environment && !(f.environments ?? []).includes(s.environment)) return false;
  if (s.object && (!f.resource || `${f.resource.kind}/${f.resource.name}` !== s.object)) return false;
  return true;
}
