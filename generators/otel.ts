/**
 * OpenTelemetry SDK settings for a service container, by the SDKs' standard environment variables:
 * traces go to the Jaeger collector over OTLP gRPC, tagged with the environment, tier and namespace.
 * The environment comes from the environment ConfigMap through `$(NAUTILUS_ENVIRONMENT)`
 * (Kubernetes expands references to variables defined earlier in the list), so an overlay changes
 * one ConfigMap rather than every Deployment. Pure.
 */
import type { EnvVar } from "kubernetes-types/core/v1.js";
import type { ResolvedPlatform } from "../model/environments.ts";
import { LABEL } from "../core/conventions.ts";
import { ENVIRONMENT_KEY, environmentConfigName } from "./environment-config.ts";
import { jaegerCollectorEndpoint } from "./monitoring-jaeger.ts";

export const ENVIRONMENT_VAR = "NAUTILUS_ENVIRONMENT";

/** In dependency order: NAUTILUS_ENVIRONMENT must come before the variables that reference it. */
export function otelEnv(platform: ResolvedPlatform, serviceName: string): EnvVar[] {
  const svc = platform.services[serviceName];
  if (!svc) throw new Error(`otelEnv: unknown service ${JSON.stringify(serviceName)}`);
  const attributes = [
    `deployment.environment=$(${ENVIRONMENT_VAR})`,
    `${LABEL.tier}=${svc.tier}`,
    `service.namespace=${platform.namespace}`,
  ];
  return [
    {
      name: ENVIRONMENT_VAR,
      valueFrom: { configMapKeyRef: { name: environmentConfigName(platform), key: ENVIRONMENT_KEY } },
    },
    { name: "OTEL_EXPORTER_OTLP_ENDPOINT", value: jaegerCollectorEndpoint(platform) },
    { name: "OTEL_RESOURCE_ATTRIBUTES", value: attributes.join(",") },
    { name: "OTEL_SERVICE_NAME", value: serviceName },
  ];
}
