/**
 * The schema engine's fixtures through `vet`, as a user would run it: every manifest
 * with a defect is rejected with a finding of that rule that names the file and the field, and its
 * corrected twin raises nothing from the schema engine. (Policies may still have opinions about a
 * twin; they are tested with their own fixtures.)
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { vetPaths } from "../bin/manifests.ts";
import { ROOT } from "./support/config.ts";

const base = join(ROOT, "test/fixtures/schema");

/** A fixture with a `# kubernetesVersion: 1.29` line targets that version; the others the default. */
const versionOf = (path: string) => /^# kubernetesVersion: (\S+)$/m.exec(readFileSync(path, "utf8"))?.[1];

// In process, the function behind `vet` (its CLI is exercised in vet.test.ts); a process per file would take minutes.
const vet = async (path: string, version?: string) => (await vetPaths([path], version)).findings;

// The schema engine's own rules, and the API server's rules (checks/apiserver/), share the fixture tree.
const ENGINES = ["schema", "apiserver"];

const rules = readdirSync(base).filter((r) => existsSync(join(base, r, "bad")));

// One vet per bad file: the fixtures of a rule reuse object names, and a finding is tied to its file by the object's
// name.
test("every schema rule's bad fixtures are rejected by vet, naming the file and the field", async () => {
  const cases = rules.flatMap((rule) =>
    readdirSync(join(base, rule, "bad")).map((file) => ({ rule, file, path: join(base, rule, "bad", file) })),
  );
  for (const { rule, file, path } of cases) {
    const findings = await vet(path, versionOf(path));
    const hit = findings.find((f) => ENGINES.includes(f.engine) && f.rule === rule && f.file === path);
    assert.ok(
      hit,
      `${rule}/bad/${file}: no ${rule} finding; got ` +
        `${findings.map((f) => `${f.engine}/${f.rule}`).join(", ") || "none"}`,
    );
    if (rule !== "unknown-kind" && rule !== "api-version")
      assert.ok(hit!.path, `${rule}/bad/${file}: the finding names no field`);
  }
});

test("their corrected twins raise nothing from the schema engine under vet", async () => {
  for (const rule of rules) {
    const findings = await vet(join(base, rule, "good"));
    assert.equal(
      findings.filter((f) => ENGINES.includes(f.engine)).map((f) => `${f.rule} ${f.file}: ${f.message}`),
      [],
      rule,
    );
  }
});

test.run();
