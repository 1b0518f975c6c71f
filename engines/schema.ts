/**
 * The schema engine: "will it apply?", offline.
 *
 * Per object: the apiVersion is served by the target Kubernetes version (rule "api-version");
 * the object validates against its `kubernetes-models` / prometheus-operator schema ("schema");
 * it has no field the schema does not declare ("unknown-field"; the API server's strict field
 * validation, `kubectl apply --validate=strict`); kinds without a schema are reported
 * ("unknown-kind"), never passed silently. The API server's semantic rules are checks
 * (`checks/apiserver/`). Pure: no file system, no network.
 */
import { isPlainObject as isRecord } from "../core/plain.ts";
import { refOf, type EnvironmentObjects, type Finding, type KubeObject, type Severity } from "../core/finding.ts";
import { notServedReason, parseMinor } from "./schema/api-versions.ts";
import { checkKnownFields, loadModel, modelForKind } from "./schema/known-fields.ts";
import { modelFor, type ModelInfo } from "./schema/models.ts";
import { joinPath, pointerToPath } from "../core/field-path.ts";
import { traceObject } from "./schema/traced-fields.ts";
import { showValue } from "./schema/show.ts";
import { crdFor, indexCrds, type CrdInfo, validateCustomResource } from "./schema/crd.ts";

export interface SchemaOptions {
  /** Kubernetes minor version the objects must apply to, "1.30" by default. */
  kubernetesVersion?: string;
}

export const DEFAULT_KUBERNETES_VERSION = "1.30";

export async function validateSchemas(envs: EnvironmentObjects[], opts: SchemaOptions = {}): Promise<Finding[]> {
  const version = opts.kubernetesVersion ?? DEFAULT_KUBERNETES_VERSION;
  const minor = parseMinor(version);
  const findings: Finding[] = [];
  if (minor === undefined) {
    findings.push({
      engine: "schema",
      rule: "api-version",
      severity: "error",
      message: `kubernetesVersion "${version}" is not a Kubernetes version like "1.30"`,
      hint: 'pass kubernetesVersion as "1.<minor>"',
    });
  }
  // Every kind's models are imported first, once; the objects are then judged without waiting on anything.
  const schemas = new Map<string, KindSchema>();
  for (const env of envs)
    for (const object of env.objects)
      if (isKubeObjectLike(object) && !schemas.has(kindKey(object.apiVersion, object.kind)))
        schemas.set(kindKey(object.apiVersion, object.kind), await schemaOf(object.apiVersion, object.kind));
  const hasObjectMeta = await loadModel("V1ObjectMeta");
  for (const env of envs) {
    // Custom resources are judged by the CRDs applied with them.
    const crds = indexCrds(env.objects);
    for (const object of env.objects)
      for (const f of validateObject(object, env.environment, minor, crds, schemas, hasObjectMeta)) findings.push(f);
  }
  return findings;
}

interface AjvError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

/** The schemas of one apiVersion and kind: its model class (kubernetes-models) and client-node field list. */
interface KindSchema {
  info: ModelInfo | undefined;
  clientModel: string | undefined;
}

const kindKey = (apiVersion: string, kind: string) => `${apiVersion}\0${kind}`;

const isKubeObjectLike = (object: unknown): object is KubeObject =>
  isRecord(object) && typeof object.apiVersion === "string" && typeof object.kind === "string";

async function schemaOf(apiVersion: string, kind: string): Promise<KindSchema> {
  const info = await modelFor(apiVersion, kind);
  // Built-in kinds: field lists from client-node; custom resources (or a built-in client-node
  // lacks): the fields the compiled validator reads.
  const clientModel = info?.custom ? undefined : await modelForKind(apiVersion, kind);
  return { info, clientModel };
}

function validateObject(
  object: KubeObject,
  environment: string,
  minor: number | undefined,
  crds: ReadonlyMap<string, CrdInfo>,
  schemas: ReadonlyMap<string, KindSchema>,
  hasObjectMeta: boolean,
): Finding[] {
  const out: Finding[] = [];
  const add = (rule: string, severity: Severity, path: string | undefined, message: string, hint?: string) => {
    const f: Finding = { engine: "schema", rule, severity, message };
    if (environment) f.environment = environment;
    if (isRecord(object) && typeof object.kind === "string") f.resource = refOf(object);
    if (path) f.path = path;
    if (hint) f.hint = hint;
    out.push(f);
  };

  if (!isKubeObjectLike(object)) {
    add(
      "schema",
      "error",
      undefined,
      "document is not a Kubernetes object: apiVersion and kind must be strings",
      "add apiVersion and kind",
    );
    return out;
  }
  const { apiVersion, kind } = object;

  if (minor !== undefined) {
    const reason = notServedReason(apiVersion, kind, minor);
    if (reason)
      add(
        "api-version",
        "error",
        "apiVersion",
        reason,
        "use a version the target cluster serves (Kubernetes deprecated API migration guide)",
      );
  }

  const unknown = (f: Pick<Finding, "path" | "message">) =>
    add(
      "unknown-field",
      "error",
      f.path,
      f.message,
      "remove the field or fix its spelling; the API server rejects unknown fields under strict field validation",
    );

  const crd = crdFor(crds, apiVersion, kind);
  if (crd) {
    for (const p of validateCustomResource(object, crd)) add(p.rule, "error", p.path, p.message, p.hint);
    if (isRecord(object.metadata) && hasObjectMeta)
      checkKnownFields(object.metadata, "V1ObjectMeta", "metadata", unknown, minor);
    return out;
  }

  const { info, clientModel } = schemas.get(kindKey(apiVersion, kind))!;
  if (!info && !clientModel) {
    add(
      "unknown-kind",
      "warning",
      "kind",
      `no schema for ${apiVersion} ${kind}; it was not validated`,
      "check the apiVersion and kind, or add the CRD's models to the schema engine",
    );
    return out;
  }
  // Without a kubernetes-models class (e.g. admissionregistration.k8s.io/v1beta1
  // ValidatingAdmissionPolicy, absent from kubernetes-models 5.1), only field names are checked.
  const traced = clientModel || !info ? undefined : traceObject(object);
  try {
    info?.model.prototype.validate.call(traced ? traced.proxy : object);
  } catch (e) {
    const errors = (e as { errors?: AjvError[] }).errors;
    if (Array.isArray(errors))
      for (const [path, message] of describeErrors(errors, object)) add("schema", "error", path, message);
    else add("schema", "error", undefined, `${apiVersion} ${kind} could not be validated: ${(e as Error).message}`);
  }

  if (clientModel) checkKnownFields(object, clientModel, "", unknown, minor);
  else traced?.unknownFields(unknown);
  return out;
}

/** ajv errors as one message per field path; alternatives (oneOf, int-or-string) are merged. */
function describeErrors(errors: readonly AjvError[], root: unknown): [string, string][] {
  const byPath = new Map<string, AjvError[]>();
  for (const e of errors) {
    const base = pointerToPath(e.instancePath, root);
    const path =
      e.keyword === "required" && typeof e.params.missingProperty === "string"
        ? joinPath(base, e.params.missingProperty)
        : base;
    byPath.set(path, [...(byPath.get(path) ?? []), e]);
  }
  const out: [string, string][] = [];
  for (const [path, list] of byPath) {
    const value = valueAt(root, list[0]!.instancePath);
    const shown = value === undefined ? "" : `, got ${showValue(value)}`;
    const where = path || "(object)";
    const required = list.find((e) => e.keyword === "required");
    const format = list.find((e) => e.keyword === "format");
    const enumError = list.find((e) => e.keyword === "enum");
    const types = [...new Set(list.filter((e) => e.keyword === "type").map((e) => String(e.params.type)))];
    if (required) out.push([path, `${where}: required field is missing`]);
    else if (format) out.push([path, `${where}: ${showValue(value)} is not a valid ${String(format.params.format)}`]);
    else if (enumError)
      out.push([
        path,
        `${where}: must be one of ` +
          `${(enumError.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}${shown}`,
      ]);
    else if (types.length) out.push([path, `${where}: must be ${types.join(" or ")}${shown}`]);
    else {
      const messages = [
        ...new Set(
          list.filter((e) => e.keyword !== "oneOf" && e.keyword !== "anyOf").map((e) => e.message ?? e.keyword),
        ),
      ];
      out.push([
        path,
        `${where}: ${(messages.length ? messages : list.map((e) => e.message ?? e.keyword)).join("; ")}${shown}`,
      ]);
    }
  }
  return out;
}

function valueAt(root: unknown, pointer: string): unknown {
  let node = root;
  if (!pointer) return undefined;
  for (const raw of pointer.slice(1).split("/")) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    node = isRecord(node) || Array.isArray(node) ? (node as Record<string, unknown>)[key] : undefined;
  }
  return node;
}
