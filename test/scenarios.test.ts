import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeRef, environmentsOf, type Finding } from "../core/finding.ts";
import { cli, configInput, ROOT } from "./support/config.ts";

interface Scenario {
  description: string;
  overrides: unknown;
  command: string[];
  exit: number;
  expect: {
    rule: string;
    environment?: string;
    resource?: string;
    path?: string;
    /** The config path the finding's line points at (for a finding about an object). */
    configPath?: string;
    message: string;
  }[];
}

const dir = join(ROOT, "test/scenarios");
for (const file of readdirSync(dir)
  .filter((f) => f.endsWith(".json"))
  .sort()) {
  const s = JSON.parse(readFileSync(join(dir, file), "utf8")) as Scenario;
  test(`scenario ${file}: ${s.description}`, () => {
    const tmp = mkdtempSync(join(tmpdir(), "platform-scenario-"));
    const config = join(tmp, "platform.config.ts");
    writeFileSync(config, `export default ${JSON.stringify(configInput(s.overrides))};\n`);
    const out = join(tmp, "out");
    const gen = cli(["generate", "--config", config, "--out", out]);
    assert.is(gen.code, 0, gen.stderr);
    const r = cli([...s.command, "--config", config, "--out", out, "--format", "json"]);
    assert.is(r.code, s.exit, r.stdout + r.stderr);
    const findings = (JSON.parse(r.stdout) as { findings: Finding[] }).findings;
    const seen = findings.map(
      (f) =>
        `${f.engine}/${f.rule} [${environmentsOf(f).join(", ")}] ${f.resource ? describeRef(f.resource) : ""}: ` +
        `${f.message} (${f.file}:${f.line} ${f.configPath ?? ""})`,
    );
    for (const e of s.expect) {
      const hit = findings.some(
        (f) =>
          `${f.engine}/${f.rule}` === e.rule &&
          (e.environment === undefined || environmentsOf(f).includes(e.environment)) &&
          (e.resource === undefined || (f.resource && describeRef(f.resource) === e.resource)) &&
          (e.path === undefined || f.path === e.path) &&
          (e.configPath === undefined || f.configPath === e.configPath) &&
          f.message.includes(e.message),
      );
      assert.ok(hit, `expected ${JSON.stringify(e)} among:\n${seen.join("\n")}`);
    }
    for (const f of findings) assert.ok(f.file && f.line && f.line >= 1, `no location: ${JSON.stringify(f)}`);
    if (s.exit === 0)
      assert.equal(
        findings.filter((f) => f.severity === "error"),
        [],
      );
    rmSync(tmp, { recursive: true });
  });
}

test.run();
