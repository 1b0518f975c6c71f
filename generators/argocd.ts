/**
 * Argo CD delivery, generated: per environment an `Application` that syncs its overlay (or its rendered
 * manifests), or an `ApplicationSet` with one Application per cluster when the environment lists several. The
 * objects' sync waves (core/stages.ts) order each sync; Argo CD waits for a wave to be healthy before the next.
 */
import type { IApplication } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application";
import type { IApplicationSet } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/ApplicationSet";
import { LABEL, MANAGED_BY } from "../core/conventions.ts";
import type { KubeObject } from "../core/finding.ts";
import { OUT, objectFileName } from "../core/layout.ts";
import { yamlFile } from "../core/yaml.ts";
import type { BundleEnvironment } from "../model/environments.ts";
import type { Gitops } from "../schemas/gitops.ts";
import type { EnvironmentName, Platform } from "../schemas/platform.ts";

const API_VERSION = "argoproj.io/v1alpha1";
/** The cluster Argo CD itself runs in, as Argo CD names it. */
const IN_CLUSTER = "https://kubernetes.default.svc";

type ApplicationSpec = IApplication["spec"];

export function argocdObjects(platform: Platform, environments: readonly BundleEnvironment[]): KubeObject[] {
  const gitops = platform.gitops;
  if (!gitops) return [];
  return environments.map((env) => {
    const name = env.environment as EnvironmentName;
    const clusters = gitops.clusters[name] ?? [];
    const spec = (server: string) => applicationSpec(platform, gitops, env, server);
    const labels = (extra: Record<string, string> = {}) => ({
      [LABEL.name]: platform.name,
      [LABEL.partOf]: platform.name,
      [LABEL.component]: "gitops",
      [LABEL.managedBy]: MANAGED_BY,
      [LABEL.environment]: name,
      ...extra,
    });
    const metadata = (extra?: Record<string, string>) => ({
      name: `${platform.name}-${name}`,
      namespace: gitops.namespace,
      labels: labels(extra),
    });
    if (clusters.length <= 1) {
      const cluster = clusters[0];
      const app: IApplication = {
        apiVersion: API_VERSION,
        kind: "Application",
        metadata: metadata(cluster ? { [LABEL.region]: cluster.region } : {}),
        spec: spec(cluster?.server ?? IN_CLUSTER),
      };
      return app as unknown as KubeObject;
    }
    const set: IApplicationSet = {
      apiVersion: API_VERSION,
      kind: "ApplicationSet",
      metadata: metadata(),
      spec: {
        goTemplate: true,
        // A typo in the template is an error, not an Application named "<no value>".
        goTemplateOptions: ["missingkey=error"],
        generators: [
          { list: { elements: clusters.map((c) => ({ cluster: c.name, server: c.server, region: c.region })) } },
        ],
        template: {
          metadata: {
            name: `${platform.name}-${name}-{{.cluster}}`,
            labels: labels({ [LABEL.region]: "{{.region}}" }),
          },
          spec: spec("{{.server}}"),
        },
        // Deleting or editing the set must never take a trading cluster's workloads with it.
        syncPolicy: { preserveResourcesOnDeletion: true },
      },
    };
    return set as unknown as KubeObject;
  });
}

function applicationSpec(platform: Platform, gitops: Gitops, env: BundleEnvironment, server: string): ApplicationSpec {
  const name = env.environment as EnvironmentName;
  const rendered = gitops.source === "rendered";
  const path = `${gitops.path}/${rendered ? OUT.rendered(name) : OUT.overlay(name)}`;
  const automated = gitops.sync[name] === "automated";
  return {
    project: gitops.project,
    source: {
      repoURL: gitops.repoURL,
      targetRevision: gitops.targetRevision,
      path,
      ...(rendered ? { directory: { recurse: true } } : {}),
    },
    destination: { server, namespace: platform.namespace },
    syncPolicy: {
      ...(automated ? { automated: { prune: true, selfHeal: true } } : {}),
      syncOptions: [
        // The namespace is generated (with its Pod Security labels): Argo CD must not create a bare one.
        "CreateNamespace=false",
        // Without it a sync writes the ignored replica counts back, and fights the autoscaler.
        "RespectIgnoreDifferences=true",
        "ServerSideApply=true",
      ],
    },
    ignoreDifferences: hpaOwnedReplicas(env.objects),
  };
}

/** The replica counts HPAs own: Argo CD must neither report them as drift nor reset them. */
function hpaOwnedReplicas(objects: readonly KubeObject[]): NonNullable<ApplicationSpec["ignoreDifferences"]> {
  return objects
    .filter((o) => o.kind === "HorizontalPodAutoscaler")
    .flatMap((hpa) => {
      const target = (hpa.spec as { scaleTargetRef?: { apiVersion?: string; kind?: string; name?: string } })
        ?.scaleTargetRef;
      if (!target?.kind || !target.name) return [];
      const group = target.apiVersion?.includes("/") ? target.apiVersion.split("/")[0]! : "";
      return [
        {
          group,
          kind: target.kind,
          name: target.name,
          ...(hpa.metadata.namespace ? { namespace: hpa.metadata.namespace } : {}),
          jsonPointers: ["/spec/replicas"],
        },
      ];
    });
}

/** `argocd/application-nautilus-prod.yaml`: applied to Argo CD's namespace by hand or by an app of apps. */
export function argocdFiles(objects: readonly KubeObject[]): [string, string][] {
  return objects.map((o) => [`${OUT.argocd}/${objectFileName(o)}`, yamlFile([o])]);
}
