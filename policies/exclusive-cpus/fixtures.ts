import type { KubeObjectLike } from "../builders.ts";
import { daemonSet, deployment, pod, resourced, ullDeployment } from "../builders.ts";

export const allow: KubeObjectLike[] = [
  ullDeployment(
    { containers: [resourced({ cpu: "2", memory: "1Gi" }, { cpu: "2", memory: "1Gi" })] },
    "two-whole-cpus",
  ),
  ullDeployment(
    { containers: [resourced({ cpu: "2000m", memory: "1Gi" }, { cpu: "2000m", memory: "1Gi" })] },
    "whole-cpus-in-millicores",
  ),
  ullDeployment(
    { containers: [resourced(undefined, { cpu: "3", memory: "2Gi" })] },
    "whole-cpu-limit-defaults-the-request",
  ),
  deployment({
    name: "fractional-outside-the-tier",
    tier: "high-performance",
    spec: { containers: [resourced({ cpu: "1500m", memory: "512Mi" }, { cpu: "1500m", memory: "512Mi" })] },
  }),
  daemonSet({ name: "whole-cpu-daemonset" }),
];

export const deny: KubeObjectLike[] = [
  ullDeployment(
    { containers: [resourced({ cpu: "1500m", memory: "512Mi" }, { cpu: "1500m", memory: "512Mi" })] },
    "position-keeper-1500m",
  ),
  ullDeployment(
    { containers: [resourced({ cpu: "0.5", memory: "512Mi" }, { cpu: "0.5", memory: "512Mi" })] },
    "half-a-cpu",
  ),
  ullDeployment({ containers: [resourced({ memory: "1Gi" }, { memory: "1Gi" })] }, "no-cpu-at-all"),
  ullDeployment(
    {
      containers: [
        resourced({ cpu: "2", memory: "1Gi" }, { cpu: "2", memory: "1Gi" }, "main"),
        resourced({ cpu: "250m", memory: "64Mi" }, { cpu: "250m", memory: "64Mi" }, "sidecar"),
      ],
    },
    "fractional-sidecar",
  ),
  pod({
    name: "fractional-pod",
    spec: { containers: [resourced({ cpu: "2500m", memory: "1Gi" }, { cpu: "2500m", memory: "1Gi" })] },
  }),
];
