import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inflateSync } from "node:zlib";
import { placementSvg } from "../generators/placement-svg.ts";
import { resolveEnvironment } from "../model/environments.ts";
import { cli, platformOf, ROOT } from "./support/config.ts";
import { ensureChromium } from "./support/tools.ts";

test("report --env prod prints per service and per pool, with the seed's total beside the real one", () => {
  const r = cli(["report", "--env", "prod"]);
  assert.is(r.code, 0, r.stderr);
  const lines = r.stdout.split("\n");
  const row = (name: string) => lines.find((l) => l.startsWith(`${name} `))?.split(/\s{2,}/);
  assert.equal(row("order-manager"), [
    "order-manager",
    "ultra-low-latency",
    "3",
    "2 CPU, 1Gi",
    "6 CPU, 3Gi",
    "8 CPU, 4Gi",
  ]);
  assert.equal(row("market-data")?.slice(2, 5), ["3-15", "1 CPU, 1Gi", "15 CPU, 15Gi"]);
  assert.equal(row("ultra-low-latency")?.slice(0, 4), [
    "ultra-low-latency",
    "6",
    "eu-west-2a:2 eu-west-2b:2 eu-west-2c:2",
    "132 CPU, 527.4Gi + 24Gi hugepages",
  ]);
  assert.ok(r.stdout.includes(`The seed's "Total ULL Resources": 8.5 CPU, 4.5Gi (one replica of each engine).`));
  assert.ok(r.stdout.includes("The real ultra-low-latency total at peak: 20 CPU, 10Gi + 1Gi hugepages"));
  assert.ok(r.stdout.includes("out/report/prod.svg"));
});

test("report --format markdown is a job summary: Markdown tables", () => {
  const r = cli(["report", "--env", "dev", "--format", "markdown"]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /^## Capacity: nautilus dev\n\n\| service \| tier \|/);
  assert.match(r.stdout, /\n\| risk-engine \| ultra-low-latency \| 1 \| 2 CPU, 1Gi \+ 512Mi hugepages \|/);
});

test("report refuses an unknown environment or format, naming the choices", () => {
  const env = cli(["report", "--env", "qa"]);
  assert.is(env.code, 2);
  assert.match(env.stderr, /--env "qa": expected one of dev, staging, prod/);
  assert.is(cli(["report", "--env", "prod", "--format", "html"]).code, 2);
});

/** RGBA pixels of an 8-bit RGB or RGBA PNG (what Chromium writes), unfiltered. */
function pngPixels(png: Buffer): { width: number; height: number; rgba: (x: number, y: number) => number[] } {
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  const colourType = png[25]!;
  assert.is(png[24], 8, "8-bit PNG");
  const channels = colourType === 6 ? 4 : colourType === 2 ? 3 : 0;
  assert.ok(channels > 0, `colour type ${colourType}`);
  const idat: Buffer[] = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    if (png.toString("ascii", at + 4, at + 8) === "IDAT") idat.push(png.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const out = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    for (let i = 0; i < stride; i++) {
      const x = raw[y * (stride + 1) + 1 + i]!;
      const a = i >= channels ? out[y * stride + i - channels]! : 0;
      const b = y > 0 ? out[(y - 1) * stride + i]! : 0;
      const c = y > 0 && i >= channels ? out[(y - 1) * stride + i - channels]! : 0;
      const p = a + b - c;
      const paeth =
        Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c)
          ? a
          : Math.abs(p - b) <= Math.abs(p - c)
            ? b
            : c;
      const predictor = [0, a, b, (a + b) >> 1, paeth][filter]!;
      out[y * stride + i] = (x + predictor) & 0xff;
    }
  }
  return {
    width,
    height,
    rgba: (x, y) => [...out.subarray(y * stride + x * channels, y * stride + x * channels + channels)],
  };
}

/** Renders an SVG file in headless Chromium: the parsed document and a screenshot. */
function render(svgFile: string, dir: string): { dom: string; png: Buffer } {
  const tools = ensureChromium();
  assert.ok(tools.ok, tools.message);
  const flags = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"];
  const dom = spawnSync("chromium", [...flags, "--dump-dom", `file://${svgFile}`], {
    encoding: "utf8",
    timeout: 60_000,
  });
  const shot = join(dir, "shot.png");
  const r = spawnSync("chromium", [...flags, "--window-size=1200,900", `--screenshot=${shot}`, `file://${svgFile}`], {
    encoding: "utf8",
    timeout: 60_000,
    cwd: dir,
  });
  assert.is(r.status, 0, r.stderr);
  return { dom: dom.stdout, png: readFileSync(shot) };
}

const share = (img: ReturnType<typeof pngPixels>, match: (px: number[]) => boolean) => {
  let hits = 0;
  for (let y = 0; y < img.height; y += 2) for (let x = 0; x < img.width; x += 2) if (match(img.rgba(x, y))) hits++;
  return hits / ((img.width / 2) * (img.height / 2));
};
const red = ([r, g, b]: number[]) => r! > 190 && g! < 80 && b! < 80;

test("out/report/prod.svg is valid SVG that Chromium renders: nodes and pods drawn, nothing pending", () => {
  const dir = mkdtempSync(join(tmpdir(), "report-svg-"));
  const { dom, png } = render(join(ROOT, "out/report/prod.svg"), dir);
  assert.match(dom, /<svg /);
  assert.not.match(dom, /parsererror/);
  const img = pngPixels(png);
  assert.equal([img.width, img.height], [1200, 900]);
  // Not blank: zones, nodes and pods cover a good part of the picture.
  assert.ok(share(img, ([r, g, b]) => r! + g! + b! < 3 * 235) > 0.1, "the picture is mostly blank");
  assert.ok(share(img, red) < 0.0005, "nothing is drawn as pending");
});

test("pods that fit nowhere are drawn in red with the scheduler's reason", () => {
  const dir = mkdtempSync(join(tmpdir(), "report-svg-"));
  const platform = resolveEnvironment(
    platformOf({
      tiers: { "ultra-low-latency": { pool: { zones: { "eu-west-2a": 1, "eu-west-2b": 1, "eu-west-2c": 0 } } } },
    }),
    "prod",
  ).platform;
  const svg = placementSvg(platform);
  assert.match(svg, /order-manager pod 3: 0\/8 nodes are available: /);
  const file = join(dir, "bad.svg");
  writeFileSync(file, svg);
  const { dom, png } = render(file, dir);
  assert.not.match(dom, /parsererror/);
  assert.ok(share(pngPixels(png), red) > 0.0005, "no red in the picture");
});

test.run();
