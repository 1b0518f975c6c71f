/**
 * How the checks run: `vet` runs those that need only objects, `check` runs all. The list itself,
 * `CHECKS`, is generated into checks/index.ts by `npm run docs` from the checks declared under
 * checks/, so adding a check is its file and its test; a test fails while the index is stale.
 */
import type { Finding, KubeObject } from "../core/finding.ts";
import { type Check, type CheckContext, type ConfigContext, groupOf, nameOf } from "./check.ts";
import { CHECKS } from "./index.ts";

export { CHECKS };

/** Checks that need only objects, on any manifests (`vet`) or on the generated ones (`check`). */
export function runObjectChecks(ctx: CheckContext, checks: readonly Check[] = CHECKS): Finding[] {
  const objects = kubeObjectsOnly(ctx);
  return checks.flatMap((c) => (c.needs === "objects" ? withId(c, c.run(objects)) : []));
}

/** Checks that need the resolved config (`check` only); the object checks run with the object engines. */
export function runConfigChecks(ctx: ConfigContext, checks: readonly Check[] = CHECKS): Finding[] {
  const objects = kubeObjectsOnly(ctx);
  return checks.flatMap((c) => (c.needs === "config" ? withId(c, c.run(objects)) : []));
}

/** The id is the finding's engine and rule, whatever a check wrote: findings and docs cannot disagree. */
function withId(check: Check, findings: readonly Finding[]): Finding[] {
  const engine = groupOf(check.id);
  const rule = nameOf(check.id);
  return findings.map((f) => (f.engine === engine && f.rule === rule ? f : { ...f, engine, rule }));
}

/** Checks read `metadata`; a document without kind or apiVersion is the schema engine's to report. */
function kubeObjectsOnly<C extends CheckContext>(ctx: C): C {
  return {
    ...ctx,
    environments: ctx.environments.map((env) => ({ ...env, objects: env.objects.filter(isKubeObject) })),
  };
}

function isKubeObject(o: unknown): o is KubeObject {
  return (
    typeof o === "object" &&
    o !== null &&
    typeof (o as { kind?: unknown }).kind === "string" &&
    typeof (o as { apiVersion?: unknown }).apiVersion === "string"
  );
}
