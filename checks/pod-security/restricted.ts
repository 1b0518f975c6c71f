import type { ObjectCheck } from "../check.ts";
import { podSecurityCheck } from "./namespaces.ts";

/**
 * The restricted controls of the Pod Security Standards (on top of baseline, which pod-security/baseline
 * reports), for every pod template in a namespace that enforces restricted.
 */
export const restricted: ObjectCheck = podSecurityCheck("restricted", {
  id: "pod-security/restricted",
  description: "Pod templates in restricted namespaces pass the restricted Pod Security Standard.",
  doc: {
    catches:
      "A Pod, or the pod template of a workload, in a namespace whose `pod-security.kubernetes.io/enforce` " +
      "label is `restricted`, with a volume other than configMap, csi, downwardAPI, emptyDir, ephemeral, " +
      "persistentVolumeClaim, projected or secret; a container without `allowPrivilegeEscalation: false`; " +
      "without `runAsNonRoot: true` (pod or container) or with `runAsUser: 0`; without a RuntimeDefault or " +
      'Localhost seccomp profile; or without `capabilities.drop: ["ALL"]`, or adding any capability but ' +
      "NET_BIND_SERVICE. Controls as of k8s.io/pod-security-admission v1.30; Windows pods are exempt from the " +
      "escalation, seccomp and capabilities controls, as there.",
    why:
      "PodSecurity admission refuses such pods; a workload is admitted with a warning and its controller then " +
      "fails to create any pod, so the service never starts.",
    fix:
      "Set the field the finding names: `securityContext` on the pod (runAsNonRoot: true, seccompProfile.type: " +
      'RuntimeDefault) and every container (allowPrivilegeEscalation: false, capabilities.drop: ["ALL"]); ' +
      "replace hostPath with an emptyDir or a claim.",
    example: {
      manifests: `apiVersion: v1
kind: Namespace
metadata:
  name: trading
  labels: { pod-security.kubernetes.io/enforce: restricted }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: market-data, namespace: trading }
spec:
  selector: { matchLabels: { app: market-data } }
  template:
    metadata: { labels: { app: market-data } }
    spec:
      securityContext: { runAsNonRoot: true }
      containers:
        - name: app
          image: registry.nautilus.io/market-data:2.0.1
          securityContext:
            allowPrivilegeEscalation: false
            capabilities: { drop: [ALL], add: [SYS_NICE] }
      volumes:
        - name: logs
          hostPath: { path: /var/log/market-data }
`,
    },
  },
});
