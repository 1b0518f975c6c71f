/** Reads YAML manifests for `vet`: files or folders (recursively), multi-document. */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import type { Finding, KubeObject } from "../core/finding.ts";
import { runObjectEngines } from "./object-engines.ts";
import { objectKey } from "../core/layout.ts";
import { readPolicySources } from "./policies.ts";
import { UsageError } from "./load-config.ts";

export interface Manifest {
  object: KubeObject;
  file: string;
}

function yamlFiles(path: string): string[] {
  if (!existsSync(path)) throw new UsageError(`${path}: no such file or folder`);
  if (statSync(path).isFile()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((e) =>
      e.isDirectory() ? yamlFiles(join(path, e.name)) : /\.ya?ml$/.test(e.name) ? [join(path, e.name)] : [],
    );
}

export function readManifests(paths: readonly string[]): { manifests: Manifest[]; findings: Finding[] } {
  const manifests: Manifest[] = [];
  const findings: Finding[] = [];
  for (const file of paths.flatMap(yamlFiles)) {
    parseAllDocuments(readFileSync(file, "utf8")).forEach((doc, i) => {
      const where = `${file}${i > 0 ? ` (document ${i + 1})` : ""}`;
      if (doc.errors.length > 0) {
        findings.push({
          engine: "vet",
          rule: "yaml",
          severity: "error",
          file,
          message: `${where} is not valid YAML: ${doc.errors[0]!.message.split("\n")[0]}`,
        });
        return;
      }
      const value = doc.toJS() as Partial<KubeObject> | null;
      if (value === null || value === undefined) return;
      // Kustomize's own files sit next to manifests (vet out/ works); they configure, they are not applied.
      if (
        typeof value === "object" &&
        typeof value.apiVersion === "string" &&
        value.apiVersion.startsWith("kustomize.config.k8s.io/")
      )
        return;
      if (
        typeof value !== "object" ||
        typeof value.apiVersion !== "string" ||
        typeof value.kind !== "string" ||
        typeof value.metadata?.name !== "string"
      ) {
        findings.push({
          engine: "vet",
          rule: "not-an-object",
          severity: "warning",
          file,
          message: `${where} is not a Kubernetes object (apiVersion, kind and metadata.name); skipped`,
        });
        return;
      }
      manifests.push({ object: value as KubeObject, file });
    });
  }
  return { manifests, findings };
}

/**
 * `vet`: the object engines on the manifests in `paths`, as one set (so cross-object rules see
 * them all). Findings about an object name the manifest it came from; an object defined in two
 * files is itself a finding, since `kubectl apply` would silently keep only the last one.
 */
export async function vetPaths(
  paths: readonly string[],
  kubernetesVersion?: string,
): Promise<{ findings: Finding[]; objects: number }> {
  const { manifests, findings } = readManifests(paths);
  const fileOf = new Map<string, string>();
  for (const m of manifests) {
    const key = objectKey(m.object);
    const first = fileOf.get(key);
    if (first)
      findings.push({
        engine: "vet",
        rule: "duplicate-object",
        severity: "warning",
        file: m.file,
        resource: {
          apiVersion: m.object.apiVersion,
          kind: m.object.kind,
          name: m.object.metadata.name,
          ...(m.object.metadata.namespace ? { namespace: m.object.metadata.namespace } : {}),
        },
        message:
          `also defined in ${first}; applied together, the later one replaces the earlier, and ` +
          `findings name ${first}`,
      });
    else fileOf.set(key, m.file);
  }
  const engineFindings = await runObjectEngines({
    environments: [{ environment: "", objects: manifests.map((m) => m.object) }],
    policies: readPolicySources(),
    ...(kubernetesVersion ? { kubernetesVersion } : {}),
  });
  for (const f of engineFindings) {
    const file = f.resource
      ? fileOf.get(
          objectKey({
            apiVersion: f.resource.apiVersion,
            kind: f.resource.kind,
            metadata: { name: f.resource.name, ...(f.resource.namespace ? { namespace: f.resource.namespace } : {}) },
          }),
        )
      : undefined;
    findings.push(file ? { ...f, file } : f);
  }
  return { findings, objects: manifests.length };
}
