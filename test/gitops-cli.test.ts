import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { stringify } from "yaml";
import { loadConfig } from "../bin/load-config.ts";
import { join } from "node:path";
import { cli, configInput, ROOT } from "./support/config.ts";

const vetStdin = (input: string) =>
  spawnSync(process.execPath, ["--import", "tsx", `${ROOT}bin/platform.ts`, "vet", "-"], {
    cwd: ROOT,
    encoding: "utf8",
    input,
  });

test("--version prints the package's version", () => {
  const { version } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
  const r = cli(["--version"]);
  assert.is(r.code, 0);
  assert.is(r.stdout, `platform ${version}\n`);
});

test("vet - judges the manifests piped to it, as helm template | platform vet - does", () => {
  const good = readFileSync(join(ROOT, "out/rendered/prod/nautilus-engines/service-nautilus-risk-engine.yaml"), "utf8");
  const ok = vetStdin(good);
  assert.is(ok.status, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /vet passed: 1 objects/);
  const typo = good.replace("  selector:", "  selectr:");
  const bad = vetStdin(typo);
  assert.is(bad.status, 1);
  assert.match(bad.stdout, /^-:\d+:\d+: error schema\/unknown-field Service nautilus-engines\/nautilus-risk-engine/m);
});

test("--config takes JSON and YAML: the same config, and findings at the file's own lines", async () => {
  const dir = mkdtempSync(join(tmpdir(), "platform-config-"));
  try {
    const json = join(dir, "platform.json");
    const yaml = join(dir, "platform.yaml");
    writeFileSync(json, JSON.stringify(configInput(), null, 2));
    writeFileSync(yaml, stringify(configInput()));
    const real = await loadConfig(join(ROOT, "platform.config.ts"));
    for (const file of [json, yaml]) {
      const loaded = await loadConfig(file);
      assert.ok(loaded.ok && real.ok, file);
      if (loaded.ok && real.ok) assert.equal(loaded.platform, real.platform);
    }
    const text = readFileSync(json, "utf8");
    const at = text.indexOf('"replicas": 3');
    writeFileSync(json, `${text.slice(0, at)}"replicas": "three"${text.slice(at + '"replicas": 3'.length)}`);
    const broken = await loadConfig(json);
    assert.not.ok(broken.ok);
    if (!broken.ok) {
      const line = text.slice(0, at).split("\n").length;
      assert.equal(
        broken.findings.map((f) => `${f.line} ${f.path}: ${f.message}`),
        [`${line} services.order-manager.replicas: expected number, got string "three"`],
      );
    }
    writeFileSync(yaml, "name: nautilus\nservices: [\n");
    const bad = await loadConfig(yaml);
    assert.not.ok(bad.ok);
    if (!bad.ok) assert.is(bad.findings[0]?.rule, "syntax-error");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
