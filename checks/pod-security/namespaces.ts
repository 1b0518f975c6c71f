/**
 * The Pod Security level each namespace enforces, read from its labels as PodSecurity admission reads
 * them, and the judgement of every pod template of an environment against its namespace's level.
 */
import { type Finding, type KubeObject, refOf } from "../../core/finding.ts";
import type { Severity } from "../../core/finding.ts";
import { podTemplateOf } from "../../core/k8s/pod-template.ts";
import { environmentOf, findingOf, type ObjectCheck } from "../check.ts";
import {
  ENFORCE_LABEL,
  ENFORCE_VERSION_LABEL,
  evaluatePodSecurity,
  type Level,
  PINNED_MINOR,
  PINNED_VERSION,
  type Violation,
} from "./standards.ts";

export interface EnforcedLevel {
  level: Level;
  /** As PodSecurity prints it: `latest` or `v1.30`. */
  version: string;
  minor: number;
  /** Why the level is not simply what the labels say (an unknown namespace, an invalid label). */
  note?: string;
  severity: Severity;
}

const LEVELS: readonly string[] = ["privileged", "baseline", "restricted"];
const VERSION = /^v1\.(0|[1-9]\d*)$/;

/**
 * A namespace's enforced level. No label is privileged (the API server's default with no admission
 * configuration); an invalid level or version is judged as restricted:latest, as PodSecurity admission does.
 */
export function enforcedLevel(labels: Readonly<Record<string, string>> | undefined): EnforcedLevel {
  const level = labels?.[ENFORCE_LABEL];
  const version = labels?.[ENFORCE_VERSION_LABEL] ?? "latest";
  if (level === undefined) return { level: "privileged", version, minor: PINNED_MINOR, severity: "error" };
  const match = VERSION.exec(version);
  if (!LEVELS.includes(level) || (version !== "latest" && !match))
    return {
      level: "restricted",
      version: "latest",
      minor: PINNED_MINOR,
      severity: "error",
      note:
        `its labels ${ENFORCE_LABEL}=${level}, ${ENFORCE_VERSION_LABEL}=${version} are not valid, ` +
        "so PodSecurity enforces restricted:latest",
    };
  return { level: level as Level, version, minor: match ? Number(match[1]) : PINNED_MINOR, severity: "error" };
}

/**
 * What a pod whose namespace is not among the objects is judged at: baseline, as warnings. Its real level is
 * unknown; baseline is what the Pod Security Standards call the minimum for ordinary workloads, and what a cluster
 * that sets a default at all usually enforces, while restricted would fail most third-party manifests.
 */
const UNKNOWN_NAMESPACE: Omit<EnforcedLevel, "note"> = {
  level: "baseline",
  version: "latest",
  minor: PINNED_MINOR,
  severity: "warning",
};

export function namespaceLevels(objects: readonly KubeObject[]): Map<string, EnforcedLevel> {
  const levels = new Map<string, EnforcedLevel>();
  for (const o of objects)
    if (o.kind === "Namespace" && o.apiVersion === "v1" && typeof o.metadata?.name === "string")
      levels.set(o.metadata.name, enforcedLevel(o.metadata.labels));
  return levels;
}

export interface PodSecurityFinding {
  object: KubeObject;
  violation: Violation;
  enforced: EnforcedLevel;
  namespace: string;
}

/** Every violation of the given level's own controls, by every pod template, against its namespace's level. */
function podSecurityViolations(objects: readonly KubeObject[], controlLevel: Violation["level"]): PodSecurityFinding[] {
  const levels = namespaceLevels(objects);
  const out: PodSecurityFinding[] = [];
  for (const o of objects) {
    const template = podTemplateOf(o);
    if (!template) continue;
    const namespace = o.metadata?.namespace ?? "default";
    const enforced = levels.get(namespace) ?? {
      ...UNKNOWN_NAMESPACE,
      note: `namespace ${namespace} is not among these objects, so its level is unknown and it was judged at baseline`,
    };
    for (const violation of evaluatePodSecurity(template, enforced.level, enforced.minor))
      if (violation.level === controlLevel) out.push({ object: o, violation, enforced, namespace });
  }
  return out;
}

/** The finding's fields, worded as the API server's PodSecurity warning. */
function podSecurityFinding(f: PodSecurityFinding): Pick<Finding, "resource" | "path" | "message" | "hint"> & {
  severity: Severity;
} {
  const { violation: v, enforced } = f;
  const judged = `${enforced.level}:${enforced.version}`;
  const who =
    f.object.kind === "Pod"
      ? "the pod is refused"
      : `its pods are refused (the ${f.object.kind} is admitted with a warning)`;
  return {
    severity: enforced.severity,
    resource: refOf(f.object),
    path: v.path,
    message:
      `would violate PodSecurity ${JSON.stringify(judged)}: ${v.reason} (${v.detail}); ` +
      (enforced.note ?? `namespace ${f.namespace} enforces ${enforced.level}, so ${who}`),
    hint: `${v.fix} (Pod Security Standards control ${v.control}, checked as of ${PINNED_VERSION})`,
  };
}

/**
 * A check of one level's own controls, for every pod template against its namespace's level: pod-security/baseline
 * and pod-security/restricted differ only in the level and their docs.
 */
export function podSecurityCheck(
  level: Violation["level"],
  info: Pick<ObjectCheck, "id" | "description" | "doc">,
): ObjectCheck {
  const check: ObjectCheck = {
    ...info,
    needs: "objects",
    severity: "error",
    run: (ctx) =>
      ctx.environments.flatMap((env) =>
        podSecurityViolations(env.objects, level).map((v) =>
          findingOf(check, { ...environmentOf(env), ...podSecurityFinding(v) }),
        ),
      ),
  };
  return check;
}
