/**
 * Jaeger all-in-one, receiving OTLP from the services (gRPC 4317, HTTP 4318) and serving its query
 * UI and API on 16686 for Grafana. Traces are kept in memory: a restart loses them, which suits a
 * debugging aid; durable storage is a separate decision. Pure.
 */
import type { KubeObject } from "../core/finding.ts";
import type { Platform } from "../schemas/platform.ts";
import { objectName } from "../model/names.ts";
import { workload, workloadService } from "./monitoring-workload.ts";

const NAME = "jaeger";
/** The image's own non-root user. */
const USER = 10001;
export const JAEGER_PORTS = { otlpGrpc: 4317, otlpHttp: 4318, query: 16686, admin: 14269 } as const;

/** The OTLP gRPC endpoint services export to. */
export function jaegerCollectorEndpoint(platform: Platform): string {
  return `http://${objectName(platform, `${NAME}-collector`)}.${platform.namespace}.svc:${JAEGER_PORTS.otlpGrpc}`;
}

/** The query API Grafana's Jaeger data source reads. */
export function jaegerQueryUrl(platform: Platform): string {
  return `http://${objectName(platform, `${NAME}-query`)}.${platform.namespace}.svc:${JAEGER_PORTS.query}`;
}

export function jaegerObjects(platform: Platform): KubeObject[] {
  const deployment = workload(platform, {
    name: NAME,
    component: platform.monitoring.components.jaeger,
    user: USER,
    ports: [
      { name: "otlp-grpc", port: JAEGER_PORTS.otlpGrpc },
      { name: "otlp-http", port: JAEGER_PORTS.otlpHttp },
      { name: "query", port: JAEGER_PORTS.query },
      { name: "admin", port: JAEGER_PORTS.admin },
    ],
    health: { port: "admin", liveness: "/", readiness: "/" },
    env: { COLLECTOR_OTLP_ENABLED: "true", SPAN_STORAGE_TYPE: "memory" },
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
