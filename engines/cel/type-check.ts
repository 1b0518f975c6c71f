/**
 * Type checking of policy expressions against the schemas of the kinds a policy matches, as the API server
 * does for `status.typeChecking`: a misspelt field (`object.spec.template.spec.contaners`) is a finding.
 *
 * Not a full CEL type checker: a field-path resolver over the expressions' selections. `object` and `oldObject`
 * are typed as each matched kind in turn (from @kubernetes/client-node's models, ../schema/known-fields.ts), and
 * every `.field` selection, `has()` test, index and comprehension variable is resolved through the schema;
 * `variables.<name>` carries the type its expression resolved to. Branches guarded by `object.kind` are resolved
 * for the kind at hand, which is what per-kind policies would give the API server: without it, a policy that
 * switches on `object.kind` across seven schemas is typed `dyn` and nothing is checked. What resolves to no
 * schema (params, request, literals, function results) is not checked.
 */
import { parse } from "@bufbuild/cel";
import type { Finding } from "../../core/finding.ts";
import { type FieldType, modelFields, modelForKind } from "../schema/known-fields.ts";
import type { CompiledPolicy } from "../cel.ts";
import { kindOfResource } from "./match.ts";

const FREE: FieldType = { t: "free" };
const SCALAR: FieldType = { t: "scalar" };

// biome-ignore lint/suspicious/noExplicitAny: the parser's AST is a protobuf oneof tree, walked by its `case`
type Node = any;

interface Scope {
  kind: string;
  model: string;
  variables: Map<string, FieldType>;
  locals: Map<string, FieldType>;
}

/** `object.kind == 'X'` and its combinations, decided for the kind at hand; undefined when not about the kind. */
function staticKind(node: Node, kind: string): boolean | undefined {
  const k = node?.exprKind;
  if (k?.case !== "callExpr") return undefined;
  const { function: fn, args } = k.value as { function: string; args: Node[] };
  const isKind = (n: Node) =>
    n?.exprKind?.case === "selectExpr" &&
    n.exprKind.value.field === "kind" &&
    n.exprKind.value.operand?.exprKind?.case === "identExpr" &&
    n.exprKind.value.operand.exprKind.value.name === "object";
  const literal = (n: Node): string | undefined =>
    n?.exprKind?.case === "constExpr" && n.exprKind.value.constantKind.case === "stringValue"
      ? n.exprKind.value.constantKind.value
      : undefined;
  if (fn === "_==_" || fn === "_!=_") {
    const [a, b] = args;
    const lit = isKind(a) ? literal(b) : isKind(b) ? literal(a) : undefined;
    if (lit === undefined) return undefined;
    return fn === "_==_" ? kind === lit : kind !== lit;
  }
  if (fn === "@in" && isKind(args[0]) && args[1]?.exprKind?.case === "listExpr") {
    const items = (args[1].exprKind.value.elements as Node[]).map(literal);
    if (items.some((i) => i === undefined)) return undefined;
    return items.includes(kind);
  }
  if (fn === "!_") {
    const v = staticKind(args[0], kind);
    return v === undefined ? undefined : !v;
  }
  if (fn === "_&&_" || fn === "_||_") {
    const [a, b] = [staticKind(args[0], kind), staticKind(args[1], kind)];
    if (fn === "_&&_") return a === false || b === false ? false : a === true && b === true ? true : undefined;
    return a === true || b === true ? true : a === false && b === false ? false : undefined;
  }
  return undefined;
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

/** Resolves the type of `node`, reporting every selection the schema does not have. */
function typeOf(node: Node, scope: Scope, report: (field: string, at: string, on: string) => void): FieldType {
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
      if (operand?.exprKind?.case === "identExpr" && operand.exprKind.value.name === "variables")
        return scope.variables.get(field) ?? FREE;
      const t = typeOf(operand, scope, report);
      if (t.t === "map") return t.of;
      if (t.t === "model") {
        const fields = modelFields(t.name);
        if (!fields) return FREE;
        const f = fields.get(field);
        if (f) return f;
        report(field, pathText(node), t.name);
        return FREE;
      }
      if (t.t === "scalar" || t.t === "array") report(field, pathText(node), t.t === "array" ? "a list" : "a scalar");
      return FREE;
    }
    case "callExpr": {
      const fn = k.value.function as string;
      const args = k.value.args as Node[];
      const target = k.value.target;
      if (fn === "_?_:_") {
        const decided = staticKind(args[0], scope.kind);
        if (decided !== undefined) return typeOf(decided ? args[1] : args[2], scope, report);
        typeOf(args[0], scope, report);
        const [a, b] = [typeOf(args[1], scope, report), typeOf(args[2], scope, report)];
        // `has(x.f) ? x.f : {}`: the literal fallback adds no type, the selected one is what is checked.
        if (sameType(a, b) || b.t === "free") return a;
        return a.t === "free" ? b : FREE;
      }
      if (fn === "_&&_" || fn === "_||_") {
        const first = staticKind(args[0], scope.kind);
        typeOf(args[0], scope, report);
        // `object.kind == 'Pod' && object.spec...`: the right side only runs for the kinds that pass the guard.
        if (!(fn === "_&&_" ? first === false : first === true)) typeOf(args[1], scope, report);
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

/** The kinds a policy's resourceRules name, with their apiVersions; wildcards and unknown resources are skipped. */
function matchedKinds(policy: CompiledPolicy): { apiVersion: string; kind: string }[] {
  const out = new Map<string, { apiVersion: string; kind: string }>();
  for (const rule of policy.matchConstraints.resourceRules ?? [])
    for (const group of rule.apiGroups ?? [])
      for (const version of rule.apiVersions ?? [])
        for (const resource of rule.resources ?? []) {
          const kind = kindOfResource(resource);
          if (!kind || group === "*" || version === "*") continue;
          const apiVersion = group ? `${group}/${version}` : version;
          out.set(`${apiVersion} ${kind}`, { apiVersion, kind });
        }
  return [...out.values()];
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

/**
 * Type-checks every expression of every policy against each kind its matchConstraints name that has a schema;
 * one finding per expression and field, naming the kinds it fails for.
 */
export async function typeCheckPolicies(policies: readonly CompiledPolicy[]): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const policy of policies) {
    const problems = new Map<string, { path: string; message: string; kinds: string[] }>();
    for (const { apiVersion, kind } of matchedKinds(policy)) {
      const model = await modelForKind(apiVersion, kind);
      if (!model) continue;
      const scope: Scope = { kind, model, variables: new Map(), locals: new Map() };
      for (const e of expressions(policy)) {
        const type = typeOf(parse(e.text).expr, scope, (field, at, on) => {
          const key = `${e.path} ${at}`;
          const p = problems.get(key) ?? {
            path: e.path,
            message:
              `${policy.file}: ${e.path}: undefined field '${field}' in ${at} ` +
              `(${on.startsWith("a ") ? `it is ${on}` : `no such field in ${on}`})`,
            kinds: [],
          };
          if (!p.kinds.includes(kind)) p.kinds.push(kind);
          problems.set(key, p);
        });
        if (e.variable) scope.variables.set(e.variable, type);
      }
    }
    for (const p of problems.values())
      findings.push({
        engine: "cel",
        rule: "policy-type-check",
        severity: "error",
        file: policy.file,
        path: p.path,
        message: `${p.message}, for ${p.kinds.join(", ")}`,
        hint:
          "Fix the field name: the API server's type checking reports it in the policy's status.typeChecking, " +
          "and the expression fails (or never matches) on every object.",
      });
  }
  return findings;
}
