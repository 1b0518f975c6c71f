/**
 * What the end-to-end tests need to run real servers safely: free ports on 127.0.0.1, child processes that are
 * killed on every path (test end, failure, deadline, the test process exiting), temp dirs removed, small local
 * HTTP servers (a metrics target, a webhook sink), and polling with a hard deadline. Nothing here waits forever.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { type AddressInfo, createServer as createTcpServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const HOST = "127.0.0.1";

/** A port nothing listens on right now: the kernel picks it, we release it for the server we start. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createTcpServer();
    s.once("error", reject);
    s.listen(0, HOST, () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Everything one test started, torn down together by `close()` whatever happened. */
export class Harness {
  readonly dir: string;
  private readonly children: { name: string; child: ChildProcess; output: string[] }[] = [];
  private readonly servers: Server[] = [];
  private readonly onExit = () => this.killAll();

  constructor(prefix: string) {
    this.dir = mkdtempSync(join(tmpdir(), prefix));
    // The test process may die on an uncaught error: its children must not outlive it.
    process.once("exit", this.onExit);
  }

  /** Starts `cmd` in its own process group; its output is kept for failure messages. */
  start(name: string, cmd: string, args: string[]): ChildProcess {
    const child = spawn(cmd, args, { cwd: this.dir, stdio: ["ignore", "pipe", "pipe"], detached: true });
    const output: string[] = [];
    const keep = (b: Buffer) => {
      output.push(b.toString());
      if (output.length > 400) output.splice(0, output.length - 400);
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    this.children.push({ name, child, output });
    return child;
  }

  /** The last lines a server printed, and whether it already exited: what a failure message shows. */
  log(name: string, lines = 30): string {
    const c = this.children.find((x) => x.name === name);
    if (!c) return `${name}: not started`;
    const exited = c.child.exitCode !== null ? ` (exited with ${c.child.exitCode})` : "";
    return `--- ${name}${exited}\n${c.output.join("").split("\n").slice(-lines).join("\n")}`;
  }

  /** A local HTTP server on a free port of 127.0.0.1. */
  async serve(handler: (req: IncomingMessage, body: string, res: ServerResponse) => void): Promise<number> {
    const server = createServer((req, res) => {
      let body = "";
      req.setEncoding("utf8");
      req.on("data", (chunk: string) => {
        body += chunk;
      });
      req.on("end", () => handler(req, body, res));
    });
    this.servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, HOST, resolve);
    });
    return (server.address() as AddressInfo).port;
  }

  private killAll(): void {
    for (const { child } of this.children) {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) continue;
      try {
        // The whole group: the server and anything it started.
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
  }

  async close(): Promise<void> {
    this.killAll();
    await Promise.all(
      this.children.map(
        ({ child }) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            const t = setTimeout(resolve, 2000);
            child.once("exit", () => {
              clearTimeout(t);
              resolve();
            });
          }),
      ),
    );
    for (const s of this.servers) s.closeAllConnections();
    await Promise.all(this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    process.removeListener("exit", this.onExit);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Polls `probe` every `everyMs` until it returns a value (not undefined) or `deadline` (epoch ms) passes; then
 * throws with `what` and the `detail` the caller adds (server logs), never hanging.
 */
export async function waitFor<T>(
  what: string,
  deadline: number,
  probe: () => Promise<T | undefined> | T | undefined,
  detail: () => string = () => "",
  everyMs = 250,
): Promise<T> {
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await sleep(everyMs);
  }
  const why = last instanceof Error ? ` (last error: ${last.message})` : "";
  throw new Error(`timed out waiting for ${what}${why}\n${detail()}`);
}

/** GET a JSON document with a short timeout: a hung server is an error, not a hang. */
export async function getJson(url: string): Promise<unknown> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return res.json();
}

type Doc = Record<string, unknown>;

/**
 * A generated scrape job with Kubernetes discovery replaced by static targets (Debian's Prometheus has no
 * Kubernetes discovery, and there is no cluster): the same name, intervals, timeout and path; `labels` stand for
 * what the relabelling would have copied from the pod.
 */
export function staticJob(job: Doc, targets: string[], labels: Record<string, string> = {}, extra: Doc = {}): Doc {
  const { kubernetes_sd_configs: _sd, relabel_configs: _relabel, ...kept } = job;
  return { ...kept, ...extra, static_configs: [{ targets, labels }] };
}

/**
 * A generated alertmanager.yml with every receiver a webhook to `baseUrl/<receiver name>`: PagerDuty, Opsgenie,
 * Slack and mail live outside this machine (and must never be paged by a test), and the webhook payload carries
 * every label and annotation as Alertmanager holds them, so routing, grouping and inhibition stay the generated
 * ones.
 */
export function webhookReceivers(generated: Doc, baseUrl: string): Doc {
  return {
    ...generated,
    receivers: (generated.receivers as Doc[]).map((r) => ({
      name: r.name,
      webhook_configs: [{ url: `${baseUrl}/${String(r.name)}`, send_resolved: false }],
    })),
  };
}
