/** out/ must be exactly what the config generates: changed, missing and stale files are findings. */
import type { Finding } from "../core/finding.ts";

export interface OutSnapshot {
  /** out/-relative path → content, for every file the previous `generate` recorded plus any now expected. */
  files: Map<string, string | undefined>;
  /** Paths the previous `generate` wrote (its manifest). */
  previouslyGenerated: ReadonlySet<string>;
}

const HINT = "run `npm run generate` and commit out/ together with platform.config.ts";

export function checkDrift(expected: ReadonlyMap<string, string>, actual: OutSnapshot, outDir = "out"): Finding[] {
  const findings: Finding[] = [];
  for (const [path, content] of expected) {
    const onDisk = actual.files.get(path);
    if (onDisk === undefined) {
      findings.push({
        engine: "drift",
        rule: "missing",
        severity: "error",
        file: `${outDir}/${path}`,
        message: `${outDir}/${path} is missing: the config generates it`,
        hint: HINT,
      });
    } else if (onDisk !== content) {
      findings.push({
        engine: "drift",
        rule: "changed",
        severity: "error",
        file: `${outDir}/${path}`,
        message:
          `${outDir}/${path} differs from what platform.config.ts generates (edited by hand, or the ` +
          `config changed without regenerating)`,
        hint: HINT,
      });
    }
  }
  for (const path of actual.previouslyGenerated) {
    if (!expected.has(path) && actual.files.get(path) !== undefined) {
      findings.push({
        engine: "drift",
        rule: "stale",
        severity: "error",
        file: `${outDir}/${path}`,
        message: `${outDir}/${path} was generated before but the config no longer produces it`,
        hint: HINT,
      });
    }
  }
  return findings;
}
