/**
 * `--config` as JSON or YAML (for configs written by other tools): parsed to the same value a TypeScript config
 * exports, and given a ConfigSource whose lines are the file's own, so every finding points into the file. The
 * source is the data rewritten as the object literal ConfigSource reads, each key on the line it has in the file.
 */
import { readFileSync } from "node:fs";
import { isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import { configFinding } from "../core/finding.ts";
import { parsePlatform } from "../schemas/parse.ts";
import { ConfigSource } from "./config-source.ts";
import { invalidConfig, type LoadResult } from "./load-config.ts";
import { locateConfigFindings } from "./locate-findings.ts";

export const DATA_CONFIG = /\.(json|ya?ml)$/i;

export function loadDataConfig(file: string, path: string): LoadResult {
  const text = readFileSync(path, "utf8");
  // YAML reads more than JSON allows (`"a": ` is null to YAML): a .json file must be JSON.
  if (/\.json$/i.test(path)) {
    try {
      JSON.parse(text);
    } catch (e) {
      const message = String((e as Error).message);
      const offset = /position (\d+)/.exec(message);
      const lineCol = /line (\d+) column (\d+)/.exec(message);
      const before = offset ? text.slice(0, Number(offset[1])).split("\n") : undefined;
      const at = lineCol
        ? { line: Number(lineCol[1]), column: Number(lineCol[2]) }
        : before
          ? { line: before.length, column: before.at(-1)!.length + 1 }
          : { line: 1, column: 1 };
      const finding = configFinding("syntax-error", "", message.replace(/ in JSON at position \d+.*$/, ""), {
        file,
        hint: "fix the JSON syntax at this place",
      });
      return { ok: false, summary: "the config does not load", findings: [{ ...finding, ...at }] };
    }
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const source = new ConfigSource(`export default ${literal(doc.contents, doc, lines)};`);
  const error = doc.errors[0];
  if (error) {
    const at = lines.linePos(error.pos[0]);
    const finding = configFinding("syntax-error", "", error.message.split("\n")[0]!, {
      file,
      hint: "fix the YAML syntax at this place",
    });
    return {
      ok: false,
      summary: "the config does not load",
      findings: locateConfigFindings([{ ...finding, line: at.line, column: at.col }], file, source),
    };
  }
  const parsed = parsePlatform(doc.toJS());
  if (!parsed.ok) return invalidConfig(parsed.errors, file, source);
  return { ok: true, platform: parsed.platform, source };
}

/** The value as a JavaScript literal, each map key and list item on its line in the file. */
function literal(root: unknown, doc: ReturnType<typeof parseDocument>, lines: LineCounter): string {
  let out = "";
  let line = 1;
  const moveTo = (offset: number | undefined) => {
    if (offset === undefined) return;
    const target = lines.linePos(offset).line;
    for (; line < target; line++) out += "\n";
  };
  const walk = (node: unknown): void => {
    if (isMap(node)) {
      out += "{";
      for (const pair of node.items) {
        const key = pair.key as Node | null;
        moveTo(key?.range?.[0]);
        out += `${JSON.stringify(String(isScalar(key) ? key.value : key))}:`;
        walk(pair.value);
        out += ",";
      }
      out += "}";
    } else if (isSeq(node)) {
      out += "[";
      for (const item of node.items) {
        moveTo((item as Node | null)?.range?.[0]);
        walk(item);
        out += ",";
      }
      out += "]";
    } else if (isAlias(node)) out += JSON.stringify(node.resolve(doc)?.toJSON() ?? null);
    else if (isScalar(node)) out += JSON.stringify(node.value ?? null);
    else out += "null";
  };
  walk(root);
  return out;
}
