/**
 * The one registry of TypeScript checks holds every check, each true to its contract: an id
 * "group/name" declared in a file of its group, a one-line description, a doc with every part, and an
 * example that really produces findings of that check (the docs show them), named by its id.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CHECKS, runConfigChecks, runObjectChecks } from "../checks/registry.ts";
import { groupOf, nameOf, type Check } from "../checks/check.ts";
import { checkIndex, exampleFindings } from "../bin/docs.ts";
import { bundleOf, platformOf, ROOT } from "./support/config.ts";

const ID = /^\s*id: "([\w-]+\/[\w-]+)",$/gm;

/** Every check id declared in a file under checks/, with its file. */
function declaredIds(): [string, string][] {
  return execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "checks/*.ts"], {
    cwd: ROOT,
    encoding: "utf8",
  })
    .split("\n")
    .filter(Boolean)
    .flatMap((file) =>
      [...readFileSync(join(ROOT, file), "utf8").matchAll(ID)].map((m): [string, string] => [m[1]!, file]),
    );
}

test("every check declared under checks/ is in the registry, once", () => {
  const ids = CHECKS.map((c) => c.id);
  assert.equal(
    declaredIds()
      .map(([id]) => id)
      .filter((id) => !ids.includes(id as Check["id"])),
    [],
    "run `npm run docs`: it lists every check in checks/index.ts",
  );
  assert.equal(ids.length, new Set(ids).size, `duplicate ids: ${ids.join(", ")}`);
});

test("a check lives in its group's file or folder, named after it where it has a file of its own", () => {
  for (const [id, file] of declaredIds()) {
    const group = groupOf(id as Check["id"]);
    assert.ok(file === `checks/${group}.ts` || file.startsWith(`checks/${group}/`), `${id} is declared in ${file}`);
    if (file.startsWith(`checks/${group}/`))
      assert.is(file, `checks/${group}/${nameOf(id as Check["id"])}.ts`, `${id} is declared in ${file}`);
  }
});

test("vet's runner runs only the checks that need objects, check's runner the others", () => {
  // Egress restricted without DNS (an object check) and a pool that cannot pin CPUs (a config check).
  const overrides = { tiers: { "ultra-low-latency": { pool: { cpuPinning: false } } } };
  const bundle = bundleOf(overrides);
  const dnsless = {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: "deny-egress", namespace: "elsewhere" },
    spec: { podSelector: {}, policyTypes: ["Egress"] },
  };
  const environments = bundle.environments.map((env) => ({ ...env, objects: [...env.objects, dnsless] }));
  const ctx = { environments, platform: platformOf(overrides), out: { dir: "out", files: bundle.files } };
  const ids = (fs: { engine: string; rule: string }[]) => [...new Set(fs.map((f) => `${f.engine}/${f.rule}`))];
  assert.equal(ids(runObjectChecks(ctx)), ["platform/egress-allows-dns"]);
  assert.equal(ids(runConfigChecks(ctx)), ["platform/node-pool-capability"]);
  assert.equal(ids(runObjectChecks({ environments: [{ environment: "", objects: [dnsless] }] })), [
    "platform/egress-allows-dns",
  ]);
});

test("every check has a one-line description and a doc with what, why, how to fix and an example", () => {
  for (const c of CHECKS) {
    assert.match(c.description, /^[A-Z].*\.$/, `${c.id}: the description is a sentence`);
    assert.not.match(c.description, /\n/, `${c.id}: the description is one line`);
    assert.ok(c.description.length <= 120, `${c.id}: the description is at most 120 characters`);
    for (const part of ["catches", "why", "fix"] as const)
      assert.ok(c.doc[part].length >= 40, `${c.id}: doc.${part} is missing or too short`);
  }
});

for (const c of CHECKS) {
  test(`${c.id}: its documented example gives its own findings, named by its id`, async () => {
    const findings = await exampleFindings(c);
    assert.ok(findings.length > 0, `${c.id}: the example in its doc gives no finding`);
    assert.equal([...new Set(findings.map((f) => `${f.engine}/${f.rule}`))], [c.id]);
    assert.ok(
      findings.every((f) => f.severity === c.severity),
      `${c.id}: the example's findings are not at the check's severity`,
    );
  });
}

test("a new check file is registered by the generated index, without editing any other file", () => {
  const root = mkdtempSync(join(tmpdir(), "check-index-"));
  try {
    mkdirSync(join(root, "checks/platform"), { recursive: true });
    for (const f of ["check.ts", "registry.ts", "index.ts"]) writeFileSync(join(root, "checks", f), "");
    writeFileSync(
      join(root, "checks/platform/new-rule.ts"),
      'export const newRule: ObjectCheck = {\n  id: "platform/new-rule",\n};\nexport const helper = 1;\n',
    );
    const index = checkIndex(root);
    assert.match(index, 'import { newRule } from "./platform/new-rule.ts";');
    assert.match(index, "  newRule,\n];");
    assert.not.match(index, "helper");
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test.run();
