/**
 * Type checking of policy expressions against the schemas of the kinds a policy matches, as the API server does
 * for `status.typeChecking` (plugin/policy/validating/typechecking.go): every expression is checked once per kind
 * its matchConstraints' resourceRules name, with `object` and `oldObject` typed as that kind, and without flow
 * analysis: `object.kind == 'Pod' ? object.spec : object.spec.template.spec` has `template` undefined on Pod,
 * whatever the guard says. That is why pod policies are emitted per kind (core/policy-variants.ts).
 *
 * Not a full CEL type checker: a field-path resolver over the expressions' selections. Kinds are typed from
 * @kubernetes/client-node's models (../schema/known-fields.ts); every `.field` selection, `has()` test, index and
 * comprehension variable is resolved through the schema; `variables.<name>` carries the type its expression
 * resolved to, or dyn when it failed to type-check, as the API server's composition does. The API server writes
 * warnings for validations and messageExpressions only (a variable that fails silently becomes dyn there, and
 * everything that reads it goes unchecked), so matchConditions and variables are reported here too. What resolves
 * to no schema (params, request, literals, function results, custom resources) is not checked.
 */
import type { Finding } from "../../core/finding.ts";
import { type FieldType, modelFields, modelForKind } from "../schema/known-fields.ts";
import type { CompiledPolicy } from "../cel.ts";
import { kindOfResource } from "./match.ts";
import { parseExpression } from "./library.ts";

const FREE: FieldType = { t: "free" };
const SCALAR: FieldType = { t: "scalar" };

// biome-ignore lint/suspicious/noExplicitAny: the parser's AST is a protobuf oneof tree, walked by its `case`
type Node = any;

interface Scope {
  model: string;
  variables: Map<string, FieldType>;
  locals: Map<string, FieldType>;
}

/** The text of a selection chain, for messages: `object.spec.template.spec.contaners`. */
function pathText(node: Node): string {
  const k = node?.exprKind;
  if (k?.case === "identExpr") return k.value.name;
  if (k?.case === "selectExpr") return `${pathText(k.value.operand)}.${k.value.field}`;
  if (k?.case === "callExpr" && k.value.function === "_[_]") return `${pathText(k.value.args[0])}[…]`;
  return "…";
}

const sameType = (a: FieldType, b: FieldType): boolean => JSON.stringify(a) === JSON.stringify(b);

function elementOf(t: FieldType): FieldType {
  if (t.t === "array") return t.of;
  if (t.t === "map") return SCALAR;
  return FREE;
}

type Report = (field: string, node: Node, on: string) => void;

/** Resolves the type of `node`, reporting every selection the schema does not have. */
function typeOf(node: Node, scope: Scope, report: Report): FieldType {
  const k = node?.exprKind;
  switch (k?.case) {
    case "identExpr": {
      const name = k.value.name as string;
      if (scope.locals.has(name)) return scope.locals.get(name)!;
      if (name === "object" || name === "oldObject") return { t: "model", name: scope.model };
      return FREE;
    }
    case "constExpr":
      return SCALAR;
    case "selectExpr": {
      const operand = k.value.operand;
      const field = k.value.field as string;
      if (operand?.exprKind?.case === "identExpr" && operand.exprKind.value.name === "variables") {
        // The API server declares each variable for the expressions after it only.
        const declared = scope.variables.get(field);
        if (!declared) report(field, node, "variables");
        return declared ?? FREE;
      }
      const t = typeOf(operand, scope, report);
      if (t.t === "map") return t.of;
      if (t.t === "model") {
        const fields = modelFields(t.name);
        if (!fields) return FREE;
        const f = fields.get(field);
        if (f) return f;
        report(field, node, t.name);
        return FREE;
      }
      if (t.t === "scalar" || t.t === "array") report(field, node, t.t === "array" ? "a list" : "a scalar");
      return FREE;
    }
    case "callExpr": {
      const fn = k.value.function as string;
      const args = k.value.args as Node[];
      const target = k.value.target;
      if (fn === "_?_:_") {
        typeOf(args[0], scope, report);
        const [a, b] = [typeOf(args[1], scope, report), typeOf(args[2], scope, report)];
        // `has(x.f) ? x.f : {}`: the literal fallback adds no type, the selected one is what is checked.
        if (sameType(a, b) || b.t === "free") return a;
        return a.t === "free" ? b : FREE;
      }
      if (fn === "_&&_" || fn === "_||_") {
        typeOf(args[0], scope, report);
        typeOf(args[1], scope, report);
        return SCALAR;
      }
      if (fn === "_[_]") {
        const t = typeOf(args[0], scope, report);
        typeOf(args[1], scope, report);
        return t.t === "array" || t.t === "map" ? t.of : FREE;
      }
      if (fn === "_+_") {
        const [a, b] = [typeOf(args[0], scope, report), typeOf(args[1], scope, report)];
        return a.t === "array" && sameType(a, b) ? a : a.t === "array" && b.t === "free" ? a : FREE;
      }
      if (target) typeOf(target, scope, report);
      for (const a of args) typeOf(a, scope, report);
      return FREE;
    }
    case "comprehensionExpr": {
      const c = k.value;
      const range = typeOf(c.iterRange, scope, report);
      const locals = new Map(scope.locals);
      locals.set(c.iterVar, c.iterVar2 ? SCALAR : elementOf(range));
      if (c.iterVar2) locals.set(c.iterVar2, range.t === "map" ? range.of : elementOf(range));
      locals.set(c.accuVar, FREE);
      const inner = { ...scope, locals };
      typeOf(c.accuInit, scope, report);
      typeOf(c.loopCondition, inner, report);
      typeOf(c.loopStep, inner, report);
      typeOf(c.result, inner, report);
      // filter keeps the range's elements; the other macros make new values.
      return isFilter(c) ? range : FREE;
    }
    case "listExpr":
      for (const e of k.value.elements as Node[]) typeOf(e, scope, report);
      return FREE;
    case "structExpr":
      for (const e of k.value.entries as { mapKey?: Node; value?: Node }[]) {
        if (e.mapKey) typeOf(e.mapKey, scope, report);
        if (e.value) typeOf(e.value, scope, report);
      }
      return FREE;
    default:
      return FREE;
  }
}

/** The expansion of `list.filter(x, p)`: its step appends the iteration variable itself. */
function isFilter(c: Node): boolean {
  const step = c.loopStep?.exprKind;
  if (step?.case !== "callExpr" || step.value.function !== "_?_:_") return false;
  const add = step.value.args[1]?.exprKind;
  if (add?.case !== "callExpr" || add.value.function !== "_+_") return false;
  const list = add.value.args[1]?.exprKind;
  const only = list?.case === "listExpr" ? list.value.elements[0]?.exprKind : undefined;
  return only?.case === "identExpr" && only.value.name === c.iterVar;
}

/**
 * The kinds a policy's resourceRules name, as the API server's typesToCheck: a rule with a wildcard group or version
 * is skipped, wildcard and sub-resources are; sorted by group, version and kind. Unknown resources are skipped.
 */
function matchedKinds(policy: CompiledPolicy): { group: string; version: string; kind: string }[] {
  const out = new Map<string, { group: string; version: string; kind: string }>();
  for (const rule of policy.matchConstraints.resourceRules ?? []) {
    const groups = rule.apiGroups ?? [];
    const versions = rule.apiVersions ?? [];
    if (groups.some((g) => g.includes("*")) || versions.some((v) => v.includes("*"))) continue;
    for (const group of groups)
      for (const version of versions)
        for (const resource of rule.resources ?? []) {
          const kind = /[*/]/.test(resource) ? undefined : kindOfResource(resource);
          if (kind) out.set(`${group}/${version}, Kind=${kind}`, { group, version, kind });
        }
  }
  const key = (k: { group: string; version: string; kind: string }) => [k.group, k.version, k.kind];
  return [...out.values()].sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    const i = x.findIndex((v, n) => v !== y[n]);
    return i < 0 ? 0 : x[i]! < y[i]! ? -1 : 1;
  });
}

/** Every expression of a policy with its place, in evaluation order (variables before their users). */
function expressions(policy: CompiledPolicy): { path: string; text: string; variable?: string }[] {
  return [
    ...policy.matchConditions.map((c, i) => ({ path: `spec.matchConditions[${i}].expression`, text: c.expression })),
    ...policy.variables.map((v, i) => ({
      path: `spec.variables[${i}].expression`,
      text: v.expression,
      variable: v.name,
    })),
    ...policy.validations.flatMap((v, i) => [
      { path: `spec.validations[${i}].expression`, text: v.expression },
      ...(v.messageExpressionText
        ? [{ path: `spec.validations[${i}].messageExpression`, text: v.messageExpressionText }]
        : []),
    ]),
  ];
}

/** `<input>:line:column` of an offset, as cel-go prints a location (1-based line and column). */
function location(text: string, offset: number): string {
  const before = [...text.slice(0, offset)];
  const lastBreak = before.lastIndexOf("\n");
  const line = before.filter((c) => c === "\n").length + 1;
  return `<input>:${line}:${before.length - lastBreak}`;
}

interface Problem {
  policy: string;
  path: string;
  /** `ERROR: <input>:1:24: undefined field 'contaners'`, as cel-go writes the issue. */
  issue: string;
  detail: string;
  /** As the API server names them: `apps/v1, Kind=Deployment`. */
  kinds: string[];
}

/**
 * Type-checks every expression of every policy against each kind its matchConstraints name that has a schema;
 * one finding per policy, expression and undefined field, naming the kinds it is undefined for as the API server's
 * status.typeChecking does (`apps/v1, Kind=Deployment: ERROR: <input>:1:24: undefined field 'contaners'`).
 */
export async function typeCheckPolicies(policies: readonly CompiledPolicy[]): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const policy of policies) {
    const problems = new Map<string, Problem & { file: string }>();
    for (const { group, version, kind } of matchedKinds(policy)) {
      const model = await modelForKind(group ? `${group}/${version}` : version, kind);
      if (!model) continue;
      const gvk = `${group}/${version}, Kind=${kind}`;
      const scope: Scope = { model, variables: new Map(), locals: new Map() };
      for (const e of expressions(policy)) {
        const parsed = parseExpression(e.text);
        let failed = false;
        const type = typeOf(parsed.expr, scope, (field, node, on) => {
          failed = true;
          const at = location(e.text, Number(parsed.sourceInfo?.positions[String(node.id)] ?? 0));
          const issue = on.startsWith("a ")
            ? `ERROR: ${at}: ${on === "a list" ? "a list" : "a scalar"} does not support field selection ('${field}')`
            : `ERROR: ${at}: undefined field '${field}'`;
          const key = `${e.path} ${issue}`;
          const p = problems.get(key) ?? {
            file: policy.file,
            policy: policy.name,
            path: e.path,
            issue,
            // The schema type differs between kinds (V1PodSpec, V1DeploymentSpec), so only the path is named.
            detail: on.startsWith("a ") ? `${pathText(node)}: it is ${on}` : pathText(node),
            kinds: [],
          };
          if (!p.kinds.includes(gvk)) p.kinds.push(gvk);
          problems.set(key, p);
        });
        // As the API server composes variables: one that does not type-check is dyn to every expression after it.
        if (e.variable) scope.variables.set(e.variable, failed ? FREE : type);
      }
    }
    for (const p of problems.values())
      findings.push({
        engine: "cel",
        rule: "policy-type-check",
        severity: "error",
        file: p.file,
        path: p.path,
        resource: { apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingAdmissionPolicy", name: p.policy },
        message: `${p.file}: policy ${p.policy} ${p.path}: ${p.kinds.join("; ")}: ${p.issue} (${p.detail})`,
        hint:
          "Fix the field name, and read fields every kind the policy matches has (the API server types object as " +
          "each matched kind, whatever a guard on object.kind says): split a policy by kind with the per-kind " +
          "annotation. The API server reports it in the policy's status.typeChecking, and the expression fails " +
          "(or never matches) on every object.",
      });
  }
  return findings;
}
