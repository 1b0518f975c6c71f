/**
 * The one result type of every engine (schema, cel, promtool, kustomize, platform, drift).
 * Engines return findings and never print, exit or throw for a bad input: reporters render them.
 */
export type Severity = "error" | "warning" | "info";

/** Identifies a Kubernetes object the way `kubectl` does. */
export interface ResourceRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

export interface Finding {
  /** Engine id: "schema", "cel", "promtool", "kustomize", "platform", "drift", "config". */
  engine: string;
  /** Rule id inside the engine, e.g. "guaranteed-qos" or "unknown-field". */
  rule: string;
  severity: Severity;
  /** Environment the object belongs to ("dev", "staging", "prod"); absent for `vet` and for files. */
  environment?: string;
  resource?: ResourceRef;
  /** File the finding is about (out/ relative path, policy file, or the vetted manifest). */
  file?: string;
  /** Field path inside the object, e.g. `spec.template.spec.containers[0].resources.limits.cpu`. */
  path?: string;
  /** 1-based line of `file` where the value the finding is about is written. */
  line?: number;
  /** 1-based column on `line`. */
  column?: number;
  /** A full sentence that names the value and the rule. */
  message: string;
  /** How to fix it. */
  hint?: string;
}

/** A Kubernetes object as plain data (what YAML parses to). */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [k: string]: unknown;
  };
  [k: string]: unknown;
}

/** The final objects of one environment, as `kubectl kustomize out/overlays/<env>` would print them. */
export interface EnvironmentObjects {
  environment: string;
  objects: KubeObject[];
}

export function refOf(o: KubeObject): ResourceRef {
  const ref: ResourceRef = { apiVersion: o.apiVersion, kind: o.kind, name: o.metadata?.name };
  if (o.metadata?.namespace) ref.namespace = o.metadata.namespace;
  return ref;
}

/** `apps/v1 Deployment nautilus-trading/risk-engine` */
export function describeRef(r: ResourceRef): string {
  return `${r.kind} ${r.namespace ? `${r.namespace}/` : ""}${r.name}`;
}

export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === "error");
}
