/**
 * The indexes that keep checks and generators linear in the number of services, each against the scan it
 * replaced, on random inputs: same answers, so the verdicts cannot change.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { groupBy } from "../core/group-by.ts";
import { selects } from "../checks/apiserver/context.ts";
import { templateSelector } from "../checks/apiserver/selector-targets-workload.ts";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { objectsByRef } from "../bin/locate-findings.ts";
import { egressAllowsDns } from "../checks/platform/egress-allows-dns.ts";
import { snapshot } from "../bin/out-dir.ts";
import { checkDrift, manifestText, MANIFEST } from "../engines/drift.ts";
import type { KubeObject, ResourceRef } from "../core/finding.ts";
import type { BundleEnvironment } from "../model/environments.ts";
import { random } from "./support/random.ts";

const KEYS = ["app", "tier", "constructor", "__proto__", "toString", "a.b/c"];
const VALUES = ["x", "y", "z", "", "1"];
const NAMESPACES = ["", "ns-a", "ns-b"];

test("templateSelector: the templates a selector selects are the scan's, for thousands of random selectors", () => {
  for (let seed = 1; seed <= 200; seed++) {
    const r = random(seed);
    const labelsOf = () => {
      const labels: Record<string, string> = {};
      for (let i = r.int(4); i > 0; i--)
        Object.defineProperty(labels, r.pick(KEYS), {
          value: r.pick(VALUES),
          enumerable: true,
          configurable: true,
          writable: true,
        });
      return labels;
    };
    const items = Array.from({ length: r.int(30) }, (_, i) => ({
      namespace: r.pick(NAMESPACES),
      labels: labelsOf(),
      item: i,
    }));
    const selected = templateSelector(items);
    const value = () => r.pick<unknown>([...VALUES, 1, null, ["x"], { x: 1 }]);
    const map = () => {
      const m: Record<string, unknown> = {};
      for (let i = r.int(3); i > 0; i--) m[r.pick(KEYS)] = value();
      return m;
    };
    for (let q = 0; q < 50; q++) {
      const plain = r.next() < 0.5;
      const selector = r.pick<unknown>([
        map(),
        { matchLabels: map() },
        {
          matchLabels: map(),
          matchExpressions: [
            {
              key: r.pick(KEYS),
              operator: r.pick(["In", "NotIn", "Exists", "DoesNotExist", "Bad"]),
              values: [r.pick(VALUES)],
            },
          ],
        },
        { matchExpressions: [{ key: r.pick(KEYS), operator: "Exists" }] },
        { matchLabels: "app" },
        {},
        null,
        "app",
      ]);
      const ns = r.pick(NAMESPACES);
      const scanned = items.filter((t) => t.namespace === ns && selects(selector, t.labels, plain)).map((t) => t.item);
      const found = selected(ns, selector, plain);
      assert.equal(found, scanned, `seed ${seed}, selector ${JSON.stringify(selector)}, plain ${plain}`);
    }
  }
});

test("groupBy: each group is the filter of its key, in order; undefined keys are left out", () => {
  const r = random(7);
  const items = Array.from({ length: 500 }, () => ({ k: r.pick(["a", "b", undefined, "c"]), n: r.int(100) }));
  const groups = groupBy(items, (x) => x.k);
  assert.equal([...groups.keys()].sort(), ["a", "b", "c"]);
  for (const k of ["a", "b", "c"])
    assert.equal(
      groups.get(k),
      items.filter((x) => x.k === k),
    );
});

test("objectsByRef: an environment's first object with a reference, as the scan finds it", () => {
  const r = random(11);
  const kinds = ["Deployment", "Service", "Service\0v1"];
  const versions = ["apps/v1", "v1", "v1\0Service"];
  const names = ["a", "b", "1", 1, "a\0b"] as unknown as string[];
  const namespaces = [undefined, "", "ns", "ns\0"];
  const object = (i: number) =>
    ({
      kind: r.pick(kinds),
      apiVersion: r.pick(versions),
      metadata: { name: r.pick(names), namespace: r.pick(namespaces), uid: i },
    }) as unknown as KubeObject;
  for (let round = 0; round < 200; round++) {
    const envs = ["dev", "prod"].map(
      (environment) =>
        ({ environment, objects: Array.from({ length: r.int(40) }, (_, i) => object(i)) }) as BundleEnvironment,
    );
    const find = objectsByRef();
    for (let q = 0; q < 40; q++) {
      const ref = {
        kind: r.pick(kinds),
        apiVersion: r.pick(versions),
        name: r.pick(names),
        namespace: r.pick(namespaces),
      };
      for (const env of envs) {
        const scanned = env.objects.find(
          (o) =>
            o.kind === ref.kind &&
            o.apiVersion === ref.apiVersion &&
            o.metadata.name === ref.name &&
            (o.metadata.namespace ?? "") === (ref.namespace ?? ""),
        );
        assert.is(find(env, ref as ResourceRef), scanned, JSON.stringify(ref));
      }
    }
  }
});

test("snapshot given the expected contents: the same drift findings as given only the paths", () => {
  const dir = mkdtempSync(join(tmpdir(), "scale-snapshot-"));
  try {
    const expected = new Map([
      ["same.yaml", "a: 1\n"],
      ["changed.yaml", "b: 1\n"],
      ["missing.yaml", "c: 1\n"],
      ["sub/same.yaml", "d: é\n"],
      ["sub/dir.yaml", "e: 1\n"],
    ]);
    mkdirSync(join(dir, "sub/dir.yaml"), { recursive: true });
    writeFileSync(join(dir, "same.yaml"), "a: 1\n");
    writeFileSync(join(dir, "changed.yaml"), "b: 2\n");
    writeFileSync(join(dir, "sub/same.yaml"), "d: é\n");
    writeFileSync(join(dir, "stale.yaml"), "x\n");
    writeFileSync(join(dir, "hand-made.yaml"), "y\n");
    writeFileSync(join(dir, MANIFEST), manifestText(["same.yaml", "stale.yaml"]));
    const byPaths = checkDrift(expected, snapshot(dir, expected.keys()), dir);
    const byContents = checkDrift(expected, snapshot(dir, expected), dir);
    assert.equal(byContents, byPaths);
    assert.equal(byContents.map((f) => f.rule).sort(), [
      "changed",
      "changed",
      "missing",
      "missing",
      "out-of-date",
      "stale",
      "unexpected-file",
    ]);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test("egress-allows-dns: the policies it flags are those of the pairwise comparison, on random namespaces", () => {
  const r = random(23);
  const selectors: (Record<string, object> | undefined)[] = [
    {},
    { matchLabels: {} },
    { matchLabels: { app: "a" } },
    { matchLabels: { app: "b" } },
    undefined,
  ];
  const peers = [
    { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } } },
    { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "other" } } },
    { podSelector: { matchLabels: { app: "a" } } },
    { ipBlock: { cidr: "10.0.0.0/8" } },
  ];
  const ports = [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }, { port: 80 }, { protocol: "UDP" }];
  const rule = () => ({
    ...(r.next() < 0.7 ? { to: [r.pick(peers)] } : {}),
    ...(r.next() < 0.8 ? { ports: [r.pick(ports)] } : {}),
  });
  // The straightforward definition: an egress policy is covered when some DNS-allowing policy of its namespace
  // selects everything or exactly its pods.
  type Peer = { ipBlock?: unknown; namespaceSelector?: { matchLabels?: Record<string, string> } };
  type Rule = { to?: Peer[]; ports?: { protocol?: string; port?: number }[] };
  type Policy = {
    metadata: { name: string; namespace?: string };
    spec: { podSelector?: Record<string, object>; policyTypes: string[]; egress: Rule[] };
  };
  const mayReachKubeSystem = (peer: Peer, ns: string) => {
    if (peer.ipBlock) return true;
    const sel = peer.namespaceSelector;
    if (!sel) return ns === "kube-system";
    const labels = sel.matchLabels ?? {};
    return Object.keys(labels).length === 0 || labels["kubernetes.io/metadata.name"] === "kube-system";
  };
  const allowsDns = (ru: Rule, ns: string) =>
    (!ru.ports?.length || ru.ports.some((p) => p.protocol === "UDP" && (p.port === undefined || p.port === 53))) &&
    (!ru.to?.length || ru.to.some((t) => mayReachKubeSystem(t, ns)));
  const everything = (sel: Record<string, object> | undefined) =>
    !sel || Object.values(sel).every((v) => (Array.isArray(v) ? v.length === 0 : Object.keys(v).length === 0));
  for (let round = 0; round < 100; round++) {
    const policies: Policy[] = Array.from({ length: r.int(12) }, (_, i) => ({
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: `p${i}`, namespace: r.pick(["a", "b", undefined]) },
      spec: {
        podSelector: r.pick(selectors),
        policyTypes: r.pick([["Egress"], ["Ingress"], ["Ingress", "Egress"]]),
        egress: Array.from({ length: r.int(3) }, rule),
      },
    }));
    const objects = policies as unknown as KubeObject[];
    const expected = policies
      .filter((p) => p.spec.policyTypes.includes("Egress"))
      .filter((p) => {
        const ns = p.metadata.namespace ?? "default";
        const dnsFor = policies
          .filter((q) => (q.metadata.namespace ?? "default") === ns)
          .filter((q) => q.spec.egress.some((ru) => allowsDns(ru, ns)))
          .map((q) => q.spec.podSelector ?? {});
        return !dnsFor.some(
          (sel) => everything(sel) || JSON.stringify(sel) === JSON.stringify(p.spec.podSelector ?? {}),
        );
      })
      .map((p) => p.metadata.name)
      .sort();
    const flagged = egressAllowsDns
      .run({ environments: [{ environment: "dev", objects }] })
      .map((f) => f.resource!.name)
      .sort();
    assert.equal(flagged, expected, `round ${round}`);
  }
});

test.run();
