/** Reads YAML manifests for `vet`: files or folders (recursively), multi-document. */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import type { Finding, KubeObject } from "../engines/finding.ts";
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
    .flatMap((e) => (e.isDirectory() ? yamlFiles(join(path, e.name)) : /\.ya?ml$/.test(e.name) ? [join(path, e.name)] : []));
}

export function readManifests(paths: readonly string[]): { manifests: Manifest[]; findings: Finding[] } {
  const manifests: Manifest[] = [];
  const findings: Finding[] = [];
  for (const file of paths.flatMap(yamlFiles)) {
    parseAllDocuments(readFileSync(file, "utf8")).forEach((doc, i) => {
      const where = `${file}${i > 0 ? ` (document ${i + 1})` : ""}`;
      if (doc.errors.length > 0) {
        findings.push({ engine: "vet", rule: "yaml", severity: "error", file, message: `${where} is not valid YAML: ${doc.errors[0]!.message.split("\n")[0]}` });
        return;
      }
      const value = doc.toJS() as Partial<KubeObject> | null;
      if (value === null || value === undefined) return;
      if (typeof value !== "object" || typeof value.apiVersion !== "string" || typeof value.kind !== "string" || typeof value.metadata?.name !== "string") {
        findings.push({ engine: "vet", rule: "not-an-object", severity: "warning", file, message: `${where} is not a Kubernetes object (apiVersion, kind and metadata.name); skipped` });
        return;
      }
      manifests.push({ object: value as KubeObject, file });
    });
  }
  return { manifests, findings };
}
