/**
 * schemas/platform-input.generated.ts: the type platform.config.ts is written as, spelled out field by field
 * with each field's `.describe()` text (and its default) as JSDoc, so an editor shows the documentation on hover.
 * `z.input<typeof platformSchema>` is the same type, but an editor cannot find the descriptions through it: they
 * exist only at run time. Written by `npm run docs` from the zod schema, the one source of fields and texts;
 * test/config-declaration.test.ts holds it to the schema, and test/types/config-input.ts to `z.input`.
 */
import type { z } from "zod";
import { inputTypeName } from "../schemas/units.ts";

export const CONFIG_DECLARATION = "schemas/platform-input.generated.ts";

/** The longest line the repository allows (test/static.test.ts). */
const MAX_LINE = 120;

/** What the walk reads of a zod 4 schema's definition. */
interface Def {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  catchall?: z.ZodType;
  element?: z.ZodType;
  keyType?: z.ZodType;
  valueType?: z.ZodType;
  options?: readonly z.ZodType[];
  items?: readonly z.ZodType[];
  rest?: z.ZodType | null;
  left?: z.ZodType;
  right?: z.ZodType;
  partial?: boolean;
  values?: readonly unknown[];
  entries?: Record<string, string | number>;
  defaultValue?: unknown;
}

const defOf = (s: z.ZodType) => s._zod.def as unknown as Def;

/** Wrappers that leave the input type as it is (or only make it optional), and the schema inside them. */
function innerOf(s: z.ZodType): z.ZodType | undefined {
  const def = defOf(s);
  if (["optional", "default", "prefault", "readonly", "nonoptional", "catch"].includes(def.type)) return def.innerType;
  if (def.type === "pipe") return def.in;
  return undefined;
}

/** The outermost description and default of a field, looking through its wrappers. */
export function docOf(s: z.ZodType): { description?: string; default?: unknown } {
  const found: { description?: string; default?: unknown } = {};
  for (let at: z.ZodType | undefined = s; at; at = innerOf(at)) {
    found.description ??= at.description;
    const def = defOf(at);
    if ((def.type === "default" || def.type === "prefault") && !("default" in found)) found.default = def.defaultValue;
  }
  return found;
}

/** The field at a path of object keys (`*` for a record's value), through wrappers: what a test looks up. */
export function fieldAt(schema: z.ZodType, path: readonly string[]): z.ZodType {
  let at = schema;
  for (const [i, key] of path.entries()) {
    let s: z.ZodType | undefined = at;
    while (s && !["object", "record"].includes(defOf(s).type)) s = innerOf(s);
    const def = s && defOf(s);
    const next = key === "*" ? def?.valueType : def?.shape?.[key];
    if (!next) throw new Error(`no field ${path.slice(0, i + 1).join(".")} in the schema`);
    at = next;
  }
  return at;
}

function jsDoc(s: z.ZodType, indent: string, where: string): string {
  const { description, default: value } = docOf(s);
  if (description === undefined)
    throw new Error(`${where}: the field has no .describe(); every config field needs one`);
  const lines = description.replaceAll("*/", "*\\/").split("\n");
  if (value !== undefined) lines.push(`@default ${show(value)}`);
  return `${indent}/**\n${lines.map((l) => `${indent} *${l ? ` ${l}` : ""}\n`).join("")}${indent} */\n`;
}

/** A default as JSON with spaces between entries, so a long one wraps. */
function show(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(show).join(", ")}]`;
  if (v && typeof v === "object") {
    const entries = Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${show(x)}`);
    return entries.length ? `{ ${entries.join(", ")} }` : "{}";
  }
  return JSON.stringify(v);
}

/**
 * Wraps the JSDoc lines of formatted source at `width`, at their own indentation: the formatter indents
 * comments but never wraps them, so the declaration is wrapped once it is formatted.
 */
export function wrapComments(source: string, width = MAX_LINE): string {
  return source
    .split("\n")
    .flatMap((line) => {
      const m = /^(\s*\* )(.*)$/.exec(line);
      if (!m || line.length <= width) return [line];
      const [, prefix, text] = m as unknown as [string, string, string];
      const out: string[] = [];
      let current = "";
      for (const word of text.split(" ")) {
        if (current && prefix.length + current.length + 1 + word.length > width) {
          out.push(prefix + current);
          current = word;
        } else current = current ? `${current} ${word}` : word;
      }
      return [...out, prefix + current];
    })
    .join("\n");
}

const KEY = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** The TypeScript input type of a schema, as source; `uses` collects the unit types it names. */
function typeOf(s: z.ZodType, indent: string, where: string, uses: Set<string>): string {
  const named = inputTypeName.get(s);
  if (named) {
    for (const id of named.type.match(/\b[A-Z]\w*/g) ?? []) uses.add(id);
    return named.type;
  }
  const def = defOf(s);
  const inner = (t: z.ZodType | undefined, at = where) => typeOf(t!, indent, at, uses);
  switch (def.type) {
    case "string":
    case "number":
    case "boolean":
    case "unknown":
    case "never":
    case "null":
    case "undefined":
      return def.type;
    case "literal":
      return def.values!.map((v) => (v === undefined ? "undefined" : JSON.stringify(v))).join(" | ");
    case "enum":
      return Object.values(def.entries!)
        .map((v) => JSON.stringify(v))
        .join(" | ");
    case "optional":
      return `${inner(def.innerType)} | undefined`;
    case "nullable":
      return `${inner(def.innerType)} | null`;
    case "readonly":
      return `Readonly<${inner(def.innerType)}>`;
    case "default":
    case "prefault":
    case "catch":
    case "nonoptional":
      return inner(def.innerType);
    case "pipe":
      return inner(def.in);
    case "union":
      return def.options!.map((o, i) => typeOf(o, indent, `${where}|${i}`, uses)).join(" | ");
    case "array":
      return `Array<${typeOf(def.element!, indent, `${where}[]`, uses)}>`;
    case "record": {
      const key = typeOf(def.keyType!, indent, `${where} (key)`, uses);
      const value = typeOf(def.valueType!, `${indent}  `, `${where}.*`, uses);
      // As zod types it: a partial record, or one whose values may be left out, may miss any key.
      const partial = def.partial === true || def.valueType!._zod.optin !== undefined;
      if (key === "string") return `{\n${indent}  [key: string]: ${value}${partial ? " | undefined" : ""};\n${indent}}`;
      return partial ? `Partial<Record<${key}, ${value}>>` : `Record<${key}, ${value}>`;
    }
    case "tuple": {
      const items = def.items!.map((t, i) => typeOf(t, indent, `${where}[${i}]`, uses));
      if (def.rest) items.push(`...Array<${typeOf(def.rest, indent, `${where}[]`, uses)}>`);
      return `[${items.join(", ")}]`;
    }
    case "intersection":
      return `(${typeOf(def.left!, indent, where, uses)}) & (${typeOf(def.right!, indent, where, uses)})`;
    case "object": {
      if (def.catchall && defOf(def.catchall).type !== "never")
        throw new Error(
          `${where}: an object with a catchall; bin/config-declaration.ts reads strict and plain objects`,
        );
      const fields = Object.entries(def.shape!).map(([key, field]) => {
        const at = where ? `${where}.${key}` : key;
        const optional = field._zod.optin !== undefined;
        const type = typeOf(optional ? withoutUndefined(field) : field, `${indent}  `, at, uses);
        const name = KEY.test(key) ? key : JSON.stringify(key);
        return `${jsDoc(field, `${indent}  `, at)}${indent}  ${name}${optional ? "?" : ""}: ${type};\n`;
      });
      return fields.length === 0 ? "Record<string, never>" : `{\n${fields.join("")}${indent}}`;
    }
    default:
      throw new Error(`${where}: a zod ${def.type}; bin/config-declaration.ts does not spell that type out yet`);
  }
}

/** An optional field's `?` says it may be missing; the type after it leaves `| undefined` out. */
function withoutUndefined(s: z.ZodType): z.ZodType {
  const def = defOf(s);
  return def.type === "optional" && !inputTypeName.get(s) ? withoutUndefined(def.innerType!) : s;
}

/**
 * The declaration's source before the formatter (then `wrapComments`); `typeName` is what platform.config.ts's
 * helper takes.
 */
export function configDeclaration(schema: z.ZodType, typeName: string): string {
  const uses = new Set<string>();
  const body = typeOf(schema, "", "", uses);
  const imports = uses.size ? `import type { ${[...uses].sort().join(", ")} } from "./units.ts";\n\n` : "";
  return (
    "// Generated by `npm run docs` (bin/config-declaration.ts) from the zod schema in schemas/. Do not edit.\n" +
    imports +
    `${jsDoc(schema, "", "(the config)")}export interface ${typeName} ${body}\n`
  );
}
