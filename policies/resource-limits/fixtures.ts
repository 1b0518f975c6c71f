import type { KubeObjectLike } from "../builders.ts";
import { container, deployment, job, resourced } from "../builders.ts";

export const allow: KubeObjectLike[] = [
  deployment({ name: "guaranteed-ull" }),
  deployment({
    name: "burstable-standard",
    tier: "standard",
    spec: { containers: [resourced({ cpu: "250m", memory: "256Mi" }, { memory: "512Mi" })] },
  }),
  deployment({
    name: "limits-default-requests",
    tier: "standard",
    spec: { containers: [resourced(undefined, { cpu: "1", memory: "512Mi" })] },
  }),
];

export const deny: KubeObjectLike[] = [
  deployment({ name: "no-resources", tier: "standard", spec: { containers: [container({ resources: {} })] } }),
  deployment({
    name: "no-memory-limit",
    tier: "high-performance",
    spec: { containers: [resourced({ cpu: "1", memory: "1Gi" }, { cpu: "1" })] },
  }),
  deployment({
    name: "no-cpu-request",
    tier: "standard",
    spec: { containers: [resourced({ memory: "256Mi" }, { memory: "256Mi" })] },
  }),
  job({
    name: "init-without-resources",
    tier: "standard",
    spec: { initContainers: [container({ name: "migrate", resources: {} })] },
  }),
];
