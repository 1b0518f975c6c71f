/** requests-within-limits: each container's request is at most its limit, per resource (exact quantity comparison). */
import { compareQuantities, parseQuantity } from "../../core/k8s/quantity.ts";
import { finding, type ApiServerRule } from "./context.ts";
import { containerResources, resourcePath, show } from "./resources.ts";

export const requestsWithinLimits: ApiServerRule = {
  id: "requests-within-limits",
  description: "a container's resource requests do not exceed its limits",
  severity: "error",
  run(input) {
    const out = [];
    for (const o of input.objects) {
      for (const r of containerResources(o)) {
        for (const [name, request] of Object.entries(r.requests)) {
          // hugepages must be equal, which the hugepages rule reports once.
          if (name.startsWith("hugepages-") || !(name in r.limits)) continue;
          const req = parseQuantity(request);
          const lim = parseQuantity(r.limits[name]);
          if (req && lim && compareQuantities(req, lim) > 0) {
            out.push(
              finding(
                this,
                input,
                o,
                resourcePath(r, "requests", name),
                `container "${r.containerName}" requests ${name} ${show(request)}, more than its limit ` +
                  `${show(r.limits[name])}; the API server rejects requests greater than limits`,
                `lower requests.${name} or raise limits.${name}`,
              ),
            );
          }
        }
      }
    }
    return out;
  },
};
