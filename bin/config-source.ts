/**
 * Where a config path is written in platform.config.ts: `services.risk-engine.resources.requests.cpu`
 * → line 67, column 20. There is no TypeScript compiler API to ask (typescript 7 is a native binary),
 * and the config is code, so this reads the source the way a person does: a tokenizer that knows
 * strings, template literals, comments and regular expressions, and a skimmer that keeps object and
 * array literals (keys, quoted keys, shorthand, spreads, methods), `const` declarations and calls,
 * and skips every other expression whole. A key built by code (a computed key, a value returned by
 * a function) is not found; the answer is then its nearest ancestor that is written literally.
 * Pure: the caller reads the file.
 */

export interface Position {
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units as editors count them. */
  column: number;
}

export interface Location extends Position {
  /** True when the whole path was found; false when `line` is the nearest written ancestor's. */
  exact: boolean;
  /** The part of the path that was found, e.g. `services.risk-engine` for `services.risk-engine.replicas`. */
  found: string;
}

// ---------------------------------------------------------------------------------------------- tokens

type TokenKind = "punct" | "ident" | "string" | "number" | "opaque";

interface Token extends Position {
  kind: TokenKind;
  /** The punctuator, the identifier, or a string's decoded value. */
  value: string;
}

const PUNCTUATORS = ["...", "=>", "?.", "??", "&&", "||", "==", "!=", "<=", ">="];
/** After these, `/` starts a regular expression rather than a division. */
const BEFORE_REGEX = new Set([..."(,=:[!&|?{};+-*%<>~^", "=>", "&&", "||", "??", "==", "!=", "<=", ">="]);
const KEYWORDS_BEFORE_REGEX = new Set(["return", "typeof", "case", "do", "else", "in", "of", "new", "void", "throw"]);

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const here = (): Position => ({ line, column: i - lineStart + 1 });
  const advance = (to: number) => {
    for (; i < to && i < src.length; i++)
      if (src[i] === "\n") {
        line++;
        lineStart = i + 1;
      }
  };
  const regexAllowed = () => {
    const prev = tokens[tokens.length - 1];
    if (!prev) return true;
    if (prev.kind === "punct") return BEFORE_REGEX.has(prev.value) && prev.value !== ")" && prev.value !== "]";
    return prev.kind === "ident" && KEYWORDS_BEFORE_REGEX.has(prev.value);
  };
  /** From an opening quote to past its closing quote; returns the decoded value (escapes simplified). */
  const quoted = (quote: string): string => {
    let value = "";
    advance(i + 1);
    while (i < src.length && src[i] !== quote && src[i] !== "\n") {
      if (src[i] === "\\") {
        const next = src[i + 1] ?? "";
        value += next === "n" ? "\n" : next === "t" ? "\t" : next;
        advance(i + 2);
      } else {
        value += src[i];
        advance(i + 1);
      }
    }
    advance(i + 1);
    return value;
  };
  /** A template literal from its backtick: `${...}` parts may hold any expression, templates included. */
  const template = () => {
    advance(i + 1);
    while (i < src.length && src[i] !== "`") {
      if (src[i] === "\\") advance(i + 2);
      else if (src[i] === "$" && src[i + 1] === "{") {
        advance(i + 2);
        let depth = 1;
        while (i < src.length && depth > 0) {
          const c = src[i]!;
          if (c === "{") depth++;
          else if (c === "}") depth--;
          if (depth === 0) break;
          if (c === '"' || c === "'") quoted(c);
          else if (c === "`") template();
          else if (c === "/" && src[i + 1] === "/")
            advance(src.indexOf("\n", i) < 0 ? src.length : src.indexOf("\n", i));
          else if (c === "/" && src[i + 1] === "*")
            advance(src.indexOf("*/", i + 2) < 0 ? src.length : src.indexOf("*/", i + 2) + 2);
          else advance(i + 1);
        }
        advance(i + 1);
      } else advance(i + 1);
    }
    advance(i + 1);
  };
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      advance(i + 1);
      continue;
    }
    if (c === "/" && src[i + 1] === "/") {
      const end = src.indexOf("\n", i);
      advance(end < 0 ? src.length : end);
      continue;
    }
    if (c === "/" && src[i + 1] === "*") {
      const end = src.indexOf("*/", i + 2);
      advance(end < 0 ? src.length : end + 2);
      continue;
    }
    const start = here();
    if (c === '"' || c === "'") {
      tokens.push({ kind: "string", value: quoted(c), ...start });
      continue;
    }
    if (c === "`") {
      template();
      tokens.push({ kind: "opaque", value: "`", ...start });
      continue;
    }
    if (c === "/" && regexAllowed()) {
      let inClass = false;
      advance(i + 1);
      while (i < src.length && src[i] !== "\n" && (inClass || src[i] !== "/")) {
        if (src[i] === "\\") advance(i + 2);
        else {
          if (src[i] === "[") inClass = true;
          else if (src[i] === "]") inClass = false;
          advance(i + 1);
        }
      }
      advance(i + 1);
      while (i < src.length && /[A-Za-z]/.test(src[i]!)) advance(i + 1);
      tokens.push({ kind: "opaque", value: "/", ...start });
      continue;
    }
    const word = /^(?:[A-Za-z_$\u0080-\uffff][\w$\u0080-\uffff]*|#[A-Za-z_$][\w$]*)/.exec(src.slice(i, i + 256));
    if (word) {
      advance(i + word[0].length);
      tokens.push({ kind: "ident", value: word[0], ...start });
      continue;
    }
    const num = /^(?:0[xXoObB][\da-fA-F_]+n?|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d+)?n?)/.exec(
      src.slice(i, i + 64),
    );
    if (num) {
      advance(i + num[0].length);
      tokens.push({ kind: "number", value: num[0].replace(/_/g, ""), ...start });
      continue;
    }
    const p = PUNCTUATORS.find((q) => src.startsWith(q, i)) ?? c;
    advance(i + p.length);
    tokens.push({ kind: "punct", value: p, ...start });
  }
  return tokens;
}

// ---------------------------------------------------------------------------------------------- values

type Node =
  | { kind: "object"; at: Position; members: Member[] }
  | { kind: "array"; at: Position; elements: Node[] }
  | { kind: "ref"; at: Position; chain: string[] }
  | { kind: "call"; at: Position; args: Node[] }
  | { kind: "spread"; at: Position; value: Node }
  | { kind: "opaque"; at: Position };

type Member = { kind: "prop"; key: string | undefined; at: Position; value: Node } | { kind: "spread"; value: Node };

const CLOSERS: Record<string, string> = { "(": ")", "[": "]", "{": "}" };
const TERMINATORS = new Set([",", ")", "]", "}", ";"]);

class Skimmer {
  pos = 0;
  readonly declarations = new Map<string, Node>();
  root: Node | undefined;

  constructor(private readonly tokens: Token[]) {}

  private lastGuard = -1;

  /** Called at the top of every loop: a token no rule consumes (a stray `)` in a broken file) is stepped over. */
  private guard(): void {
    if (this.pos === this.lastGuard) this.pos++;
    this.lastGuard = this.pos;
  }

  private peek(offset = 0): Token | undefined {
    return this.tokens[this.pos + offset];
  }

  private is(value: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t !== undefined && t.kind === "punct" && t.value === value;
  }

  private isWord(value: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t !== undefined && t.kind === "ident" && t.value === value;
  }

  /** Past a balanced group starting at an opening bracket. */
  private skipGroup(): void {
    const stack: string[] = [];
    do {
      const t = this.tokens[this.pos++];
      if (!t) return;
      if (t.kind !== "punct") continue;
      if (t.value in CLOSERS) stack.push(CLOSERS[t.value]!);
      else if (t.value === stack[stack.length - 1]) stack.pop();
    } while (stack.length > 0);
  }

  /** Past the rest of an expression: up to a `,` `)` `]` `}` `;` outside brackets. */
  private skipExpression(angles = false): void {
    let depth = 0;
    for (let t = this.peek(); t; t = this.peek()) {
      if (t.kind === "punct") {
        if (t.value in CLOSERS) {
          this.skipGroup();
          continue;
        }
        if (angles && t.value === "<") depth++;
        else if (angles && t.value === ">" && depth > 0) depth--;
        else if (depth === 0 && (TERMINATORS.has(t.value) || (angles && t.value === "="))) return;
      }
      this.pos++;
    }
  }

  /** `{ ... }`, `[ ... ]`, a name (`a.b.c`), a call (`definePlatform({ ... })`), or anything else, skipped. */
  value(): Node {
    const t = this.peek();
    if (!t) return { kind: "opaque", at: { line: 1, column: 1 } };
    let node: Node;
    if (t.kind === "punct" && t.value === "{") node = this.object();
    else if (t.kind === "punct" && t.value === "[") node = this.array();
    else if (t.kind === "punct" && t.value === "(") {
      this.pos++;
      node = this.value();
      if (this.is(")")) this.pos++;
      else {
        this.skipExpression();
        node = { kind: "opaque", at: t };
        if (this.is(")")) this.pos++;
      }
    } else if (t.kind === "ident" && !this.is("=>", 1)) {
      const chain = [t.value];
      this.pos++;
      while (this.is(".") && this.peek(1)?.kind === "ident") {
        chain.push(this.peek(1)!.value);
        this.pos += 2;
      }
      if (this.is("(")) {
        this.pos++;
        const args: Node[] = [];
        while (this.peek() && !this.is(")")) {
          this.guard();
          args.push(this.is("...") ? this.spread() : this.value());
          if (this.is(",")) this.pos++;
          else if (!this.is(")")) this.skipExpression();
        }
        this.pos++;
        node = { kind: "call", at: t, args };
      } else node = { kind: "ref", at: t, chain };
    } else {
      this.pos++;
      node = { kind: "opaque", at: t };
    }
    // `as const`, `satisfies T` and a non-null `!` leave the value as it is; anything else makes it code.
    for (;;) {
      if (this.isWord("as") || this.isWord("satisfies")) {
        this.pos++;
        this.skipExpression(true);
      } else if (this.is("!")) this.pos++;
      else break;
    }
    const next = this.peek();
    if (next && !(next.kind === "punct" && TERMINATORS.has(next.value))) {
      this.skipExpression();
      return { kind: "opaque", at: node.at };
    }
    return node;
  }

  private spread(): Node {
    const at = this.peek()!;
    this.pos++;
    return { kind: "spread", at, value: this.value() };
  }

  private object(): Node {
    const at = this.peek()!;
    this.pos++;
    const members: Member[] = [];
    while (this.peek() && !this.is("}")) {
      const t = this.peek()!;
      this.guard();
      if (this.is("...")) {
        this.pos++;
        members.push({ kind: "spread", value: this.value() });
      } else {
        let keyToken = t;
        // Accessors and async methods: `get name() {}` names "name".
        if (
          t.kind === "ident" &&
          ["get", "set", "async"].includes(t.value) &&
          this.peek(1) &&
          !(this.peek(1)!.kind === "punct" && [":", "(", ",", "}"].includes(this.peek(1)!.value))
        ) {
          this.pos++;
          keyToken = this.peek()!;
        }
        if (this.is("*")) {
          this.pos++;
          keyToken = this.peek() ?? keyToken;
        }
        let key: string | undefined;
        if (keyToken.kind === "punct" && keyToken.value === "[") {
          // A computed key is known only when it is a plain string: `["a.b"]: 1`.
          const literal = this.peek(1)?.kind === "string" && this.is("]", 2) ? this.peek(1)!.value : undefined;
          this.skipGroup();
          key = literal;
        } else if (keyToken.kind === "number") {
          key = String(Number(keyToken.value));
          this.pos++;
        } else if (keyToken.kind === "ident" || keyToken.kind === "string") {
          key = keyToken.value;
          this.pos++;
        } else {
          this.skipExpression();
          if (this.is(",")) this.pos++;
          continue;
        }
        if (this.is(":")) {
          this.pos++;
          members.push({ kind: "prop", key, at: keyToken, value: this.value() });
        } else if (this.is("(") || this.is("<")) {
          this.skipExpression(true);
          if (this.is("{")) this.skipGroup();
          members.push({ kind: "prop", key, at: keyToken, value: { kind: "opaque", at: keyToken } });
        } else {
          // Shorthand `{ healthProbes }`, possibly with a default in a pattern (`{ a = 1 }`).
          members.push({ kind: "prop", key, at: keyToken, value: { kind: "ref", at: keyToken, chain: [key ?? ""] } });
          if (!this.is(",") && !this.is("}")) this.skipExpression();
        }
      }
      if (this.is(",")) this.pos++;
      else if (!this.is("}")) this.skipExpression();
    }
    this.pos++;
    return { kind: "object", at, members };
  }

  private array(): Node {
    const at = this.peek()!;
    this.pos++;
    const elements: Node[] = [];
    while (this.peek() && !this.is("]")) {
      this.guard();
      if (this.is(",")) {
        elements.push({ kind: "opaque", at: this.peek()! });
        this.pos++;
        continue;
      }
      elements.push(this.is("...") ? this.spread() : this.value());
      if (this.is(",")) this.pos++;
      else if (!this.is("]")) this.skipExpression();
    }
    this.pos++;
    return { kind: "array", at, elements };
  }

  /** Top-level statements: `const x = ...` declarations and `export default ...`; everything else is skipped. */
  program(): void {
    while (this.peek()) {
      if (this.isWord("export") && this.isWord("default", 1)) {
        this.pos += 2;
        this.root = this.value();
      } else if ((this.isWord("const") || this.isWord("let") || this.isWord("var")) && this.peek(1)?.kind === "ident") {
        this.pos++;
        for (;;) {
          const name = this.peek();
          if (name?.kind !== "ident") break;
          this.pos++;
          if (this.is(":")) {
            this.pos++;
            this.skipExpression(true);
          }
          if (!this.is("=")) break;
          this.pos++;
          this.declarations.set(name.value, this.value());
          if (!this.is(",")) break;
          this.pos++;
        }
      } else if (this.peek()!.kind === "punct" && this.peek()!.value in CLOSERS) this.skipGroup();
      else this.pos++;
    }
  }
}

// ---------------------------------------------------------------------------------------------- lookup

type Segment = string | number;

/** `services.risk-engine.volumes[0].claim` and `labels["app.kubernetes.io/name"]` as segments. */
export function parsePath(path: string): Segment[] {
  const out: Segment[] = [];
  const re = /\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]|\.?([^.[\]]+)/gy;
  for (let m = re.exec(path); m; m = re.exec(path)) {
    if (m[1] !== undefined) out.push(Number(m[1]));
    else if (m[2] !== undefined) out.push(JSON.parse(m[2]) as string);
    else out.push(m[3]!);
    if (re.lastIndex >= path.length) break;
  }
  return out;
}

export class ConfigSource {
  private readonly skimmer: Skimmer;
  /** Steps left for one lookup: declarations that spread each other (`const a = { ...a, ...a }`) must not hang it. */
  private budget = 0;

  constructor(readonly text: string) {
    this.skimmer = new Skimmer(tokenize(text));
    this.skimmer.program();
  }

  /** A name (`healthProbes`, `base.probes`) as the value it was declared with. */
  private deref(node: Node, depth = 0): Node | undefined {
    if (depth > 32) return undefined;
    if (node.kind === "ref") {
      const [head, ...rest] = node.chain;
      let current = this.skimmer.declarations.get(head ?? "");
      for (const key of rest) current = current && this.find(current, key, depth + 1)?.value;
      return current && this.deref(current, depth + 1);
    }
    if (node.kind === "spread") return this.deref(node.value, depth + 1);
    return node;
  }

  /**
   * Where `key` of `node` is written, by JavaScript's rules: the last of the keys and spreads wins; a
   * call (`definePlatform({...})`, `merge(base, {...})`) is searched from its last argument.
   */
  private find(node: Node, key: Segment, depth = 0): { at: Position; value: Node } | undefined {
    if (--this.budget < 0) return undefined;
    const target = this.deref(node, depth);
    if (!target) return undefined;
    if (target.kind === "object" && typeof key === "string") {
      for (let i = target.members.length - 1; i >= 0; i--) {
        const m = target.members[i]!;
        if (m.kind === "prop" && m.key === key) return { at: m.at, value: m.value };
        if (m.kind === "spread") {
          const hit = this.find(m.value, key, depth + 1);
          if (hit) return hit;
        }
      }
    }
    if (target.kind === "array" && typeof key === "number") {
      // Indexes count only up to the first spread: after it, which element is which depends on data.
      const firstSpread = target.elements.findIndex((e) => e.kind === "spread");
      if (firstSpread < 0 || key < firstSpread) {
        const e = target.elements[key];
        if (e) return { at: e.at, value: e };
      }
    }
    if (target.kind === "call") {
      for (let i = target.args.length - 1; i >= 0; i--) {
        const hit = this.find(target.args[i]!, key, depth + 1);
        if (hit) return hit;
      }
    }
    return undefined;
  }

  /** The config value itself: the default export, through `definePlatform(...)` and names. */
  private rootNode(): { at: Position; value: Node } | undefined {
    const root = this.skimmer.root;
    if (!root) return undefined;
    let value = this.deref(root) ?? root;
    while (value.kind === "call") {
      const objectArg = [...value.args].reverse().find((a) => this.deref(a)?.kind === "object");
      if (!objectArg) break;
      value = this.deref(objectArg)!;
    }
    return { at: value.at, value };
  }

  /**
   * The line and column where `path` is written; when part of it is built by code, the nearest
   * ancestor that is written; with no default export found, line 1.
   */
  locate(path: string | readonly Segment[]): Location {
    const segments = typeof path === "string" ? parsePath(path) : [...path];
    this.budget = 10_000;
    const root = this.rootNode();
    if (!root) return { line: 1, column: 1, exact: segments.length === 0, found: "" };
    let current = root;
    let found = "";
    for (let i = 0; i < segments.length; i++) {
      let hit = this.find(current.value, segments[i]!);
      let used = 1;
      // A key with dots (`kubernetes.io/arch`) reaches here split; try it whole.
      for (let j = i + 2; !hit && j <= segments.length && typeof segments[j - 1] === "string"; j++) {
        if (segments.slice(i, j).some((s) => typeof s !== "string")) break;
        hit = this.find(current.value, segments.slice(i, j).join("."));
        used = j - i;
      }
      if (!hit) return { line: current.at.line, column: current.at.column, exact: false, found };
      for (const s of segments.slice(i, i + used)) found = joinSegment(found, s);
      i += used - 1;
      current = hit;
    }
    return { line: current.at.line, column: current.at.column, exact: true, found };
  }

  /** Where a quoted text (an import specifier, say) first appears: for errors that name a string. */
  positionOf(needle: string): Position | undefined {
    const at = this.text.indexOf(needle);
    if (at < 0) return undefined;
    const before = this.text.slice(0, at).split("\n");
    return { line: before.length, column: before[before.length - 1]!.length + 1 };
  }
}

function joinSegment(base: string, s: Segment): string {
  if (typeof s === "number") return `${base}[${s}]`;
  return base ? `${base}.${s}` : s;
}
