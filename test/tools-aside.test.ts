/**
 * `check` runs promtool and amtool in a worker thread (bin/tools-aside.ts) beside its other work: the findings
 * must be exactly those of the engines run in line, failures included.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { OBSERVABILITY_OUT } from "../core/layout.ts";
import { runAmtool } from "../engines/amtool.ts";
import { runPromtool } from "../engines/promtool.ts";
import { toolsAside } from "../bin/tools-aside.ts";
import { bundleOf } from "./support/config.ts";
import { ensureAmtool, ensurePromtool } from "./support/tools.ts";

/** promtool's messages name the temporary folder it ran in, different on each run. */
const stable = (x: unknown) => JSON.parse(JSON.stringify(x).replace(/nautilus-(promtool|amtool)-\w+/g, "<temp>"));

for (const ensure of [ensurePromtool, ensureAmtool]) {
  const r = ensure();
  if (!r.ok) throw new Error(r.message);
}

test("the worker's findings are the engines' own, on the real config", async () => {
  const { files } = bundleOf();
  const aside = await toolsAside(files, "out");
  assert.equal(stable(aside), stable({ promtool: runPromtool(files, "out"), amtool: runAmtool(files, "out") }));
  assert.ok(aside.promtool.length > 0, "the kubernetes-sd note at least comes back from the worker");
});

test("a rule file promtool rejects and an Alertmanager config amtool rejects come back as errors", async () => {
  const files = new Map(bundleOf().files);
  const rules = [...files.keys()].find((p) => p.startsWith(`${OBSERVABILITY_OUT.rules}/`))!;
  files.set(rules, "groups:\n  - name: broken\n    rules:\n      - alert: Broken\n        expr: sum(\n");
  files.set(OBSERVABILITY_OUT.alertmanagerConfig, "route:\n  receiver: nobody\n");
  const aside = await toolsAside(files, "out");
  assert.ok(
    aside.promtool.some((f) => f.rule === "check-rules" && f.severity === "error" && f.file === `out/${rules}`),
    JSON.stringify(aside.promtool),
  );
  assert.ok(
    aside.amtool.some((f) => f.severity === "error"),
    JSON.stringify(aside.amtool),
  );
  assert.equal(stable(aside), stable({ promtool: runPromtool(files, "out"), amtool: runAmtool(files, "out") }));
});

test.run();
