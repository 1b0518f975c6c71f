import { test } from "uvu";
import * as assert from "uvu/assert";
import { TIER } from "../core/conventions.ts";
import { resolveEnvironment } from "../model/environments.ts";
import { type NodeModel, nodeOf, nodesOf } from "../model/nodes.ts";
import { type Feasibility, feasibilityOf, type PodTemplate, podTemplates } from "../model/placement.ts";
import type { NodePool } from "../schemas/nodes.ts";
import { platformOf, withSyntheticServices } from "./support/config.ts";
import { oracleFeasibility } from "./support/placement-oracle.ts";
import { random } from "./support/random.ts";

const GI = 2 ** 30;
const MI = 2 ** 20;
const ZONES = ["za", "zb", "zc"];

/** A small random cluster: pools with labels and taints, one or two NUMA nodes, hugepages, pinning or not. */
function randomNodes(r: ReturnType<typeof random>, pools: string[]): NodeModel[] {
  return pools.flatMap((name) => {
    const perNuma = r.pick([2, 4, 6]);
    const numaCount = r.pick([1, 2]);
    const pool: NodePool = {
      zones: Object.fromEntries(ZONES.map((z) => [z, r.int(4)])),
      numa: Array.from({ length: numaCount }, (_, i) => ({
        cpus: Array.from({ length: perNuma }, (_, c) => i * perNuma + c),
        memory: r.pick([4, 8, 16]) * GI,
        hugepages: { "2Mi": r.pick([0, 0, 512 * MI, GI]), "1Gi": r.pick([0, 0, GI]) },
      })),
      threadsPerCore: r.pick([1, 1, 2]),
      reserved: { cpus: r.pick([[], [0]]), memory: r.pick([0, 512 * MI]), evictionHard: 100 * MI },
      cpuPinning: r.next() < 0.4,
      labels: r.next() < 0.7 ? { pool: name } : {},
      taints: r.pick([
        [],
        [],
        [{ key: "dedicated", value: name, effect: "NoSchedule" as const }],
        [{ key: "soft", effect: "PreferNoSchedule" as const }],
      ]),
    };
    return Object.entries(pool.zones).flatMap(([zone, count]) =>
      Array.from({ length: count }, (_, i) => nodeOf(name, pool, zone, i)),
    );
  });
}

/** Random services in the scheduler's queue order: requests, host ports, anti-affinity and spread, surges. */
function randomTemplates(r: ReturnType<typeof random>, pools: string[]): PodTemplate[] {
  const templates = Array.from({ length: 1 + r.int(7) }, (_, i): PodTemplate => {
    const pool = r.pick(pools);
    const cpu = r.pick([100, 500, 1000, 2000, 3000]);
    const guaranteed = r.next() < 0.5;
    const replicas = r.int(6);
    return {
      service: `svc-${i}`,
      tier: r.next() < 0.3 ? TIER.ultraLowLatency : `tier-${pool}`,
      priority: r.pick([0, 100, 1000]),
      replicas,
      replicasField: "replicas",
      surge: r.int(3),
      rolloutFreesNode: r.next() < 0.3,
      disruptionBudget: r.int(3),
      requests: {
        cpu,
        memory: r.pick([128 * MI, GI, 3 * GI]),
        hugepages: { "2Mi": r.pick([0, 0, 256 * MI]), "1Gi": r.pick([0, 0, 0, GI]) },
      },
      guaranteed,
      exclusiveCpus: guaranteed && cpu % 1000 === 0 ? cpu / 1000 : 0,
      nodeSelector: r.next() < 0.8 ? { pool } : {},
      tolerations: r.pick([
        [],
        [{ key: "dedicated", operator: "Equal" as const, value: pool, effect: "NoSchedule" as const }],
        [{ key: "dedicated", operator: "Exists" as const, effect: "NoSchedule" as const }],
      ]),
      antiAffinity: r.pick(["required", "preferred", "none"] as const),
      zoneSpread: r.pick(["required", "preferred", "none"] as const),
      hostPorts: r.pick([[], [], [8080], [8080, 9090]]),
    };
  });
  return templates
    .map((t, i) => ({ t, i }))
    .sort((a, b) => b.t.priority - a.t.priority || a.i - b.i)
    .map(({ t }) => t);
}

const sameAsOracle = (fast: Feasibility, slow: Feasibility, label: string) => {
  assert.equal(fast.peak, slow.peak, `${label}: peak`);
  assert.equal([...fast.rollouts], [...slow.rollouts], `${label}: rollouts`);
  assert.is(fast.losses.length, slow.losses.length, `${label}: losses`);
  for (const [i, l] of fast.losses.entries()) assert.equal(l, slow.losses[i], `${label}: loss of ${l.kind} ${l.name}`);
};

test("on random clusters, headroom, rollouts and the peak are what re-placing every pod gives", () => {
  let unplaced = 0;
  let broken = 0;
  let rolloutsPending = 0;
  for (let seed = 1; seed <= 400; seed++) {
    const r = random(seed);
    const pools = ["p0", "p1", "p2"].slice(0, 1 + r.int(3));
    const nodes = randomNodes(r, pools);
    const templates = randomTemplates(r, pools);
    const fast = feasibilityOf(nodes, templates);
    sameAsOracle(fast, oracleFeasibility(nodes, templates), `seed ${seed}`);
    unplaced += fast.peak.unplaced.length;
    broken += fast.losses.filter((l) => l.broken.length > 0).length;
    rolloutsPending += [...fast.rollouts.values()].filter((o) => o.unplaced.length > 0).length;
  }
  // The cases cover pods that fit, pods that do not, losses that break services and rollouts that stall.
  assert.ok(unplaced > 100 && broken > 100 && rolloutsPending > 20, `${unplaced} ${broken} ${rolloutsPending}`);
});

test("the real config and a synthetic one give what re-placing every pod gives, in every environment", () => {
  const configs = {
    real: {},
    "one node short": {
      tiers: { "ultra-low-latency": { pool: { zones: { "eu-west-2a": 2, "eu-west-2b": 1, "eu-west-2c": 1 } } } },
    },
    "60 services": withSyntheticServices(60),
  };
  for (const [name, overrides] of Object.entries(configs))
    for (const env of ["dev", "staging", "prod"] as const) {
      const platform = resolveEnvironment(platformOf(overrides), env).platform;
      const [nodes, templates] = [nodesOf(platform), podTemplates(platform)];
      sameAsOracle(feasibilityOf(nodes, templates), oracleFeasibility(nodes, templates), `${name} ${env}`);
    }
});

test.run();
