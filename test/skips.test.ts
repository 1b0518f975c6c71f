import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Finding } from "../core/finding.ts";
import { applySkips } from "../core/skips.ts";
import { changedConfigErrors } from "./support/config.ts";

const finding = (environment: string, name: string): Finding => ({
  engine: "platform",
  rule: "rollout-capacity",
  severity: "error",
  environment,
  resource: { apiVersion: "apps/v1", kind: "Deployment", name },
  message: "3 replicas need 4 nodes",
});

test("a skipped finding stays in the report as a note with its reason; the others are untouched", () => {
  const out = applySkips(
    [finding("staging", "nautilus-order-manager"), finding("prod", "nautilus-order-manager")],
    [
      {
        rule: "platform/rollout-capacity",
        object: "Deployment/nautilus-order-manager",
        environment: "staging",
        reason: "staging rolls out with Recreate by hand",
      },
    ],
    "platform.config.ts",
  );
  assert.equal(
    out.map((f) => `${f.severity} ${f.environment} ${f.message}`),
    [
      "info staging suppressed (error, skip[0]: staging rolls out with Recreate by hand): 3 replicas need 4 nodes",
      "error prod 3 replicas need 4 nodes",
    ],
  );
});

test("an entry that matches nothing is a warning, so a typo never suppresses in silence", () => {
  const out = applySkips(
    [finding("prod", "nautilus-order-manager")],
    [{ rule: "platform/rollout-capacity", object: "Deployment/nautilus-order-manger", reason: "accepted until Q3" }],
    "platform.config.ts",
  );
  assert.equal(
    out.map((f) => `${f.severity} ${f.engine}/${f.rule} ${f.message}`),
    [
      "error platform/rollout-capacity 3 replicas need 4 nodes",
      "warning config/unused-skip skip[0] (platform/rollout-capacity Deployment/nautilus-order-manger) matches no " +
        "finding, so it suppresses nothing",
    ],
  );
});

test("a skip needs a rule written engine/rule and a reason", () => {
  const errors = changedConfigErrors((c) => {
    c.skip = [{ rule: "rollout-capacity", reason: "ok" }];
  });
  assert.equal(errors.length, 2);
  assert.match(errors.join("\n"), /expected "engine\/rule"/);
  assert.match(errors.join("\n"), /say why the finding is accepted/);
});

test.run();
