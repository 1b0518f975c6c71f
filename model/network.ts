/**
 * The communication graph of one (resolved) platform: every connection the platform needs, as edges between
 * workloads (by `app.kubernetes.io/name`), external endpoint sets and the cluster's own endpoints (DNS, the API
 * server, the Gateway controller). Business edges come from `network` in the config; the monitoring edges follow
 * from the monitoring components the config runs, so they are written once, here. Generators turn the edges into
 * NetworkPolicies; the reachability check proves the policies allow exactly these edges.
 */
import type { KubeObject } from "../core/finding.ts";
import { LABEL } from "../core/conventions.ts";
import { workloadPods, type WorkloadPods } from "../core/k8s/workloads.ts";
import type { Platform } from "../schemas/platform.ts";
import { SMOKE_PORT, smokePaths } from "./deploy.ts";

export type Endpoint =
  /** The pods of one of our workloads, selected by `app.kubernetes.io/name`. */
  | { kind: "workload"; name: string }
  /** A named external endpoint set of `network.external`. */
  | { kind: "external"; name: string }
  | { kind: "api-server" }
  /** kube-dns pods in kube-system (and NodeLocal DNSCache when configured). */
  | { kind: "dns" }
  /** The Gateway or Ingress controller's pods, in `network.gateway.controllerNamespace`. */
  | { kind: "gateway" }
  /** The cluster's Prometheus (prometheus-operator mode), in `network.clusterPrometheus.namespace`. */
  | { kind: "cluster-prometheus" };

export interface Edge {
  from: Endpoint;
  to: Endpoint;
  /** A container port name of the destination workload, or the port numbers of an external endpoint. */
  port: string | number;
  protocol: "TCP" | "UDP";
  /** The config path that declares the edge, for findings. */
  path: string;
  /** Why the edge exists, for the report. */
  why: string;
}

/** Monitoring workloads and their container port names (monitoring generators name their ports the same). */
export const MONITORING = {
  prometheus: { name: "prometheus", web: "web" },
  alertmanager: { name: "alertmanager", web: "web", cluster: "cluster", clusterUdp: "cluster-udp" },
  grafana: { name: "grafana" },
  jaeger: { name: "jaeger", otlpGrpc: "otlp-grpc", otlpHttp: "otlp-http", query: "query" },
  adapter: { name: "prometheus-adapter", https: "https" },
  kubeStateMetrics: { name: "kube-state-metrics", metrics: "http-metrics", telemetry: "telemetry" },
} as const;

export const DNS_PORT = 53;

const workload = (name: string): Endpoint => ({ kind: "workload", name });

/** Every edge of the platform, in a stable order. */
export function networkEdges(platform: Platform): Edge[] {
  const net = platform.network;
  const edges: Edge[] = [];
  for (const [name, svc] of Object.entries(net.services)) {
    for (const [i, e] of svc.talksTo.entries())
      edges.push({
        from: workload(name),
        to: workload(e.service),
        port: e.port,
        protocol: "TCP",
        path: `network.services.${name}.talksTo[${i}]`,
        why: "declared",
      });
    for (const [i, set] of svc.reaches.entries())
      edges.push(...externalEdges(platform, workload(name), set, `network.services.${name}.reaches[${i}]`));
  }
  for (const [name, e] of Object.entries(net.expose))
    edges.push({
      from: { kind: "gateway" },
      to: workload(name),
      port: e.port,
      protocol: "TCP",
      path: `network.expose.${name}`,
      why: `clients via ${e.via === "gateway" ? "Gateway" : "Ingress"} ${e.hostname}`,
    });
  edges.push(...smokeEdges(platform));
  edges.push(...monitoringEdges(platform));
  return edges;
}

/**
 * `platform deploy` checks each service through the API server's service proxy, so the API server opens a
 * connection to the service's pods: on the smoke-checked port only, and only to services that have a path to check.
 */
function smokeEdges(platform: Platform): Edge[] {
  return Object.keys(platform.services).flatMap((name): Edge[] => {
    if (smokePaths(platform, name).length === 0) return [];
    const readiness = platform.services[name]?.probes?.readiness.path !== undefined;
    return [
      {
        from: { kind: "api-server" },
        to: workload(name),
        port: SMOKE_PORT,
        protocol: "TCP",
        path: readiness ? `services.${name}.probes.readiness.path` : `gitops.smoke.${name}`,
        why: "deploy smoke check through the API server's service proxy",
      },
    ];
  });
}

function externalEdges(platform: Platform, from: Endpoint, set: string, path: string): Edge[] {
  const ext = platform.network.external[set];
  if (!ext) return [];
  return ext.ports.map((port) => ({
    from,
    to: { kind: "external", name: set },
    port,
    protocol: ext.protocol,
    path,
    why: ext.description,
  }));
}

/** The connections the monitoring stack needs; only components the config runs appear. */
function monitoringEdges(platform: Platform): Edge[] {
  const services = Object.keys(platform.services);
  const edges: Edge[] = [];
  const edge = (from: Endpoint, to: Endpoint, port: string | number, why: string, protocol: "TCP" | "UDP" = "TCP") =>
    edges.push({ from, to, port, protocol, path: "monitoring", why });
  const { prometheus: p, grafana: g, jaeger: j, adapter: a, kubeStateMetrics: ksm } = MONITORING;
  for (const s of services) edge(workload(s), workload(j.name), j.otlpGrpc, "traces (OTLP)");
  if (platform.monitoring.mode === "prometheus-operator") {
    // The cluster's Prometheus scrapes our PodMonitors' pods; its own egress is its namespace's business.
    for (const s of services)
      edges.push({
        from: { kind: "cluster-prometheus" },
        to: workload(s),
        port: "metrics",
        protocol: "TCP",
        path: "network.clusterPrometheus",
        why: "scrape (prometheus-operator)",
      });
    edges.push(...alertmanagerEdges(platform, { kind: "cluster-prometheus" }, "network.clusterPrometheus"));
    return edges;
  }
  for (const s of services) edge(workload(p.name), workload(s), "metrics", "scrape");
  for (const port of apiServerPorts(platform)) {
    edge(workload(p.name), { kind: "api-server" }, port, "service discovery, cluster job");
    edge(workload(a.name), { kind: "api-server" }, port, "delegated authentication and authorization");
    edge(workload(ksm.name), { kind: "api-server" }, port, "list and watch the objects it exports");
  }
  edge(workload(p.name), workload(ksm.name), ksm.metrics, "scrape object state");
  edges.push(...alertmanagerEdges(platform, workload(p.name), "monitoring"));
  edge(workload(g.name), workload(p.name), p.web, "dashboards");
  edge(workload(g.name), workload(j.name), j.query, "traces");
  edge(workload(a.name), workload(p.name), p.web, "custom metrics");
  edge({ kind: "api-server" }, workload(a.name), a.https, "custom.metrics.k8s.io APIService");
  return edges;
}

/** Alertmanager's connections in both modes: alerts from `prometheus`, gossip between replicas, receivers. */
function alertmanagerEdges(platform: Platform, prometheus: Endpoint, prometheusPath: string): Edge[] {
  const am = MONITORING.alertmanager;
  const edge = (from: Endpoint, port: string, why: string, protocol: "TCP" | "UDP" = "TCP", path = "monitoring") => ({
    from,
    to: workload(am.name),
    port,
    protocol,
    path,
    why,
  });
  const edges: Edge[] = [
    edge(prometheus, am.web, "alerts", "TCP", prometheusPath),
    edge(workload(am.name), am.cluster, "gossip"),
    edge(workload(am.name), am.clusterUdp, "gossip", "UDP"),
  ];
  for (const [i, set] of platform.network.alertmanagerReaches.entries()) {
    edges.push(...externalEdges(platform, workload(am.name), set, `network.alertmanagerReaches[${i}]`));
    // An e-mail receiver's mail server is among the receivers' addresses, on its own SMTP port.
    const ext = platform.network.external[set];
    for (const [name, r] of Object.entries(platform.monitoring.alerting.receivers))
      if (r.kind === "email" && ext && !ext.ports.includes(r.smtp.port))
        edges.push({
          from: workload(am.name),
          to: { kind: "external", name: set },
          port: r.smtp.port,
          protocol: "TCP",
          path: `monitoring.alerting.receivers.${name}.smtp.port`,
          why: `SMTP for the e-mail receiver ${name}`,
        });
  }
  return edges;
}

/**
 * The pods the platform runs, by `app.kubernetes.io/name`: those of its workload objects, and those
 * prometheus-operator makes of an `Alertmanager` (a StatefulSet we never see), with the operator's ports under the
 * names the standalone Alertmanager gives them (web 9093, gossip 9094 over TCP and UDP).
 */
export function platformPods(objects: readonly KubeObject[]): WorkloadPods[] {
  const am = MONITORING.alertmanager;
  const operated = objects
    .filter((o) => o.kind === "Alertmanager" && o.apiVersion.startsWith("monitoring.coreos.com/"))
    .map((o): WorkloadPods => {
      const podLabels = (o.spec as { podMetadata?: { labels?: Record<string, string> } } | undefined)?.podMetadata
        ?.labels;
      const labels = { ...podLabels, alertmanager: o.metadata.name, [LABEL.name]: am.name };
      return {
        id: labels[LABEL.name],
        namespace: o.metadata.namespace ?? "default",
        labels,
        hostNetwork: false,
        ports: [
          { name: am.web, port: OPERATOR_ALERTMANAGER_PORTS.web, protocol: "TCP" },
          { name: am.cluster, port: OPERATOR_ALERTMANAGER_PORTS.mesh, protocol: "TCP" },
          { name: am.clusterUdp, port: OPERATOR_ALERTMANAGER_PORTS.mesh, protocol: "UDP" },
        ],
      };
    });
  return [...workloadPods(objects, LABEL.name), ...operated];
}

/** The ports prometheus-operator gives an Alertmanager's pods (its `web` and `mesh-tcp`/`mesh-udp`). */
const OPERATOR_ALERTMANAGER_PORTS = { web: 9093, mesh: 9094 } as const;

/** The API server's addresses: as configured, else the node subnets (a control plane on the nodes). */
export function apiServerCidrs(platform: Platform): string[] {
  return platform.network.apiServer?.cidrs ?? platform.network.nodeCidrs;
}

export function apiServerPorts(platform: Platform): number[] {
  return platform.network.apiServer?.ports ?? [443, 6443];
}

/** The addresses host-network pods present to a policy: node addresses, and tunnel addresses on overlays. */
export function hostNetworkCidrs(platform: Platform): string[] {
  const cni = platform.network.cni;
  return [...platform.network.nodeCidrs, ...(cni.plugin === "calico" ? cni.tunnelCidrs : [])];
}

export function endpointName(e: Endpoint): string {
  switch (e.kind) {
    case "workload":
    case "external":
      return e.name;
    case "api-server":
      return "kube-apiserver";
    case "dns":
      return "kube-dns";
    case "gateway":
      return "gateway-controller";
    case "cluster-prometheus":
      return "cluster-prometheus";
  }
}

/** An edge with its destination port as a number, resolved on the generated pods. */
export interface ResolvedEdge extends Edge {
  portNumber: number;
  /** Where the source and destination pods run, when they are workloads. */
  fromPods?: WorkloadPods;
  toPods?: WorkloadPods;
}

/**
 * The edges whose ends exist among `objects`, with port numbers: a workload's named port is looked up on its pod
 * template. Edges to a workload the environment does not run (e.g. Prometheus under the operator) are dropped.
 */
export function resolveEdges(platform: Platform, objects: readonly KubeObject[]): ResolvedEdge[] {
  const pods = new Map(platformPods(objects).map((w) => [w.id, w]));
  const out: ResolvedEdge[] = [];
  for (const e of networkEdges(platform)) {
    const fromPods = e.from.kind === "workload" ? pods.get(e.from.name) : undefined;
    const toPods = e.to.kind === "workload" ? pods.get(e.to.name) : undefined;
    if ((e.from.kind === "workload" && !fromPods) || (e.to.kind === "workload" && !toPods)) continue;
    if (e.from.kind === "gateway" && !platform.network.gateway) continue;
    const portNumber =
      typeof e.port === "number"
        ? e.port
        : toPods?.ports.find((p) => p.name === e.port && p.protocol === e.protocol)?.port;
    if (portNumber === undefined) continue;
    out.push({ ...e, portNumber, ...(fromPods ? { fromPods } : {}), ...(toPods ? { toPods } : {}) });
  }
  return out;
}
