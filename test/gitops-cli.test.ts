import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { cli, ROOT } from "./support/config.ts";

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
  const good = readFileSync(join(ROOT, "out/rendered/prod/nautilus-trading/service-nautilus-risk-engine.yaml"), "utf8");
  const ok = vetStdin(good);
  assert.is(ok.status, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /vet passed: 1 objects/);
  const typo = good.replace("  selector:", "  selectr:");
  const bad = vetStdin(typo);
  assert.is(bad.status, 1);
  assert.match(bad.stdout, /^-:\d+:\d+: error schema\/unknown-field Service nautilus-trading\/nautilus-risk-engine/m);
});

test.run();
