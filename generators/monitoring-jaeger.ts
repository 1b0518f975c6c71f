/**
 * Jaeger all-in-one, receiving OTLP from the services (gRPC 4317, HTTP 4318) and serving its query
 * UI and API on 16686 for Grafana. Traces are kept in memory: a restart loses them, which suits a
 * debugging aid; durable storage is a separate decision.
 *
 * The memory store is unbounded unless MEMORY_MAX_TRACES is set: it is sized from the memory limit
 * (`jaegerMaxTraces`: a share of it over the average trace size), and GOMEMLIMIT makes the Go runtime collect
 * before the kernel kills. This is Jaeger v1 (end of life) kept on purpose: the bound is two environment
 * variables, while v2 is a new image with its own collector configuration to write and test; its memory store
 * takes the same number (`memory.max_traces`) when the image moves. Pure.
 */
import type { KubeObject } from "../core/finding.ts";
import type { Platform } from "../schemas/platform.ts";
import { objectName } from "../model/names.ts";
import { jaegerMaxTraces } from "../schemas/stack.ts";
import { workload, workloadService } from "./monitoring-workload.ts";

const NAME = "jaeger";
/** The image's own non-root user. */
const USER = 10001;
export const JAEGER_PORTS = { otlpGrpc: 4317, otlpHttp: 4318, query: 16686, admin: 14269 } as const;

/** The protocol the collector endpoint's port speaks; SDKs default to http/protobuf, so it is always said. */
export const OTLP_PROTOCOL = "grpc";

/** The OTLP gRPC endpoint services export to. */
export function jaegerCollectorEndpoint(platform: Platform): string {
  return `http://${objectName(platform, `${NAME}-collector`)}.${platform.namespace}.svc:${JAEGER_PORTS.otlpGrpc}`;
}

/** The query API Grafana's Jaeger data source reads. */
export function jaegerQueryUrl(platform: Platform): string {
  return `http://${objectName(platform, `${NAME}-query`)}.${platform.namespace}.svc:${JAEGER_PORTS.query}`;
}

/** The Go runtime's soft limit, under the container's hard one: headroom for what the runtime cannot reclaim. */
const GO_MEMORY_SHARE = 0.9;

export function jaegerObjects(platform: Platform): KubeObject[] {
  const component = platform.monitoring.components.jaeger;
  const deployment = workload(platform, {
    name: NAME,
    component,
    user: USER,
    ports: [
      { name: "otlp-grpc", port: JAEGER_PORTS.otlpGrpc },
      { name: "otlp-http", port: JAEGER_PORTS.otlpHttp },
      { name: "query", port: JAEGER_PORTS.query },
      { name: "admin", port: JAEGER_PORTS.admin },
    ],
    health: { port: "admin", liveness: "/", readiness: "/" },
    env: {
      COLLECTOR_OTLP_ENABLED: "true",
      SPAN_STORAGE_TYPE: "memory",
      MEMORY_MAX_TRACES: String(jaegerMaxTraces(component.memory, platform.monitoring.tracing)),
      GOMEMLIMIT: `${Math.floor((component.memory * GO_MEMORY_SHARE) / 2 ** 20)}MiB`,
    },
  });
  return [
    deployment,
    workloadService(platform, `${NAME}-collector`, NAME, [
      { name: "otlp-grpc", port: JAEGER_PORTS.otlpGrpc },
      { name: "otlp-http", port: JAEGER_PORTS.otlpHttp },
    ]),
    workloadService(platform, `${NAME}-query`, NAME, [{ name: "query", port: JAEGER_PORTS.query }]),
  ] as KubeObject[];
}
