import type { Service as KubeService } from "kubernetes-types/core/v1.js";
import type { Platform } from "../schemas/platform.ts";
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
