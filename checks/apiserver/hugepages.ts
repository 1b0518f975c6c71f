/**
 * hugepages: the API server's `ValidateResourceRequirements` rules for hugepages-<size>
 * (kubernetes.io "Manage HugePages"): requests equal limits, a request needs a limit, cpu or
 * memory must be requested too, and the amount is a whole multiple of the page size.
 */
import { compareQuantities, isMultipleOf, parseQuantity } from "../../core/k8s/quantity.ts";
import { eachObject } from "./context.ts";
import type { ObjectCheck } from "../check.ts";
import { containerResources, resourcePath, show } from "./resources.ts";

export const hugepages: ObjectCheck = {
  id: "apiserver/hugepages",
  needs: "objects",
  description:
    "Hugepages requests equal limits, come with a cpu or memory request, and are whole multiples of the page size.",
  severity: "error",
  doc: {
    catches:
      "A container whose `hugepages-<size>` request has no limit, a request that differs from its " +
      "limit, an amount that is not a whole multiple of the page size (`hugepages-2Mi: 3Mi`), or " +
      "hugepages without a cpu or memory request.",
    why:
      "The API server's `ValidateResourceRequirements` rejects each of these (kubernetes.io, " +
      '"Manage HugePages"). On a Deployment the object is accepted but every pod it creates is ' +
      "refused, so the rollout never starts a pod, and nothing in `kubectl apply` says so.",
    fix:
      "Set `limits.hugepages-<size>` equal to `requests.hugepages-<size>`, in whole pages, and " +
      "request cpu and memory beside it.",
    example: {
      manifests: `apiVersion: v1
kind: Pod
metadata: { name: risk-engine, namespace: nautilus-trading }
spec:
  containers:
    - name: risk-engine
      image: registry.nautilus.io/risk-engine:1.4.2
      resources:
        requests: { cpu: "2", memory: 1Gi, hugepages-2Mi: 512Mi }
        limits: { cpu: "2", memory: 1Gi }
`,
    },
  },
  run(ctx) {
    return eachObject(this, ctx, (o, report) => {
      for (const r of containerResources(o)) {
        const names = new Set(
          [...Object.keys(r.requests), ...Object.keys(r.limits)].filter((n) => n.startsWith("hugepages-")),
        );
        if (names.size === 0) continue;
        for (const name of names) {
          const pageSize = parseQuantity(name.slice("hugepages-".length));
          const request = r.requests[name];
          const limit = r.limits[name];
          if (request !== undefined && limit === undefined) {
            report(
              resourcePath(r, "limits", name),
              `container "${r.containerName}" requests ${name} ${show(request)} without a limit; the API ` +
                `server rejects hugepages requests without an equal limit`,
              `set limits.${name}: ${show(request)}`,
            );
            continue;
          }
          const req = parseQuantity(request);
          const lim = parseQuantity(limit);
          if (req && lim && compareQuantities(req, lim) !== 0) {
            report(
              resourcePath(r, "requests", name),
              `container "${r.containerName}" requests ${name} ${show(request)} but limits it to ` +
                `${show(limit)}; hugepages requests must equal limits`,
              `set requests.${name} and limits.${name} to the same quantity`,
            );
          }
          const amount = lim ?? req;
          if (pageSize && pageSize.num > 0n && amount && !isMultipleOf(amount, pageSize)) {
            const block = limit !== undefined ? "limits" : "requests";
            report(
              resourcePath(r, block, name),
              `container "${r.containerName}" asks for ${name} ${show(limit ?? request)}, which is not a ` +
                `whole multiple of the page size ${name.slice("hugepages-".length)}`,
              `round to a multiple of ${name.slice("hugepages-".length)}`,
            );
          }
        }
        const hasCpuOrMemory = ["cpu", "memory"].some((n) => n in r.requests || n in r.limits);
        if (!hasCpuOrMemory) {
          report(
            r.path,
            `container "${r.containerName}" uses ${[...names].join(", ")} without a cpu or memory request; ` +
              `the API server requires one with hugepages`,
            "add requests.memory (and requests.cpu)",
          );
        }
      }
    });
  },
};
