import { test } from "uvu";
import * as assert from "uvu/assert";
// Named import: under NodeNext the default import of ajv's CommonJS build is the module object, not the class.
import { Ajv } from "ajv";
import type { Finding } from "../core/finding.ts";
import { REPORTERS } from "../reporters/index.ts";
import { sarifReport } from "../reporters/sarif.ts";
import { githubReport } from "../reporters/github.ts";
import { junitReport } from "../reporters/junit.ts";
import { jsonReport } from "../reporters/json.ts";
import { textReport } from "../reporters/text.ts";

const findings: Finding[] = [
  {
    engine: "platform",
    rule: "guaranteed-qos",
    severity: "error",
    environment: "prod",
    resource: {
      apiVersion: "apps/v1",
      kind: "Deployment",
      namespace: "nautilus-trading",
      name: "nautilus-risk-engine",
    },
    file: "platform.config.ts",
    line: 64,
    column: 21,
    configPath: "services.risk-engine.resources.limits.cpu",
    path: "spec.template.spec.containers[0].resources.limits.cpu",
    message: `limits.cpu "2" differs from requests.cpu "1" & the <prod> tier needs 'Guaranteed' QoS`,
    hint: "set limits.cpu equal to requests.cpu",
  },
  {
    engine: "schema",
    rule: "unknown-field",
    severity: "warning",
    environment: "staging",
    resource: { apiVersion: "v1", kind: "Service", namespace: "nautilus-trading", name: "gateway" },
    file: "out/overlays/staging/service-gateway.yaml",
    path: "spec.portz",
    message: "spec.portz is not a field of Service,\ndid you mean spec.ports? 100% sure",
  },
  {
    engine: "drift",
    rule: "stale-file",
    severity: "info",
    file: "out/base/old.yaml",
    line: 3,
    message: "out/base/old.yaml is no longer generated",
    hint: "run platform generate",
  },
  {
    engine: "platform",
    rule: "guaranteed-qos",
    severity: "error",
    environment: "prod",
    resource: { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", name: "nautilus-reader" },
    message: "a second finding of the same rule without a file",
  },
  {
    engine: "config",
    rule: "unknown-key",
    severity: "error",
    environments: ["dev", "staging", "prod"],
    file: "platform.config.ts",
    line: 98,
    column: 7,
    path: "services.position-keeper.replicaz",
    message: "unknown key (not part of the config schema; check the spelling)",
    hint: 'did you mean "replicas"?',
  },
];

/** The SARIF 2.1.0 fields code scanning needs, written out by hand. */
const sarifSchema = {
  type: "object",
  required: ["$schema", "version", "runs"],
  properties: {
    $schema: { const: "https://json.schemastore.org/sarif-2.1.0.json" },
    version: { const: "2.1.0" },
    runs: {
      type: "array",
      minItems: 1,
      maxItems: 1,
      items: {
        type: "object",
        required: ["tool", "results"],
        properties: {
          tool: {
            type: "object",
            required: ["driver"],
            properties: {
              driver: {
                type: "object",
                required: ["name", "rules"],
                properties: {
                  name: { const: "nautilus-platform" },
                  rules: {
                    type: "array",
                    items: {
                      type: "object",
                      required: ["id", "shortDescription"],
                      properties: {
                        id: { type: "string", pattern: "^[^/]+/[^/]+$" },
                        shortDescription: { $ref: "#/$defs/message" },
                        help: { $ref: "#/$defs/message" },
                      },
                    },
                  },
                },
              },
            },
          },
          results: {
            type: "array",
            items: {
              type: "object",
              required: ["ruleId", "level", "message", "locations"],
              properties: {
                ruleId: { type: "string" },
                ruleIndex: { type: "integer", minimum: 0 },
                level: { enum: ["none", "note", "warning", "error"] },
                message: { $ref: "#/$defs/message" },
                locations: {
                  type: "array",
                  minItems: 1,
                  items: {
                    type: "object",
                    required: ["physicalLocation"],
                    properties: {
                      physicalLocation: {
                        type: "object",
                        required: ["artifactLocation", "region"],
                        properties: {
                          artifactLocation: {
                            type: "object",
                            required: ["uri"],
                            properties: { uri: { type: "string", minLength: 1 } },
                          },
                          region: {
                            type: "object",
                            required: ["startLine"],
                            properties: {
                              startLine: { type: "integer", minimum: 1 },
                              startColumn: { type: "integer", minimum: 1 },
                            },
                          },
                        },
                      },
                      logicalLocations: {
                        type: "array",
                        items: {
                          type: "object",
                          required: ["fullyQualifiedName", "kind"],
                          properties: {
                            fullyQualifiedName: { type: "string" },
                            kind: { type: "string" },
                            properties: { type: "object" },
                          },
                        },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
  $defs: {
    message: { type: "object", required: ["text"], properties: { text: { type: "string", minLength: 1 } } },
  },
};

interface SarifResultShape {
  ruleId: string;
  ruleIndex: number;
  level: string;
  message: { text: string };
  properties?: { environments?: string[]; path?: string; configPath?: string };
  locations: Array<{
    physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn?: number } };
    logicalLocations?: Array<{ fullyQualifiedName: string; kind: string; properties?: Record<string, string> }>;
  }>;
}
interface SarifShape {
  version: string;
  runs: Array<{
    tool: { driver: { rules: Array<{ id: string; help?: { text: string } }> } };
    results: SarifResultShape[];
  }>;
}

function sarif(fs: readonly Finding[] = findings): SarifShape {
  return JSON.parse(sarifReport(fs)) as SarifShape;
}

/** Undo the five predefined entities and numeric references, as an XML parser would. */
function unescapeXml(s: string): string {
  return s
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)))
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&");
}

interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  text: string;
}

/**
 * A strict little XML reader, enough for this reporter's output: every tag well formed and
 * balanced, every attribute quoted without a raw `<`, `&` or `"`, no raw `<` or bare `&` in text.
 */
function readXml(xml: string): XmlElement[] {
  const body = xml.replace(/^<\?xml [^?]*\?>\n/, "");
  const attribute = String.raw`\s+[A-Za-z][\w.-]*="[^"<&]*(?:&(?:amp|lt|gt|quot|apos|#\d+);[^"<&]*)*"`;
  const token = new RegExp(String.raw`<(\/?)([A-Za-z][\w.-]*)((?:${attribute})*)\s*(\/?)>|([^<]+)`, "gy");
  const elements: XmlElement[] = [];
  const open: XmlElement[] = [];
  let end = 0;
  for (let m = token.exec(body); m; m = token.exec(body)) {
    end = token.lastIndex;
    const [, close, name, attrText, selfClose, text] = m;
    if (text !== undefined) {
      assert.not.match(text.replace(/&(?:amp|lt|gt|quot|apos|#\d+);/g, ""), /[&<]/, `raw markup in text: ${text}`);
      const top = open[open.length - 1];
      if (top) top.text += unescapeXml(text);
      continue;
    }
    if (close) {
      assert.is(open.pop()?.name, name, `unbalanced </${name}>`);
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const a of (attrText ?? "").matchAll(/([A-Za-z][\w.-]*)="([^"]*)"/g)) attrs[a[1]!] = unescapeXml(a[2]!);
    const el: XmlElement = { name: name!, attrs, text: "" };
    elements.push(el);
    if (!selfClose) open.push(el);
  }
  assert.is(end, body.length, `unparsable XML at: ${body.slice(end, end + 60)}`);
  assert.is(open.length, 0, "unclosed elements");
  return elements;
}

test("every reporter is registered next to text and json", () => {
  assert.equal(Object.keys(REPORTERS).sort(), ["github", "json", "junit", "sarif", "text"]);
});

test("SARIF output parses as JSON and is SARIF 2.1.0 with one run", () => {
  const log = sarif();
  assert.is(log.version, "2.1.0");
  assert.is(log.runs.length, 1);
});

test("SARIF output validates against the hand-written schema of required fields", () => {
  const ajv = new Ajv({ allErrors: true, strict: true });
  const validate = ajv.compile(sarifSchema);
  for (const fs of [findings, []]) {
    const ok = validate(JSON.parse(sarifReport(fs)));
    assert.ok(ok, ajv.errorsText(validate.errors));
  }
});

test("SARIF gives every result a physical location: file uri, start line, and the column when known", () => {
  const results = sarif().runs[0]!.results;
  assert.is(results.length, findings.length);
  assert.equal(
    results.map((r) => {
      const p = r.locations[0]!.physicalLocation;
      return [r.ruleId, r.level, p.artifactLocation.uri, p.region.startLine, p.region.startColumn];
    }),
    [
      ["platform/guaranteed-qos", "error", "platform.config.ts", 64, 21],
      ["schema/unknown-field", "warning", "out/overlays/staging/service-gateway.yaml", 1, undefined],
      ["drift/stale-file", "note", "out/base/old.yaml", 3, undefined],
      // No file at all: the config, line 1, never no location.
      ["platform/guaranteed-qos", "error", "platform.config.ts", 1, undefined],
      ["config/unknown-key", "error", "platform.config.ts", 98, 7],
    ],
  );
});

test("SARIF writes an absolute path as a file: URI and escapes what a URI cannot hold", () => {
  const [r] = sarif([{ engine: "config", rule: "x", severity: "error", file: "/tmp/my config#1.ts", message: "m" }])
    .runs[0]!.results;
  assert.is(r!.locations[0]!.physicalLocation.artifactLocation.uri, "file:///tmp/my%20config%231.ts");
});

test("SARIF lists each distinct engine/rule once and every ruleIndex points at its rule", () => {
  const run = sarif().runs[0]!;
  const ids = run.tool.driver.rules.map((r) => r.id);
  assert.equal(ids, ["config/unknown-key", "drift/stale-file", "platform/guaranteed-qos", "schema/unknown-field"]);
  for (const r of run.results) assert.is(ids[r.ruleIndex], r.ruleId);
  assert.is(run.tool.driver.rules[2]!.help?.text, "set limits.cpu equal to requests.cpu");
  assert.is(run.tool.driver.rules[3]!.help, undefined);
});

test("SARIF names the resource as a logical location with the field path, and joins the hint to the message", () => {
  const [first, , third, fourth] = sarif().runs[0]!.results;
  const logical = first!.locations[0]!.logicalLocations![0]!;
  assert.is(logical.fullyQualifiedName, "prod/Deployment/nautilus-trading/nautilus-risk-engine");
  assert.is(logical.kind, "resource");
  assert.is(logical.properties?.path, "spec.template.spec.containers[0].resources.limits.cpu");
  assert.is(first!.properties?.configPath, "services.risk-engine.resources.limits.cpu");
  assert.ok(first!.message.text.startsWith(findings[0]!.message));
  assert.ok(first!.message.text.includes("set limits.cpu equal to requests.cpu"));
  assert.is(third!.locations[0]!.logicalLocations, undefined);
  assert.is(fourth!.locations[0]!.logicalLocations![0]!.fullyQualifiedName, "prod/ClusterRole/nautilus-reader");
});

test("SARIF names a config finding's path in its message and every environment of a merged finding", () => {
  const last = sarif().runs[0]!.results[4]!;
  assert.is(
    last.message.text,
    "services.position-keeper.replicaz: unknown key (not part of the config schema; check the spelling) " +
      '(fix: did you mean "replicas"?)',
  );
  assert.equal(last.properties?.environments, ["dev", "staging", "prod"]);
  const merged = sarif([{ ...findings[0]!, environment: undefined, environments: ["dev", "prod"] }]).runs[0]!
    .results[0]!;
  assert.equal(
    merged.locations[0]!.logicalLocations!.map((l) => l.fullyQualifiedName),
    ["dev/Deployment/nautilus-trading/nautilus-risk-engine", "prod/Deployment/nautilus-trading/nautilus-risk-engine"],
  );
});

test("SARIF output is byte-for-byte the same on every run", () => {
  assert.is(sarifReport(findings), sarifReport(findings.map((f) => ({ ...f }))));
});

test("GitHub output is one workflow command per finding with file= and line= always, col= when known", () => {
  const lines = githubReport(findings).trimEnd().split("\n");
  assert.is(lines.length, findings.length);
  assert.equal(
    lines.map((l) => l.slice(0, l.indexOf(" "))),
    ["::error", "::warning", "::notice", "::error", "::error"],
  );
  for (const l of lines) assert.match(l, /^::\w+ file=[^,:]+,line=\d+(,col=\d+)?,title=/);
  assert.is(
    lines[0],
    "::error file=platform.config.ts,line=64,col=21,title=platform/guaranteed-qos::" +
      "[prod] Deployment nautilus-trading/nautilus-risk-engine " +
      "spec.template.spec.containers[0].resources.limits.cpu: " +
      `${findings[0]!.message} (fix: set limits.cpu equal to requests.cpu)`,
  );
  assert.is(
    lines[3],
    "::error file=platform.config.ts,line=1,title=platform/guaranteed-qos::[prod] ClusterRole nautilus-reader: " +
      "a second finding of the same rule without a file",
  );
  assert.is(
    lines[4],
    "::error file=platform.config.ts,line=98,col=7,title=config/unknown-key::[dev, staging, prod] " +
      "services.position-keeper.replicaz: unknown key (not part of the config schema; check the spelling) " +
      '(fix: did you mean "replicas"?)',
  );
});

test("GitHub messages escape newlines and percent signs, and property values also escape commas and colons", () => {
  const line = githubReport(findings).split("\n")[1]!;
  assert.is(
    line,
    "::warning file=out/overlays/staging/service-gateway.yaml,line=1,title=schema/unknown-field::" +
      "[staging] Service nautilus-trading/gateway spec.portz: spec.portz is not a field of Service,%0Adid you " +
      "mean spec.ports? 100%25 sure",
  );
  const odd = githubReport([
    { engine: "config", rule: "x", severity: "error", file: "dir,a:b/100%.yaml", message: "a\r\nb" },
  ]);
  assert.is(odd, "::error file=dir%2Ca%3Ab/100%25.yaml,line=1,title=config/x::a%0D%0Ab\n");
});

test("GitHub output is empty when there are no findings", () => {
  assert.is(githubReport([]), "");
});

test("text output is one compiler-style line per finding, file:line:col first, environments named once", () => {
  const lines = textReport(findings).trimEnd().split("\n");
  assert.is(
    lines[0],
    "platform.config.ts:64:21: error platform/guaranteed-qos [prod] Deployment nautilus-trading/nautilus-risk-engine " +
      `spec.template.spec.containers[0].resources.limits.cpu: ${findings[0]!.message}`,
  );
  assert.is(lines[1], "    fix: set limits.cpu equal to requests.cpu");
  assert.ok(lines.includes("out/base/old.yaml:3: info drift/stale-file: out/base/old.yaml is no longer generated"));
  assert.ok(
    lines.includes(
      "platform.config.ts:98:7: error config/unknown-key [dev, staging, prod] services.position-keeper.replicaz: " +
        "unknown key (not part of the config schema; check the spelling)",
    ),
  );
  assert.is(lines[lines.length - 1], "3 error(s), 1 warning(s), 1 note(s)");
  assert.is(textReport([]), "");
});

test("JSON output carries every finding with its file and line", () => {
  const parsed = JSON.parse(jsonReport(findings)) as { findings: Finding[] };
  assert.equal(
    parsed.findings.map((f) => [f.file, f.line, f.column]),
    [
      ["platform.config.ts", 64, 21],
      ["out/overlays/staging/service-gateway.yaml", 1, undefined],
      ["out/base/old.yaml", 3, undefined],
      ["platform.config.ts", 1, undefined],
      ["platform.config.ts", 98, 7],
    ],
  );
  assert.equal(parsed.findings[4]!.environments, ["dev", "staging", "prod"]);
});

test("JUnit XML escapes < & \" ' in attributes and text so it stays well formed", () => {
  const xml = junitReport(findings);
  const elements = readXml(xml);
  const failure = elements.find((e) => e.name === "failure")!;
  assert.is(failure.attrs.message, findings[0]!.message);
  assert.is(failure.attrs.type, "platform/guaranteed-qos");
  assert.ok(failure.text.includes(findings[0]!.message));
  assert.ok(failure.text.includes("fix: set limits.cpu equal to requests.cpu"));
  assert.ok(failure.text.includes("location: platform.config.ts:64:21 (services.risk-engine.resources.limits.cpu)"));
  assert.not.ok(xml.includes("<prod>"));
  assert.ok(xml.includes("&lt;prod&gt;") && xml.includes("&amp;") && xml.includes("&quot;2&quot;"));
});

test("JUnit XML has a suite per environment (or set of them), testcases with file and line, and counts", () => {
  const elements = readXml(junitReport(findings));
  const root = elements[0]!;
  assert.is(root.name, "testsuites");
  assert.equal([root.attrs.tests, root.attrs.failures], ["5", "3"]);
  const suites = elements.filter((e) => e.name === "testsuite");
  assert.equal(
    suites.map((s) => [s.attrs.name, s.attrs.tests, s.attrs.failures]),
    [
      ["prod", "2", "2"],
      ["staging", "1", "0"],
      ["platform", "1", "0"],
      ["dev, staging, prod", "1", "1"],
    ],
  );
  const cases = elements.filter((e) => e.name === "testcase");
  assert.is(cases.length, 5);
  assert.equal(
    cases.map((c) => [c.attrs.file, c.attrs.line]),
    [
      ["platform.config.ts", "64"],
      ["platform.config.ts", "1"],
      ["out/overlays/staging/service-gateway.yaml", "1"],
      ["out/base/old.yaml", "3"],
      ["platform.config.ts", "98"],
    ],
  );
  assert.is(elements.filter((e) => e.name === "failure").length, 3);
  const out = elements.filter((e) => e.name === "system-out");
  assert.is(out.length, 2);
  assert.ok(out[0]!.text.includes("did you mean spec.ports?"));
});

test("JUnit XML for no findings is one passing platform check", () => {
  const elements = readXml(junitReport([]));
  const suites = elements.filter((e) => e.name === "testsuite");
  assert.equal(
    suites.map((s) => [s.attrs.name, s.attrs.tests, s.attrs.failures]),
    [["platform", "1", "0"]],
  );
  const cases = elements.filter((e) => e.name === "testcase");
  assert.equal(
    cases.map((c) => c.attrs.name),
    ["platform check"],
  );
  assert.is(elements.filter((e) => e.name === "failure").length, 0);
});

test.run();
