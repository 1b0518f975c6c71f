/**
 * OpenTelemetry SDK settings for a service container, by the SDKs' standard environment variables:
 * traces go to the Jaeger collector over OTLP gRPC (said explicitly: SDKs default to http/protobuf, which the
 * gRPC port refuses), sampled at the tier's ratio (parent-based: a request that arrives sampled stays sampled),
 * tagged with the environment, tier and namespace under current semantic conventions
 * (`deployment.environment.name`; the tier under a valid attribute key, not the label key).
 * The environment comes from the environment ConfigMap through `$(NAUTILUS_ENVIRONMENT)`
 * (Kubernetes expands references to variables defined earlier in the list), so an overlay changes
 * one ConfigMap rather than every Deployment. Pure.
 */
import type { EnvVar } from "kubernetes-types/core/v1.js";
import type { ResolvedPlatform } from "../model/environments.ts";
import { RESOURCE_ATTRIBUTE } from "../core/conventions.ts";
import { samplingRatio } from "../schemas/stack.ts";
import { ENVIRONMENT_KEY, environmentConfigName } from "./environment-config.ts";
import { jaegerCollectorEndpoint, OTLP_PROTOCOL } from "./monitoring-jaeger.ts";

export const ENVIRONMENT_VAR = "NAUTILUS_ENVIRONMENT";

/** In dependency order: NAUTILUS_ENVIRONMENT must come before the variables that reference it. */
export function otelEnv(platform: ResolvedPlatform, serviceName: string): EnvVar[] {
  const svc = platform.services[serviceName];
  if (!svc) throw new Error(`otelEnv: unknown service ${JSON.stringify(serviceName)}`);
  const attributes = [
    `deployment.environment.name=$(${ENVIRONMENT_VAR})`,
    `${RESOURCE_ATTRIBUTE.tier}=${svc.tier}`,
    `service.namespace=${platform.namespace}`,
  ];
  return [
    {
      name: ENVIRONMENT_VAR,
      valueFrom: { configMapKeyRef: { name: environmentConfigName(platform), key: ENVIRONMENT_KEY } },
    },
    { name: "OTEL_EXPORTER_OTLP_ENDPOINT", value: jaegerCollectorEndpoint(platform) },
    { name: "OTEL_EXPORTER_OTLP_PROTOCOL", value: OTLP_PROTOCOL },
    { name: "OTEL_RESOURCE_ATTRIBUTES", value: attributes.join(",") },
    { name: "OTEL_SERVICE_NAME", value: serviceName },
    { name: "OTEL_TRACES_SAMPLER", value: "parentbased_traceidratio" },
    { name: "OTEL_TRACES_SAMPLER_ARG", value: String(samplingRatio(platform.monitoring.tracing, svc.tier)) },
  ];
}
