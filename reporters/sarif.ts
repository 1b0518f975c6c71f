/**
 * Findings as SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
 * One run, one rule per distinct `engine/rule`, one result per finding, each with a physical location
 * (file and start line: code scanning drops results without one) and, for a finding about an object,
 * the object as a logical location per environment with its own field path. No timestamps, so the
 * same findings always give the same bytes.
 */
import { environmentsOf, type Finding, type ResourceRef, type Severity, withLocation } from "../core/finding.ts";

export const SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";
export const TOOL_NAME = "nautilus-platform";

type SarifLevel = "error" | "warning" | "note";

const LEVELS: Record<Severity, SarifLevel> = { error: "error", warning: "warning", info: "note" };

interface SarifText {
  text: string;
}

interface SarifRule {
  id: string;
  name: string;
  shortDescription: SarifText;
  help?: SarifText;
  properties: { engine: string; rule: string };
}

interface SarifLogicalLocation {
  name: string;
  fullyQualifiedName: string;
  kind: "resource";
  properties: { apiVersion: string; kind: string; namespace?: string; environment?: string; path?: string };
}

interface SarifPhysicalLocation {
  artifactLocation: { uri: string };
  region: { startLine: number; startColumn?: number };
}

interface SarifLocation {
  physicalLocation: SarifPhysicalLocation;
  logicalLocations?: SarifLogicalLocation[];
}

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  message: SarifText;
  locations: [SarifLocation];
  properties?: { environments?: string[]; path?: string; configPath?: string };
}

export interface SarifLog {
  $schema: string;
  version: "2.1.0";
  runs: Array<{
    tool: { driver: { name: string; rules: SarifRule[] } };
    results: SarifResult[];
  }>;
}

export function ruleIdOf(f: Finding): string {
  return `${f.engine}/${f.rule}`;
}

/** `prod/Deployment/nautilus-trading/nautilus-risk-engine`; environment and namespace only when present. */
export function fullyQualifiedName(r: ResourceRef, environment?: string): string {
  return [environment, r.kind, r.namespace, r.name].filter((p): p is string => !!p).join("/");
}

/** The message, after the config path when the finding is about the config itself, and the fix. */
function messageText(f: Finding): string {
  const text = !f.resource && f.path ? `${f.path}: ${f.message}` : f.message;
  return f.hint ? `${text} (fix: ${f.hint})` : text;
}

function logicalLocation(f: Finding, r: ResourceRef, environment: string | undefined): SarifLogicalLocation {
  const properties: SarifLogicalLocation["properties"] = { apiVersion: r.apiVersion, kind: r.kind };
  if (r.namespace) properties.namespace = r.namespace;
  if (environment) properties.environment = environment;
  if (f.path) properties.path = f.path;
  return { name: r.name, fullyQualifiedName: fullyQualifiedName(r, environment), kind: "resource", properties };
}

/** A relative path as it is (a URI reference against the repository root); an absolute one as a file: URI. */
export function artifactUri(file: string): string {
  const encoded = encodeURI(file.replace(/\\/g, "/")).replace(/[?#]/g, encodeURIComponent);
  return file.startsWith("/") ? `file://${encoded}` : encoded;
}

function physicalLocation(f: Finding): SarifPhysicalLocation {
  const { file, line, column } = withLocation(f);
  return {
    artifactLocation: { uri: artifactUri(file) },
    region: column ? { startLine: line, startColumn: column } : { startLine: line },
  };
}

function buildRules(findings: readonly Finding[]): SarifRule[] {
  const byId = new Map<string, SarifRule>();
  for (const f of findings) {
    const id = ruleIdOf(f);
    let rule = byId.get(id);
    if (!rule) {
      rule = {
        id,
        name: f.rule,
        shortDescription: { text: `${f.engine} rule ${f.rule}` },
        properties: { engine: f.engine, rule: f.rule },
      };
      byId.set(id, rule);
    }
    // Help is the first hint given for the rule (in input order).
    if (!rule.help && f.hint) rule.help = { text: f.hint };
  }
  // Sorted so the rule table (and every ruleIndex) does not depend on engine run order.
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export function sarifLog(findings: readonly Finding[]): SarifLog {
  const rules = buildRules(findings);
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const results = findings.map((f): SarifResult => {
    const ruleId = ruleIdOf(f);
    const envs = environmentsOf(f);
    const location: SarifLocation = { physicalLocation: physicalLocation(f) };
    const { resource } = f;
    if (resource)
      location.logicalLocations = (envs.length > 0 ? envs : [undefined]).map((e) => logicalLocation(f, resource, e));
    const result: SarifResult = {
      ruleId,
      ruleIndex: index.get(ruleId) ?? -1,
      level: LEVELS[f.severity] ?? "warning",
      message: { text: messageText(f) },
      locations: [location],
    };
    const properties: NonNullable<SarifResult["properties"]> = {};
    if (envs.length > 0) properties.environments = envs;
    if (f.path) properties.path = f.path;
    if (f.configPath) properties.configPath = f.configPath;
    if (Object.keys(properties).length > 0) result.properties = properties;
    return result;
  });
  return {
    $schema: SARIF_SCHEMA,
    version: "2.1.0",
    runs: [{ tool: { driver: { name: TOOL_NAME, rules } }, results }],
  };
}

export function sarifReport(findings: readonly Finding[]): string {
  return JSON.stringify(sarifLog(findings), null, 2) + "\n";
}
