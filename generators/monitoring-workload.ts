/**
 * The shape every monitoring component shares with the trading services: one pinned image, cpu and
 * memory requests with a memory limit equal to the request, HTTP probes, the secure defaults of
 * ./security-context.ts with the image's own user, and emptyDir scratch space for the read-only root
 * filesystem. Components differ only in ports, args, env and volumes. Pure.
 */
import type { Deployment } from "kubernetes-types/apps/v1.js";
import type { Container, EnvVar, Service as KubeService, Volume, VolumeMount } from "kubernetes-types/core/v1.js";
import type { MonitoringComponent } from "../schemas/observability.ts";
import type { Platform } from "../schemas/platform.ts";
import { formatBytes, formatCpu } from "../schemas/units.ts";
import { metadata, selectorLabels } from "./meta.ts";
import { objectName } from "../model/names.ts";
import { containerSecurityContext, lockedDown, podSecurityContext } from "./security-context.ts";
import { monitoringPriorityClassName } from "./priority-class.ts";

export interface WorkloadSpec {
  /** Short name: `prometheus` becomes `nautilus-prometheus`. */
  name: string;
  component: MonitoringComponent;
  /** The image's own non-root user; files on volumes are group-owned by it. */
  user: number;
  ports: { name: string; port: number }[];
  /** Probes: an HTTP(S) path on a named port. */
  health: { port: string; liveness: string; readiness: string; scheme?: "HTTPS" };
  args?: string[];
  env?: Record<string, string>;
  mounts?: VolumeMount[];
  volumes?: Volume[];
  serviceAccount?: boolean;
  /** One replica holding a ReadWriteOnce volume must stop before its successor starts. */
  recreate?: boolean;
  /** Environment variables read from keys of Secrets created outside this tool. */
  secretEnv?: Record<string, { secret: string; key: string }>;
  /** Pods; more than one are spread across nodes. Default 1. */
  replicas?: number;
  /** Seconds a starting container may take to become ready before liveness takes over. */
  startupBudget?: number;
}

/** Startup probe period: the budget is period × failureThreshold. */
const STARTUP_PERIOD = { short: 2, long: 15 } as const;
/** The startup budget of a component that says none. */
const DEFAULT_STARTUP_BUDGET = 120;

export function workload(platform: Platform, w: WorkloadSpec): Deployment {
  const meta = metadata(platform, w.name, { component: "monitoring" });
  const env: EnvVar[] = [
    ...Object.entries(w.env ?? {}).map(([name, value]): EnvVar => ({ name, value })),
    ...Object.entries(w.secretEnv ?? {}).map(
      ([name, ref]): EnvVar => ({ name, valueFrom: { secretKeyRef: { name: ref.secret, key: ref.key } } }),
    ),
  ].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const budget = w.startupBudget ?? DEFAULT_STARTUP_BUDGET;
  // Long budgets (a WAL replay) need no 2 s polling; short ones keep it, so a quick start is seen quickly.
  const startupPeriod = budget > 300 ? STARTUP_PERIOD.long : STARTUP_PERIOD.short;
  const replicas = w.replicas ?? 1;
  const get = (path: string) => ({
    path,
    port: w.health.port,
    ...(w.health.scheme ? { scheme: w.health.scheme } : {}),
  });
  const container: Container = {
    name: w.name,
    image: w.component.image,
    imagePullPolicy: "IfNotPresent",
    ...(w.args ? { args: w.args } : {}),
    ...(env.length > 0 ? { env } : {}),
    ports: w.ports.map((p) => ({ name: p.name, containerPort: p.port, protocol: "TCP" })),
    resources: {
      requests: { cpu: formatCpu(w.component.cpu), memory: formatBytes(w.component.memory) },
      limits: { memory: formatBytes(w.component.memory) },
    },
    livenessProbe: { httpGet: get(w.health.liveness), periodSeconds: 10, timeoutSeconds: 1, failureThreshold: 3 },
    readinessProbe: { httpGet: get(w.health.readiness), periodSeconds: 5, timeoutSeconds: 1, failureThreshold: 3 },
    startupProbe: {
      httpGet: get(w.health.readiness),
      periodSeconds: startupPeriod,
      timeoutSeconds: 1,
      failureThreshold: Math.ceil(budget / startupPeriod),
    },
    securityContext: containerSecurityContext(lockedDown(w.user)),
    volumeMounts: [{ name: "tmp", mountPath: "/tmp" }, ...(w.mounts ?? [])],
  };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: meta,
    spec: {
      replicas,
      revisionHistoryLimit: 5,
      selector: { matchLabels: selectorLabels(platform, w.name) },
      strategy: w.recreate
        ? { type: "Recreate" }
        : { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: { labels: { ...meta.labels } },
        spec: {
          ...(w.serviceAccount ? { serviceAccountName: objectName(platform, w.name) } : {}),
          automountServiceAccountToken: w.serviceAccount ?? false,
          priorityClassName: monitoringPriorityClassName(platform),
          // Two replicas on one node are one failure: spread them when the nodes allow it.
          ...(replicas > 1
            ? {
                affinity: {
                  podAntiAffinity: {
                    preferredDuringSchedulingIgnoredDuringExecution: [
                      {
                        weight: 100,
                        podAffinityTerm: {
                          topologyKey: "kubernetes.io/hostname",
                          labelSelector: { matchLabels: selectorLabels(platform, w.name) },
                        },
                      },
                    ],
                  },
                },
              }
            : {}),
          securityContext: podSecurityContext(lockedDown(w.user)),
          containers: [container],
          volumes: [{ name: "tmp", emptyDir: { sizeLimit: "64Mi" } }, ...(w.volumes ?? [])],
        },
      },
    },
  };
}

export function workloadService(
  platform: Platform,
  name: string,
  selectorName: string,
  ports: { name: string; port: number }[],
): KubeService {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: metadata(platform, name, { component: "monitoring", labelName: selectorName }),
    spec: {
      type: "ClusterIP",
      selector: selectorLabels(platform, selectorName),
      ports: ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.name, protocol: "TCP" })),
    },
  };
}
