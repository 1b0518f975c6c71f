/**
 * A minimal Language Server Protocol client for the TypeScript language server (`tsc --lsp --stdio`, TypeScript 7):
 * what an editor asks when a developer hovers a word, asked the same way.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

interface Message {
  id?: number;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { message: string };
}

export interface LanguageServer {
  /** Opens a document with this text (it need not be what is on disk), as an editor's buffer. */
  open(file: string, text: string): void;
  /** The hover text at a 0-based line and character, as the editor shows it (Markdown). */
  hover(file: string, line: number, character: number): Promise<string>;
  close(): Promise<void>;
}

export async function startLanguageServer(root: string): Promise<LanguageServer> {
  const server = spawn(join(root, "node_modules/.bin/tsc"), ["--lsp", "--stdio"], {
    cwd: root,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let buffer = Buffer.alloc(0);
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const send = (m: Message) => {
    const body = Buffer.from(JSON.stringify({ jsonrpc: "2.0", ...m }), "utf8");
    server.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    server.stdin.write(body);
  };
  const request = (method: string, params: unknown) =>
    new Promise<unknown>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      send({ id, method, params });
    });
  const receive = (m: Message) => {
    if (m.method !== undefined && m.id !== undefined) {
      // A request from the server (configuration, capability registration, progress): an empty answer will do.
      const items = (m.params as { items?: unknown[] } | undefined)?.items;
      send({ id: m.id, result: m.method === "workspace/configuration" ? (items ?? []).map(() => null) : null });
    } else if (m.id !== undefined && pending.has(m.id)) {
      const p = pending.get(m.id)!;
      pending.delete(m.id);
      if (m.error) p.reject(new Error(`language server: ${m.error.message}`));
      else p.resolve(m.result);
    }
  };
  server.stdout.on("data", (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      const end = buffer.indexOf("\r\n\r\n");
      if (end < 0) return;
      const length = Number(/Content-Length: (\d+)/i.exec(buffer.subarray(0, end).toString())?.[1]);
      if (buffer.length < end + 4 + length) return;
      receive(JSON.parse(buffer.subarray(end + 4, end + 4 + length).toString("utf8")) as Message);
      buffer = buffer.subarray(end + 4 + length);
    }
  });
  const exited = new Promise<void>((resolve) => server.on("close", () => resolve()));
  server.on("error", (e) => {
    for (const p of pending.values()) p.reject(e);
  });
  const uri = (file: string) => pathToFileURL(file).href;
  await request("initialize", {
    processId: process.pid,
    rootUri: uri(root),
    workspaceFolders: [{ uri: uri(root), name: "root" }],
    capabilities: { textDocument: { hover: { contentFormat: ["markdown", "plaintext"] } } },
  });
  send({ method: "initialized", params: {} });
  return {
    open(file, text) {
      send({
        method: "textDocument/didOpen",
        params: { textDocument: { uri: uri(file), languageId: "typescript", version: 1, text } },
      });
    },
    async hover(file, line, character) {
      const r = (await request("textDocument/hover", {
        textDocument: { uri: uri(file) },
        position: { line, character },
      })) as {
        contents?: { value?: string } | string;
      } | null;
      const contents = r?.contents;
      return typeof contents === "string" ? contents : (contents?.value ?? "");
    },
    async close() {
      await request("shutdown", null).catch(() => undefined);
      send({ method: "exit" });
      server.stdin.end();
      await exited;
    },
  };
}
