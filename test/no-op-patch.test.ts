import { test } from "uvu";
import * as assert from "uvu/assert";
import { runConfigChecks } from "../checks/registry.ts";
import { noOpPatch } from "../checks/platform/no-op-patch.ts";
import { bundleOf, platformOf } from "./support/config.ts";

const notes = (overrides: unknown) => {
  const bundle = bundleOf(overrides);
  return runConfigChecks(
    { environments: bundle.environments, platform: platformOf(overrides), out: { dir: "out", files: bundle.files } },
    [noOpPatch],
  ).map((f) => `${f.severity} ${f.environment} ${f.message}`);
};

test("the real config's patches all change something", () => {
  assert.equal(notes({}), []);
});

test("a patch value equal to the base is a note naming the environment, the path and the value", () => {
  assert.equal(
    notes({
      environments: {
        staging: { services: { "risk-engine": { replicas: 2 } } },
        dev: { storage: { metrics: { size: "100Gi" } } },
      },
    }),
    [
      'info dev environments.dev.storage.metrics.size: "100Gi" equals the base value ' +
        "(storage.metrics.size), so the patch changes nothing",
      "info staging environments.staging.services.risk-engine.replicas: 2 equals the base value " +
        "(services.risk-engine.replicas), so the patch changes nothing",
    ],
  );
});

test.run();
