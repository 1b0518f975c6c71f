/**
 * Fields the field lists (from @kubernetes/client-node, generated for a newer Kubernetes) declare
 * but older API servers do not serve: under strict field validation such a field is an unknown
 * field for a target before its release. Each entry was checked absent from the Kubernetes 1.30
 * API types (kubernetes-types 1.30); the minor is the release that added the field (alpha included).
 * Not exhaustive: it lists the fields of the kinds this platform emits that appeared after 1.30;
 * targets older than 1.30 are not covered (a field added in 1.30 passes a 1.29 target).
 */
export const FIELD_SINCE: Record<string, Record<string, number>> = {
  V1PodSpec: { resources: 32, hostnameOverride: 34, schedulingGroup: 36 },
  V1PodSecurityContext: { supplementalGroupsPolicy: 31, seLinuxChangePolicy: 32 },
  V1Volume: { image: 31 },
  V1Lifecycle: { stopSignal: 33 },
  V1Container: { restartPolicyRules: 34 },
  V1EphemeralContainer: { restartPolicyRules: 34 },
  V1EnvVarSource: { fileKeyRef: 34 },
  V1VolumeProjection: { podCertificate: 34 },
  V1ResourceClaim: { request: 31 },
  V2HPAScalingRules: { tolerance: 33 },
};

/** The minor that added `model.field`, when it is newer than `minor`. */
export function addedAfter(model: string, field: string, minor: number | undefined): number | undefined {
  const since = FIELD_SINCE[model]?.[field];
  return since !== undefined && minor !== undefined && since > minor ? since : undefined;
}
