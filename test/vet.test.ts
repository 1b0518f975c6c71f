import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Finding } from "../core/finding.ts";
import { cli } from "./support/config.ts";

const vet = (...args: string[]) => {
  const r = cli(["vet", "--format", "json", ...args]);
  return {
    code: r.code,
    stderr: r.stderr,
    findings: r.stdout ? (JSON.parse(r.stdout) as { findings: Finding[] }).findings : [],
  };
};
const rules = (fs: Finding[]) => [...new Set(fs.map((f) => `${f.engine}/${f.rule} ${f.file}`))].sort();

test("vet refuses the report's own Deployment and NetworkPolicy, naming file, field and rule", () => {
  const r = vet("test/fixtures/vet/seed");
  assert.is(r.code, 1);
  const deploy = "test/fixtures/vet/seed/risk-engine-deployment.yaml";
  const netpol = "test/fixtures/vet/seed/network-policy.yaml";
  assert.equal(rules(r.findings), [
    `apiserver/hugepages ${deploy}`,
    `apiserver/selector-matches-template ${deploy}`,
    `cel/hugepages-limits ${deploy}`,
    `cel/non-root ${deploy}`,
    `platform/anti-affinity-selects-self ${deploy}`,
    `platform/egress-allows-dns ${netpol}`,
    `schema/schema ${deploy}`,
  ]);
  const hp = r.findings.find((f) => f.rule === "hugepages")!;
  assert.is(hp.path, "spec.template.spec.containers[0].resources.limits.hugepages-2Mi");
  assert.is(r.findings.find((f) => f.rule === "schema")!.path, "spec.selector");
});

test("the corrected twins of the report's manifests pass vet", () => {
  const r = vet("test/fixtures/vet/corrected");
  assert.is(r.code, 0, JSON.stringify(r.findings, null, 2));
  assert.equal(r.findings, []);
});

test(
  "vet accepts the rendered manifests of every environment, and the Kustomize bases without tripping on " +
    "kustomization.yaml, each read with both layers (the cluster layer holds the namespaces pods are judged by)",
  () => {
    for (const dirs of [
      ["out/cluster/rendered/dev", "out/rendered/dev"],
      ["out/cluster/rendered/staging", "out/rendered/staging"],
      ["out/cluster/rendered/prod", "out/rendered/prod"],
      ["out/cluster/base", "out/base"],
    ]) {
      const r = vet(...dirs);
      assert.equal(r.findings, [], dirs.join(" "));
      assert.is(r.code, 0);
    }
  },
);

test(
  "vet reads multi-document files, reports YAML errors by file, skips non-objects and flags objects " + "defined twice",
  () => {
    const dir = mkdtempSync(join(tmpdir(), "platform-vet-"));
    writeFileSync(
      join(dir, "multi.yaml"),
      "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: a\n  namespace: x\n---\napiVersion: v1\nkind: " +
        "Secret\nmetadata:\n  name: s\n  namespace: x\nstringData:\n  password: hunter2\n---\ngroups: []\n",
    );
    writeFileSync(join(dir, "broken.yaml"), "kind: [\n");
    writeFileSync(
      join(dir, "z-again.yaml"),
      "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: a\n  namespace: x\n",
    );
    const r = vet(dir);
    assert.is(r.code, 1);
    const got = r.findings.map((f) => `${f.severity} ${f.engine}/${f.rule} ${f.file?.replace(dir, "DIR")}`);
    assert.ok(got.includes("error vet/not-yaml DIR/broken.yaml"), got.join("\n"));
    assert.ok(got.includes("warning vet/not-an-object DIR/multi.yaml"), got.join("\n"));
    assert.ok(got.includes("error cel/no-inline-secrets DIR/multi.yaml"), got.join("\n"));
    assert.ok(got.includes("warning vet/duplicate-object DIR/z-again.yaml"), got.join("\n"));
    rmSync(dir, { recursive: true });
  },
);

test("vet without a path, or with a missing one, is a usage error", () => {
  assert.is(cli(["vet"]).code, 2);
  const r = cli(["vet", "no/such/dir"]);
  assert.is(r.code, 2);
  assert.match(r.stderr, "no/such/dir: no such file or folder");
});

test.run();
