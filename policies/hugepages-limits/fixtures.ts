import type { KubeObjectLike } from "../builders.ts";
import { deployment, pod, resourced, ullDeployment } from "../builders.ts";

export const allow: KubeObjectLike[] = [
  ullDeployment(
    {
      containers: [
        resourced(
          { cpu: "2", memory: "1Gi", "hugepages-2Mi": "512Mi" },
          { cpu: "2", memory: "1Gi", "hugepages-2Mi": "512Mi" },
        ),
      ],
    },
    "hugepages-request-equals-limit",
  ),
  ullDeployment(
    {
      containers: [
        resourced(
          { cpu: "2", memory: "1Gi", "hugepages-1Gi": "2Gi" },
          { cpu: "2", memory: "1Gi", "hugepages-1Gi": "2048Mi" },
        ),
      ],
    },
    "equal-as-quantities-2Gi-and-2048Mi",
  ),
  deployment({ name: "no-hugepages", tier: "standard" }),
  pod({
    name: "hugepages-limit-only",
    spec: { containers: [resourced({ memory: "1Gi" }, { memory: "1Gi", "hugepages-2Mi": "256Mi" })] },
  }),
];

export const deny: KubeObjectLike[] = [
  ullDeployment(
    { containers: [resourced({ cpu: "2", memory: "1Gi", "hugepages-2Mi": "512Mi" }, { cpu: "2", memory: "1Gi" })] },
    "hugepages-request-without-limit",
  ),
  ullDeployment(
    {
      containers: [
        resourced(
          { cpu: "2", memory: "1Gi", "hugepages-2Mi": "256Mi" },
          { cpu: "2", memory: "1Gi", "hugepages-2Mi": "512Mi" },
        ),
      ],
    },
    "hugepages-request-below-limit",
  ),
  deployment({
    name: "hugepages-alone",
    tier: "standard",
    spec: { containers: [resourced({ "hugepages-2Mi": "512Mi" }, { "hugepages-2Mi": "512Mi" })] },
  }),
];
