import type { ObjectCheck } from "../check.ts";
import { podSecurityCheck } from "./namespaces.ts";

/**
 * The baseline controls of the Pod Security Standards, for every pod template in a namespace that enforces
 * baseline or restricted. The API server only warns on a Deployment whose template fails: the ReplicaSet
 * controller's pods are then refused one by one and the rollout never progresses.
 */
export const baseline: ObjectCheck = podSecurityCheck("baseline", {
  id: "pod-security/baseline",
  description: "Pod templates pass the baseline Pod Security Standard their namespace enforces.",
  doc: {
    catches:
      "A Pod, or the pod template of a Deployment, StatefulSet, DaemonSet, ReplicaSet, Job or CronJob, in a " +
      "namespace whose `pod-security.kubernetes.io/enforce` label is `baseline` or `restricted`, that uses host " +
      "namespaces (hostNetwork, hostPID, hostIPC), privileged containers, capabilities beyond the default set, " +
      "hostPath volumes, hostPorts, an Unconfined AppArmor or seccomp profile, custom SELinux user, role or type, " +
      "a non-default /proc mount, unsafe sysctls or Windows hostProcess. The controls are those of " +
      "k8s.io/pod-security-admission as of v1.30 (`enforce-version` selects older ones). A pod whose namespace " +
      "is not among the objects (under `vet`) is judged at baseline, as a warning. No label means privileged; " +
      "an invalid label means restricted:latest, as the API server reads them.",
    why:
      "PodSecurity admission refuses such pods. For a workload the API server answers only with a warning, " +
      "so `kubectl apply` succeeds and the ReplicaSet, Job or DaemonSet controller then fails to create every " +
      "pod: nothing runs, and the rollout waits for its deadline.",
    fix:
      "Remove the field the finding names, or move the workload to a namespace that enforces the level it " +
      "needs (host-network engines need privileged: baseline forbids hostNetwork and hostPorts).",
    example: {
      manifests: `apiVersion: v1
kind: Namespace
metadata:
  name: trading
  labels: { pod-security.kubernetes.io/enforce: baseline }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: risk-engine, namespace: trading }
spec:
  selector: { matchLabels: { app: risk-engine } }
  template:
    metadata: { labels: { app: risk-engine } }
    spec:
      hostNetwork: true
      containers:
        - name: app
          image: registry.nautilus.io/risk-engine:1.4.2
          ports: [{ containerPort: 8001, hostPort: 8001 }]
`,
    },
  },
});
