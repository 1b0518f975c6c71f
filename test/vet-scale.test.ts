/**
 * The object engines judge a big corpus in one pass (kinds' schemas imported once, policies prefiltered by kind,
 * each object converted to CEL values once and shared by every policy): the verdicts must be exactly those of
 * judging each object alone, and the CEL values must give every expression the result plain data gives it.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { EnvironmentObjects, Finding, KubeObject } from "../core/finding.ts";
import { compilePolicies, evaluatePolicies, evaluateRequest } from "../engines/cel.ts";
import { fromCel, isError, toCelInput } from "../engines/cel/library.ts";
import { constraintsMatch } from "../engines/cel/match.ts";
import { validateSchemas } from "../engines/schema.ts";
import { readPolicySources } from "../bin/policies.ts";
import { bundleOf, withSyntheticServices } from "./support/config.ts";

const { policies } = compilePolicies(readPolicySources());

/** Every environment of the real config with 120 more services (about 3,000 objects), a few objects broken. */
const generated = bundleOf(withSyntheticServices(120)).environments;

function corpus(): EnvironmentObjects[] {
  planted.clear();
  const envs = generated.map((e) => ({
    environment: e.environment,
    objects: e.objects.map((o) => structuredClone(o)),
  }));
  const prod = envs.find((e) => e.environment === "prod")!.objects;
  const deployments = prod.filter((o) => o.kind === "Deployment");
  const services = prod.filter((o) => o.kind === "Service");
  // biome-ignore lint/suspicious/noExplicitAny: planting faults in generated objects
  const pod = (o: KubeObject): any => (o.spec as any).template.spec;
  pod(deployments[3]!).containers[0].securityContext = { runAsNonRoot: false, runAsUser: 0 }; // cel non-root
  pod(deployments[7]!).containers[0].image = "registry.nautilus.io/trading/unpinned:latest"; // cel pinned-images
  pod(deployments[11]!).containers[0].imagePullPolicyy = "Always"; // schema unknown-field
  (deployments[13]!.spec as Record<string, unknown>).replicas = "two"; // schema type
  // biome-ignore lint/suspicious/noExplicitAny: as above
  (services[5]!.spec as any).ports[0].port = "http"; // schema type
  deployments[17]!.apiVersion = "apps/v1beta2"; // schema api-version, and no policy selects it
  for (const i of [3, 7, 11, 13, 17]) planted.add(deployments[i]!);
  planted.add(services[5]!);
  return envs;
}

/** The objects corpus() broke last. */
const planted = new Set<KubeObject>();

const sorted = (findings: Finding[]) => findings.map((f) => JSON.stringify(f)).sort();

test("a big corpus gives exactly the findings of judging each object alone, planted faults among them", async () => {
  const envs = corpus();
  const count = envs.reduce((n, e) => n + e.objects.length, 0);
  assert.ok(count > 2500, `corpus of ${count} objects`);
  const together = [...(await validateSchemas(envs)), ...evaluatePolicies(policies, envs)];
  const alone: Finding[] = [];
  for (const env of envs)
    for (const object of env.objects) {
      alone.push(...(await validateSchemas([{ environment: env.environment, objects: [object] }])));
      alone.push(...evaluateRequest(policies, { operation: "CREATE", object }, env.objects, {}, env.environment));
    }
  assert.equal(sorted(together), sorted(alone));
  const found = new Set(together.map((f) => `${f.engine}/${f.rule}`));
  for (const rule of [
    "cel/non-root",
    "cel/pinned-images",
    "schema/unknown-field",
    "schema/schema",
    "schema/api-version",
  ])
    assert.ok(found.has(rule), `${rule} in ${[...found].join(", ")}`);
  assert.ok(
    together.every((f) => f.environment === "prod"),
    "only the broken objects of prod are refused",
  );
});

/** The conversion @bufbuild/cel applies to plain data on every access, as the engine used to hand it objects. */
function plainCelInput(v: unknown): unknown {
  if (typeof v === "number") return Number.isInteger(v) ? BigInt(v) : v;
  if (Array.isArray(v)) return v.filter((x) => x !== undefined).map(plainCelInput);
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = plainCelInput(x);
    return out;
  }
  return v;
}

const resultOf = (r: unknown) => (isError(r as never) ? `error: ${(r as Error).message}` : fromCel(r));

test("every expression of every policy gives the same result on CEL values as on plain data", () => {
  const objects = corpus().flatMap((e) => e.objects);
  let compared = 0;
  for (const policy of policies) {
    // Every tenth object the policy selects, and every broken one.
    let selected = 0;
    for (const object of objects) {
      if (!constraintsMatch(policy.matchConstraints, object)) continue;
      if (selected++ % 10 !== 0 && !planted.has(object)) continue;
      const request = { operation: "CREATE", name: object.metadata.name, namespace: object.metadata.namespace ?? "" };
      const activation = (convert: (v: unknown) => unknown) => {
        const vars: Record<string, unknown> = {
          object: convert(object),
          oldObject: null,
          params: null,
          namespaceObject: null,
          request: convert(request),
        };
        const variables: Record<string, unknown> = {};
        for (const v of policy.variables) {
          const r = v.program({ ...vars, variables: convert(variables) });
          if (!isError(r)) variables[v.name] = fromCel(r);
        }
        return { ...vars, variables: convert(variables) };
      };
      const celValues = activation(toCelInput);
      const plain = activation(plainCelInput);
      for (const e of [...policy.matchConditions, ...policy.variables, ...policy.validations]) {
        assert.equal(
          resultOf(e.program(celValues)),
          resultOf(e.program(plain)),
          `${policy.name} ${e.expression} on ${object.kind} ${object.metadata.name}`,
        );
        compared++;
      }
    }
  }
  assert.ok(compared > 500, `${compared} comparisons`);
});

test.run();
