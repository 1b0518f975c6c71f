import { CONFIG_FILE, refOf, type Finding } from "../../core/finding.ts";
import { analyseReachability, type AnalysedPath } from "../../model/network-analysis.ts";
import type { Verdict } from "../../model/reachability.ts";
import { endpointName } from "../../model/network.ts";
import { findingOf, type ConfigCheck } from "../check.ts";

/**
 * The network policies must allow exactly the communication graph: a declared edge they block is an outage on day
 * one (the order router that cannot reach a venue), an allowed connection nobody declared is a hole (any pod
 * reaching the internet on the engines' ports). Judged on each environment's final objects with Kubernetes'
 * semantics (model/reachability.ts).
 */
export const reachability: ConfigCheck = {
  id: "platform/reachability",
  needs: "config",
  description: "The network policies allow every declared edge and nothing else.",
  severity: "error",
  doc: {
    catches:
      "In each environment, computed offline from the final NetworkPolicies (and CiliumNetworkPolicies), pod " +
      "labels, namespaces and host networking: an edge of `network` (or of the monitoring stack) that the " +
      "policies block, and a connection they allow that no edge declares, between the platform's pods, DNS, the " +
      "API server, the Gateway controller, the external endpoint sets and the internet. Connections between a " +
      "host-network pod and anything but a pod-network pod are the nodes' firewall's business and are not judged.",
    why:
      "Under default deny, a connection exists only if the source's egress and the destination's ingress both " +
      "allow it. A blocked edge is an outage the cluster shows only in production (the order router cannot reach " +
      "a venue); an undeclared allowed path is a hole (a policy without `to` lets any pod reach the internet). " +
      "Host-network pods share their node's address, so admitting one admits them all.",
    fix:
      "Declare the connection in `network.services.<service>.talksTo` or `reaches` (or `network.expose`) when " +
      "it is needed; otherwise narrow the peers that admit it, for instance by naming `network.apiServer.cidrs` " +
      "instead of letting the API server default to the node subnets.",
    example: { config: { network: { apiServer: null } } },
  },
  run({ environments }) {
    return environments.flatMap((env) => {
      const analysis = analyseReachability(env.platform, env.objects);
      const findings: Finding[] = [];
      for (const { edge, egress, ingress } of analysis.blocked) {
        const from = analysis.endpoints.get(endpointName(edge.from));
        findings.push(
          findingOf(this, {
            environment: env.environment,
            file: CONFIG_FILE,
            path: edge.path,
            message:
              `${endpointName(edge.from)} → ${endpointName(edge.to)} on ${edge.protocol} ${edge.portNumber} ` +
              `is declared (${edge.why}) but the network policies block it: ` +
              blocker(egress, ingress, from?.id ?? "", endpointName(edge.to)),
            hint: "regenerate out/ (the generated policies follow the graph), or remove the policy that isolates it",
          }),
        );
      }
      for (const p of analysis.undeclared)
        findings.push(
          findingOf(this, {
            environment: env.environment,
            file: CONFIG_FILE,
            path: `network.services.${p.from}`,
            ...(admittedBy(p) ? { resource: refOf(admittedBy(p)!.policy!) } : {}),
            message:
              `${p.from} may reach ${p.to} on ${p.protocol} ${p.port}, but no edge declares it` +
              (admittedBy(p) ? `; ${describe(admittedBy(p)!, p)} admits it` : ""),
            hint:
              `declare it under network.services.${p.from} if it is needed; otherwise narrow the rule that admits ` +
              "it (an ipBlock shared with host-network pods admits every one of them)",
          }),
        );
      return findings;
    });
  },
};

function blocker(egress: Verdict, ingress: Verdict, from: string, to: string): string {
  const sides = [
    ...(egress.allowed ? [] : [`no egress rule of ${from} allows it`]),
    ...(ingress.allowed ? [] : [`no ingress rule of ${to} admits it`]),
  ];
  return sides.join(", and ");
}

/** The more specific side: the rule that names the peer, preferring the one on the destination. */
function admittedBy(p: AnalysedPath): Verdict | undefined {
  return [p.ingress, p.egress].find((v) => v.policy);
}

function describe(v: Verdict, p: AnalysedPath): string {
  const direction = v === p.ingress ? "ingress" : "egress";
  return `${v.policy!.kind} ${v.policy!.metadata.name} (spec.${direction}[${v.rule}])`;
}
