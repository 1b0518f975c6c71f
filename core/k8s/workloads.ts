/** The pods a workload object runs, as plain data: what network policies select and what they admit. */
import type { KubeObject } from "../finding.ts";
import { isPlainObject } from "../plain.ts";

export interface ContainerPort {
  name?: string;
  port: number;
  protocol: string;
}

export interface WorkloadPods {
  /** The value of the id label (e.g. `app.kubernetes.io/name`), else the object's name. */
  id: string;
  namespace: string;
  labels: Record<string, string>;
  hostNetwork: boolean;
  ports: ContainerPort[];
}

/** One entry per workload pod template (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, Pod). */
export function workloadPods(objects: readonly KubeObject[], idLabel: string): WorkloadPods[] {
  const out: WorkloadPods[] = [];
  for (const o of objects) {
    const template = o.kind === "Pod" ? o : isPlainObject(o.spec) ? o.spec.template : undefined;
    if (!isPlainObject(template) || !isPlainObject(template.spec)) continue;
    if (!["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"].includes(o.kind)) continue;
    const meta = isPlainObject(template.metadata) ? template.metadata : {};
    const labels = (isPlainObject(meta.labels) ? meta.labels : {}) as Record<string, string>;
    const containers = Array.isArray(template.spec.containers) ? template.spec.containers : [];
    const ports: ContainerPort[] = containers.flatMap((c) =>
      isPlainObject(c) && Array.isArray(c.ports)
        ? c.ports.filter(isPlainObject).map((p) => ({
            ...(typeof p.name === "string" ? { name: p.name } : {}),
            port: Number(p.containerPort),
            protocol: typeof p.protocol === "string" ? p.protocol : "TCP",
          }))
        : [],
    );
    out.push({
      id: labels[idLabel] ?? o.metadata.name,
      namespace: o.metadata.namespace ?? "default",
      labels,
      hostNetwork: template.spec.hostNetwork === true,
      ports,
    });
  }
  return out;
}
