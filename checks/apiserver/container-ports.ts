/**
 * container-ports: port names are unique within a pod and valid IANA service names (≤15
 * characters), containerPort is 1-65535, hostPort 0-65535, protocol TCP, UDP or SCTP
 * (`validateContainerPorts`). Names matter because Services and probes refer to ports by name.
 */
import type { Finding } from "../../core/finding.ts";
import { joinPath } from "../../core/field-path.ts";
import { asArray, containersOf, finding, isObject, podTemplateOf, type ApiServerRule } from "./context.ts";
import { ianaServiceName } from "../../core/k8s/names.ts";

const PROTOCOLS = new Set(["TCP", "UDP", "SCTP"]);

export const containerPorts: ApiServerRule = {
  id: "container-ports",
  description:
    "container port names are unique in the pod and at most 15 characters; port numbers and protocols are valid",
  severity: "error",
  run(input) {
    const out: Finding[] = [];
    for (const o of input.objects) {
      const t = podTemplateOf(o);
      if (!t) continue;
      const names = new Map<string, string>();
      for (const { container, path } of containersOf(t)) {
        asArray(container.ports).forEach((p, i) => {
          if (!isObject(p)) return;
          const at = joinPath(joinPath(path, "ports"), i);
          if (typeof p.name === "string") {
            const problems = ianaServiceName(p.name);
            if (problems.length)
              out.push(
                finding(
                  this,
                  input,
                  o,
                  joinPath(at, "name"),
                  `port name "${p.name}" is not a valid IANA service name: ${problems.join("; ")}`,
                  'use at most 15 lower-case letters, digits and \'-\', e.g. "http-metrics" → "metrics"',
                ),
              );
            const first = names.get(p.name);
            if (first)
              out.push(
                finding(
                  this,
                  input,
                  o,
                  joinPath(at, "name"),
                  `port name "${p.name}" is already used by ${first}; port names must be unique within a pod`,
                ),
              );
            else names.set(p.name, at);
          }
          if (
            typeof p.containerPort === "number" &&
            (!Number.isInteger(p.containerPort) || p.containerPort < 1 || p.containerPort > 65535)
          ) {
            out.push(
              finding(
                this,
                input,
                o,
                joinPath(at, "containerPort"),
                `containerPort ${p.containerPort} must be between 1 and 65535`,
              ),
            );
          }
          if (
            typeof p.hostPort === "number" &&
            (!Number.isInteger(p.hostPort) || p.hostPort < 0 || p.hostPort > 65535)
          ) {
            out.push(
              finding(
                this,
                input,
                o,
                joinPath(at, "hostPort"),
                `hostPort ${p.hostPort} must be between 1 and 65535 (or unset)`,
              ),
            );
          }
          if (p.protocol !== undefined && (typeof p.protocol !== "string" || !PROTOCOLS.has(p.protocol))) {
            out.push(
              finding(
                this,
                input,
                o,
                joinPath(at, "protocol"),
                `protocol ${JSON.stringify(p.protocol)} must be TCP, UDP or SCTP`,
              ),
            );
          }
        });
      }
    }
    return out;
  },
};
