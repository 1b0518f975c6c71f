import type { KubeObjectLike } from "../builders.ts";
import { container, cronJob, deployment, job, podSpec, ullDeployment } from "../builders.ts";

const locked = container().securityContext;

export const allow: KubeObjectLike[] = [
  ullDeployment({}, "pod-level-non-root-and-seccomp"),
  ullDeployment(
    {
      securityContext: {},
      containers: [
        container({
          securityContext: {
            ...locked,
            runAsNonRoot: true,
            runAsUser: 1000,
            seccompProfile: { type: "Localhost", localhostProfile: "profiles/ull.json" },
          },
        }),
      ],
    },
    "container-level-settings-only",
  ),
  ullDeployment(
    {
      securityContext: { runAsNonRoot: false, seccompProfile: { type: "Unconfined" } },
      containers: [
        container({ securityContext: { ...locked, runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } } }),
      ],
    },
    "container-overrides-a-lax-pod",
  ),
  cronJob({ name: "non-root-cronjob" }),
];

export const deny: KubeObjectLike[] = [
  ullDeployment({ securityContext: { seccompProfile: { type: "RuntimeDefault" } } }, "run-as-non-root-unset"),
  ullDeployment(
    { containers: [container({ securityContext: { ...locked, runAsNonRoot: false } })] },
    "container-overrides-run-as-non-root-to-false",
  ),
  ullDeployment({ securityContext: { ...podSpec().securityContext, runAsUser: 0 } }, "pod-runs-as-user-0"),
  ullDeployment(
    { containers: [container({ securityContext: { ...locked, runAsUser: 0 } })] },
    "container-runs-as-user-0",
  ),
  ullDeployment(
    { containers: [container({ securityContext: { ...locked, allowPrivilegeEscalation: true } })] },
    "privilege-escalation-allowed",
  ),
  ullDeployment(
    { containers: [container({ securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true } })] },
    "capabilities-not-dropped",
  ),
  ullDeployment(
    {
      containers: [
        container({ securityContext: { ...locked, capabilities: { drop: ["NET_RAW"], add: ["SYS_NICE"] } } }),
      ],
    },
    "drops-some-capabilities-only",
  ),
  ullDeployment({ securityContext: { runAsNonRoot: true } }, "no-seccomp-profile"),
  ullDeployment(
    { containers: [container({ securityContext: { ...locked, seccompProfile: { type: "Unconfined" } } })] },
    "container-unconfined-seccomp",
  ),
  ullDeployment(
    { containers: [container({ securityContext: { ...locked, readOnlyRootFilesystem: false } })] },
    "writable-root-filesystem",
  ),
  deployment({
    name: "root-init-container",
    tier: "standard",
    spec: { initContainers: [container({ name: "init", securityContext: { ...locked, runAsUser: 0 } })] },
  }),
  job({ name: "privileged-job", spec: { containers: [container({ securityContext: {} })] } }),
];
