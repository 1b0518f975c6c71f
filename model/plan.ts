/**
 * The plan of a change: what a new config does to each environment compared with a base, said the way a reviewer
 * reads it (replicas, the capacity they use, resources, images, alert thresholds and routes, admission policies'
 * actions, network policies), per environment. Objects are matched by identity, lists of named items by name, so
 * reordering is no change; an object that only moved to a new name (a renamed config key) is not a removal and an
 * addition. Pure: `platform diff` generates both sides and prints the plan.
 */
import { ANNOTATION, LABEL } from "../core/conventions.ts";
import type { KubeObject } from "../core/finding.ts";
import { type Layer, layerOf, objectKey, ownNamespaces } from "../core/layout.ts";
import { deepEqual, isPlainObject } from "../core/plain.ts";
import { parse as parseYaml } from "yaml";
import { parseBytes, parseCpu } from "../schemas/units.ts";
import type { Platform } from "../schemas/platform.ts";
import { monitoringModel, promNumber } from "./monitoring.ts";

export interface ObjectChange {
  kind: string;
  name: string;
  /** What it belongs to: `service risk-engine`, or the component's `app.kubernetes.io/name`. */
  owner?: string;
  /** Sentences about what changed, most important first. */
  changes: string[];
  /** The layer it is applied with (core/layout.ts): the cluster layer's changes need cluster-wide rights. */
  layer: Layer;
}

export interface EnvironmentPlan {
  environment: string;
  added: ObjectChange[];
  removed: ObjectChange[];
  changed: ObjectChange[];
  /** Requested capacity the workloads add (negative: free), by resource name, in canonical units. */
  capacity: Record<string, number>;
}

export interface Plan {
  environments: EnvironmentPlan[];
  /** Alert rules and Alertmanager routes: the same in every environment. */
  monitoring: string[];
}

export interface PlanSide {
  platform: Platform;
  environments: readonly { environment: string; objects: readonly KubeObject[] }[];
}

export function planOf(base: PlanSide, head: PlanSide): Plan {
  const environments = head.environments.map((env) => {
    const before = base.environments.find((e) => e.environment === env.environment)?.objects ?? [];
    return environmentPlan(env.environment, before, env.objects);
  });
  return { environments, monitoring: monitoringChanges(base.platform, head.platform) };
}

export function isEmptyPlan(plan: Plan): boolean {
  return (
    plan.monitoring.length === 0 &&
    plan.environments.every((e) => e.added.length + e.removed.length + e.changed.length === 0)
  );
}

function environmentPlan(
  environment: string,
  before: readonly KubeObject[],
  after: readonly KubeObject[],
): EnvironmentPlan {
  const [ownBefore, ownAfter] = [ownNamespaces(before), ownNamespaces(after)];
  const describe = (o: KubeObject, own: ReadonlySet<string>) => ({ ...describeObject(o), layer: layerOf(o, own) });
  const old = new Map(before.map((o) => [objectKey(o), o]));
  const now = new Map(after.map((o) => [objectKey(o), o]));
  let added = after.filter((o) => !old.has(objectKey(o)));
  let removed = before.filter((o) => !now.has(objectKey(o)));
  // A renamed config key renames its objects: the same object under a new name is no change.
  const renamed = new Set<KubeObject>();
  for (const r of removed) {
    const twin = added.find((a) => !renamed.has(a) && isRename(r, a));
    if (twin) {
      renamed.add(twin);
      renamed.add(r);
    }
  }
  added = added.filter((o) => !renamed.has(o));
  removed = removed.filter((o) => !renamed.has(o));

  const changed: ObjectChange[] = [];
  for (const o of after) {
    const was = old.get(objectKey(o));
    if (!was || deepEqual(normalise(was), normalise(o))) continue;
    const delta = capacityDelta(was, before, o, after);
    changed.push({ ...describe(o, ownAfter), changes: [...objectChanges(was, o, before, after), ...delta.sentence] });
  }
  // What the environment requests in all, after minus before: renamed objects cancel out.
  const capacity = totalCapacity(after);
  for (const [resource, amount] of Object.entries(totalCapacity(before)))
    capacity[resource] = (capacity[resource] ?? 0) - amount;
  for (const k of Object.keys(capacity)) if (capacity[k] === 0) delete capacity[k];
  return {
    environment,
    added: added.map((o) => ({ ...describe(o, ownAfter), changes: [] })),
    removed: removed.map((o) => ({ ...describe(o, ownBefore), changes: [] })),
    changed,
    capacity,
  };
}

function totalCapacity(objects: readonly KubeObject[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const o of objects)
    for (const [resource, amount] of Object.entries(requestedCapacity(o, objects)))
      out[resource] = (out[resource] ?? 0) + amount;
  return out;
}

function describeObject(o: KubeObject): Omit<ObjectChange, "changes" | "layer"> {
  const labels = o.metadata.labels ?? {};
  const name = labels[LABEL.name];
  const owner = !name ? undefined : labels[LABEL.component] === "service" ? `service ${name}` : name;
  return { kind: o.kind, name: o.metadata.name, ...(owner ? { owner } : {}) };
}

/** The same object apart from the name its config key gives it (name, labels, selectors, references). */
function isRename(a: KubeObject, b: KubeObject): boolean {
  if (a.kind !== b.kind || a.apiVersion !== b.apiVersion) return false;
  const from = a.metadata.labels?.[LABEL.name];
  const to = b.metadata.labels?.[LABEL.name];
  if (!from || !to || from === to) return false;
  return renamedEqual(normalise(a), normalise(b), from, to);
}

/** Equal, where a string may carry the new name in place of the old one (an image keeps its own name). */
function renamedEqual(a: unknown, b: unknown, from: string, to: string): boolean {
  if (typeof a === "string" && typeof b === "string") return a === b || a.replaceAll(from, to) === b;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((v, i) => renamedEqual(v, b[i], from, to));
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((k) => {
      const key = k in b ? k : k.replaceAll(from, to);
      return key in b && renamedEqual(a[k], b[key], from, to);
    });
  }
  return deepEqual(a, b);
}

/** What names an item of a list: containers, ports and env by `name`, scrape jobs, rules and panels by theirs. */
const IDENTITY_KEYS = ["name", "job_name", "alert", "record", "title"];

/**
 * Key order and the order of named list items do not matter, in the objects and in the YAML or JSON a ConfigMap
 * carries (scrape jobs, rule files, dashboards follow the config's key order). A dashboard panel's place on the
 * grid and its number follow the order too, so they are left out, and so is a pod template's config checksum.
 */
function normalise(v: unknown, embedded = false): unknown {
  if (Array.isArray(v)) {
    const items = v.map((i) => normalise(i, embedded));
    const key = IDENTITY_KEYS.find(
      (k) => items.length > 0 && items.every((i) => isPlainObject(i) && typeof i[k] === "string"),
    );
    const id = (x: unknown) => String((x as Record<string, unknown>)[key ?? ""]);
    // Items with the same name (a panel per tier) are told apart by their content.
    const order = (x: unknown, y: unknown) =>
      id(x).localeCompare(id(y)) || JSON.stringify(x).localeCompare(JSON.stringify(y));
    return key ? [...items].sort(order) : items;
  }
  if (!isPlainObject(v)) return v;
  if (v.kind === "ConfigMap" && isPlainObject(v.data)) {
    const { data, ...rest } = v;
    const embedded = Object.fromEntries(
      Object.entries(data).map(([k, text]) => {
        const parsed = typeof text === "string" ? parseEmbedded(text) : undefined;
        return [k, parsed === undefined ? text : normalise(parsed, true)];
      }),
    );
    return { ...(normalise(rest) as Record<string, unknown>), data: embedded };
  }
  return Object.fromEntries(
    Object.keys(v)
      .filter(
        (k) =>
          v[k] !== undefined &&
          !(embedded && (k === "gridPos" || k === "id")) &&
          // A hash of the ConfigMaps a pod reads: their own changes are reported, the hash says nothing more.
          k !== ANNOTATION.configChecksum,
      )
      .sort()
      .map((k) => [k, normalise(v[k], embedded)]),
  );
}

function parseEmbedded(text: string): unknown {
  try {
    const value: unknown = text.trimStart().startsWith("{")
      ? JSON.parse(text)
      : parseYaml(text, { logLevel: "silent" });
    return typeof value === "object" && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}

const WORKLOADS = new Set(["Deployment", "StatefulSet", "DaemonSet"]);

type Pod = { containers?: Container[] };
type Container = { name: string; image?: string; resources?: { requests?: Record<string, string> } };

function podSpec(o: KubeObject): Pod | undefined {
  const spec = o.spec as { template?: { spec?: Pod } } | undefined;
  return spec?.template?.spec;
}

function hpaFor(o: KubeObject, all: readonly KubeObject[]): KubeObject | undefined {
  return all.find((h) => {
    if (h.kind !== "HorizontalPodAutoscaler") return false;
    const ref = (h.spec as { scaleTargetRef?: { kind?: string; name?: string } } | undefined)?.scaleTargetRef;
    return ref?.kind === o.kind && ref.name === o.metadata.name && h.metadata.namespace === o.metadata.namespace;
  });
}

/** Pods a workload runs: its replicas, or its autoscaler's floor (what is always requested). */
function podsOf(o: KubeObject, all: readonly KubeObject[]): number {
  const hpa = hpaFor(o, all);
  if (hpa) return (hpa.spec as { minReplicas?: number }).minReplicas ?? 1;
  return (o.spec as { replicas?: number } | undefined)?.replicas ?? 1;
}

/** Requests of one pod by resource: cpu in millicores, the rest in bytes. */
function podRequests(o: KubeObject): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of podSpec(o)?.containers ?? [])
    for (const [resource, quantity] of Object.entries(c.resources?.requests ?? {})) {
      const n = resource === "cpu" ? parseCpu(quantity) : parseBytes(quantity);
      if (n !== undefined) out[resource] = (out[resource] ?? 0) + n;
    }
  return out;
}

function requestedCapacity(o: KubeObject | undefined, all: readonly KubeObject[]): Record<string, number> {
  if (!o) return {};
  // A DaemonSet's pods follow the node count, which the objects do not say.
  if (!WORKLOADS.has(o.kind) || o.kind === "DaemonSet") return {};
  const pods = podsOf(o, all);
  return Object.fromEntries(Object.entries(podRequests(o)).map(([r, n]) => [r, n * pods]));
}

function capacityDelta(
  was: KubeObject,
  before: readonly KubeObject[],
  now: KubeObject,
  after: readonly KubeObject[],
): { sentence: string[] } {
  const a = requestedCapacity(was, before);
  const b = requestedCapacity(now, after);
  const delta: Record<string, number> = {};
  for (const r of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const d = (b[r] ?? 0) - (a[r] ?? 0);
    if (d !== 0) delta[r] = d;
  }
  return Object.keys(delta).length ? { sentence: [`requested capacity ${formatCapacity(delta)}`] } : { sentence: [] };
}

/** `+4 CPU, +2Gi memory`. */
export function formatCapacity(capacity: Record<string, number>): string {
  return Object.entries(capacity)
    .sort(([x], [y]) => (x === "cpu" ? -1 : y === "cpu" ? 1 : x.localeCompare(y)))
    .map(([resource, n]) => {
      const sign = n > 0 ? "+" : "-";
      const abs = Math.abs(n);
      if (resource === "cpu") return `${sign}${abs % 1000 === 0 ? abs / 1000 : `${abs}m`} CPU`;
      return `${sign}${formatQuantityBytes(abs)} ${resource}`;
    })
    .join(", ");
}

function formatQuantityBytes(bytes: number): string {
  for (const [suffix, factor] of [
    ["Ti", 2 ** 40],
    ["Gi", 2 ** 30],
    ["Mi", 2 ** 20],
    ["Ki", 2 ** 10],
  ] as const)
    if (bytes >= factor && bytes % factor === 0) return `${bytes / factor}${suffix}`;
  return String(bytes);
}

const show = (v: unknown): string => (v === undefined ? "(none)" : typeof v === "string" ? v : JSON.stringify(v));

/** What changed in one object, as sentences; fields without a sentence of their own are listed by path. */
function objectChanges(
  was: KubeObject,
  now: KubeObject,
  before: readonly KubeObject[],
  after: readonly KubeObject[],
): string[] {
  const out: string[] = [];
  const explained: string[] = [];
  const spec = (o: KubeObject) => (o.spec ?? {}) as Record<string, unknown>;
  if (WORKLOADS.has(now.kind)) {
    const [r0, r1] = [spec(was).replicas, spec(now).replicas];
    if (r0 !== r1 && !hpaFor(now, after)) out.push(`replicas ${show(r0)} → ${show(r1)}`);
    explained.push("spec.replicas");
    const c0 = new Map((podSpec(was)?.containers ?? []).map((c) => [c.name, c]));
    for (const c of podSpec(now)?.containers ?? []) {
      const old = c0.get(c.name);
      if (!old) continue;
      if (old.image !== c.image) out.push(`image of ${c.name}: ${show(old.image)} → ${show(c.image)}`);
      for (const kind of ["requests", "limits"] as const) {
        const a = (old.resources as Record<string, Record<string, string>> | undefined)?.[kind] ?? {};
        const b = (c.resources as Record<string, Record<string, string>> | undefined)?.[kind] ?? {};
        for (const r of new Set([...Object.keys(a), ...Object.keys(b)]))
          if (a[r] !== b[r]) out.push(`${r} ${kind.slice(0, -1)} of ${c.name}: ${show(a[r])} → ${show(b[r])}`);
      }
    }
    explained.push("spec.template.spec.containers");
    if (hpaFor(now, after) && !hpaFor(was, before)) out.push("now scaled by a HorizontalPodAutoscaler");
  }
  if (now.kind === "HorizontalPodAutoscaler") {
    for (const field of ["minReplicas", "maxReplicas"]) {
      const [a, b] = [spec(was)[field], spec(now)[field]];
      if (a !== b) out.push(`${field} ${show(a)} → ${show(b)}`);
      explained.push(`spec.${field}`);
    }
    // The floor is what is always requested: its capacity is the target workload's.
    const target = after.find((o) => WORKLOADS.has(o.kind) && hpaFor(o, after) === now);
    const targetWas = target && before.find((o) => objectKey(o) === objectKey(target));
    if (target && targetWas && deepEqual(normalise(target), normalise(targetWas))) {
      const delta = capacityDelta(targetWas, before, target, after);
      out.push(...delta.sentence.map((s) => `${s} (at minReplicas)`));
    }
  }
  if (now.kind === "ValidatingAdmissionPolicyBinding") {
    const [a, b] = [spec(was).validationActions, spec(now).validationActions];
    if (!deepEqual(a, b)) out.push(`validation actions ${show(a)} → ${show(b)}`);
    explained.push("spec.validationActions");
  }
  if (now.kind === "NetworkPolicy") {
    for (const field of ["ingress", "egress", "podSelector", "policyTypes"]) {
      if (!deepEqual(normalise(spec(was)[field]), normalise(spec(now)[field])))
        out.push(`${field} rules changed: who can reach what is different`);
      explained.push(`spec.${field}`);
    }
  }
  const rest = changedPaths(normalise(was), normalise(now), "").filter(
    (p) => !explained.some((e) => p === e || p.startsWith(`${e}.`) || p.startsWith(`${e}[`)),
  );
  if (rest.length) out.push(`changed: ${rest.slice(0, 8).join(", ")}${rest.length > 8 ? ", ..." : ""}`);
  return out;
}

/** Leaf paths where two normalised values differ. */
function changedPaths(a: unknown, b: unknown, path: string): string[] {
  if (deepEqual(a, b)) return [];
  if (isPlainObject(a) && isPlainObject(b)) {
    return [...new Set([...Object.keys(a), ...Object.keys(b)])].flatMap((k) =>
      changedPaths(a[k], b[k], path ? `${path}.${k}` : k),
    );
  }
  return [path || "(object)"];
}

/** Alert rules and routes: thresholds, durations, severities, expressions; routes in order (the first match wins). */
function monitoringChanges(base: Platform, head: Platform): string[] {
  const out: string[] = [];
  const alerts = (p: Platform) => new Map(monitoringModel(p).alerts.map((a) => [a.name, a]));
  const [a0, a1] = [alerts(base), alerts(head)];
  for (const [name, a] of a1) {
    const was = a0.get(name);
    if (!was) {
      out.push(`alert ${name} added (${a.severity})`);
      continue;
    }
    const parts: string[] = [];
    if (was.value !== a.value || was.comparison !== a.comparison)
      parts.push(`threshold ${was.comparison} ${promNumber(was.value)} → ${a.comparison} ${promNumber(a.value)}`);
    if (was.rule.for !== a.rule.for) parts.push(`for ${was.rule.for} → ${a.rule.for}`);
    if (was.severity !== a.severity) parts.push(`severity ${was.severity} → ${a.severity}`);
    if (!parts.length && was.rule.expr !== a.rule.expr) parts.push(`expression ${was.rule.expr} → ${a.rule.expr}`);
    if (parts.length) out.push(`alert ${name}: ${parts.join("; ")}`);
  }
  for (const name of a0.keys()) if (!a1.has(name)) out.push(`alert ${name} removed`);
  const routes = (p: Platform) =>
    p.monitoring.alerting.routes.map((r) => {
      const match = [
        r.severity && `severity=${r.severity}`,
        r.services && `service in ${r.services.join(",")}`,
        r.alerts && `alert in ${r.alerts.join(",")}`,
      ].filter(Boolean);
      return `${match.length ? match.join(" ") : "everything"} → ${r.receiver}`;
    });
  const [r0, r1] = [routes(base), routes(head)];
  if (!deepEqual(r0, r1)) out.push(`alert routes: [${r0.join("; ")}] → [${r1.join("; ")}]`);
  else if (!deepEqual(normalise(base.monitoring.alerting.routes), normalise(head.monitoring.alerting.routes)))
    out.push("alert routes: timing (group wait, group or repeat interval) changed");
  return out;
}
