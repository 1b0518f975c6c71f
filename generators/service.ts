import type { Service as KubeService } from "kubernetes-types/core/v1.js";
import type { Platform } from "../schemas/platform.ts";
import type { KubeObject } from "../core/finding.ts";
import { objectName } from "../model/names.ts";
import { metadata, selectorLabels } from "./meta.ts";

/** Stable in-cluster ports (the report's 8000 and 9090) whatever port the container listens on. */
export function services(platform: Platform): KubeService[] {
  return Object.entries(platform.services).map(([name, svc]) => ({
    apiVersion: "v1",
    kind: "Service",
    metadata: metadata(platform, name, { component: "service", tier: svc.tier }),
    spec: {
      type: "ClusterIP",
      selector: selectorLabels(platform, name),
      ports: [
        { name: "http", port: svc.ports.http, targetPort: "http", protocol: "TCP" },
        { name: "metrics", port: svc.ports.metrics, targetPort: "metrics", protocol: "TCP" },
      ],
    },
  }));
}

/**
 * What `network.expose` publishes: per exposed service a Gateway API `Gateway` (its listener, on the cluster's
 * GatewayClass) and `HTTPRoute`, or a networking.k8s.io `Ingress`. WebSocket upgrades pass through both.
 */
export function exposure(platform: Platform): KubeObject[] {
  const gw = platform.network.gateway;
  if (!gw) return [];
  return Object.entries(platform.network.expose).flatMap(([name, e]): KubeObject[] => {
    const svc = platform.services[name];
    if (!svc) return [];
    const meta = metadata(platform, name, { component: "service", tier: svc.tier }) as KubeObject["metadata"];
    const backend = { name: objectName(platform, name), port: svc.ports[e.port] };
    const tls = gw.tlsSecret !== undefined;
    if (e.via === "ingress")
      return [
        {
          apiVersion: "networking.k8s.io/v1",
          kind: "Ingress",
          metadata: meta,
          spec: {
            ingressClassName: gw.className,
            ...(tls ? { tls: [{ hosts: [e.hostname], secretName: gw.tlsSecret }] } : {}),
            rules: [
              {
                host: e.hostname,
                http: {
                  paths: [
                    {
                      path: e.path,
                      pathType: "Prefix",
                      backend: { service: { name: backend.name, port: { number: backend.port } } },
                    },
                  ],
                },
              },
            ],
          },
        },
      ];
    return [
      {
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "Gateway",
        metadata: meta,
        spec: {
          gatewayClassName: gw.className,
          listeners: [
            {
              name: tls ? "https" : "http",
              hostname: e.hostname,
              port: gw.listenerPort,
              protocol: tls ? "HTTPS" : "HTTP",
              ...(tls ? { tls: { mode: "Terminate", certificateRefs: [{ kind: "Secret", name: gw.tlsSecret }] } } : {}),
              allowedRoutes: { namespaces: { from: "Same" } },
            },
          ],
        },
      },
      {
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "HTTPRoute",
        metadata: meta,
        spec: {
          parentRefs: [{ name: meta.name }],
          hostnames: [e.hostname],
          rules: [{ matches: [{ path: { type: "PathPrefix", value: e.path } }], backendRefs: [backend] }],
        },
      },
    ];
  });
}
