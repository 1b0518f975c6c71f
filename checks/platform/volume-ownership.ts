import { CONFIG_FILE } from "../../core/finding.ts";
import type { ConfigCheck } from "../check.ts";
import { findingOf } from "../check.ts";
import { claimClass } from "./config.ts";

/**
 * Whether the kubelet hands a volume to the pod's fsGroup is the CSI driver's choice (`fsGroupPolicy`):
 * under the default, only ReadWriteOnce volumes with a filesystem type are changed, so a shared
 * ReadWriteMany volume keeps the file server's owner and a non-root container cannot write to it.
 */
export const volumeOwnership: ConfigCheck = {
  id: "platform/volume-ownership",
  needs: "config",
  description: "Non-root services write only to volumes whose driver applies their fsGroup.",
  severity: "error",
  doc: {
    catches:
      "A service mounting a writable claim whose storage class' `fsGroupPolicy` does not apply the pod's " +
      "fsGroup: `None`, or the default `ReadWriteOnceWithFSType` for a claim that is not ReadWriteOnce.",
    why:
      "Every service runs as a non-root user. When the driver does not change the volume's ownership to the " +
      "pod's fsGroup, the volume keeps the owner the file server gave it (often root), and the service's " +
      "first write fails with permission denied: logs vanish or the service crashes.",
    fix:
      "Use a driver that declares `fsGroupPolicy: File` (csi-driver-nfs with feature.enableFSGroupPolicy) and " +
      "say so in the class, mount the claim read-only, or provision the share owned by the service's group.",
    example: { config: { storageClasses: { "shared-files": { fsGroupPolicy: "ReadWriteOnceWithFSType" } } } },
  },
  run({ environments }) {
    return environments.flatMap((env) =>
      Object.entries(env.platform.services).flatMap(([name, svc]) =>
        svc.volumes.flatMap((v, i) => {
          if (v.readOnly) return [];
          const found = claimClass(env.platform, v.claim);
          if (!found) return [];
          const { claim, cls } = found;
          const applied =
            cls.fsGroupPolicy === "File" ||
            (cls.fsGroupPolicy === "ReadWriteOnceWithFSType" && claim.accessMode === "ReadWriteOnce");
          if (applied) return [];
          return [
            findingOf(this, {
              environment: env.environment,
              file: CONFIG_FILE,
              path: `services.${name}.volumes[${i}].claim`,
              message:
                `${name} runs as user ${svc.security.runAsUser} and writes to claim ${v.claim} (${claim.accessMode}, ` +
                `class ${claim.storageClass}), but the class' driver applies no fsGroup to it ` +
                `(fsGroupPolicy ${cls.fsGroupPolicy}): the volume keeps the server's owner and writes fail`,
              hint:
                `use a driver with fsGroupPolicy: File (storageClasses.${claim.storageClass}.fsGroupPolicy), ` +
                "or mount it readOnly",
            }),
          ];
        }),
      ),
    );
  },
};
