import type { KubeObjectLike } from "../builders.ts";
import { container, deployment, job, pod, resourced, statefulSet, ullDeployment } from "../builders.ts";

export const allow: KubeObjectLike[] = [
  ullDeployment({}, "requests-equal-limits"),
  ullDeployment(
    { containers: [resourced({ cpu: "2000m", memory: "1024Mi" }, { cpu: "2", memory: "1Gi" })] },
    "equal-as-quantities-2000m-and-2",
  ),
  ullDeployment(
    { containers: [resourced(undefined, { cpu: "2", memory: "1Gi" })] },
    "requests-left-out-default-to-limits",
  ),
  ullDeployment(
    {
      containers: [
        resourced(
          { cpu: "2", memory: "1Gi", "hugepages-2Mi": "512Mi" },
          { cpu: "2", memory: "1Gi", "hugepages-2Mi": "512Mi" },
        ),
      ],
    },
    "hugepages-beside-equal-cpu-and-memory",
  ),
  deployment({
    name: "burstable-outside-the-tier",
    tier: "high-performance",
    spec: { containers: [resourced({ cpu: "500m", memory: "256Mi" }, { memory: "512Mi" })] },
  }),
  statefulSet({ name: "guaranteed-statefulset" }),
  pod({ name: "guaranteed-pod" }),
];

export const deny: KubeObjectLike[] = [
  ullDeployment(
    { containers: [resourced({ cpu: "1", memory: "1Gi" }, { cpu: "2", memory: "1Gi" })] },
    "cpu-request-below-limit",
  ),
  ullDeployment(
    { containers: [resourced({ cpu: "2", memory: "512Mi" }, { cpu: "2", memory: "1Gi" })] },
    "memory-request-below-limit",
  ),
  ullDeployment({ containers: [resourced({ cpu: "2", memory: "1Gi" }, { memory: "1Gi" })] }, "no-cpu-limit"),
  ullDeployment({ containers: [container({ name: "no-resources", resources: {} })] }, "no-resources-at-all"),
  ullDeployment(
    { initContainers: [resourced({ cpu: "100m", memory: "64Mi" }, { memory: "64Mi" }, "init-burstable")] },
    "burstable-init-container",
  ),
  statefulSet({
    name: "burstable-statefulset",
    spec: { containers: [resourced({ cpu: "1", memory: "1Gi" }, { cpu: "2", memory: "2Gi" })] },
  }),
  job({ name: "burstable-job", spec: { containers: [resourced({ cpu: "1", memory: "1Gi" }, { memory: "1Gi" })] } }),
  pod({
    name: "burstable-pod",
    spec: { containers: [resourced({ cpu: "1500m", memory: "1Gi" }, { cpu: "2", memory: "1Gi" })] },
  }),
];
