/**
 * The reachability section of `platform report`: per environment, every connection the generated policies allow,
 * grouped by source, with what declares it; then what is exposed to clients and the external endpoints each
 * workload reaches. Returns text; the command prints it.
 */
import { endpointName } from "../../model/network.ts";
import { analyseReachability, INTERNET } from "../../model/network-analysis.ts";
import type { BundleEnvironment } from "../../model/environments.ts";

export function reachabilitySection(env: BundleEnvironment): string {
  const { platform } = env;
  const analysis = analyseReachability(platform, env.objects);
  const lines: string[] = [`Reachability (${env.environment}): what the generated network policies allow`];
  const external = new Set([...Object.keys(platform.network.external), INTERNET]);
  const bySource = new Map<string, string[]>();
  for (const p of analysis.allowed) {
    const why = p.declaredBy === "dns" ? "dns" : p.declaredBy ? p.declaredBy.path : "NOT DECLARED";
    const to = external.has(p.to) ? `${p.to} (external)` : p.to;
    const list = bySource.get(p.from) ?? [];
    list.push(`    → ${to} ${p.protocol}/${p.port}  [${why}]`);
    bySource.set(p.from, list);
  }
  for (const [from, list] of [...bySource.entries()].sort(([a], [b]) => a.localeCompare(b)))
    lines.push(`  ${from}`, ...list);
  lines.push("", "  Exposed to clients:");
  const exposed = Object.entries(platform.network.expose);
  if (exposed.length === 0) lines.push("    nothing");
  for (const [name, e] of exposed) {
    const gw = platform.network.gateway;
    const port = analysis.allowed.find((p) => p.from === endpointName({ kind: "gateway" }) && p.to === name);
    lines.push(
      `    ${name}: https://${e.hostname}${e.path} via ${e.via === "gateway" ? "Gateway" : "Ingress"} ` +
        `(class ${gw?.className ?? "?"}, controller in ${gw?.controllerNamespace ?? "?"})` +
        (port ? `, admitted on ${port.protocol}/${port.port}` : ", NOT ADMITTED by the policies"),
    );
  }
  lines.push("", "  External endpoints reached:");
  const reached = analysis.allowed
    .filter((p) => external.has(p.to))
    .sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to) || a.port - b.port);
  if (reached.length === 0) lines.push("    none");
  for (const p of reached) lines.push(`    ${p.from} → ${p.to} ${p.protocol}/${p.port}`);
  const onHost = [...analysis.endpoints.values()].filter((e) => e.kind === "pod" && e.hostNetwork).map((e) => e.id);
  if (onHost.length > 0)
    lines.push(
      "",
      `  Host-network pods (${onHost.join(", ")}) are outside NetworkPolicy: their own egress, and what reaches ` +
        "their ports from other host-network pods or outside the cluster, is the nodes' firewall's business.",
    );
  if (analysis.blocked.length > 0 || analysis.undeclared.length > 0)
    lines.push(
      "",
      `  ${analysis.blocked.length} declared edge(s) blocked, ${analysis.undeclared.length} undeclared path(s) ` +
        "allowed: `platform check` reports them (platform/reachability).",
    );
  return lines.join("\n");
}
