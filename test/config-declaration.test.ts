/**
 * schemas/platform-input.generated.ts, the config type with every field's description as JSDoc: it is what
 * `npm run docs` writes from the zod schema, and an editor (the TypeScript language service) shows a field's
 * description on hover in platform.config.ts. test/types/config-input.ts holds it to `z.input` at compile time.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { z } from "zod";
import { CONFIG_DECLARATION, configDeclaration, docOf, fieldAt, wrapComments } from "../bin/config-declaration.ts";
import { configDeclarationFile } from "../bin/docs.ts";
import { platformSchema } from "../schemas/platform.ts";
import { ROOT } from "./support/config.ts";
import { type LanguageServer, startLanguageServer } from "./support/lsp.ts";

test("the committed declaration is the one the schema generates (run `npm run docs`)", () => {
  assert.is(readFileSync(join(ROOT, CONFIG_DECLARATION), "utf8"), configDeclarationFile());
});

const CONFIG = join(ROOT, "platform.config.ts");

/** What an editor shows on hovering the first `word:` at or after `after` in `text`, whitespace folded. */
async function hover(server: LanguageServer, text: string, word: string, after = ""): Promise<string> {
  const at = text.indexOf(`${word}:`, text.indexOf(after));
  assert.ok(at >= 0, `${word}: not in the text`);
  const before = text.slice(0, at).split("\n");
  const shown = await server.hover(CONFIG, before.length - 1, before.at(-1)!.length + 1);
  return shown.replace(/\s+/g, " ");
}

const described = (path: string[]) => docOf(fieldAt(platformSchema, path)).description!.replace(/\s+/g, " ");

test("hovering a field of platform.config.ts shows its description from the schema, and its default", async () => {
  const server = await startLanguageServer(ROOT);
  try {
    const text = readFileSync(CONFIG, "utf8");
    server.open(CONFIG, text);
    assert.ok((await hover(server, text, "latencyBudget")).includes(described(["tiers", "*", "latencyBudget"])));
    assert.ok((await hover(server, text, "replicas", "services:")).includes(described(["services", "*", "replicas"])));
    const version = await hover(server, text, "kubernetesVersion");
    assert.ok(version.includes(described(["kubernetesVersion"])), version);
    assert.ok(version.includes('@default* — "1.30"'), version);
  } finally {
    await server.close();
  }
});

test("hovering a field of a union member (in an editor's unsaved buffer) shows that member's description", async () => {
  const server = await startLanguageServer(ROOT);
  try {
    const text = readFileSync(CONFIG, "utf8").replace(
      'cni: { plugin: "generic" }',
      'cni: { plugin: "calico", tunnelCidrs: [] }',
    );
    server.open(CONFIG, text);
    const tunnel = await hover(server, text, "tunnelCidrs");
    assert.ok(tunnel.includes("Addresses Calico gives node tunnel interfaces"), tunnel);
  } finally {
    await server.close();
  }
});

test("a field without a description is refused by its path, and so is a type the generator cannot spell", () => {
  const undocumented = z.strictObject({ a: z.strictObject({ b: z.string() }).describe("A.") }).describe("Root.");
  assert.throws(() => configDeclaration(undocumented, "X"), /^a\.b: the field has no \.describe\(\)/);
  const lazy = z.strictObject({ a: z.lazy(() => z.string()).describe("A.") }).describe("Root.");
  assert.throws(() => configDeclaration(lazy, "X"), /a: a zod lazy; bin\/config-declaration.ts does not spell/);
});

test("optional and defaulted fields are optional, records are index signatures, defaults are JSDoc tags", () => {
  const schema = z
    .strictObject({
      a: z.string().describe("A."),
      b: z.number().optional().describe("B."),
      c: z.record(z.string(), z.boolean()).default({}).describe("C."),
      "d-e": z.enum(["x", "y"]).describe("D."),
    })
    .describe("Root.");
  assert.is(
    configDeclaration(schema, "X").split("\n").slice(1).join("\n"),
    "/**\n * Root.\n */\nexport interface X {\n" +
      "  /**\n   * A.\n   */\n  a: string;\n" +
      "  /**\n   * B.\n   */\n  b?: number;\n" +
      "  /**\n   * C.\n   * @default {}\n   */\n  c?: {\n    [key: string]: boolean;\n  };\n" +
      '  /**\n   * D.\n   */\n  "d-e": "x" | "y";\n}\n',
  );
});

test("records keyed by an enum, partial records and tuples are typed as zod types them", () => {
  const schema = z
    .strictObject({
      a: z.record(z.enum(["x", "y"]), z.number()).describe("A."),
      b: z.partialRecord(z.enum(["x"]), z.number()).describe("B."),
      c: z.record(z.string(), z.number().default(1)).describe("C."),
      d: z.tuple([z.string(), z.number()]).describe("D."),
    })
    .describe("Root.");
  const types = [...configDeclaration(schema, "X").matchAll(/^ {2}\w: (.*?);?$/gm)].map((m) => m[1]);
  assert.equal(types, ['Record<"x" | "y", number>', 'Partial<Record<"x", number>>', "{", "[string, number]"]);
  assert.match(configDeclaration(schema, "X"), /\[key: string\]: number \| undefined;/);
});

test("comment lines past the line limit wrap at their own indentation; code lines are left alone", () => {
  const long = `${"word ".repeat(30).trim()}`;
  const wrapped = wrapComments(`    /**\n     * ${long}\n     */\n    x: "${long}";`, 60);
  const lines = wrapped.split("\n");
  assert.ok(lines.slice(0, -2).every((l) => (l.length <= 60 && l.startsWith("     * ")) || !l.includes("word")));
  assert.is(lines.at(-1), `    x: "${long}";`);
  assert.is(
    lines
      .filter((l) => l.startsWith("     * "))
      .join(" ")
      .replaceAll("     * ", ""),
    long,
  );
});

test.run();
