/**
 * Compile-time checks of the config types, run by `tsc --noEmit` in `npm test`: each
 * `@ts-expect-error` line must be a type error, or the type check fails. This is what an editor
 * shows while someone types platform.config.ts.
 */
import { definePlatform, type PlatformInput } from "../../schemas/platform.ts";
import config from "../../platform.config.ts";

type Service = PlatformInput["services"][string];
const service: Service = config.services["risk-engine"]!;

export const typed: Service[] = [
  { ...service, resources: { requests: { cpu: "1500m", memory: "512Mi", "hugepages-2Mi": "512Mi" } } },
  // @ts-expect-error a CPU quantity with words is not a CpuQuantity
  { ...service, resources: { requests: { cpu: "2 cores" } } },
  // @ts-expect-error memory needs a Kubernetes suffix, not "GB"
  { ...service, resources: { requests: { memory: "1GB" } } },
  // @ts-expect-error a misspelt resource name
  { ...service, resources: { requests: { memroy: "1Gi" } } },
  // @ts-expect-error a duration needs a unit
  { ...service, probes: { ...service.probes, startup: { path: "/health/startup", budget: "60" } } },
  // @ts-expect-error replicas are a number
  { ...service, replicas: "2" },
];

// @ts-expect-error an environment other than dev, staging and prod
export const badEnvironment = definePlatform({ ...config, environments: { ...config.environments, qa: {} } });
