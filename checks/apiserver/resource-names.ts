/**
 * resource-names: container resource names the API server accepts (`validateContainerResourceName`):
 * cpu, memory, ephemeral-storage, hugepages-<quantity>, or a domain-prefixed extended resource
 * (`example.com/gpu`) outside the kubernetes.io domain. Extended resources must be whole numbers,
 * and cannot be overcommitted (request equals limit when both are set).
 */
import { compareQuantities, isInteger, parseQuantity } from "../../core/k8s/quantity.ts";
import { eachObject } from "./context.ts";
import type { ObjectCheck } from "../check.ts";
import { containerResources, resourcePath, show } from "./resources.ts";
import { isQualifiedName } from "../../core/k8s/names.ts";

const STANDARD = new Set(["cpu", "memory", "ephemeral-storage"]);

/** Why a container resource name is invalid, or undefined. */
export function resourceNameProblem(name: string): string | undefined {
  if (STANDARD.has(name)) return undefined;
  if (name.startsWith("hugepages-")) {
    const size = parseQuantity(name.slice("hugepages-".length));
    return size && size.num > 0n
      ? undefined
      : `"${name}" does not name a page size (use hugepages-2Mi or hugepages-1Gi)`;
  }
  if (name === "storage")
    return `"storage" is a volume resource (PersistentVolumeClaim); containers request ephemeral-storage`;
  if (!name.includes("/"))
    return (
      `"${name}" is not a standard container resource (cpu, memory, ephemeral-storage, hugepages-<size>) ` +
      `and has no domain prefix for an extended resource`
    );
  if (!isQualifiedName(name)) return `"${name}" is not a valid qualified name (example.com/resource)`;
  const domain = name.split("/")[0]!;
  if (domain === "kubernetes.io" || domain.endsWith(".kubernetes.io"))
    return `"${name}" uses the reserved kubernetes.io domain`;
  if (name.startsWith("requests.")) return `"${name}" must not start with "requests."`;
  return undefined;
}

export const resourceNames: ObjectCheck = {
  id: "apiserver/resource-names",
  needs: "objects",
  description:
    "Container resources are cpu, memory, ephemeral-storage, hugepages-<size> or domain-prefixed extended resources.",
  severity: "error",
  doc: {
    catches:
      "Container resource names the API server refuses: anything but cpu, memory, " +
      "ephemeral-storage and `hugepages-<size>` without a domain prefix (`gpu` instead of " +
      "`nvidia.com/gpu`), `storage` (a volume resource), the reserved kubernetes.io domain; and " +
      "extended resources that are fractional or overcommitted (request different from limit).",
    why:
      "The pod is rejected at admission, so the workload never runs; a typo such as `gpu` is easy " +
      "to miss in review.",
    fix:
      "Use the device plugin's full name (`nvidia.com/gpu`), `ephemeral-storage` for container " +
      "scratch space, and whole, equal requests and limits for extended resources.",
    example: {
      manifests: `apiVersion: v1
kind: Pod
metadata: { name: pricer, namespace: nautilus-trading }
spec:
  containers:
    - name: pricer
      image: registry.nautilus.io/pricer:1.0.0
      resources:
        requests: { cpu: "1", memory: 1Gi, gpu: 1 }
        limits: { cpu: "1", memory: 1Gi, gpu: 1 }
`,
    },
  },
  run(ctx) {
    return eachObject(this, ctx, (o, report) => {
      for (const r of containerResources(o)) {
        for (const block of ["requests", "limits"] as const) {
          for (const [name, value] of Object.entries(r[block])) {
            const problem = resourceNameProblem(name);
            if (problem) {
              report(
                resourcePath(r, block, name),
                `container "${r.containerName}": ${problem}`,
                "use cpu, memory, ephemeral-storage, hugepages-<size> or a vendor/resource extended resource",
              );
              continue;
            }
            if (!name.includes("/")) continue;
            const q = parseQuantity(value);
            if (q && !isInteger(q)) {
              report(
                resourcePath(r, block, name),
                `container "${r.containerName}" asks for extended resource ${name} ${show(value)}; extended ` +
                  `resources must be whole numbers`,
              );
            }
            if (block === "requests" && !(name in r.limits)) {
              report(
                resourcePath(r, "limits", name),
                `container "${r.containerName}" requests extended resource ${name} without a limit; ` +
                  `extended resources need a limit equal to the request`,
                `set limits.${name}: ${show(value)}`,
              );
            } else if (block === "requests") {
              const lim = parseQuantity(r.limits[name]);
              if (q && lim && compareQuantities(q, lim) !== 0) {
                report(
                  resourcePath(r, block, name),
                  `container "${r.containerName}" requests extended resource ${name} ${show(value)} but ` +
                    `limits it to ${show(r.limits[name])}; extended resources cannot be overcommitted`,
                  `set requests.${name} equal to limits.${name}`,
                );
              }
            }
          }
        }
      }
    });
  },
};
