import type {
  HorizontalPodAutoscaler,
  HorizontalPodAutoscalerBehavior,
  HPAScalingRules,
  MetricSpec,
} from "kubernetes-types/autoscaling/v2.js";
import type { Platform } from "../schemas/platform.ts";
import { metadata } from "./meta.ts";
import { objectName } from "../model/names.ts";

type ScalingPolicy = NonNullable<NonNullable<Platform["services"][string]["scaling"]>["scaleUp"]>;

export function horizontalPodAutoscalers(platform: Platform): HorizontalPodAutoscaler[] {
  return Object.entries(platform.services).flatMap(([name, svc]) => {
    const s = svc.scaling;
    if (!s) return [];
    const metrics: MetricSpec[] = [];
    if (s.cpuUtilization)
      metrics.push({
        type: "Resource",
        resource: { name: "cpu", target: { type: "Utilization", averageUtilization: s.cpuUtilization } },
      });
    if (s.memoryUtilization)
      metrics.push({
        type: "Resource",
        resource: { name: "memory", target: { type: "Utilization", averageUtilization: s.memoryUtilization } },
      });
    for (const c of s.custom) {
      metrics.push({
        type: "Pods",
        pods: { metric: { name: c.metric }, target: { type: "AverageValue", averageValue: String(c.averageValue) } },
      });
    }
    const behavior: HorizontalPodAutoscalerBehavior = {};
    if (s.scaleUp) behavior.scaleUp = rules(s.scaleUp);
    if (s.scaleDown) behavior.scaleDown = rules(s.scaleDown);
    const hpa: HorizontalPodAutoscaler = {
      apiVersion: "autoscaling/v2",
      kind: "HorizontalPodAutoscaler",
      metadata: metadata(platform, name, { component: "service", tier: svc.tier }),
      spec: {
        scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: objectName(platform, name) },
        minReplicas: s.minReplicas,
        maxReplicas: s.maxReplicas,
        metrics,
        ...(Object.keys(behavior).length > 0 ? { behavior } : {}),
      },
    };
    return [hpa];
  });
}

function rules(p: ScalingPolicy): HPAScalingRules {
  const policies: NonNullable<HPAScalingRules["policies"]> = [];
  if (p.percent) policies.push({ type: "Percent", value: p.percent, periodSeconds: Math.round(p.period) });
  if (p.pods) policies.push({ type: "Pods", value: p.pods, periodSeconds: Math.round(p.period) });
  return {
    ...(p.stabilization !== undefined ? { stabilizationWindowSeconds: Math.round(p.stabilization) } : {}),
    ...(policies.length > 0 ? { selectPolicy: "Max", policies } : {}),
  };
}
