/**
 * Argo CD delivery, generated: per environment and layer (core/layout.ts) an `Application` that syncs the layer's
 * overlay (or its rendered manifests), or an `ApplicationSet` with one Application per cluster when the environment
 * lists several. The cluster layer's Application comes first (a lower sync wave, for an app of apps that syncs
 * out/argocd) and never prunes; the objects' sync waves (core/stages.ts) order each sync, and Argo CD waits for a
 * wave to be healthy before the next.
 */
import type { IApplication } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application";
import type { IApplicationSet } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/ApplicationSet";
import { ANNOTATION, LABEL, MANAGED_BY } from "../core/conventions.ts";
import type { KubeObject } from "../core/finding.ts";
import { byLayer, type Layer, LAYER_DIRS, LAYERS, OUT, objectFileName } from "../core/layout.ts";
import { yamlFile } from "../core/yaml.ts";
import type { BundleEnvironment } from "../model/environments.ts";
import type { Gitops } from "../schemas/gitops.ts";
import type { EnvironmentName, Platform } from "../schemas/platform.ts";

const API_VERSION = "argoproj.io/v1alpha1";
/** The cluster Argo CD itself runs in, as Argo CD names it. */
const IN_CLUSTER = "https://kubernetes.default.svc";

type ApplicationSpec = IApplication["spec"];

/**
 * Automated sync tries each commit once unless told to retry: an app layer synced before its cluster layer has
 * created the namespaces (an app of apps creates both Applications at once unless it waits for their health) fails,
 * and is retried here until they exist.
 */
const SYNC_RETRY = { limit: 5, backoff: { duration: "10s", factor: 2, maxDuration: "3m" } };

export function argocdObjects(platform: Platform, environments: readonly BundleEnvironment[]): KubeObject[] {
  const gitops = platform.gitops;
  if (!gitops) return [];
  return environments.flatMap((env) => {
    const layers = byLayer(env.objects);
    return LAYERS.filter((layer) => layers[layer].length > 0).map((layer) =>
      layerApplication(platform, gitops, env, layer, layers[layer]),
    );
  });
}

/** `nautilus-prod` for the app layer, which keeps the name it had before the layers; `nautilus-prod-cluster`. */
function applicationName(platform: Platform, env: EnvironmentName, layer: Layer): string {
  return layer === "app" ? `${platform.name}-${env}` : `${platform.name}-${env}-${layer}`;
}

function layerApplication(
  platform: Platform,
  gitops: Gitops,
  env: BundleEnvironment,
  layer: Layer,
  objects: readonly KubeObject[],
): KubeObject {
  const name = env.environment as EnvironmentName;
  const clusters = gitops.clusters[name] ?? [];
  const spec = (server: string) => applicationSpec(platform, gitops, name, layer, objects, server);
  const labels = (extra: Record<string, string> = {}) => ({
    [LABEL.name]: platform.name,
    [LABEL.partOf]: platform.name,
    [LABEL.component]: "gitops",
    [LABEL.managedBy]: MANAGED_BY,
    [LABEL.environment]: name,
    ...extra,
  });
  const metadata = (extra?: Record<string, string>) => ({
    name: applicationName(platform, name, layer),
    namespace: gitops.namespace,
    labels: labels(extra),
    // An app of apps syncing out/argocd creates the cluster layer's Application before the app layer's.
    annotations: { [ANNOTATION.syncWave]: String(LAYERS.indexOf(layer)) },
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
          name: `${applicationName(platform, name, layer)}-{{.cluster}}`,
          labels: labels({ [LABEL.region]: "{{.region}}" }),
        },
        spec: spec("{{.server}}"),
      },
      // Deleting or editing the set must never take a trading cluster's workloads with it.
      syncPolicy: { preserveResourcesOnDeletion: true },
    },
  };
  return set as unknown as KubeObject;
}

function applicationSpec(
  platform: Platform,
  gitops: Gitops,
  env: EnvironmentName,
  layer: Layer,
  objects: readonly KubeObject[],
  server: string,
): ApplicationSpec {
  const rendered = gitops.source === "rendered";
  const dirs = LAYER_DIRS[layer];
  const path = `${gitops.path}/${rendered ? dirs.rendered(env) : dirs.overlay(env)}`;
  const automated = gitops.sync[env] === "automated";
  // The cluster layer holds the namespaces: nothing of it is ever pruned, whatever a sync asks.
  const prune = layer === "app";
  const ignoreDifferences = hpaOwnedReplicas(objects);
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
      ...(automated ? { automated: { prune, selfHeal: true }, retry: SYNC_RETRY } : {}),
      syncOptions: [
        // The namespace is generated (with its Pod Security labels): Argo CD must not create a bare one.
        "CreateNamespace=false",
        ...(prune ? [] : ["Prune=false"]),
        // Without it a sync writes the ignored replica counts back, and fights the autoscaler.
        "RespectIgnoreDifferences=true",
        "ServerSideApply=true",
      ],
    },
    ...(ignoreDifferences.length > 0 ? { ignoreDifferences } : {}),
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
