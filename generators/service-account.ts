import type { ServiceAccount } from "kubernetes-types/core/v1.js";
import type { Platform } from "../schemas/platform.ts";
import { metadata } from "./meta.ts";

/** One identity per service; the API token is mounted only where the service calls the API. */
export function serviceAccounts(platform: Platform): ServiceAccount[] {
  return Object.entries(platform.services).map(([name, svc]) => ({
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: metadata(platform, name, { component: "service", tier: svc.tier }),
    automountServiceAccountToken: svc.kubernetesApiAccess,
  }));
}
