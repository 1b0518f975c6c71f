/**
 * object-names: `metadata.name` and `metadata.namespace` syntax, as each kind's API validation
 * requires: a DNS-1035 label for Services (the name becomes a DNS label, ≤63), a DNS-1123 label
 * for Namespaces, a path segment for RBAC objects, a DNS-1123 subdomain (≤253) for the rest.
 */
import type { KubeObject } from "../../core/finding.ts";
import { eachObject } from "./context.ts";
import type { ObjectCheck } from "../check.ts";
import { dns1035Label, dns1123Label, dns1123Subdomain, pathSegmentName } from "../../core/k8s/names.ts";

const RBAC = new Set(["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"]);

function nameRule(o: KubeObject): { check: (v: string) => string[]; what: string } {
  if (o.kind === "Service" && o.apiVersion === "v1") return { check: dns1035Label, what: "a Service name" };
  if (o.kind === "Namespace" && o.apiVersion === "v1") return { check: dns1123Label, what: "a Namespace name" };
  if (RBAC.has(o.kind) && o.apiVersion.startsWith("rbac.authorization.k8s.io/"))
    return { check: pathSegmentName, what: "an RBAC name" };
  return { check: dns1123Subdomain, what: `a ${o.kind} name` };
}

export const objectNames: ObjectCheck = {
  id: "apiserver/object-names",
  needs: "objects",
  description:
    "An object's metadata.name and metadata.namespace have the syntax and length the API server requires for the kind.",
  severity: "error",
  doc: {
    catches:
      "A `metadata.name` or `metadata.namespace` with the wrong syntax or length for its kind: a " +
      "DNS-1035 label (at most 63, starting with a letter) for Services, a DNS-1123 label for " +
      "Namespaces and namespace fields, a path segment for RBAC objects, a DNS-1123 subdomain (at " +
      "most 253, lower case) for the rest; and an object with neither a name nor a generateName.",
    why:
      "The API server refuses the object. Upper-case letters and dots where they are not allowed " +
      "are the usual cause, and a Service name becomes a DNS label, so it is stricter than most.",
    fix:
      "Use lower-case alphanumerics and '-', starting with a letter for Services, within the " +
      "length the kind allows.",
    example: {
      manifests: `apiVersion: v1
kind: Service
metadata: { name: 1-order-manager, namespace: nautilus-trading }
spec:
  selector: { app.kubernetes.io/name: order-manager }
  ports: [{ name: http, port: 80 }]
`,
    },
  },
  run(ctx) {
    return eachObject(this, ctx, (o, report) => {
      const name: unknown = o.metadata?.name;
      if (typeof name !== "string" || name === "") {
        if (typeof o.metadata?.generateName !== "string")
          report("metadata.name", `${o.kind} has no metadata.name; the API server requires a name`);
      } else {
        const { check, what } = nameRule(o);
        const problems = check(name);
        if (problems.length) {
          report(
            "metadata.name",
            `metadata.name "${name}" is not valid as ${what}: ${problems.join("; ")}`,
            "use lower-case letters, digits and '-' (Services: start with a letter, at most 63 characters)",
          );
        }
      }
      const ns: unknown = o.metadata?.namespace;
      if (typeof ns === "string") {
        const problems = dns1123Label(ns);
        if (problems.length)
          report(
            "metadata.namespace",
            `metadata.namespace "${ns}" is not a valid namespace name: ${problems.join("; ")}`,
          );
      }
    });
  },
};
