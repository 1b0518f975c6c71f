/**
 * container-ports: port names are unique within a pod and valid IANA service names (≤15
 * characters), containerPort is 1-65535, hostPort 0-65535, protocol TCP, UDP or SCTP
 * (`validateContainerPorts`). Names matter because Services and probes refer to ports by name.
 */
import { joinPath } from "../../core/field-path.ts";
import { asArray, containersOf, eachObject, isObject, podTemplateOf } from "./context.ts";
import type { ObjectCheck } from "../check.ts";
import { ianaServiceName } from "../../core/k8s/names.ts";

const PROTOCOLS = new Set(["TCP", "UDP", "SCTP"]);

export const containerPorts: ObjectCheck = {
  id: "apiserver/container-ports",
  needs: "objects",
  description:
    "Container port names are unique in the pod and at most 15 characters; port numbers and protocols are valid.",
  severity: "error",
  doc: {
    catches:
      "Container port names that repeat within a pod or are not IANA service names (at most 15 " +
      "lower-case alphanumerics and '-'), containerPort outside 1-65535, hostPort outside " +
      "0-65535, and protocols other than TCP, UDP and SCTP.",
    why:
      "The API server rejects the pod (`validateContainerPorts`). Names matter beyond that: " +
      "Services and probes refer to ports by name, and a duplicate name makes the reference " +
      "ambiguous.",
    fix: "Give every port of the pod its own short name (`http`, `metrics`) and a valid number.",
    example: {
      manifests: `apiVersion: v1
kind: Pod
metadata: { name: order-manager, namespace: nautilus-trading }
spec:
  containers:
    - name: order-manager
      image: registry.nautilus.io/order-manager:2.0.1
      ports: [{ name: http, containerPort: 8080 }]
    - name: metrics-sidecar
      image: registry.nautilus.io/metrics-sidecar:0.3.0
      ports: [{ name: http, containerPort: 9090 }]
`,
    },
  },
  run(ctx) {
    return eachObject(this, ctx, (o, report) => {
      const t = podTemplateOf(o);
      if (!t) return;
      const names = new Map<string, string>();
      for (const { container, path } of containersOf(t)) {
        asArray(container.ports).forEach((p, i) => {
          if (!isObject(p)) return;
          const at = joinPath(joinPath(path, "ports"), i);
          if (typeof p.name === "string") {
            const problems = ianaServiceName(p.name);
            if (problems.length)
              report(
                joinPath(at, "name"),
                `port name "${p.name}" is not a valid IANA service name: ${problems.join("; ")}`,
                'use at most 15 lower-case letters, digits and \'-\', e.g. "http-metrics" → "metrics"',
              );
            const first = names.get(p.name);
            if (first)
              report(
                joinPath(at, "name"),
                `port name "${p.name}" is already used by ${first}; port names must be unique within a pod`,
              );
            else names.set(p.name, at);
          }
          if (
            typeof p.containerPort === "number" &&
            (!Number.isInteger(p.containerPort) || p.containerPort < 1 || p.containerPort > 65535)
          ) {
            report(joinPath(at, "containerPort"), `containerPort ${p.containerPort} must be between 1 and 65535`);
          }
          if (
            typeof p.hostPort === "number" &&
            (!Number.isInteger(p.hostPort) || p.hostPort < 0 || p.hostPort > 65535)
          ) {
            report(joinPath(at, "hostPort"), `hostPort ${p.hostPort} must be between 1 and 65535 (or unset)`);
          }
          if (p.protocol !== undefined && (typeof p.protocol !== "string" || !PROTOCOLS.has(p.protocol))) {
            report(joinPath(at, "protocol"), `protocol ${JSON.stringify(p.protocol)} must be TCP, UDP or SCTP`);
          }
        });
      }
    });
  },
};
