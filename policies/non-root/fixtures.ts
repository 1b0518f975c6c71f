import type { Fixture } from "../builders.ts";
import {
  container,
  cronJob,
  deployment,
  job,
  pod,
  podSpec,
  replicaSet,
  scaled,
  ullDeployment,
  updated,
} from "../builders.ts";

const locked = container().securityContext;

/** A ReplicaSet of a release from before this policy: its containers may run as root. */
const rootReplicaSet = replicaSet({ spec: { securityContext: { seccompProfile: { type: "RuntimeDefault" } } } }, 3);
const rootPod = pod({ spec: { securityContext: { seccompProfile: { type: "RuntimeDefault" } } } });

export const allow: Fixture[] = [
  // Under Deny, the Deployment controller must still scale the old ReplicaSet down, and controllers must
  // still update old pods' labels and finalizers; neither changes the pod template.
  scaled(rootReplicaSet, 0),
  scaled(rootReplicaSet, 1),
  updated(rootPod, { ...rootPod, metadata: { ...rootPod.metadata, finalizers: ["nautilus.io/drain"] } }),
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

export const deny: Fixture[] = [
  // A new ReplicaSet with the old template is a CREATE, and an UPDATE that changes the template is judged.
  rootReplicaSet,
  updated(replicaSet(), { ...rootReplicaSet, spec: { ...rootReplicaSet.spec!, replicas: 2 } }),
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
