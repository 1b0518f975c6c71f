/**
 * The cel engine: evaluates the ValidatingAdmissionPolicies in policies/ in-process, as the API
 * server would for a CREATE of each object (or for a given request: an UPDATE with its oldObject, a
 * DELETE), and returns a Finding per failed validation. Pure: callers read the policy files and pass their text.
 *
 * Expressions are type-checked against the schemas of the kinds a policy matches by ./cel/type-check.ts
 * (a field-path resolver, not a full CEL type checker). What the API server does that this does not:
 * enforce cost limits,
 * evaluate namespaceSelector against the live namespace's labels (treated as matching), apply a
 * binding's matchResources and validationActions (every policy is evaluated, every failure is a
 * finding), and auditAnnotations. Params are supported as the API server resolves them (./cel/params.ts).
 */
import { celMap, type CelInput } from "@bufbuild/cel";
import { parseAllDocuments } from "yaml";
import { refOf, type EnvironmentObjects, type Finding, type KubeObject } from "../core/finding.ts";
import { compileExpression, isError, kubernetesEnv, parseExpression, toCelInput, type Program } from "./cel/library.ts";
import { constraintsMatch, groupVersionOf, resourceOf, ruleMatches, type MatchResources } from "./cel/match.ts";
import { resolveParams, type ParamKind } from "./cel/params.ts";
import type { PolicySource } from "../core/policy.ts";
import { expandPolicy, podSpecPathOf, RULE_ANNOTATION } from "../core/policy-variants.ts";

export type { PolicySource } from "../core/policy.ts";

interface NamedExpression {
  name: string;
  expression: string;
  program: Program;
}

interface CompiledValidation {
  expression: string;
  program: Program;
  message?: string;
  messageExpression?: Program;
  /** The messageExpression's source, for the type checker. */
  messageExpressionText?: string;
  reason?: string;
  /** From the field-paths annotation; `{podSpec}` is resolved per object. */
  fieldPath?: string;
}

export interface CompiledPolicy {
  /** The policy's name as emitted (without the platform's prefix): `non-root-workload`, or the rule's id. */
  name: string;
  /** The id of the rule (policies/<id>/) it comes from, one per-kind policy of several or the whole: `non-root`. */
  rule: string;
  file: string;
  /** `platform.nautilus.io/description` annotation. */
  description?: string;
  /** `platform.nautilus.io/fix` annotation: the hint of every finding. */
  fix?: string;
  failurePolicy: "Fail" | "Ignore";
  /** `spec.paramKind`: the policy is evaluated with `params` bound to each param object its binding selects. */
  paramKind?: ParamKind;
  matchConstraints: MatchResources;
  matchConditions: NamedExpression[];
  variables: NamedExpression[];
  validations: CompiledValidation[];
}

export const DESCRIPTION_ANNOTATION = "platform.nautilus.io/description";
export const FIX_ANNOTATION = "platform.nautilus.io/fix";
/**
 * A JSON list with one field path per validation, `{podSpec}` standing for wherever the matched
 * kind keeps its pod spec. ValidatingAdmissionPolicy v1 has no field path of its own (only CRD
 * validation rules do), and findings should still name the field.
 */
export const FIELD_PATHS_ANNOTATION = "platform.nautilus.io/field-paths";

class PolicyCompileError extends Error {
  constructor(
    message: string,
    readonly path?: string,
  ) {
    super(message);
  }
}

/** Operators and macros the parser emits as calls; everything else must be a declared function. */
const BUILTIN_CALL = /^[_@!-]/;

const undeclaredByText = new Map<string, string[]>();

/** The functions an expression calls that the environment does not declare, once per text. */
function undeclaredFunctions(expression: string): string[] {
  let list = undeclaredByText.get(expression);
  if (!list) {
    list = findUndeclared(expression);
    undeclaredByText.set(expression, list);
  }
  return list;
}

function findUndeclared(expression: string): string[] {
  const found = new Set<string>();
  const walk = (node: unknown): void => {
    if (node === null || typeof node !== "object") return;
    const n = node as { case?: string; value?: { function?: string } };
    if (
      n.case === "callExpr" &&
      n.value?.function &&
      !BUILTIN_CALL.test(n.value.function) &&
      !kubernetesEnv.funcs.find(n.value.function)
    ) {
      found.add(n.value.function);
    }
    for (const v of Object.values(node)) walk(v);
  };
  // Only the expanded expression: sourceInfo keeps macro calls (has, all, ...) under their own names.
  walk(parseExpression(expression).expr);
  return [...found];
}

function compile(expression: unknown, path: string): Program {
  if (typeof expression !== "string" || expression.trim() === "")
    throw new PolicyCompileError(`${path} must be a non-empty CEL expression`, path);
  let program: Program;
  try {
    program = compileExpression(expression);
  } catch (e) {
    throw new PolicyCompileError(`${path}: ${(e as Error).message}`, path);
  }
  const undeclared = undeclaredFunctions(expression);
  if (undeclared.length > 0)
    throw new PolicyCompileError(
      `${path}: undeclared reference to ${undeclared.map((f) => `'${f}'`).join(", ")}`,
      path,
    );
  return program;
}

function named(list: unknown, path: string): NamedExpression[] {
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw new PolicyCompileError(`${path} must be a list`, path);
  return list.map((item: { name?: unknown; expression?: unknown }, i) => {
    if (typeof item?.name !== "string" || item.name === "")
      throw new PolicyCompileError(`${path}[${i}].name is required`, `${path}[${i}].name`);
    return {
      name: item.name,
      expression: String(item.expression),
      program: compile(item.expression, `${path}[${i}].expression`),
    };
  });
}

function parseFieldPaths(text: string | undefined, count: number): string[] | undefined {
  if (text === undefined) return undefined;
  const where = `metadata.annotations["${FIELD_PATHS_ANNOTATION}"]`;
  let paths: unknown;
  try {
    paths = JSON.parse(text);
  } catch {
    throw new PolicyCompileError(`${where} must be a JSON list of field paths`, where);
  }
  if (!Array.isArray(paths) || paths.length !== count || !paths.every((p) => typeof p === "string")) {
    throw new PolicyCompileError(`${where} must list one field path per validation (${count})`, where);
  }
  return paths;
}

// biome-ignore lint/suspicious/noExplicitAny: a parsed policy document is checked field by field below
function compileOne(doc: Record<string, any>, file: string): CompiledPolicy {
  if (doc?.apiVersion !== "admissionregistration.k8s.io/v1" || doc?.kind !== "ValidatingAdmissionPolicy") {
    throw new PolicyCompileError(
      `expected an admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy, got ${doc?.apiVersion ?? "?"} ` +
        `${doc?.kind ?? "?"}`,
    );
  }
  const name = doc.metadata?.name;
  if (typeof name !== "string" || name === "")
    throw new PolicyCompileError("metadata.name is required", "metadata.name");
  const spec = doc.spec ?? {};
  if (!spec.matchConstraints?.resourceRules?.length)
    throw new PolicyCompileError(
      "spec.matchConstraints.resourceRules must select at least one resource",
      "spec.matchConstraints.resourceRules",
    );
  if (!Array.isArray(spec.validations) || spec.validations.length === 0)
    throw new PolicyCompileError("spec.validations must hold at least one validation", "spec.validations");
  const annotations: Record<string, string> = doc.metadata?.annotations ?? {};
  const fieldPaths = parseFieldPaths(annotations[FIELD_PATHS_ANNOTATION], spec.validations.length);
  const validations = spec.validations.map((v: Record<string, unknown>, i: number): CompiledValidation => {
    const path = `spec.validations[${i}]`;
    const out: CompiledValidation = {
      expression: String(v.expression),
      program: compile(v.expression, `${path}.expression`),
    };
    if (typeof v.message === "string") out.message = v.message;
    if (v.messageExpression !== undefined) {
      out.messageExpression = compile(v.messageExpression, `${path}.messageExpression`);
      out.messageExpressionText = String(v.messageExpression);
    }
    if (typeof v.reason === "string") out.reason = v.reason;
    if (fieldPaths?.[i]) out.fieldPath = fieldPaths[i];
    return out;
  });
  const policy: CompiledPolicy = {
    name,
    rule: annotations[RULE_ANNOTATION] ?? name,
    file,
    failurePolicy: spec.failurePolicy === "Ignore" ? "Ignore" : "Fail",
    matchConstraints: spec.matchConstraints,
    matchConditions: named(spec.matchConditions, "spec.matchConditions"),
    variables: named(spec.variables, "spec.variables"),
    validations,
  };
  if (spec.paramKind !== undefined) {
    const { apiVersion, kind } = spec.paramKind ?? {};
    if (typeof apiVersion !== "string" || typeof kind !== "string" || apiVersion === "" || kind === "")
      throw new PolicyCompileError("spec.paramKind needs an apiVersion and a kind", "spec.paramKind");
    policy.paramKind = { apiVersion, kind };
  }
  if (annotations[DESCRIPTION_ANNOTATION]) policy.description = annotations[DESCRIPTION_ANNOTATION];
  if (annotations[FIX_ANNOTATION]) policy.fix = annotations[FIX_ANNOTATION];
  return policy;
}

/** Parses and compiles every policy; a policy that does not compile becomes a finding, never a crash. */
export function compilePolicies(sources: PolicySource[]): { policies: CompiledPolicy[]; findings: Finding[] } {
  const policies: CompiledPolicy[] = [];
  const findings: Finding[] = [];
  for (const source of sources) {
    const fail = (message: string, path?: string) => {
      const f: Finding = {
        engine: "cel",
        rule: "policy-compile",
        severity: "error",
        file: source.file,
        message: `${source.file}: ${message}`,
        hint:
          "Fix the policy so it is a valid admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy with " +
          "valid CEL.",
      };
      if (path) f.path = path;
      findings.push(f);
    };
    const docs = parseAllDocuments(source.text);
    const parsed = Array.isArray(docs) ? docs : [docs];
    for (const d of parsed) {
      if (d.errors.length > 0) {
        fail(`not valid YAML: ${d.errors[0]!.message}`);
        continue;
      }
      const doc = d.toJS();
      if (doc === null || doc === undefined) continue;
      // What is compiled is what generate emits: the per-kind policies of a source that asks for them.
      const expanded = expandPolicy(doc);
      if ("error" in expanded) {
        fail(expanded.error, "metadata.annotations");
        continue;
      }
      try {
        for (const variant of expanded.policies) policies.push(compileOne(variant, source.file));
      } catch (e) {
        if (e instanceof PolicyCompileError) fail(e.message, e.path);
        else fail(`could not compile: ${(e as Error).message}`);
      }
    }
  }
  return { policies, findings };
}

/** The operations a request can carry, as admissionregistration.k8s.io/v1 names them. */
export type Operation = "CREATE" | "UPDATE" | "DELETE" | "CONNECT";

/**
 * One admission request: the object written (for DELETE, absent) and the stored one it replaces (for UPDATE and
 * DELETE), as the API server binds `object` and `oldObject`.
 */
export interface AdmissionRequest {
  operation: Operation;
  object: KubeObject | null;
  oldObject?: KubeObject | null;
}

function requestOf(obj: KubeObject, operation: Operation): Record<string, unknown> {
  const { group, version } = groupVersionOf(obj.apiVersion);
  const gvk = { group, version, kind: obj.kind };
  const gvr = { group, version, resource: resourceOf(obj.kind) };
  const req: Record<string, unknown> = {
    operation,
    kind: gvk,
    resource: gvr,
    requestKind: gvk,
    requestResource: gvr,
    name: obj.metadata?.name ?? "",
    dryRun: false,
  };
  if (obj.metadata?.namespace) req.namespace = obj.metadata.namespace;
  return req;
}

type Outcome = { ok: true } | { ok: false; message: string; path?: string; severity?: "warning"; hint?: string };

/**
 * The activation of one request, built when the first policy that matches it needs it: converting an object to CEL
 * values costs more than judging whether a policy's constraints select it, and most policies select few kinds.
 */
type Activation = () => Record<string, unknown>;

/** Runs one policy on an object its constraints select, as admission would: matchConditions, variables, validations. */
function admit(policy: CompiledPolicy, obj: KubeObject, vars: Record<string, unknown>): Outcome[] {
  const failed = (message: string): Outcome[] => (policy.failurePolicy === "Fail" ? [{ ok: false, message }] : []);

  // As the API server: any false condition skips the policy, even after an error; only when none
  // is false does an error apply the failure policy.
  let conditionError: string | undefined;
  for (const c of policy.matchConditions) {
    const r = c.program(vars);
    if (isError(r))
      conditionError ??= `policy '${policy.name}': matchCondition '${c.name}' resulted in error: ${r.message}`;
    else if (r !== true) return [];
  }
  if (conditionError) return failed(conditionError);

  // Variables are evaluated in order (each may use the earlier ones: the map is filled as they go). A failing
  // variable is only an error if a validation uses it, as with the API server's lazy evaluation.
  const variables = new Map<string, CelInput>();
  const variableErrors: Record<string, string> = {};
  const scope = { ...vars, variables: celMap(variables) };
  for (const v of policy.variables) {
    const r = v.program(scope);
    if (isError(r)) variableErrors[v.name] = r.message;
    else variables.set(v.name, r);
  }

  const outcomes: Outcome[] = [];
  for (const v of policy.validations) {
    const r = v.program(scope);
    if (isError(r)) {
      const cause = Object.entries(variableErrors).find(([name]) => v.expression.includes(`variables.${name}`));
      const detail = cause ? `variable '${cause[0]}' resulted in error: ${cause[1]}` : r.message;
      outcomes.push(...failed(`policy '${policy.name}': expression '${v.expression}' resulted in error: ${detail}`));
      continue;
    }
    if (r === true) continue;
    let message = v.message && v.message !== "" ? v.message : `failed expression: ${v.expression}`;
    if (v.messageExpression) {
      // The API server falls back to message when messageExpression errors, or yields an empty
      // string or one with a line break.
      const m = v.messageExpression(scope);
      if (!isError(m) && typeof m === "string" && m.trim() !== "" && !/[\r\n]/.test(m)) message = m;
    }
    const outcome: Outcome = { ok: false, message };
    if (v.fieldPath) outcome.path = v.fieldPath.replaceAll("{podSpec}", podSpecPath(obj));
    outcomes.push(outcome);
  }
  return outcomes;
}

/**
 * Where a kind keeps its pod spec, for `{podSpec}` left in the field paths of a policy that is not per-kind (a
 * per-kind policy's were replaced when it was expanded).
 */
function podSpecPath(obj: KubeObject): string {
  return podSpecPathOf(resourceOf(obj.kind)) ?? "spec.template.spec";
}

export interface EvaluateOptions {
  /**
   * Param objects by rule id (the policy's name unless it is per-kind), for a policy with a paramKind that no
   * binding among the objects names: what a caller holding the param (a fixture, a test) passes in. `null` says
   * the param object does not exist.
   */
  params?: Readonly<Record<string, KubeObject | null>>;
}

/** Every denial of every object of every environment by every policy, as findings. */
export function evaluatePolicies(
  policies: CompiledPolicy[],
  envs: EnvironmentObjects[],
  options: EvaluateOptions = {},
): Finding[] {
  const candidates = candidateIndex(policies);
  const findings: Finding[] = [];
  for (const env of envs)
    for (const obj of env.objects)
      for (const f of evaluateWith(
        candidates,
        { operation: "CREATE", object: obj },
        env.objects,
        options,
        env.environment,
      ))
        findings.push(f);
  return findings;
}

/**
 * Which policies can select a request, by its apiVersion, kind and operation: those with a resource rule that
 * matches them, the rule's resourceNames aside (a superset; constraintsMatch decides per object). Built as kinds
 * are met, for one list of policies and one run, so a policy changed between runs is never judged by a stale entry.
 */
type CandidateIndex = (obj: KubeObject, operation: Operation) => readonly CompiledPolicy[];

function candidateIndex(policies: readonly CompiledPolicy[]): CandidateIndex {
  const rules = policies.map((p) =>
    (p.matchConstraints?.resourceRules ?? []).map((r) => ({ ...r, resourceNames: undefined })),
  );
  const byKey = new Map<string, readonly CompiledPolicy[]>();
  return (obj, operation) => {
    const key = `${obj.apiVersion}\0${obj.kind}\0${operation}`;
    let list = byKey.get(key);
    if (!list) {
      const probe = { apiVersion: obj.apiVersion, kind: obj.kind, metadata: {} } as KubeObject;
      list = policies.filter((_, i) => rules[i]!.some((r) => ruleMatches(r, probe, operation)));
      byKey.set(key, list);
    }
    return list;
  };
}

/**
 * Every denial of one admission request by every policy. The activation is built once and shared by every
 * policy: `object` and `oldObject` as the API server binds them (null where the operation has none), and
 * `request` with the operation, kind, resource, name and namespace.
 */
export function evaluateRequest(
  policies: CompiledPolicy[],
  request: AdmissionRequest,
  objects: readonly KubeObject[],
  options: EvaluateOptions = {},
  environment = "",
): Finding[] {
  return evaluateWith(candidateIndex(policies), request, objects, options, environment);
}

function evaluateWith(
  candidates: CandidateIndex,
  request: AdmissionRequest,
  objects: readonly KubeObject[],
  options: EvaluateOptions,
  environment: string,
): Finding[] {
  const obj = request.object ?? request.oldObject;
  if (!obj) return [];
  const findings: Finding[] = [];
  const matching = candidates(obj, request.operation).filter((p) =>
    constraintsMatch(p.matchConstraints, obj, request.operation),
  );
  if (matching.length === 0) return findings;
  let vars: Record<string, unknown> | undefined;
  const activation: Activation = () =>
    (vars ??= {
      object: request.object ? toCelInput(request.object) : null,
      oldObject: request.oldObject ? toCelInput(request.oldObject) : null,
      params: null,
      namespaceObject: null,
      request: toCelInput(requestOf(obj, request.operation)),
    });
  for (const policy of matching) {
    for (const outcome of admitWithParams(policy, obj, activation, objects, options)) {
      if (outcome.ok) continue;
      const f: Finding = {
        engine: "cel",
        rule: policy.rule,
        severity: outcome.severity ?? "error",
        resource: refOf(obj),
        file: policy.file,
        message: outcome.message,
      };
      if (environment) f.environment = environment;
      if (outcome.path) f.path = outcome.path;
      const hint = outcome.hint ?? policy.fix;
      if (hint) f.hint = hint;
      findings.push(f);
    }
  }
  return findings;
}

/** A policy with a paramKind runs once per param object of each binding; a missing param follows its binding. */
function admitWithParams(
  policy: CompiledPolicy,
  obj: KubeObject,
  activation: Activation,
  objects: readonly KubeObject[],
  options: EvaluateOptions,
): Outcome[] {
  if (!policy.paramKind) return admit(policy, obj, activation());
  const passed = options.params && policy.rule in options.params ? options.params[policy.rule] : undefined;
  return resolveParams(policy, policy.paramKind, obj, objects, passed).flatMap((r) => {
    if ("found" in r)
      return r.found.flatMap((param) => admit(policy, obj, { ...activation(), params: toCelInput(param) }));
    if ("unbound" in r)
      return [
        {
          ok: false,
          severity: "warning",
          message: `policy '${policy.name}' was not evaluated: ${r.unbound}`,
          hint:
            `vet the manifests together with a binding of ${policy.name} and the param object its paramRef ` +
            `names (the generated ones are in out/base/policies/)`,
        },
      ];
    if (r.action === "Allow" || policy.failurePolicy === "Ignore") return [];
    return [{ ok: false, message: `policy '${policy.name}' cannot be evaluated: ${r.missing}` }];
  });
}
