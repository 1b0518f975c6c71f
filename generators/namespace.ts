import type { Namespace } from "kubernetes-types/core/v1.js";
import type { Platform } from "../schemas/platform.ts";
import { labels } from "./meta.ts";

/**
 * Pod Security Standards forbid hostNetwork from the baseline level up, so a namespace that runs
 * host-network tiers can only enforce `privileged`; our own admission policies (non-root,
 * host-network-scope, ...) carry the restrictions instead, and audit still reports against `restricted`.
 */
export function namespace(platform: Platform): Namespace {
  const hostNetwork = Object.values(platform.tiers).some((t) => t.hostNetwork);
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: {
      name: platform.namespace,
      labels: {
        ...labels(platform, platform.namespace, "platform"),
        "pod-security.kubernetes.io/enforce": hostNetwork ? "privileged" : "restricted",
        "pod-security.kubernetes.io/audit": "restricted",
      },
    },
  };
}
