/**
 * Findings as JUnit XML for CI test-report views: one <testsuite> per environment, or per set of
 * environments for a finding that holds in several ("dev, staging, prod"; "platform" for findings
 * without one), a failing <testcase> per error, a passing one with <system-out> per warning or note.
 * Each testcase carries `file` and `line` (the attributes GitLab and most viewers read). No findings
 * at all give one passing "platform check" so the report is green, not empty.
 */
import { describeRef, environmentsOf, type Finding, withLocation } from "../core/finding.ts";

export const PLATFORM_SUITE = "platform";

/** Characters XML 1.0 cannot carry even as references; replaced rather than emitted. */
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

/** Escape for element content. */
export function escapeXmlText(s: string): string {
  return s
    .replace(INVALID_XML, "\uFFFD")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

/** Escape for a double-quoted attribute value; newlines and tabs survive attribute normalisation. */
export function escapeXmlAttr(s: string): string {
  return escapeXmlText(s).replace(/\r/g, "&#13;").replace(/\n/g, "&#10;").replace(/\t/g, "&#9;");
}

function attrs(a: Record<string, string | number>): string {
  return Object.entries(a)
    .map(([k, v]) => ` ${k}="${escapeXmlAttr(String(v))}"`)
    .join("");
}

function where(f: Finding): string {
  return f.resource ? describeRef(f.resource) : (f.file ?? "(platform)");
}

function caseName(f: Finding): string {
  return `${f.engine}/${f.rule} ${where(f)}${f.path ? ` at ${f.path}` : ""}`;
}

function details(f: Finding): string {
  const { file, line, column } = withLocation(f);
  const lines = [`${f.severity} ${f.engine}/${f.rule}: ${f.message}`];
  const envs = environmentsOf(f);
  if (envs.length > 0) lines.push(`${envs.length > 1 ? "environments" : "environment"}: ${envs.join(", ")}`);
  if (f.resource) lines.push(`resource: ${f.resource.apiVersion} ${describeRef(f.resource)}`);
  lines.push(`location: ${file}:${line}${column ? `:${column}` : ""}${f.configPath ? ` (${f.configPath})` : ""}`);
  if (f.path) lines.push(`path: ${f.path}`);
  if (f.hint) lines.push(`fix: ${f.hint}`);
  return lines.join("\n");
}

function testcase(suite: string, f: Finding): string {
  const { file, line } = withLocation(f);
  const open = `    <testcase${attrs({ classname: `${suite}.${f.engine}`, name: caseName(f), file, line })}>`;
  const body =
    f.severity === "error"
      ? `      <failure${attrs({ message: f.message, type: `${f.engine}/${f.rule}` })}>` +
        `${escapeXmlText(details(f))}</failure>`
      : `      <system-out>${escapeXmlText(details(f))}</system-out>`;
  return `${open}\n${body}\n    </testcase>`;
}

interface Suite {
  name: string;
  tests: number;
  failures: number;
  cases: string[];
}

export function junitReport(findings: readonly Finding[]): string {
  const suites = new Map<string, Suite>();
  for (const f of findings) {
    const name = environmentsOf(f).join(", ") || PLATFORM_SUITE; // `vet` passes "" for its one pseudo-environment
    const suite = suites.get(name) ?? { name, tests: 0, failures: 0, cases: [] };
    suites.set(name, suite);
    suite.tests++;
    if (f.severity === "error") suite.failures++;
    suite.cases.push(testcase(name, f));
  }
  if (suites.size === 0) {
    suites.set(PLATFORM_SUITE, {
      name: PLATFORM_SUITE,
      tests: 1,
      failures: 0,
      cases: [`    <testcase${attrs({ classname: PLATFORM_SUITE, name: "platform check" })}/>`],
    });
  }
  const all = [...suites.values()];
  const total = (k: "tests" | "failures") => all.reduce((n, s) => n + s[k], 0);
  const out = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites${attrs({
      name: "nautilus-platform",
      tests: total("tests"),
      failures: total("failures"),
      errors: 0,
    })}>`,
  ];
  for (const s of all) {
    out.push(`  <testsuite${attrs({ name: s.name, tests: s.tests, failures: s.failures, errors: 0, skipped: 0 })}>`);
    out.push(...s.cases);
    out.push(`  </testsuite>`);
  }
  out.push(`</testsuites>`);
  return out.join("\n") + "\n";
}
