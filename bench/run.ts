/**
 * `npm run bench`: how generation, the in-process engines and kustomize scale with the number of
 * services. Each figure is the median of several runs and is printed as a ratio to the real
 * config's figure measured in the same run, so a slower machine does not change the conclusion.
 * Never part of `npm test`.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { readPolicySources } from "../bin/policies.ts";
import { findingLine } from "../core/finding.ts";
import { generateBundle, type Bundle } from "../generators/bundle.ts";
import { kustomizeBuild } from "../engines/kustomize.ts";
import { runObjectEngines } from "../bin/object-engines.ts";
import { platformOf } from "../test/support/config.ts";

const policies = readPolicySources();

function bundleWith(extraServices: number): Bundle {
  const services: Record<string, unknown> = {};
  for (let i = 0; i < extraServices; i++) {
    services[`svc-${i}`] = {
      tier: "high-performance",
      description: "synthetic",
      image: `registry.nautilus.io/trading/svc-${i}:1.0.0`,
      replicas: 2,
      resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "128Mi" } },
      probes: {
        liveness: { path: "/health/live" },
        readiness: { path: "/health/ready" },
        startup: { path: "/health/startup", budget: "60s" },
      },
    };
  }
  const r = generateBundle(platformOf({ services, tiers: { "high-performance": { nodes: 1000 } } }), policies);
  if (!r.ok) throw new Error(r.errors.map(findingLine).join("\n"));
  return r.bundle;
}

async function median(runs: number, f: () => unknown | Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await f();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}

function writeTree(files: ReadonlyMap<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "platform-bench-"));
  for (const [p, c] of files) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), c);
  }
  return dir;
}

const sizes = [0, 50, 200, 400];
const rows: { services: number; objects: number; generate: number; engines: number; kustomize: number }[] = [];
await runObjectEngines({ environments: bundleWith(0).environments, policies }); // warm the lazy schema imports
for (const extra of sizes) {
  const bundle = bundleWith(extra);
  const prod = bundle.environments.find((e) => e.environment === "prod")!;
  const dir = writeTree(bundle.files);
  rows.push({
    services: 7 + extra,
    objects: prod.objects.length,
    generate: await median(5, () => bundleWith(extra)),
    engines: await median(3, () => runObjectEngines({ environments: bundle.environments, policies })),
    kustomize: await median(3, () => kustomizeBuild(join(dir, "overlays/prod"))),
  });
  rmSync(dir, { recursive: true });
}

const base = rows[0]!;
console.log("services  objects/env  generate ms (ratio)  engines ms, 3 envs (ratio)  kustomize prod ms (ratio)");
for (const r of rows) {
  const cell = (v: number, b: number) => `${v.toFixed(0).padStart(8)} (${(v / b).toFixed(1)}x)`;
  console.log(
    `${String(r.services).padStart(8)}  ${String(r.objects).padStart(11)}  ` +
      `${cell(r.generate, base.generate).padStart(19)}  ${cell(r.engines, base.engines).padStart(26)}  ` +
      `${cell(r.kustomize, base.kustomize).padStart(25)}`,
  );
}
