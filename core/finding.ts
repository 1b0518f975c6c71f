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
  /**
   * Set instead of `environment` when the same finding holds in several environments (see
   * merge-environments.ts): reported once, naming them all, in the order the engines met them.
   */
  environments?: string[];
  resource?: ResourceRef;
  /**
   * File to look at: the config (for a finding about a generated object, the config entry that produced it), an
   * out/ relative path, a policy file, or the vetted manifest.
   */
  file?: string;
  /**
   * Field path inside `resource`, e.g. `spec.template.spec.containers[0].resources.limits.cpu`; for findings about
   * the config (engine "config", and checks that judge config values) the config path.
   */
  path?: string;
  /** The config path that `line` points at, e.g. `services.risk-engine.replicas`, when `file` is the config. */
  configPath?: string;
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

/** The environments a finding holds in: none for `vet` and for files. */
export function environmentsOf(f: Finding): string[] {
  if (f.environments) return f.environments;
  return f.environment ? [f.environment] : [];
}

/** `[dev, staging, prod]`, or "" when the finding belongs to no environment. */
export function environmentLabel(f: Finding): string {
  const envs = environmentsOf(f);
  return envs.length > 0 ? `[${envs.join(", ")}]` : "";
}

/** The config file's default name; findings that name no file are about it. */
export const CONFIG_FILE = "platform.config.ts";

/**
 * Every finding with a place a reader (or GitHub, or a SARIF viewer) can open: one without a file is
 * about the config, and one without a line points at the file's first line.
 */
export function withLocation(f: Finding, configFile = CONFIG_FILE): Finding & { file: string; line: number } {
  return { ...f, file: f.file || configFile, line: f.line ?? 1 };
}

/** Engine of every finding about the config itself: it does not load, does not parse, or does not resolve. */
export const CONFIG_ENGINE = "config";

/** A finding about the config at `path`; `bin/` adds the config file and the line and column of `path`. */
export function configFinding(
  rule: string,
  path: string,
  message: string,
  extra: { hint?: string; environment?: string; file?: string } = {},
): Finding {
  return { engine: CONFIG_ENGINE, rule, severity: "error", ...extra, ...(path ? { path } : {}), message };
}

/** `services.x.replicas: message`, the one-line form of a finding for people and for thrown test errors. */
export function findingLine(f: Finding): string {
  return f.path ? `${f.path}: ${f.message}` : f.message;
}

export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === "error");
}
