/**
 * The real amtool on the generated Alertmanager files: `amtool check-config` on alertmanager.yml, then the route
 * cases of alertmanager/tests/*.yaml as `amtool config routes test --verify.receivers=<receivers> <labels>`,
 * which fails unless the alert's labels reach exactly those receivers. Failures become findings naming the file
 * and the case. The credentials the config reads as files need not exist: amtool checks the configuration, not
 * delivery.
 *
 * Cases that cannot be told apart by the configuration share one run. The routing tree and the inhibit rules
 * look at labels only through their matchers (and inhibit rules' `equal`, through whether a label is there), so
 * two cases that every route and every side of an inhibit rule matches alike, and that expect the same receivers,
 * have the same answer: amtool runs on one of them and every case gets its verdict. The matchers are read from the
 * alertmanager.yml being checked; one amtool cannot be sure to read the same way (a regular expression beyond
 * a list of plain words) makes the label's exact value part of the key instead, so sharing never merges cases
 * the configuration could tell apart. A thousand services then cost about as many runs as seven.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { OBSERVABILITY_OUT } from "../core/layout.ts";
import { isPlainObject } from "../core/plain.ts";
import { parseYamlDocuments } from "../core/yaml.ts";
import type { Finding } from "../core/finding.ts";
import { runTool, type ToolRunner } from "./tool-runner.ts";

const ENGINE = "amtool";

export interface RouteCase {
  name: string;
  labels: Record<string, string>;
  receivers: string[];
}

/** The cases of one route test file, or a message saying what is wrong with it. */
function readCases(content: string): RouteCase[] | string {
  let doc: unknown;
  try {
    doc = parseYamlDocuments(content)[0];
  } catch (e) {
    return `not valid YAML: ${(e as Error).message}`;
  }
  const cases = (doc as { cases?: unknown } | undefined)?.cases;
  if (!Array.isArray(cases)) return "expected a mapping with a `cases` list";
  const out: RouteCase[] = [];
  for (const [i, c] of cases.entries()) {
    const x = c as Partial<RouteCase> | null;
    const labels = x?.labels;
    const receivers = x?.receivers;
    if (
      !labels ||
      typeof labels !== "object" ||
      !Object.values(labels).every((v) => typeof v === "string") ||
      !Array.isArray(receivers) ||
      receivers.length === 0 ||
      !receivers.every((r) => typeof r === "string")
    )
      return `cases[${i}]: expected labels (a mapping of strings) and receivers (a non-empty list of names)`;
    out.push({ name: typeof x.name === "string" ? x.name : `cases[${i}]`, labels, receivers });
  }
  return out;
}

/** One label matcher of the configuration: `test` says whether a value matches, when that is sure. */
interface Matcher {
  label: string;
  test?: (value: string) => boolean;
}

/** What the configuration looks at in an alert's labels. */
export interface Routing {
  /** The matchers of each route and each side of an inhibit rule: a block matches when all of its own do. */
  blocks: readonly (readonly Matcher[])[];
  /** Labels inhibit rules compare between two alerts (`equal`): only whether one is set matters to a case. */
  equal: ReadonlySet<string>;
}

// A regular expression that is a list of plain words (`a|b|c`, what the generator writes): the same in Go's RE2 and
// here. Anything else is not evaluated, so a difference between the two dialects cannot merge cases.
const WORD_LIST = /^[A-Za-z0-9_-]+(?:\|[A-Za-z0-9_-]+)*$/;

function matcherOf(label: string, op: string, value: string): Matcher {
  if (op === "=") return { label, test: (v) => v === value };
  if (op === "!=") return { label, test: (v) => v !== value };
  if (!WORD_LIST.test(value)) return { label };
  const words = new Set(value.split("|"));
  return op === "=~" ? { label, test: (v) => words.has(v) } : { label, test: (v) => !words.has(v) };
}

// One matcher of Alertmanager's syntax: a label name (maybe quoted), an operator, a value (maybe quoted).
const MATCHER = /^\s*("(?:[^"\\]|\\.)*"|[^\s!=~"]+)\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*"|[^"]*?)\s*$/;

/** `a="x"`, `{a="x", b=~"y|z"}`: the matchers of one `matchers` entry, or undefined when it is not understood. */
function parseMatchers(text: string): Matcher[] | undefined {
  let body = text.trim();
  if (body.startsWith("{") && body.endsWith("}")) body = body.slice(1, -1);
  const parts = body.match(/(?:"(?:[^"\\]|\\.)*"|[^,"])+/g) ?? [];
  const out: Matcher[] = [];
  for (const part of parts) {
    const m = MATCHER.exec(part);
    if (!m) return undefined;
    const unquote = (s: string) => (s.startsWith('"') ? (JSON.parse(s) as string) : s);
    try {
      out.push(matcherOf(unquote(m[1]!), m[2]!, unquote(m[3]!)));
    } catch {
      return undefined;
    }
  }
  return out;
}

/**
 * The matchers of alertmanager.yml's routing tree and inhibit rules, block by block; undefined when some matcher is
 * not understood (then no case shares another's run).
 */
export function routingOf(configText: string): Routing | undefined {
  let config: unknown;
  try {
    config = parseYamlDocuments(configText)[0];
  } catch {
    return undefined;
  }
  if (!isPlainObject(config)) return undefined;
  const blocks: Matcher[][] = [];
  const equal = new Set<string>();
  let understood = true;
  /** A block's `<prefix>match`, `<prefix>match_re` and `<prefix>matchers`. */
  const read = (block: Record<string, unknown>, prefix: string) => {
    const own: Matcher[] = [];
    const add = (m: Matcher) => own.push(m);
    blocks.push(own);
    for (const [op, field] of [
      ["=", `${prefix}match`],
      ["=~", `${prefix}match_re`],
    ] as const) {
      const map = block[field];
      if (map === undefined) continue;
      if (!isPlainObject(map)) understood = false;
      else for (const [label, value] of Object.entries(map)) add(matcherOf(label, op, String(value)));
    }
    const list = block[`${prefix}matchers`];
    if (list === undefined) return;
    if (!Array.isArray(list)) understood = false;
    else
      for (const entry of list) {
        const parsed = typeof entry === "string" ? parseMatchers(entry) : undefined;
        if (parsed) parsed.forEach(add);
        else understood = false;
      }
  };
  const stack: unknown[] = [config.route];
  while (stack.length > 0) {
    const route = stack.pop();
    if (!isPlainObject(route)) continue;
    read(route, "");
    // Reversed, so blocks come in the order they are written.
    if (Array.isArray(route.routes)) stack.push(...[...route.routes].reverse());
  }
  for (const rule of Array.isArray(config.inhibit_rules) ? config.inhibit_rules : []) {
    if (!isPlainObject(rule)) continue;
    read(rule, "source_");
    read(rule, "target_");
    if (Array.isArray(rule.equal)) for (const l of rule.equal) equal.add(String(l));
  }
  return understood ? { blocks: blocks.filter((b) => b.length > 0), equal } : undefined;
}

/**
 * What the configuration can see of a case: which blocks match it, and which `equal` labels it carries. Two cases
 * with one key walk the routing tree alike and meet the inhibit rules alike, so they have one answer.
 */
export function caseKey(c: RouteCase, routing: Routing | undefined): string {
  const receivers = c.receivers.join(",");
  if (!routing) return JSON.stringify([receivers, Object.entries(c.labels).sort()]);
  // A label an alert does not carry matches as the empty string, as in Alertmanager.
  const value = (label: string) => c.labels[label] ?? "";
  const seen = routing.blocks.map((block) =>
    block.every((m) => m.test)
      ? Number(block.every((m) => m.test!(value(m.label))))
      : block.map((m) => c.labels[m.label] ?? null),
  );
  for (const label of routing.equal) seen.push(Number(label in c.labels));
  return JSON.stringify([receivers, seen]);
}

const labelArgs = (c: RouteCase) => Object.entries(c.labels).map(([k, v]) => `${k}=${v}`);

/**
 * Runs amtool on the Alertmanager files of a bundle (`files`: out/-relative path → content). `outDir` only
 * prefixes file names in findings; `run` starts each amtool process; `eachCase` runs every case on its own
 * instead of once per key (what sharing is measured against).
 */
export function runAmtool(
  files: ReadonlyMap<string, string>,
  outDir = "out",
  { run = runTool, eachCase = false }: { run?: ToolRunner; eachCase?: boolean } = {},
): Finding[] {
  const config = files.get(OBSERVABILITY_OUT.alertmanagerConfig);
  if (config === undefined) return [];
  const tests = [...files].filter(([p]) => p.startsWith(`${OBSERVABILITY_OUT.alertmanagerTests}/`));
  const shown = (p: string) => `${outDir}/${p}`;
  const configFile = shown(OBSERVABILITY_OUT.alertmanagerConfig);
  const dir = mkdtempSync(join(tmpdir(), "nautilus-amtool-"));
  const findings: Finding[] = [];
  try {
    const path = join(dir, OBSERVABILITY_OUT.alertmanagerConfig);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, config);
    const checked = run("amtool", ["check-config", path], dir);
    if (checked.missing) return [unavailable(checked.output)];
    if (!checked.ok)
      // Route tests on a config amtool cannot load would only repeat the same error.
      return [
        {
          engine: ENGINE,
          rule: "check-config",
          severity: "error",
          file: configFile,
          message: `amtool check-config ${configFile} failed:\n${checked.output.split(path).join(configFile)}`,
        },
      ];
    const routing = eachCase ? undefined : routingOf(config);
    // The verdict of each key, from the first case that has it.
    const verdicts = new Map<string, { ok: boolean; output: string }>();
    for (const [p, content] of tests) {
      const cases = readCases(content);
      if (typeof cases === "string") {
        findings.push({
          engine: ENGINE,
          rule: "routes-test",
          severity: "error",
          file: shown(p),
          message: `${shown(p)}: ${cases}`,
        });
        continue;
      }
      for (const [i, c] of cases.entries()) {
        const key = eachCase ? `${p}#${i}` : caseKey(c, routing);
        let verdict = verdicts.get(key);
        if (!verdict) {
          const args = [
            "config",
            "routes",
            "test",
            `--config.file=${path}`,
            `--verify.receivers=${c.receivers.join(",")}`,
          ];
          const r = run("amtool", [...args, ...labelArgs(c)], dir);
          if (r.missing) return [unavailable(r.output)];
          verdict = { ok: r.ok, output: r.output };
          verdicts.set(key, verdict);
        }
        if (verdict.ok) continue;
        const labels = labelArgs(c).join(" ");
        findings.push({
          engine: ENGINE,
          rule: "routes-test",
          severity: "error",
          file: shown(p),
          message:
            `route case "${c.name}" failed: ${labels} should reach ${c.receivers.join(", ")}, but ` +
            `${configFile} routes it to ${verdict.output.split("\n")[0] || "nothing"}`,
          hint: `amtool config routes test --config.file=${configFile} ${labels}`,
        });
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return findings;
}

function unavailable(detail: string): Finding {
  return {
    engine: ENGINE,
    rule: "unavailable",
    severity: "error",
    message: `amtool could not be run (${detail}), so the Alertmanager configuration and its routes are unchecked`,
    hint: "install it: sudo apt-get update && sudo apt-get install -y prometheus-alertmanager",
  };
}
