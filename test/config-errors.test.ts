import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Finding } from "../core/finding.ts";
import { cli, configInput } from "./support/config.ts";

const STACK_TRACE = /\n\s+at |internal error/;

/** The real config as a plain-object module, edited as text, in a fresh temp folder. */
function configFile(edit: (text: string) => string = (t) => t): { dir: string; file: string; text: string } {
  const dir = mkdtempSync(join(tmpdir(), "platform-config-errors-"));
  const file = join(dir, "platform.config.ts");
  const text = edit(`export default ${JSON.stringify(configInput(), null, 2)};\n`);
  writeFileSync(file, text);
  return { dir, file, text };
}

/** 1-based line and column of the first `needle` in `text`. */
function positionOf(text: string, needle: string): [number, number] {
  const before = text.slice(0, text.indexOf(needle)).split("\n");
  return [before.length, before[before.length - 1]!.length + 1];
}

const misspelt = (t: string) => t.replace('"replicas": 2,', '"replicaz": 2,');

test("check --format sarif on a misspelt key: a result naming the config path, the config file and line", () => {
  const { dir, file, text } = configFile(misspelt);
  const r = cli(["check", "--config", file, "--out", join(dir, "out"), "--format", "sarif"]);
  assert.is(r.code, 2, r.stderr);
  assert.not.match(r.stderr, STACK_TRACE);
  const results = (
    JSON.parse(r.stdout) as {
      runs: {
        results: {
          ruleId: string;
          message: { text: string };
          locations: { physicalLocation: { artifactLocation: { uri: string }; region: Record<string, number> } }[];
        }[];
      }[];
    }
  ).runs[0]!.results;
  const hit = results.find((x) => x.ruleId === "config/unknown-key");
  assert.ok(hit, r.stdout);
  assert.match(hit!.message.text, "services.risk-engine.replicaz: unknown key");
  assert.match(hit!.message.text, 'did you mean "replicas"?');
  const [line, column] = positionOf(text, '"replicaz"');
  assert.equal(hit!.locations[0]!.physicalLocation, {
    artifactLocation: { uri: `file://${file}` },
    region: { startLine: line, startColumn: column },
  });
  for (const x of results) assert.ok((x.locations[0]!.physicalLocation.region.startLine ?? 0) >= 1);
  rmSync(dir, { recursive: true });
});

test("check --format github on a misspelt key: an annotation with file=, line= and col= of the key", () => {
  const { dir, file, text } = configFile(misspelt);
  const r = cli(["check", "--config", file, "--out", join(dir, "out"), "--format", "github"]);
  assert.is(r.code, 2, r.stderr);
  const [line, column] = positionOf(text, '"replicaz"');
  const escaped = file.replace(/,/g, "%2C").replace(/:/g, "%3A");
  assert.match(
    r.stdout,
    `::error file=${escaped},line=${line},col=${column},title=config/unknown-key::services.risk-engine.replicaz:`,
  );
  for (const l of r.stdout.trimEnd().split("\n")) assert.match(l, /^::error file=[^,]+,line=\d+/);
  rmSync(dir, { recursive: true });
});

test("check --format json and junit carry config errors with file and line; text names file:line:col", () => {
  const { dir, file, text } = configFile(misspelt);
  const [line, column] = positionOf(text, '"replicaz"');
  const json = cli(["check", "--config", file, "--out", join(dir, "out"), "--format", "json"]);
  assert.is(json.code, 2);
  const f = (JSON.parse(json.stdout) as { findings: Finding[] }).findings.find((x) => x.rule === "unknown-key")!;
  assert.equal(
    [f.engine, f.path, f.file, f.line, f.column],
    ["config", "services.risk-engine.replicaz", file, line, column],
  );
  const junit = cli(["check", "--config", file, "--out", join(dir, "out"), "--format", "junit"]);
  assert.is(junit.code, 2);
  assert.match(junit.stdout, `file="${file}" line="${line}"`);
  const txt = cli(["check", "--config", file, "--out", join(dir, "out")]);
  assert.is(txt.code, 2);
  assert.match(
    txt.stdout,
    `${file}:${line}:${column}: error config/unknown-key services.risk-engine.replicaz: unknown key`,
  );
  assert.match(txt.stderr, `${file}: the config is not valid`);
  rmSync(dir, { recursive: true });
});

test("generate with a bad config prints the findings as text with file:line:col, exits 2 and writes nothing", () => {
  const { dir, file, text } = configFile(misspelt);
  const out = join(dir, "out");
  const r = cli(["generate", "--config", file, "--out", out]);
  assert.is(r.code, 2);
  const [line, column] = positionOf(text, '"replicaz"');
  assert.match(r.stderr, `${file}:${line}:${column}: error config/unknown-key services.risk-engine.replicaz`);
  assert.not.match(r.stderr, STACK_TRACE);
  assert.is(existsSync(out), false);
  rmSync(dir, { recursive: true });
});

const loadCases: { description: string; edit: (t: string) => string; expect: string[] }[] = [
  {
    description: "replicas: 2n (a BigInt)",
    edit: (t) => t.replace('"replicas": 2,', '"replicas": 2n,'),
    expect: ["services.risk-engine.replicas: expected number, got a BigInt (2n)"],
  },
  {
    description: "NaN, Infinity, a Symbol and a function as numbers",
    edit: (t) =>
      t
        .replace('"replicas": 2,', '"replicas": NaN,')
        .replace('"replicas": 2,', '"replicas": Infinity,')
        .replace('"replicas": 3,', '"replicas": Symbol("three"),')
        .replace('"replicas": 2,', '"replicas": () => 2,'),
    expect: [
      "services.risk-engine.replicas: expected number, got NaN",
      "services.position-keeper.replicas: expected number, got Infinity",
      "services.order-manager.replicas: expected number, got a symbol",
      "services.integration-engine.replicas: expected number, got a function",
    ],
  },
  {
    description: "throw undefined in the config",
    edit: (t) => `throw undefined;\n${t}`,
    expect: ["config/throws", "it threw undefined"],
  },
  {
    description: "throw null in the config",
    edit: (t) => `throw null;\n${t}`,
    expect: ["config/throws", "it threw null"],
  },
  {
    description: "a default export whose getter throws",
    edit: (t) => t.replace('"name": "nautilus",', 'get name() { throw new Error("no name today"); },'),
    expect: [":2:", "error config/unreadable name: reading this value failed: no name today"],
  },
  {
    description: "a syntax error",
    edit: (t) => t.replace('"name": "nautilus",', '"name": "nautilus" "oops",'),
    expect: [":2:21: error config/syntax-error", 'Expected "}" but found'],
  },
  {
    description: "an error thrown while the config evaluates, at its line",
    edit: (t) => t.replace('"name": "nautilus",', '"name": missingName,'),
    expect: [":2:11: error config/throws", "missingName is not defined"],
  },
  {
    description: "a config that refers to itself",
    edit: (t) =>
      t
        .replace("export default {", "const config = {")
        .replace(/;\n$/, ";\nconfig.network.self = config;\nexport default config;\n"),
    expect: ["config/cycle network.self: this value contains itself"],
  },
];

test("a syntax error in a module the config imports names that module's line, not one of the config", () => {
  const { dir, file } = configFile(
    (t) => `import { replicas } from "./replicas.ts";\nexport const r = replicas;\n${t}`,
  );
  writeFileSync(join(dir, "replicas.ts"), "export const replicas = ;\n");
  const r = cli(["generate", "--config", file, "--out", join(dir, "out")]);
  assert.is(r.code, 2, r.stdout + r.stderr);
  assert.not.match(r.stderr, STACK_TRACE);
  assert.match(r.stderr, `error config/syntax-error: ${join(dir, "replicas.ts")}:1:24: Unexpected ";"`);
  rmSync(dir, { recursive: true });
});

for (const row of loadCases) {
  test(`no stack trace, exit 2 and the place named for ${row.description}`, () => {
    const { dir, file } = configFile(row.edit);
    const r = cli(["generate", "--config", file, "--out", join(dir, "out")]);
    assert.is(r.code, 2, r.stdout + r.stderr);
    assert.not.match(r.stderr, STACK_TRACE);
    assert.match(r.stderr, `${file}:`);
    for (const e of row.expect) assert.match(r.stderr, e);
    assert.is(existsSync(join(dir, "out")), false);
    rmSync(dir, { recursive: true });
  });
}

test.run();
