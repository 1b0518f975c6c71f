/**
 * Findings as SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
 * One run, one rule per distinct `engine/rule`, one result per finding. No timestamps or absolute
 * paths, so the same findings always give the same bytes.
 */
import type { Finding, ResourceRef, Severity } from "../core/finding.ts";

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

interface SarifLocation {
  physicalLocation?: { artifactLocation: { uri: string } };
  logicalLocations?: SarifLogicalLocation[];
}

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  message: SarifText;
  locations?: SarifLocation[];
  properties?: { environment?: string; path?: string };
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

function messageText(f: Finding): string {
  return f.hint ? `${f.message} (fix: ${f.hint})` : f.message;
}

function logicalLocation(f: Finding, r: ResourceRef): SarifLogicalLocation {
  const properties: SarifLogicalLocation["properties"] = { apiVersion: r.apiVersion, kind: r.kind };
  if (r.namespace) properties.namespace = r.namespace;
  if (f.environment) properties.environment = f.environment;
  if (f.path) properties.path = f.path;
  return { name: r.name, fullyQualifiedName: fullyQualifiedName(r, f.environment), kind: "resource", properties };
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
    const result: SarifResult = {
      ruleId,
      ruleIndex: index.get(ruleId) ?? -1,
      level: LEVELS[f.severity] ?? "warning",
      message: { text: messageText(f) },
    };
    const location: SarifLocation = {};
    if (f.file) location.physicalLocation = { artifactLocation: { uri: f.file } };
    if (f.resource) location.logicalLocations = [logicalLocation(f, f.resource)];
    if (location.physicalLocation || location.logicalLocations) result.locations = [location];
    if (f.environment || f.path) {
      result.properties = {};
      if (f.environment) result.properties.environment = f.environment;
      if (f.path) result.properties.path = f.path;
    }
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
