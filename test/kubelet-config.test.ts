import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseYamlDocuments } from "../core/yaml.ts";
import { parseBytes } from "../schemas/units.ts";
import { kubeletConfiguration } from "../generators/kubelet-config.ts";
import { bundleOf, platformOf, ROOT } from "./support/config.ts";

/**
 * The kubelet reads its config file strictly (unknown fields are errors) and validates it before it starts; this is
 * that decode for the fields we write, with their Go types from kubelet/config/v1beta1/types.go, and the start-up
 * rules of kubelet validation (and of the CPU and Memory Managers) that concern them.
 */
const FIELDS: Record<string, "string" | "bool" | "map[string]string" | "map[string]bool" | "list"> = {
  apiVersion: "string",
  kind: "string",
  cpuManagerPolicy: "string",
  cpuManagerPolicyOptions: "map[string]string",
  topologyManagerPolicy: "string",
  topologyManagerScope: "string",
  memoryManagerPolicy: "string",
  reservedSystemCPUs: "string",
  systemReserved: "map[string]string",
  kubeReserved: "map[string]string",
  evictionHard: "map[string]string",
  reservedMemory: "list",
  cpuCFSQuota: "bool",
  featureGates: "map[string]bool",
  registerWithTaints: "list",
};

function decode(text: string): string[] {
  const docs = parseYamlDocuments(text);
  if (docs.length !== 1) return [`expected one document, got ${docs.length}`];
  const c = docs[0] as Record<string, unknown>;
  const problems: string[] = [];
  if (c.apiVersion !== "kubelet.config.k8s.io/v1beta1") problems.push(`apiVersion ${c.apiVersion}`);
  if (c.kind !== "KubeletConfiguration") problems.push(`kind ${c.kind}`);
  for (const [k, v] of Object.entries(c)) {
    const type = FIELDS[k];
    if (!type) problems.push(`unknown field "${k}"`);
    else if (type === "string" && typeof v !== "string") problems.push(`${k}: not a string`);
    else if (type === "bool" && typeof v !== "boolean") problems.push(`${k}: not a bool`);
    else if (type === "list" && !Array.isArray(v)) problems.push(`${k}: not a list`);
    else if (type.startsWith("map")) {
      const want = type === "map[string]bool" ? "boolean" : "string";
      if (typeof v !== "object" || v === null || Object.values(v).some((x) => typeof x !== want))
        problems.push(`${k}: not a ${type}`);
    }
  }
  if (!["none", "static"].includes(String(c.cpuManagerPolicy))) problems.push("cpuManagerPolicy");
  if (!["none", "best-effort", "restricted", "single-numa-node"].includes(String(c.topologyManagerPolicy)))
    problems.push("topologyManagerPolicy");
  if (c.topologyManagerScope !== undefined && !["container", "pod"].includes(String(c.topologyManagerScope)))
    problems.push("topologyManagerScope");
  if (!["None", "Static"].includes(String(c.memoryManagerPolicy))) problems.push("memoryManagerPolicy");
  if (c.cpuManagerPolicyOptions && c.cpuManagerPolicy !== "static")
    problems.push("cpuManagerPolicyOptions need the static CPU manager");
  const reserved = (m: unknown) => parseBytes(String((m as Record<string, string> | undefined)?.memory ?? "0")) ?? NaN;
  if (c.cpuManagerPolicy === "static" && !c.reservedSystemCPUs && !(c.kubeReserved as { cpu?: string })?.cpu)
    problems.push("the static CPU manager needs a CPU reservation");
  if (c.memoryManagerPolicy === "Static") {
    const perNuma = ((c.reservedMemory ?? []) as { numaNode: number; limits: Record<string, string> }[]).reduce(
      (n, r) => n + reserved(r.limits),
      0,
    );
    const evictionMemory = parseBytes((c.evictionHard as Record<string, string>)["memory.available"] ?? "100Mi")!;
    const expected = reserved(c.systemReserved) + reserved(c.kubeReserved) + evictionMemory;
    if (perNuma !== expected)
      problems.push(`reservedMemory adds up to ${perNuma}, kube + system reserved + eviction to ${expected}`);
  }
  return problems;
}

const committed = (pool: string) => readFileSync(join(ROOT, "out/nodes", pool, "kubelet-config.yaml"), "utf8");

test("the ultra-low-latency kubelet config decodes as a KubeletConfiguration with every setting pinning needs", () => {
  const text = committed("ultra-low-latency");
  assert.equal(decode(text), []);
  const c = parseYamlDocuments(text)[0] as Record<string, unknown>;
  assert.is(c.cpuManagerPolicy, "static");
  assert.equal(c.cpuManagerPolicyOptions, { "full-pcpus-only": "true" });
  assert.is(c.topologyManagerPolicy, "single-numa-node");
  assert.is(c.topologyManagerScope, "pod");
  assert.is(c.memoryManagerPolicy, "Static");
  assert.is(c.reservedSystemCPUs, "0-1");
  assert.equal(c.reservedMemory, [{ numaNode: 0, limits: { memory: "4196Mi" } }]);
  // Kubernetes 1.30: CFS quota would throttle the pinned CPUs, so it is off on these nodes.
  assert.is(c.cpuCFSQuota, false);
  assert.equal(c.registerWithTaints, [{ key: "dedicated", value: "ultra-low-latency", effect: "NoSchedule" }]);
});

test("the high-performance kubelet config decodes too, without pinning", () => {
  const text = committed("high-performance");
  assert.equal(decode(text), []);
  const c = parseYamlDocuments(text)[0] as Record<string, unknown>;
  assert.equal([c.cpuManagerPolicy, c.topologyManagerPolicy, c.memoryManagerPolicy], ["none", "none", "None"]);
  assert.is(c.cpuCFSQuota, undefined);
});

test("from Kubernetes 1.33 the kubelet keeps CFS quota off exclusive CPUs itself, and the config says so", () => {
  const pool = platformOf().tiers["ultra-low-latency"]!.pool;
  const c = kubeletConfiguration(pool, "1.33");
  assert.equal(c.featureGates, { DisableCPUQuotaWithExclusiveCPUs: true });
  assert.is(c.cpuCFSQuota, undefined);
  assert.is(kubeletConfiguration(pool, "1.32").cpuCFSQuota, false);
});

test("the decoder refuses what the kubelet would", () => {
  const c = kubeletConfiguration(platformOf().tiers["ultra-low-latency"]!.pool, "1.30");
  const text = (o: unknown) => JSON.stringify(o);
  assert.equal(
    decode(text({ ...c, cpuManagerPolicyOptions: { "full-pcpus-only": "true" }, cpuManagerPolicy: "none" })),
    ["cpuManagerPolicyOptions need the static CPU manager"],
  );
  assert.equal(decode(text({ ...c, reservedSystemCPU: "0" })), ['unknown field "reservedSystemCPU"']);
  assert.equal(decode(text({ ...c, reservedMemory: [{ numaNode: 0, limits: { memory: "4Gi" } }] })), [
    "reservedMemory adds up to 4294967296, kube + system reserved + eviction to 4399824896",
  ]);
});

test("the nodes' labels satisfy their tier's nodeSelector, and the files are part of the bundle", () => {
  const files = bundleOf().files;
  const env = files.get("nodes/ultra-low-latency/kubelet.env")!;
  for (const [k, v] of Object.entries(platformOf().tiers["ultra-low-latency"]!.nodeSelector))
    assert.ok(env.includes(`${k}=${v}`), `${k}=${v} in ${env}`);
  assert.ok(files.has("nodes/high-performance/kubelet-config.yaml"));
});

test.run();
