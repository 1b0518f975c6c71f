/**
 * The params of a ValidatingAdmissionPolicy, resolved as the API server does: a policy with
 * `spec.paramKind` is evaluated once per param object its binding's `paramRef` selects (by name, or
 * by label selector, in the paramRef's namespace or else the admitted object's); when none exists,
 * `parameterNotFoundAction` decides (Allow skips the binding, Deny, the default here, applies the
 * policy's failurePolicy). Bindings are looked up among the objects being evaluated; a caller that
 * holds the param object (a fixture, a test) may pass it in instead. A policy with neither is not
 * evaluated, as the API server enforces no unbound policy, and the caller is told so.
 */
import type { KubeObject } from "../../core/finding.ts";
import { LABEL } from "../../core/conventions.ts";
import { selectorMatches } from "./match.ts";

export interface ParamKind {
  apiVersion: string;
  kind: string;
}

interface ParamRef {
  name?: string;
  namespace?: string;
  selector?: Parameters<typeof selectorMatches>[0];
  parameterNotFoundAction?: string;
}

/** What the policy is evaluated with: each param object, or why there is none. */
export type ParamResolution =
  | { found: KubeObject[] }
  | { missing: string; action: "Allow" | "Deny" }
  | { unbound: string };

type Binding = KubeObject & { spec?: { policyName?: string; paramRef?: ParamRef } };

/** A policy by its name and the id of the rule it comes from (the same unless it is one of per-kind policies). */
export interface PolicyId {
  name: string;
  rule: string;
}

/**
 * Names the policy has among `objects`: its own, and that of a ValidatingAdmissionPolicy emitted from it (the
 * generator prefixes the name with the platform's and keeps the rule's id in `app.kubernetes.io/name`).
 */
function policyNames(policy: PolicyId, objects: readonly KubeObject[]): Set<string> {
  const names = new Set([policy.name]);
  for (const o of objects)
    if (
      o.kind === "ValidatingAdmissionPolicy" &&
      o.metadata.labels?.[LABEL.name] === policy.rule &&
      o.metadata.name.endsWith(`-${policy.name}`)
    )
      names.add(o.metadata.name);
  return names;
}

function describeRef(kind: ParamKind, ref: ParamRef, namespace: string | undefined): string {
  const where = namespace ? ` in namespace ${namespace}` : "";
  return ref.name !== undefined
    ? `${kind.apiVersion} ${kind.kind} ${ref.name}${where}`
    : `any ${kind.apiVersion} ${kind.kind} matching the paramRef selector${where}`;
}

/**
 * The params of `policy` for admitting `obj`, one resolution per binding that names the policy; with no such
 * binding, the passed-in param (`null`: it does not exist), or `unbound` when nothing was passed in.
 */
export function resolveParams(
  policy: PolicyId,
  paramKind: ParamKind,
  obj: KubeObject,
  objects: readonly KubeObject[],
  passed: KubeObject | null | undefined,
): ParamResolution[] {
  const names = policyNames(policy, objects);
  const bindings = objects.filter(
    (o): o is Binding =>
      o.kind === "ValidatingAdmissionPolicyBinding" && names.has((o as Binding).spec?.policyName ?? ""),
  );
  if (bindings.length === 0) {
    if (passed) return [{ found: [passed] }];
    if (passed === null)
      return [{ missing: `its ${paramKind.apiVersion} ${paramKind.kind} param object does not exist`, action: "Deny" }];
    // The API server enforces only bound policies; manifests vetted without their binding cannot say what to
    // judge with, which is worth saying but not failing on.
    return [
      {
        unbound:
          `it takes a ${paramKind.apiVersion} ${paramKind.kind} param (spec.paramKind) and no ` +
          `ValidatingAdmissionPolicyBinding among these objects names it with a paramRef`,
      },
    ];
  }
  return bindings.map((b): ParamResolution => {
    const ref = b.spec?.paramRef;
    if (!ref)
      return { missing: `binding ${b.metadata.name} has no paramRef, and the policy takes params`, action: "Deny" };
    const namespace = ref.namespace ?? obj.metadata.namespace;
    const found = objects.filter(
      (o) =>
        o.apiVersion === paramKind.apiVersion &&
        o.kind === paramKind.kind &&
        (namespace === undefined || o.metadata.namespace === namespace) &&
        (ref.name !== undefined ? o.metadata.name === ref.name : selectorMatches(ref.selector, o.metadata.labels)),
    );
    if (found.length > 0) return { found };
    return {
      missing:
        `binding ${b.metadata.name} refers to ${describeRef(paramKind, ref, namespace)}, which does not exist ` +
        `(no params found for policy binding with \`${ref.parameterNotFoundAction ?? "Deny"}\` ` +
        `parameterNotFoundAction)`,
      action: ref.parameterNotFoundAction === "Allow" ? "Allow" : "Deny",
    };
  });
}
