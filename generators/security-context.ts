/**
 * The secure pod and container defaults, written once for the trading services and the monitoring
 * components: non-root with the image's user and group (volumes group-owned by it), the RuntimeDefault
 * seccomp profile, no privilege escalation, a read-only root filesystem and ALL capabilities dropped,
 * with only the ones a service names added back. Pure.
 */
import type { PodSecurityContext, SecurityContext } from "kubernetes-types/core/v1.js";

export interface SecuritySettings {
  runAsUser: number;
  runAsGroup: number;
  runAsNonRoot: boolean;
  allowPrivilegeEscalation: boolean;
  readOnlyRootFilesystem: boolean;
  addCapabilities: readonly string[];
}

/** Every default locked down, for components that need nothing else (the monitoring stack). */
export function lockedDown(user: number): SecuritySettings {
  return {
    runAsUser: user,
    runAsGroup: user,
    runAsNonRoot: true,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    addCapabilities: [],
  };
}

export function podSecurityContext(s: SecuritySettings): PodSecurityContext {
  return {
    runAsNonRoot: s.runAsNonRoot,
    runAsUser: s.runAsUser,
    runAsGroup: s.runAsGroup,
    fsGroup: s.runAsGroup,
    seccompProfile: { type: "RuntimeDefault" },
  };
}

export function containerSecurityContext(s: SecuritySettings): SecurityContext {
  return {
    runAsNonRoot: s.runAsNonRoot,
    allowPrivilegeEscalation: s.allowPrivilegeEscalation,
    readOnlyRootFilesystem: s.readOnlyRootFilesystem,
    capabilities: { drop: ["ALL"], ...(s.addCapabilities.length > 0 ? { add: [...s.addCapabilities] } : {}) },
  };
}
