import { CONFIG_FILE, type Finding } from "../../core/finding.ts";
import { RETENTION_SHARE_OF_VOLUME } from "../../schemas/stack.ts";
import { formatBytes } from "../../schemas/units.ts";
import { environmentOf, findingOf, type ConfigCheck } from "../check.ts";

/**
 * `--storage.tsdb.retention.size` bounds the persisted blocks only: the WAL, the head chunks and compaction's
 * temporary blocks come on top. A retention size at or above the volume cannot hold, whatever the environment.
 */
export const prometheusRetentionSize: ConfigCheck = {
  id: "platform/prometheus-retention-size",
  needs: "config",
  description: "Prometheus' retention size fits its storage claim in every environment.",
  severity: "error",
  doc: {
    catches:
      "`monitoring.components.prometheus.retentionSize` at or above the size of the claim Prometheus stores its " +
      "time series on (`storage.<claim>.size`, as each environment resizes it).",
    why:
      "Prometheus deletes old blocks only beyond the retention size, and the WAL and compaction need room besides: " +
      "with a retention size the volume cannot hold, the disk fills, Prometheus stops ingesting, and every alert " +
      "goes silent. Environments often shrink the claim (dev, staging) while the retention size stays.",
    fix:
      "Leave `retentionSize` out (it defaults to 85% of the claim in each environment), or lower it below the " +
      "smallest environment's claim with room for the WAL, or grow the claim.",
    example: { config: { monitoring: { components: { prometheus: { retentionSize: "80Gi" } } } } },
  },
  run({ environments }) {
    const findings: Finding[] = [];
    for (const env of environments) {
      const p = env.platform.monitoring.components.prometheus;
      const volume = env.platform.storage[p.claim]?.size;
      if (p.retentionSize === undefined || volume === undefined || p.retentionSize < volume) continue;
      findings.push(
        findingOf(this, {
          ...environmentOf(env),
          file: CONFIG_FILE,
          path: "monitoring.components.prometheus.retentionSize",
          message:
            `Prometheus keeps up to ${formatBytes(p.retentionSize)} of blocks, but its claim ${p.claim} holds ` +
            `${formatBytes(volume)} in ${env.environment}: the volume fills before retention deletes anything ` +
            "(the WAL and compaction need room besides)",
          hint:
            `leave retentionSize out (${RETENTION_SHARE_OF_VOLUME * 100}% of the claim), or set it below ` +
            `${formatBytes(volume)} with room for the WAL`,
        }),
      );
    }
    return findings;
  },
};
