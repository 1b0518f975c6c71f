/**
 * One finding per problem, not one per environment: every engine judges dev, staging and prod
 * separately, so a rule broken in the base config would otherwise be reported three times. Findings
 * that agree in everything but their environment become one finding naming the environments.
 */
import { environmentsOf, type Finding } from "./finding.ts";

/** Everything that makes two findings the same problem, the environment aside. */
function identity(f: Finding): string {
  const { environment: _one, environments: _many, ...rest } = f;
  return JSON.stringify(canonical(rest));
}

/** Keys sorted at every level, so findings built with their fields in another order still agree. */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v === null || typeof v !== "object") return v;
  const o = v as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(o)
      .sort()
      .map((k) => [k, canonical(o[k])]),
  );
}

/**
 * Merges findings that differ only in their environment, keeping the position of the first one and
 * naming the environments in the order given (the engines' order when a name is not in `order`).
 * A finding in one environment keeps `environment`; one in several gets `environments` instead.
 */
export function mergeEnvironments(findings: readonly Finding[], order: readonly string[] = []): Finding[] {
  const merged = new Map<string, { finding: Finding; environments: string[] }>();
  const out: { finding: Finding; environments: string[] }[] = [];
  for (const f of findings) {
    const envs = environmentsOf(f);
    if (envs.length === 0) {
      out.push({ finding: f, environments: [] });
      continue;
    }
    const key = identity(f);
    const seen = merged.get(key);
    if (seen) {
      for (const e of envs) if (!seen.environments.includes(e)) seen.environments.push(e);
      continue;
    }
    const entry = { finding: f, environments: [...envs] };
    merged.set(key, entry);
    out.push(entry);
  }
  const rank = (e: string) => (order.includes(e) ? order.indexOf(e) : order.length);
  return out.map(({ finding, environments }) => {
    if (environments.length === 0) return finding;
    const { environment: _one, environments: _many, ...rest } = finding;
    const sorted = [...environments].sort((a, b) => rank(a) - rank(b));
    return sorted.length === 1 ? { ...rest, environment: sorted[0]! } : { ...rest, environments: sorted };
  });
}
