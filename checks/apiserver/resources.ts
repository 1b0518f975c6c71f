/** The `resources` block of each container, with quantities looked up by resource name. */
import type { KubeObject } from "../../core/finding.ts";
import { joinPath } from "../../core/field-path.ts";
import { containersOf, isObject, podTemplateOf, type Obj } from "./context.ts";

export interface ContainerResources {
  /** Path of the container's `resources`. */
  path: string;
  containerName: string;
  requests: Obj;
  limits: Obj;
}

export function containerResources(o: KubeObject): ContainerResources[] {
  const t = podTemplateOf(o);
  if (!t) return [];
  return containersOf(t).map(({ container, path }) => {
    const r = isObject(container.resources) ? container.resources : {};
    return {
      path: joinPath(path, "resources"),
      containerName: typeof container.name === "string" ? container.name : "?",
      requests: isObject(r.requests) ? r.requests : {},
      limits: isObject(r.limits) ? r.limits : {},
    };
  });
}

/** `resources.requests.cpu` under a container's resources path. */
export function resourcePath(r: ContainerResources, block: "requests" | "limits", name: string): string {
  return joinPath(joinPath(r.path, block), name);
}

export function show(v: unknown): string {
  return JSON.stringify(v);
}
