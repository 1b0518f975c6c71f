/**
 * Builders for policy fixtures. Each returns an object that passes every policy in policies/;
 * a fixture overrides only what its scenario is about, so the scenario reads in one line.
 * Everything is typed with kubernetes-types: a misspelt field fails `tsc --noEmit`.
 */
import type { DaemonSet, Deployment, ReplicaSet, StatefulSet } from "kubernetes-types/apps/v1.js";
import type { CronJob, Job } from "kubernetes-types/batch/v1.js";
import type { ConfigMap, Container, Pod, PodSpec, PodTemplateSpec, Secret } from "kubernetes-types/core/v1.js";
import type { ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding } from "kubernetes-types/rbac/v1.js";
import { LABEL, TIER } from "../core/conventions.ts";
import { latencyParamData } from "../core/policy.ts";

/** PrometheusRule (monitoring.coreos.com/v1), only the fields the latency-alert policy reads. */
export interface PrometheusRule {
  apiVersion: "monitoring.coreos.com/v1";
  kind: "PrometheusRule";
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec: {
    groups: {
      name: string;
      interval?: string;
      rules: {
        alert?: string;
        record?: string;
        expr: string;
        for?: string;
        labels?: Record<string, string>;
        annotations?: Record<string, string>;
      }[];
    }[];
  };
}

export type KubeObjectLike =
  | Deployment
  | StatefulSet
  | DaemonSet
  | ReplicaSet
  | Job
  | CronJob
  | Pod
  | Secret
  | ConfigMap
  | Role
  | ClusterRole
  | RoleBinding
  | ClusterRoleBinding
  | PrometheusRule;

/**
 * A fixture of a policy with a paramKind, evaluated with its own param object instead of the fixtures' `params`
 * export; `params: null` is the case where the param object does not exist.
 */
export interface ParamFixture {
  object: KubeObjectLike;
  params: KubeObjectLike | null;
}

/**
 * A fixture of a request other than a CREATE: an UPDATE (or DELETE) of `oldObject`, the object as stored, to
 * `object`. What the Deployment controller does when it scales an old ReplicaSet.
 */
export interface RequestFixture {
  operation: "UPDATE" | "DELETE";
  object: KubeObjectLike;
  oldObject: KubeObjectLike;
}

export type Fixture = KubeObjectLike | ParamFixture | RequestFixture;

export const isParamFixture = (f: Fixture): f is ParamFixture => "object" in f && "params" in f;
export const isRequestFixture = (f: Fixture): f is RequestFixture => "object" in f && "oldObject" in f;

export const NAMESPACE = "nautilus-trading";
export const IMAGE = "registry.nautilus.io/risk-engine:1.4.2";

export type Tier = (typeof TIER)[keyof typeof TIER] | "standard";

/** A container that passes every policy: pinned image, Guaranteed whole-CPU resources, locked-down securityContext. */
export function container(overrides: Partial<Container> = {}): Container {
  return {
    name: "app",
    image: IMAGE,
    resources: { requests: { cpu: "2", memory: "1Gi" }, limits: { cpu: "2", memory: "1Gi" } },
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    },
    ...overrides,
  };
}

/** `container()` with only its resources replaced. */
export function resourced(
  requests: Record<string, string> | undefined,
  limits: Record<string, string> | undefined,
  name = "app",
): Container {
  const resources: Container["resources"] = {};
  if (requests) resources.requests = requests;
  if (limits) resources.limits = limits;
  return container({ name, resources });
}

export function podSpec(overrides: Partial<PodSpec> = {}): PodSpec {
  return {
    securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: "RuntimeDefault" } },
    containers: [container()],
    ...overrides,
  };
}

function template(name: string, tier: Tier, spec: PodSpec): PodTemplateSpec {
  return { metadata: { labels: { [LABEL.name]: name, [LABEL.tier]: tier } }, spec };
}

export interface WorkloadOptions {
  name?: string;
  tier?: Tier;
  spec?: Partial<PodSpec>;
}

export function deployment({
  name = "risk-engine",
  tier = TIER.ultraLowLatency,
  spec = {},
}: WorkloadOptions = {}): Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: NAMESPACE, labels: { [LABEL.name]: name, [LABEL.tier]: tier } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { [LABEL.name]: name } },
      template: template(name, tier, podSpec(spec)),
    },
  };
}

/** The ultra-low-latency Deployment of the seed: 2 whole CPUs, 1Gi, Guaranteed. */
export function ullDeployment(spec: Partial<PodSpec> = {}, name = "risk-engine"): Deployment {
  return deployment({ name, tier: TIER.ultraLowLatency, spec });
}

/** A ReplicaSet as the Deployment controller writes it, with `replicas` pods. */
export function replicaSet(
  { name = "risk-engine-7c9d5b", tier = TIER.ultraLowLatency, spec = {} }: WorkloadOptions = {},
  replicas = 2,
): ReplicaSet {
  return {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: { name, namespace: NAMESPACE, labels: { [LABEL.name]: name, [LABEL.tier]: tier } },
    spec: {
      replicas,
      selector: { matchLabels: { [LABEL.name]: name } },
      template: template(name, tier, podSpec(spec)),
    },
  };
}

/** The Deployment controller scaling `rs` to `replicas`: a full UPDATE whose pod template is unchanged. */
export function scaled(rs: ReplicaSet, replicas: number): RequestFixture {
  return { operation: "UPDATE", oldObject: rs, object: { ...rs, spec: { ...rs.spec!, replicas } } };
}

/** An UPDATE of `from` to `to` (a changed pod template, say). */
export function updated(from: KubeObjectLike, to: KubeObjectLike): RequestFixture {
  return { operation: "UPDATE", oldObject: from, object: to };
}

export function statefulSet({
  name = "position-keeper",
  tier = TIER.ultraLowLatency,
  spec = {},
}: WorkloadOptions = {}): StatefulSet {
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name, namespace: NAMESPACE },
    spec: {
      serviceName: name,
      selector: { matchLabels: { [LABEL.name]: name } },
      template: template(name, tier, podSpec(spec)),
    },
  };
}

export function daemonSet({
  name = "node-tuner",
  tier = TIER.ultraLowLatency,
  spec = {},
}: WorkloadOptions = {}): DaemonSet {
  return {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name, namespace: NAMESPACE },
    spec: { selector: { matchLabels: { [LABEL.name]: name } }, template: template(name, tier, podSpec(spec)) },
  };
}

export function job({ name = "warmup", tier = TIER.ultraLowLatency, spec = {} }: WorkloadOptions = {}): Job {
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name, namespace: NAMESPACE },
    spec: { template: template(name, tier, podSpec({ restartPolicy: "Never", ...spec })) },
  };
}

export function cronJob({ name = "eod-report", tier = "standard", spec = {} }: WorkloadOptions = {}): CronJob {
  return {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: { name, namespace: NAMESPACE },
    spec: {
      schedule: "0 22 * * 1-5",
      jobTemplate: { spec: { template: template(name, tier, podSpec({ restartPolicy: "OnFailure", ...spec })) } },
    },
  };
}

export function pod({ name = "order-manager-0", tier = TIER.ultraLowLatency, spec = {} }: WorkloadOptions = {}): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: NAMESPACE, labels: { [LABEL.name]: name, [LABEL.tier]: tier } },
    spec: podSpec(spec),
  };
}

export function secret(name: string, fields: Pick<Secret, "data" | "stringData"> = {}): Secret {
  return { apiVersion: "v1", kind: "Secret", metadata: { name, namespace: NAMESPACE }, type: "Opaque", ...fields };
}

const RBAC = "rbac.authorization.k8s.io/v1";

/** Read-only discovery of the platform's pods: what the rbac policy allows. */
export const READ_PODS: PolicyRule = { apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch"] };

export function role(name: string, rules: PolicyRule[] = [READ_PODS]): Role {
  return { apiVersion: RBAC, kind: "Role", metadata: { name, namespace: NAMESPACE }, rules };
}

export function clusterRole(name: string, rules: PolicyRule[] = [READ_PODS]): ClusterRole {
  return { apiVersion: RBAC, kind: "ClusterRole", metadata: { name }, rules };
}

const serviceAccount = { kind: "ServiceAccount", name: "prometheus", namespace: NAMESPACE };

export function roleBinding(name: string, roleRef: { kind: "Role" | "ClusterRole"; name: string }): RoleBinding {
  return {
    apiVersion: RBAC,
    kind: "RoleBinding",
    metadata: { name, namespace: NAMESPACE },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", ...roleRef },
    subjects: [serviceAccount],
  };
}

export function clusterRoleBinding(name: string, clusterRoleName: string): ClusterRoleBinding {
  return {
    apiVersion: RBAC,
    kind: "ClusterRoleBinding",
    metadata: { name },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: clusterRoleName },
    subjects: [serviceAccount],
  };
}

/**
 * The latency-alert policy's param as the generator writes it: the budget in seconds and the catalogue unit of each
 * latency metric (the real catalogue's names by default).
 */
export function latencyBudgetParams(
  budgetSeconds: number | undefined,
  units: Record<string, "seconds" | "microseconds"> = {
    nautilus_risk_check_latency_microseconds_p99: "microseconds",
    nautilus_integration_e2e_latency_microseconds_p99: "microseconds",
    nautilus_order_processing_duration_seconds: "seconds",
  },
): ConfigMap {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "nautilus-latency-budget", namespace: NAMESPACE },
    data: latencyParamData(
      budgetSeconds !== undefined ? { seconds: budgetSeconds, text: `${budgetSeconds * 1e6} µs` } : undefined,
      units,
    ),
  };
}

/** A PrometheusRule with one critical alert; `expr` is the scenario. */
export function latencyRule(
  name: string,
  expr: string,
  alert = "RiskEngineP99LatencyHigh",
  severity = "critical",
): PrometheusRule {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PrometheusRule",
    metadata: { name, namespace: NAMESPACE },
    spec: {
      groups: [
        {
          name: "nautilus-latency",
          rules: [
            { record: "nautilus:requests:rate1m", expr: "sum(rate(nautilus_requests_total[1m]))" },
            {
              alert,
              expr,
              for: "30s",
              labels: { severity, service: "risk-engine" },
              annotations: { summary: "p99 latency above its budget" },
            },
          ],
        },
      ],
    },
  };
}
