/** requests-within-limits: each container's request is at most its limit, per resource (exact quantity comparison). */
import { compareQuantities, parseQuantity } from "../../core/k8s/quantity.ts";
import { eachObject } from "./context.ts";
import type { ObjectCheck } from "../check.ts";
import { containerResources, resourcePath, show } from "./resources.ts";

export const requestsWithinLimits: ObjectCheck = {
  id: "apiserver/requests-within-limits",
  needs: "objects",
  description: "A container's resource requests do not exceed its limits.",
  severity: "error",
  doc: {
    catches:
      "A container whose request for a resource is greater than its limit for the same resource, " +
      "compared as exact quantities (`1537Mi` is more than `1.5Gi`). Hugepages are left to " +
      "`apiserver/hugepages`, which requires them equal.",
    why:
      'The API server rejects the pod ("must be less than or equal to cpu limit"); for a ' +
      "workload, every pod it creates is refused.",
    fix: "Lower the request or raise the limit; for Guaranteed QoS make them equal.",
    example: {
      manifests: `apiVersion: v1
kind: Pod
metadata: { name: order-manager, namespace: nautilus-trading }
spec:
  containers:
    - name: order-manager
      image: registry.nautilus.io/order-manager:2.0.1
      resources:
        requests: { cpu: 1500m, memory: 1Gi }
        limits: { cpu: "1", memory: 1Gi }
`,
    },
  },
  run(ctx) {
    return eachObject(this, ctx, (o, report) => {
      for (const r of containerResources(o)) {
        for (const [name, request] of Object.entries(r.requests)) {
          // hugepages must be equal, which the hugepages rule reports once.
          if (name.startsWith("hugepages-") || !(name in r.limits)) continue;
          const req = parseQuantity(request);
          const lim = parseQuantity(r.limits[name]);
          if (req && lim && compareQuantities(req, lim) > 0) {
            report(
              resourcePath(r, "requests", name),
              `container "${r.containerName}" requests ${name} ${show(request)}, more than its limit ` +
                `${show(r.limits[name])}; the API server rejects requests greater than limits`,
              `lower requests.${name} or raise limits.${name}`,
            );
          }
        }
      }
    });
  },
};
