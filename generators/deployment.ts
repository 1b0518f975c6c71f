import type { Deployment } from "kubernetes-types/apps/v1.js";
import type {
  Affinity,
  Container,
  EnvVar,
  PodSpec,
  Probe,
  ResourceRequirements,
  Volume,
} from "kubernetes-types/core/v1.js";
import type { Platform, ResourceList, Service, Tier } from "../schemas/platform.ts";
import { formatBytes, formatCpu } from "../schemas/units.ts";
import { metadata, selectorLabels } from "./meta.ts";
import { objectName } from "../model/names.ts";
import { otelEnv } from "./otel.ts";
import { containerSecurityContext, podSecurityContext } from "./security-context.ts";
import { zoneSpread } from "./topology-spread.ts";

export function deployments(platform: Platform): Deployment[] {
  return Object.entries(platform.services).map(([name, svc]) => deployment(platform, name, svc));
}

function deployment(platform: Platform, name: string, svc: Service): Deployment {
  const tier = platform.tiers[svc.tier]!;
  const meta = metadata(platform, name, { component: "service", tier: svc.tier });
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: meta,
    spec: {
      // An autoscaled Deployment leaves replicas to its HPA: a value here would reset the scale on every apply.
      ...(svc.scaling ? {} : { replicas: svc.replicas ?? 1 }),
      revisionHistoryLimit: 5,
      selector: { matchLabels: selectorLabels(platform, name) },
      strategy: {
        type: "RollingUpdate",
        rollingUpdate: { maxSurge: tier.rollout.maxSurge, maxUnavailable: tier.rollout.maxUnavailable },
      },
      template: {
        metadata: { labels: { ...meta.labels } },
        spec: podSpec(platform, name, svc, tier),
      },
    },
  };
}

function podSpec(platform: Platform, name: string, svc: Service, tier: Tier): PodSpec {
  const spec: PodSpec = {
    serviceAccountName: objectName(platform, name),
    automountServiceAccountToken: svc.kubernetesApiAccess,
    priorityClassName: objectName(platform, svc.tier),
    securityContext: podSecurityContext(svc.security),
    terminationGracePeriodSeconds: tier.shutdown.gracePeriod,
    containers: [container(platform, name, svc, tier)],
    volumes: volumes(platform, svc),
  };
  if (tier.hostNetwork) {
    spec.hostNetwork = true;
    // Without this a host-network pod resolves through the node's resolv.conf and cannot find Services.
    spec.dnsPolicy = "ClusterFirstWithHostNet";
  }
  if (Object.keys(tier.nodeSelector).length > 0) spec.nodeSelector = { ...tier.nodeSelector };
  if (tier.tolerations.length > 0) spec.tolerations = tier.tolerations.map((t) => ({ ...t }));
  const affinity = antiAffinity(platform, name, tier);
  if (affinity) spec.affinity = affinity;
  const spread = zoneSpread(platform, name, tier);
  if (spread.length > 0) spec.topologySpreadConstraints = spread;
  return spec;
}

function antiAffinity(platform: Platform, name: string, tier: Tier): Affinity | undefined {
  const term = {
    labelSelector: { matchLabels: selectorLabels(platform, name) },
    topologyKey: "kubernetes.io/hostname",
  };
  if (tier.antiAffinity === "required")
    return { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] } };
  if (tier.antiAffinity === "preferred")
    return {
      podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }] },
    };
  return undefined;
}

function container(platform: Platform, name: string, svc: Service, tier: Tier): Container {
  // Platform variables first (later ones may reference earlier ones); the service's own env, sorted, after them, and
  // it wins on a name clash.
  const env: EnvVar[] = [
    ...otelEnv(platform, name).filter((e) => !(e.name in svc.env)),
    ...Object.entries(svc.env)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]): EnvVar => ({ name: k, value: v })),
    ...Object.entries(svc.secretEnv)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, ref]): EnvVar => ({ name: k, valueFrom: { secretKeyRef: { name: ref.secret, key: ref.key } } })),
  ];
  return {
    name,
    image: svc.image,
    imagePullPolicy: "IfNotPresent",
    ports: [
      { name: "http", containerPort: svc.ports.containerHttp ?? svc.ports.http, protocol: "TCP" },
      { name: "metrics", containerPort: svc.ports.containerMetrics ?? svc.ports.metrics, protocol: "TCP" },
    ],
    ...(env.length > 0 ? { env } : {}),
    resources: resources(svc),
    startupProbe: probe(
      svc.probes.startup.path,
      svc.probes.startup.period,
      Math.max(1, Math.floor(svc.probes.startup.budget / svc.probes.startup.period)),
      1,
    ),
    livenessProbe: probe(
      svc.probes.liveness.path,
      svc.probes.liveness.period,
      svc.probes.liveness.failureThreshold,
      svc.probes.liveness.timeout,
    ),
    readinessProbe: probe(
      svc.probes.readiness.path,
      svc.probes.readiness.period,
      svc.probes.readiness.failureThreshold,
      svc.probes.readiness.timeout,
    ),
    // Endpoints and load balancers learn of a stopping pod only after it is told to stop: it keeps serving
    // for the drain delay, so no order or connection arrives at a process that already exited.
    ...(tier.shutdown.drainDelay > 0
      ? { lifecycle: { preStop: { sleep: { seconds: tier.shutdown.drainDelay } } } }
      : {}),
    securityContext: containerSecurityContext(svc.security),
    volumeMounts: [
      { name: "tmp", mountPath: "/tmp" },
      ...svc.volumes.map((v) => ({ name: v.claim, mountPath: v.mountPath, ...(v.readOnly ? { readOnly: true } : {}) })),
    ],
  };
}

/** The startup probe's failureThreshold rounds down, so period × threshold never exceeds the budget. */
function probe(path: string, periodSeconds: number, failureThreshold: number, timeoutSeconds: number): Probe {
  return {
    httpGet: { path, port: "http" },
    periodSeconds: Math.max(1, Math.round(periodSeconds)),
    timeoutSeconds: Math.max(1, Math.round(timeoutSeconds)),
    failureThreshold,
  };
}

function resourceList(list: ResourceList | undefined): Record<string, string> | undefined {
  if (!list) return undefined;
  const out: Record<string, string> = {};
  if (list.cpu !== undefined) out.cpu = formatCpu(list.cpu);
  if (list.memory !== undefined) out.memory = formatBytes(list.memory);
  for (const key of ["hugepages-2Mi", "hugepages-1Gi", "ephemeral-storage"] as const) {
    const v = list[key];
    if (v !== undefined) out[key] = formatBytes(v);
  }
  return out;
}

function resources(svc: Service): ResourceRequirements {
  const out: ResourceRequirements = {};
  const requests = resourceList(svc.resources.requests);
  const limits = resourceList(svc.resources.limits);
  if (requests) out.requests = requests;
  if (limits) out.limits = limits;
  return out;
}

/** A read-only root filesystem still needs a writable /tmp; it is memory-capped scratch space. */
function volumes(platform: Platform, svc: Service): Volume[] {
  return [
    { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
    ...svc.volumes.map((v) => ({ name: v.claim, persistentVolumeClaim: { claimName: objectName(platform, v.claim) } })),
  ];
}
