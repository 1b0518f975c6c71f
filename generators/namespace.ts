import type { Namespace } from "kubernetes-types/core/v1.js";
import { hostNetworkNamespace, platformNamespaces } from "../model/namespaces.ts";
import type { Platform } from "../schemas/platform.ts";
import { labels } from "./meta.ts";

/**
 * The platform's namespaces and the Pod Security level each enforces, audits and warns at, pinned to the cluster's
 * Kubernetes version so an upgrade does not change the rules under running pods. Baseline forbids hostNetwork and
 * hostPorts, so only the namespace of the host-network tiers is `privileged` (our admission policies, such as
 * host-network-scope, still hold its pods); every other pod meets `restricted`.
 */
export function namespaces(platform: Platform): Namespace[] {
  const version = `v${platform.kubernetesVersion}`;
  return platformNamespaces(platform).map((name) => {
    const level = name === hostNetworkNamespace(platform) ? "privileged" : "restricted";
    return {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: {
        name,
        labels: {
          ...labels(platform, name, "platform"),
          ...Object.fromEntries(
            (["enforce", "audit", "warn"] as const).flatMap((mode) => [
              [`pod-security.kubernetes.io/${mode}`, level],
              [`pod-security.kubernetes.io/${mode}-version`, version],
            ]),
          ),
        },
      },
    };
  });
}
