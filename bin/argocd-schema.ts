/**
 * The Argo CD objects `generate` writes to out/argocd/, judged by the schema engine against Argo CD's CRD
 * schemas (the `@kubernetes-models/argo-cd` validators): a finding names the object's file and field, and points
 * at the config's `gitops` block, which is what to change.
 */
import type { Finding } from "../core/finding.ts";
import { OUT, objectFileName } from "../core/layout.ts";
import { validateSchemas } from "../engines/schema.ts";
import { argocdObjects } from "../generators/argocd.ts";
import type { BundleEnvironment } from "../model/environments.ts";
import type { Platform } from "../schemas/platform.ts";
import type { ConfigSource } from "./config-source.ts";

export async function argocdSchemaFindings(
  platform: Platform,
  environments: readonly BundleEnvironment[],
  configFile: string,
  source: ConfigSource,
): Promise<Finding[]> {
  const objects = argocdObjects(platform, environments);
  if (objects.length === 0) return [];
  const at = source.locate("gitops");
  return (await validateSchemas([{ environment: "", objects }])).map((f) => ({
    ...f,
    message: f.resource
      ? `${OUT.argocd}/${objectFileName({ ...f.resource, metadata: { name: f.resource.name } })}: ${f.message}`
      : f.message,
    file: configFile,
    configPath: "gitops",
    line: at.line,
    column: at.column,
  }));
}
