/**
 * Reads YAML manifests for `vet` the way `kubectl apply -f PATH -R` would: files or folders (recursively),
 * multi-document, YAML 1.1 with merge keys, `List` kinds flattened into their items. One bad file (unreadable,
 * not YAML, an alias bomb, a FIFO) is a finding naming it; the rest of the run goes on.
 */
import { lstatSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Finding, KubeObject, Severity } from "../core/finding.ts";
import { isPlainObject } from "../core/plain.ts";
import { manifestDocuments, type YamlLocation } from "../core/yaml.ts";
import { MAX_MANIFEST_BYTES, type ManifestText, readManifestFile, unreadableReason } from "./manifest-read.ts";
import { parseFiles } from "./parse-files.ts";
import { compilePolicies } from "../engines/cel.ts";
import { runObjectEngines } from "./object-engines.ts";
import { objectKey } from "../core/layout.ts";
import { readPolicySources } from "./policies.ts";
import { UsageError } from "./load-config.ts";

export interface Manifest {
  object: KubeObject;
  file: string;
  /** Where a field of the object (map keys and indexes) is written in `file`. */
  locate(path: readonly (string | number)[]): YamlLocation;
}

const MANIFEST_NAME = /\.ya?ml$/;

/** `vet -` reads the manifests from standard input: `helm template ... | platform vet -`. */
const STDIN = "-";

function readStdin(): ManifestText {
  if (process.stdin.isTTY)
    throw new UsageError("vet -: standard input is a terminal; pipe manifests in (helm template ... | platform vet -)");
  const text = readFileSync(0, "utf8");
  if (Buffer.byteLength(text) > MAX_MANIFEST_BYTES)
    return { rule: "too-large", problem: `more than vet reads (${MAX_MANIFEST_BYTES / 2 ** 20} MiB)` };
  return { text };
}

const vetFinding = (rule: string, file: string, message: string, severity: Severity = "error"): Finding => ({
  engine: "vet",
  rule,
  severity,
  file,
  message,
});

/**
 * The manifest files under `path`, in name order. Folders are walked like `kubectl -R` (symlinked folders inside
 * are not followed, so no loop); a named path that does not exist is a usage error, anything else unreadable a
 * finding.
 */
function manifestFiles(path: string, findings: Finding[]): string[] {
  if (path === STDIN) return [path];
  let link: ReturnType<typeof lstatSync>;
  try {
    link = lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") throw new UsageError(`${path}: no such file or folder`);
    findings.push(vetFinding("unreadable", path, `${path} cannot be read: ${unreadableReason(e)}; it was not vetted`));
    return [];
  }
  let target: ReturnType<typeof statSync> = link;
  if (link.isSymbolicLink()) {
    try {
      target = statSync(path);
    } catch {
      return [path]; // reading it reports why
    }
  }
  if (!target.isDirectory()) return [path];
  const out: string[] = [];
  walk(path, out, findings, new Set());
  return out;
}

function walk(dir: string, out: string[], findings: Finding[], seen: Set<string>): void {
  try {
    // A folder reached twice (a bind mount of an ancestor) would recurse for ever.
    const s = statSync(dir);
    const id = `${s.dev}:${s.ino}`;
    if (seen.has(id)) return;
    seen.add(id);
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const e of entries) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path, out, findings, seen);
      else if (MANIFEST_NAME.test(e.name)) out.push(path);
    }
  } catch (e) {
    findings.push(
      vetFinding("unreadable", dir, `${dir} cannot be read: ${unreadableReason(e)}; nothing in it was vetted`),
    );
  }
}

const isKubeObject = (v: unknown): v is KubeObject =>
  isPlainObject(v) &&
  typeof v.apiVersion === "string" &&
  typeof v.kind === "string" &&
  isPlainObject(v.metadata) &&
  typeof v.metadata.name === "string";

/** kubectl flattens lists (`v1 List`, `DeploymentList`, ...) into their items; nested lists too, to this depth. */
const MAX_LIST_DEPTH = 8;

const isList = (v: Record<string, unknown>): boolean =>
  typeof v.kind === "string" && v.kind.endsWith("List") && "items" in v;

/**
 * The manifests under `paths`, in file order, and the findings of reading them. `workers`: worker threads that help
 * parse (bin/parse-files.ts; by default some for a large set of files); `meanwhile`: work of the caller's that the
 * main thread does while they start.
 */
export async function readManifests(
  paths: readonly string[],
  workers?: number,
  meanwhile?: () => void,
): Promise<{ manifests: Manifest[]; findings: Finding[] }> {
  const manifests: Manifest[] = [];
  const findings: Finding[] = [];
  const files = paths.flatMap((p) => manifestFiles(p, findings));
  // Standard input is one stream, read once, here.
  const read = (file: string) => (file === STDIN ? readStdin() : readManifestFile(file));
  const texts = await parseFiles(files, read, files.includes(STDIN) ? 0 : workers, meanwhile);
  for (const [index, file] of files.entries()) {
    const parsed = texts[index]!;
    if ("problem" in parsed) {
      findings.push(
        vetFinding(parsed.rule ?? "unreadable", file, `${file} cannot be read: ${parsed.problem}; it was not vetted`),
      );
      continue;
    }
    let docs: ReturnType<typeof manifestDocuments>;
    try {
      docs = manifestDocuments(parsed.text, parsed.values);
    } catch (e) {
      // The parser itself gave up (nesting deep enough to exhaust the stack).
      findings.push(
        vetFinding("not-yaml", file, `${file} cannot be parsed: ${String((e as Error)?.message ?? e).split("\n")[0]}`),
      );
      continue;
    }
    docs.forEach((doc, i) => {
      const where = `${file}${docs.length > 1 ? ` (document ${i + 1})` : ""}`;
      if (doc.problem) {
        const { kind, message, line, column } = doc.problem;
        findings.push({
          ...vetFinding(kind, file, `${where}: ${message}`),
          ...(line ? { line, column } : { line: doc.line }),
          ...(kind === "duplicate-key"
            ? { hint: "keep one of the two: kubectl would silently keep only one value" }
            : kind === "alias-bomb"
              ? { hint: "write the data out, or alias it far fewer times" }
              : {}),
        });
        return;
      }
      const value = doc.value;
      if (value === undefined) return;
      // Kustomize's own files sit next to manifests (vet out/ works); they configure, they are not applied.
      if (
        isPlainObject(value) &&
        typeof value.apiVersion === "string" &&
        value.apiVersion.startsWith("kustomize.config.k8s.io/")
      )
        return;
      const add = (v: unknown, prefix: (string | number)[], depth: number, what: string): void => {
        const locate = (path: readonly (string | number)[]) => doc.locate([...prefix, ...path]);
        if (isPlainObject(v) && isList(v) && depth < MAX_LIST_DEPTH) {
          if (!Array.isArray(v.items)) {
            findings.push({
              ...vetFinding("not-an-object", file, `${what}: the items of a ${String(v.kind)} must be a list`),
              line: locate(["items"]).line,
            });
            return;
          }
          // Items of typed lists (a PodList) may leave out apiVersion and kind; kubectl gives them the list's.
          const itemKind = String(v.kind).slice(0, -"List".length);
          v.items.forEach((item, j) => {
            const typed =
              isPlainObject(item) && item.apiVersion === undefined && item.kind === undefined && itemKind
                ? { apiVersion: v.apiVersion, kind: itemKind, ...item }
                : item;
            add(typed, [...prefix, "items", j], depth + 1, `${what} items[${j}]`);
          });
          return;
        }
        const name = isPlainObject(v) && isPlainObject(v.metadata) ? v.metadata.name : undefined;
        if (name !== undefined && typeof name !== "string") {
          // `name: n` or `name: 0777` is a boolean or a number in YAML 1.1: kubectl refuses the object.
          const at = locate(["metadata", "name"]);
          findings.push({
            ...vetFinding(
              "not-an-object",
              file,
              `${what}: metadata.name must be a string, got ${JSON.stringify(name)}; kubectl would refuse it`,
            ),
            line: at.line,
            column: at.column,
            ...(at.plain === undefined ? {} : { hint: `quote it ("${at.plain}")` }),
          });
          return;
        }
        if (!isKubeObject(v)) {
          // A stray document (a Prometheus rule file beside manifests) is skipped; an item of a List is an object
          // kubectl would fail to apply.
          findings.push({
            ...vetFinding(
              "not-an-object",
              file,
              `${what} is not a Kubernetes object (apiVersion, kind and metadata.name); ` +
                (prefix.length > 0 ? "kubectl would refuse it" : "skipped"),
              prefix.length > 0 ? "error" : "warning",
            ),
            line: locate([]).line,
          });
          return;
        }
        manifests.push({ object: v, file, locate });
      };
      add(value, [], 0, where);
    });
  }
  return { manifests, findings };
}

/** `spec.containers[0].env["X"]` → `["spec", "containers", 0, "env", "X"]`, up to the first wildcard. */
export function pathSegments(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  const token = /\.?([A-Za-z_$][A-Za-z0-9_$-]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/y;
  while (token.lastIndex < path.length) {
    const m = token.exec(path);
    if (!m) break;
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else out.push(JSON.parse(m[3]!) as string);
  }
  return out;
}

function valueAt(root: unknown, path: readonly (string | number)[]): unknown {
  let node = root;
  for (const key of path) node = isPlainObject(node) || Array.isArray(node) ? (node as never)[key] : undefined;
  return node;
}

/**
 * A schema error on a value YAML 1.1 turned from text into a boolean or number (`value: on`, `mode: 0777`) gets the
 * fix: quote it. kubectl reads YAML 1.1, so the cluster sees what the schema engine saw.
 */
function quotingHint(f: Finding, manifest: Manifest, segments: (string | number)[], at: YamlLocation) {
  if (f.engine !== "schema" || at.plain === undefined || !/must be [^,]*\bstring\b/.test(f.message)) return undefined;
  const value = valueAt(manifest.object, segments);
  if (typeof value !== "boolean" && typeof value !== "number") return undefined;
  const type = typeof value === "boolean" ? "boolean" : "number";
  return String(value) === at.plain
    ? `quote it ("${at.plain}"): unquoted, it is a ${type}`
    : `quote it ("${at.plain}"): kubectl reads YAML 1.1, where an unquoted ${at.plain} is the ${type} ${String(value)}`;
}

/**
 * `vet`: the object engines on the manifests in `paths`, as one set (so cross-object rules see
 * them all). Findings about an object name the manifest it came from and the line of the field; an object
 * defined in two files is itself a finding, since `kubectl apply` would silently keep only the last one.
 */
export async function vetPaths(
  paths: readonly string[],
  kubernetesVersion?: string,
  workers?: number,
): Promise<{ findings: Finding[]; objects: number }> {
  const policies = readPolicySources();
  let compiled: ReturnType<typeof compilePolicies> | undefined;
  const { manifests, findings } = await readManifests(paths, workers, () => {
    compiled = compilePolicies(policies);
  });
  const byKey = new Map<string, Manifest>();
  for (const m of manifests) {
    const key = objectKey(m.object);
    const first = byKey.get(key);
    if (first)
      findings.push({
        engine: "vet",
        rule: "duplicate-object",
        severity: "warning",
        file: m.file,
        line: m.locate([]).line,
        resource: {
          apiVersion: m.object.apiVersion,
          kind: m.object.kind,
          name: m.object.metadata.name,
          ...(m.object.metadata.namespace ? { namespace: m.object.metadata.namespace } : {}),
        },
        message:
          `also defined in ${first.file}; applied together, the later one replaces the earlier, and ` +
          `findings name ${first.file}`,
      });
    else byKey.set(key, m);
  }
  const engineFindings = await runObjectEngines(
    {
      environments: [{ environment: "", objects: manifests.map((m) => m.object) }],
      policies,
      ...(kubernetesVersion ? { kubernetesVersion } : {}),
    },
    compiled,
  );
  for (const f of engineFindings) {
    const manifest = f.resource
      ? byKey.get(
          objectKey({
            apiVersion: f.resource.apiVersion,
            kind: f.resource.kind,
            metadata: { name: f.resource.name, ...(f.resource.namespace ? { namespace: f.resource.namespace } : {}) },
          }),
        )
      : undefined;
    if (!manifest) {
      findings.push(f);
      continue;
    }
    const segments = f.path ? pathSegments(f.path) : [];
    const at = manifest.locate(segments);
    const hint = f.hint ?? quotingHint(f, manifest, segments, at);
    findings.push({
      ...f,
      file: manifest.file,
      // The line is the manifest's, even when an engine named a line of its own file (a policy's).
      line: at.line,
      column: at.column,
      ...(hint ? { hint } : {}),
    });
  }
  return { findings, objects: manifests.length };
}
