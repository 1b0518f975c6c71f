/**
 * The picture of an environment's placement (out/report/<env>.svg): each pool's nodes as boxes, grouped by zone,
 * split into their NUMA nodes; every pod where the scheduling engine put it, as wide as its CPUs; reserved CPUs
 * grey, free space white; pods that fit nowhere in red with the scheduler's reason. Pure: the same config draws
 * the same bytes.
 */
import type { ResolvedPlatform } from "../model/environments.ts";
import type { NodeModel } from "../model/nodes.ts";
import { feasibility, type PlacedPod, type PodTemplate } from "../model/placement.ts";

const W = 1200;
const PAD = 16;
const NODE_H = 74;
const ZONE_GAP = 12;
const COLOURS = ["#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#edc948", "#9c755f", "#ff9da7", "#bab0ac"];

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const n = (x: number) => String(Math.round(x * 10) / 10);

function rect(x: number, y: number, w: number, h: number, attrs: string, title?: string): string {
  const shape = `<rect x="${n(x)}" y="${n(y)}" width="${n(Math.max(0, w))}" height="${n(h)}" ${attrs}`;
  return title ? `${shape}><title>${esc(title)}</title></rect>` : `${shape}/>`;
}
const text = (x: number, y: number, s: string, attrs = "") =>
  `<text x="${n(x)}" y="${n(y)}"${attrs ? ` ${attrs}` : ""}>${esc(s)}</text>`;

export function placementSvg(platform: ResolvedPlatform): string {
  const { nodes, templates, peak } = feasibility(platform);
  const colour = new Map(templates.map((t, i) => [t.service, COLOURS[i % COLOURS.length]!]));
  const template = new Map(templates.map((t) => [t.service, t]));
  const body: string[] = [];
  let y = PAD;
  const env = platform.environment ?? "base";
  body.push(text(PAD, y + 18, `${platform.name} ${env}: every pod at peak, placed node by node`, 'class="h1"'));
  y += 30;
  body.push(
    text(
      PAD,
      y + 12,
      "Each node is split into its NUMA nodes, as wide as their CPUs; pinned pods sit in the NUMA node the kubelet " +
        "aligns them to, shared-CPU pods in the node's shared pool. Grey: reserved CPUs. Bar below: memory.",
      'class="note"',
    ),
  );
  y += 24;
  for (const pool of Object.keys(platform.tiers)) {
    const own = nodes.filter((x) => x.pool === pool);
    const zones = [...new Set(own.map((x) => x.zone))];
    body.push(text(PAD, y + 16, `${pool} pool: ${own.length} node(s) in ${zones.length} zone(s)`, 'class="h2"'));
    y += 26;
    if (own.length === 0) continue;
    const colW = (W - 2 * PAD - ZONE_GAP * (zones.length - 1)) / zones.length;
    let tallest = 0;
    zones.forEach((zone, zi) => {
      const x = PAD + zi * (colW + ZONE_GAP);
      const inZone = own.filter((node) => node.zone === zone);
      const h = 22 + inZone.length * (NODE_H + 8);
      tallest = Math.max(tallest, h);
      body.push(rect(x, y, colW, h, 'class="zone"'));
      body.push(text(x + 8, y + 15, `zone ${zone}`, 'class="label"'));
      inZone.forEach((node, ni) => {
        const pods = peak.placed.filter((p) => p.node === node.name);
        body.push(...nodeBox(node, pods, template, colour, x + 8, y + 22 + ni * (NODE_H + 8), colW - 16));
      });
    });
    y += tallest + 14;
  }
  body.push(text(PAD, y + 16, "Services", 'class="h2"'));
  y += 24;
  templates.forEach((t, i) => {
    const x = PAD + (i % 4) * 290;
    const row = Math.floor(i / 4);
    body.push(rect(x, y + row * 20, 14, 14, `fill="${colour.get(t.service)}"`));
    body.push(text(x + 20, y + row * 20 + 12, `${t.service} (${t.replicas} at peak)`, 'class="label"'));
  });
  y += Math.ceil(templates.length / 4) * 20 + 8;
  if (peak.unplaced.length > 0) {
    body.push(text(PAD, y + 16, `Pending at peak: ${peak.unplaced.length} pod(s)`, 'class="h2 bad"'));
    y += 24;
    for (const u of peak.unplaced) {
      body.push(rect(PAD, y, 14, 14, 'class="pending"'));
      body.push(text(PAD + 20, y + 12, `${u.service} pod ${u.index + 1}: ${u.message}`, 'class="label bad"'));
      y += 20;
    }
  } else {
    body.push(text(PAD, y + 14, "Every pod is placed.", 'class="label good"'));
    y += 22;
  }
  const height = y + PAD;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${n(height)}" viewBox="0 0 ${W} ${n(height)}">`,
    "<style>",
    "text{font-family:DejaVu Sans,Arial,sans-serif;fill:#222}.h1{font-size:18px;font-weight:bold}",
    ".h2{font-size:14px;font-weight:bold}.label{font-size:11px}.small{font-size:9px}.note{font-size:11px;fill:#555}",
    ".zone{fill:#f4f6f8;stroke:#c8ced6}.node{fill:#fff;stroke:#7a8594}.numa{fill:#fff;stroke:#b8c0ca}",
    ".reserved{fill:#c9c9c9}.mem{fill:#e9edf1}.pod{stroke:#fff;stroke-width:1}",
    ".pod-name{font-size:9px;fill:#fff;pointer-events:none}",
    ".pending{fill:#d62728}.bad{fill:#d62728}.good{fill:#2a7a2a}",
    "</style>",
    rect(0, 0, W, height, 'fill="#ffffff"'),
    ...body,
    "</svg>",
    "",
  ].join("\n");
}

function nodeBox(
  node: NodeModel,
  pods: readonly PlacedPod[],
  template: ReadonlyMap<string, PodTemplate>,
  colour: ReadonlyMap<string, string>,
  x: number,
  y: number,
  w: number,
): string[] {
  const out: string[] = [];
  const cpus = node.capacity.cpu / 1000;
  const usedCpu = pods.reduce((s, p) => s + template.get(p.service)!.requests.cpu, 0);
  out.push(
    rect(
      x,
      y,
      w,
      NODE_H,
      'class="node"',
      `${node.name}: ${cpus} CPUs, ${node.allocatable.cpu / 1000} allocatable, ${usedCpu / 1000} requested`,
    ),
  );
  out.push(
    text(x + 6, y + 13, `${node.name}  (${(node.allocatable.cpu - usedCpu) / 1000} CPUs free)`, 'class="label"'),
  );
  const barX = x + 6;
  const barW = w - 12;
  const perCpu = barW / cpus;
  const reserved = new Set(node.numa.flatMap((m) => m.cpus).filter((c) => !isExclusive(node, c)));
  // NUMA nodes side by side, each as wide as its CPUs; reserved CPUs first, then pinned pods, then free.
  let nx = barX;
  const shared = pods.filter((p) => p.numa === undefined);
  for (const numa of node.numa) {
    const nw = numa.cpus.length * perCpu;
    const top = y + 18;
    out.push(rect(nx, top, nw, 32, 'class="numa"', `NUMA node ${numa.id}: CPUs ${numa.cpus.length}`));
    out.push(text(nx + 3, top + 41, `NUMA ${numa.id} · ${numa.cpus.length} CPUs`, 'class="small"'));
    let px = nx;
    const res = numa.cpus.filter((c) => reserved.has(c)).length;
    if (res > 0) {
      out.push(rect(px, top, res * perCpu, 32, 'class="reserved"', `${res} reserved CPU(s)`));
      px += res * perCpu;
    }
    for (const p of pods.filter((q) => q.numa === numa.id)) {
      const t = template.get(p.service)!;
      const pw = (t.exclusiveCpus || t.requests.cpu / 1000) * perCpu;
      out.push(podRect(px, top, pw, p, colour, podTitle(p, t, `NUMA node ${numa.id}`)));
      px += pw;
    }
    nx += nw;
  }
  // Shared-pool pods have no NUMA node: after the reserved CPUs on an ordinary node; from the right end (where no
  // pinned pod is drawn) on a pinning node.
  const fromRight = node.cpuPinning;
  let sx = fromRight ? barX + barW : barX + reservedWidth(node, perCpu);
  for (const p of shared) {
    const t = template.get(p.service)!;
    const pw = (t.requests.cpu / 1000) * perCpu;
    if (fromRight) sx -= pw;
    out.push(podRect(sx, y + 18, pw, p, colour, podTitle(p, t, "shared CPUs")));
    if (!fromRight) sx += pw;
  }
  // Memory: allocatable, and what the pods request of it.
  const memTop = y + NODE_H - 12;
  out.push(rect(barX, memTop, barW, 6, 'class="mem"', `memory: ${gi(node.allocatable.memory)} allocatable`));
  let mx = barX;
  for (const p of pods) {
    const t = template.get(p.service)!;
    const mw = (t.requests.memory / node.allocatable.memory) * barW;
    out.push(rect(mx, memTop, mw, 6, `fill="${colour.get(p.service)}"`, `${p.service}: ${gi(t.requests.memory)}`));
    mx += mw;
  }
  return out;
}

function isExclusive(node: NodeModel, cpu: number): boolean {
  const numa = node.numa.find((m) => m.cpus.includes(cpu))!;
  // The reserved CPUs are the first of their NUMA node's list in the model's count; which ones is not drawn.
  return numa.cpus.indexOf(cpu) >= numa.cpus.length - numa.exclusiveCpus;
}

function reservedWidth(node: NodeModel, perCpu: number): number {
  return node.numa.length > 0 ? (node.numa[0]!.cpus.length - node.numa[0]!.exclusiveCpus) * perCpu : 0;
}

/** A pod, named inside when it is wide enough to read (a hover shows the rest). */
function podRect(x: number, y: number, w: number, p: PlacedPod, colour: ReadonlyMap<string, string>, title: string) {
  const box = rect(x, y, w, 32, `class="pod" fill="${colour.get(p.service)}"`, title);
  const chars = Math.floor((w - 4) / 5.5);
  if (chars < 4) return box;
  const name = p.service.length > chars ? `${p.service.slice(0, chars - 1)}…` : p.service;
  return `${box}\n${text(x + 3, y + 19, name, 'class="pod-name"')}`;
}

const gi = (b: number) => `${Number((b / 2 ** 30).toFixed(1))}Gi`;

function podTitle(p: PlacedPod, t: PodTemplate, where: string): string {
  return (
    `${p.service} pod ${p.index + 1}${p.surge ? " (rollout surge)" : ""}: ${t.requests.cpu / 1000} CPU, ` +
    `${gi(t.requests.memory)} on ${p.node}, ${where}`
  );
}
