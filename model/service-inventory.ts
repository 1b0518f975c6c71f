/**
 * The service inventory: one recording rule per service the config declares, each recording a constant 1 with the
 * service's `platform`, `service` and `tier` labels. It tells Prometheus which services must exist, so "no healthy
 * target" is one expression over all services (`down` alerts, the dashboard's healthy-targets panel) instead of one
 * term per service: a service missing from `up` reads as 0 against this list. Nothing Prometheus scrapes can say
 * which services should exist once every pod is gone (and `up` over a past window forgets them, or never knew a
 * service that never started), so the list comes from the config, as rules of constant cost each. They sit in a
 * rule file of their own, so the promtool tests of alerts leave them out and feed the inventory series of the few
 * services they are about (model/monitoring.ts `alertTestRuleFiles`). Pure.
 */
import { INVENTORY_RECORD } from "../schemas/observability.ts";
import type { Platform } from "../schemas/platform.ts";
import { formatDuration } from "../schemas/units.ts";
import type { RuleFile } from "./monitoring.ts";

/**
 * The inventory's series of this platform, of one tier if given: `service:expected:info{platform="nautilus"}`. The
 * `platform` label keeps two platforms on one Prometheus (prometheus-operator's shared one) apart.
 */
export function inventorySelector(platform: Platform, tier?: string): string {
  return `${INVENTORY_RECORD}{platform="${platform.name}"${tier === undefined ? "" : `,tier="${tier}"`}}`;
}

/** The labels of a service's inventory series. */
export function inventoryLabels(platform: Platform, service: string): Record<string, string> {
  return { platform: platform.name, service, tier: platform.services[service]!.tier };
}

/** The inventory's rule file: one group, evaluated as often as the alerts that read it. */
export function inventoryRuleFile(platform: Platform): RuleFile {
  return {
    file: `${platform.name}-services.yaml`,
    group: {
      name: `${platform.name}-services`,
      interval: formatDuration(platform.monitoring.evaluationInterval),
      rules: Object.keys(platform.services).map((s) => ({
        record: INVENTORY_RECORD,
        expr: "vector(1)",
        labels: inventoryLabels(platform, s),
      })),
    },
  };
}
