/**
 * The platform's network: the node subnets and CNI that decide how host-network pods look to a policy, the named
 * external endpoint sets, who talks to whom on which port, and what is exposed to clients. NetworkPolicies are
 * generated from this graph, one rule per edge, and `check` proves the generated policies allow exactly it.
 */
import { z } from "zod";
import { hasHostBits, networkOf, parseCidr } from "./cidr.ts";
import { dnsLabel } from "./names.ts";

/** Shape only, for editors; the parse below is the rule. */
const CIDR_SHAPE = /^[0-9a-fA-F:.]+\/[0-9]{1,3}$/;
export const cidr = z
  .string()
  .regex(CIDR_SHAPE, {
    error: (iss) => `expected a CIDR like "10.0.0.0/16", got ${JSON.stringify(iss.input)}`,
  })
  .superRefine((s, ctx) => {
    if (!CIDR_SHAPE.test(s)) return;
    const parsed = parseCidr(s);
    if (typeof parsed === "string")
      ctx.addIssue({
        code: "custom",
        message: `expected a CIDR like "10.0.0.0/16", got ${JSON.stringify(s)}: ${parsed}`,
      });
    else if (hasHostBits(parsed))
      ctx.addIssue({
        code: "custom",
        message:
          `${JSON.stringify(s)} has address bits set after its /${parsed.prefix} prefix; write the network ` +
          `${JSON.stringify(networkOf(parsed))}`,
      });
  })
  .describe('An IPv4 or IPv6 network like "10.64.0.0/16".');

export const nodeCidrs = z
  .array(cidr)
  .describe(
    "The node subnets of the cluster. Host-network pods talk from and listen on node addresses, which " +
      "NetworkPolicy sees as plain IPs, not pods: the generated policies allow exactly these ranges on the " +
      "host-network services' ports.",
  );

const port = z.number().int().min(1).max(65535).describe("A port number.");

/** The ports of a service as the config names them; the generated Service and container use the same names. */
export const SERVICE_PORTS = ["http", "metrics"] as const;

const cni = z
  .discriminatedUnion("plugin", [
    z
      .strictObject({
        plugin: z.literal("generic").describe("A CNI that matches node addresses in ipBlock as plain IPs."),
      })
      .describe("Any CNI that sees host-network traffic as coming from the node's own address."),
    z
      .strictObject({
        plugin: z.literal("calico").describe("Calico."),
        tunnelCidrs: z
          .array(cidr)
          .default([])
          .describe(
            "Addresses Calico gives node tunnel interfaces (IPIP, VXLAN; usually inside the pod CIDR): a " +
              "host-network pod reaching a pod on another node presents one of them, not its node address.",
          ),
      })
      .describe("Calico; with IPIP or VXLAN, name the tunnel ranges."),
    z
      .strictObject({
        plugin: z.literal("cilium").describe("Cilium."),
        policyCidrMatchMode: z
          .enum(["default", "nodes"])
          .default("default")
          .describe(
            "Cilium's `policy-cidr-match-mode`: by default ipBlock never matches node addresses, so host-network " +
              "peers are admitted by a CiliumNetworkPolicy with `fromEntities: [host, remote-node]`; `nodes` " +
              "makes ipBlock match them too.",
          ),
      })
      .describe("Cilium: host-network peers are admitted by entity, not by address."),
  ])
  .default({ plugin: "generic" })
  .describe("The cluster's CNI, which decides how a host-network peer appears to a network policy.");

const externalSet = z
  .strictObject({
    description: z.string().min(1).describe("What these endpoints are, for people reading the config."),
    cidrs: z.array(cidr).min(1, { error: "name at least one network" }).describe("The networks of the endpoints."),
    ports: z.array(port).min(1, { error: "name at least one port" }).describe("The ports reached on them."),
    protocol: z.enum(["TCP", "UDP"]).default("TCP").describe("Transport protocol of the ports."),
  })
  .describe("A named set of endpoints outside the cluster: networks and ports.");

const serviceEdge = z
  .strictObject({
    service: dnsLabel("a service name").describe("The service called (a key of `services`)."),
    port: z.enum(SERVICE_PORTS).default("http").describe("Which of its ports: `http` or `metrics`."),
  })
  .describe("A call to another service of the platform.");

const serviceNetwork = z
  .strictObject({
    talksTo: z.array(serviceEdge).default([]).describe("Services this one opens connections to."),
    reaches: z
      .array(dnsLabel("an external endpoint set"))
      .default([])
      .describe("External endpoint sets (keys of `network.external`) this service opens connections to."),
  })
  .describe("Who one service talks to.");

const exposure = z
  .strictObject({
    via: z
      .enum(["gateway", "ingress"])
      .default("gateway")
      .describe("Gateway API (`Gateway` + `HTTPRoute`) or a networking.k8s.io `Ingress`."),
    port: z.enum(SERVICE_PORTS).default("http").describe("The service port clients reach."),
    hostname: z.string().min(1).describe("The host name clients connect to."),
    path: z
      .string()
      .regex(/^\//, { error: "a path starts with /" })
      .default("/")
      .describe("Path prefix routed to the service."),
  })
  .describe("How clients outside the cluster reach a service.");

export const networkSchema = z
  .strictObject({
    nodeCidrs: nodeCidrs.default([]),
    cni,
    nodeLocalDns: z
      .string()
      .regex(/^\d{1,3}(\.\d{1,3}){3}$/, { error: 'expected an IPv4 address like "169.254.20.10"' })
      .optional()
      .describe(
        "The link-local address of NodeLocal DNSCache (usually 169.254.20.10) when the cluster runs it: pods " +
          "then resolve through it, not through kube-dns pods, and the policies allow it.",
      ),
    apiServer: z
      .strictObject({
        cidrs: z.array(cidr).min(1).describe("Addresses of the API server endpoints (control plane)."),
        ports: z.array(port).min(1).default([443, 6443]).describe("Ports the API server listens on."),
      })
      .optional()
      .describe(
        "Where the Kubernetes API server is, for Prometheus' discovery and the metrics adapter, and the source the " +
          "services admit on their `http` port for `platform deploy`'s smoke checks (the API server's service " +
          "proxy); the node subnets when unset (a control plane on the nodes).",
      ),
    external: z
      .record(dnsLabel("an external endpoint set"), externalSet)
      .default({})
      .describe("Named external endpoint sets (venues, feeds, ...) that services may reach."),
    services: z
      .record(dnsLabel("a service name"), serviceNetwork)
      .default({})
      .describe("Per service (a key of `services`): the services and external sets it opens connections to."),
    expose: z
      .record(dnsLabel("a service name"), exposure)
      .default({})
      .describe("Per service (a key of `services`): how clients outside the cluster reach it."),
    alertmanagerReaches: z
      .array(dnsLabel("an external endpoint set"))
      .default([])
      .describe("External endpoint sets (keys of `network.external`) Alertmanager delivers notifications to."),
    gateway: z
      .strictObject({
        controllerNamespace: dnsLabel("the controller's namespace").describe(
          "Namespace of the Gateway or Ingress controller's pods, which the generated policies admit.",
        ),
        className: z.string().min(1).describe("GatewayClass (or IngressClass) the cluster's controller serves."),
        listenerPort: port.default(443).describe("Port the Gateway listens on for clients."),
        tlsSecret: z
          .string()
          .min(1)
          .optional()
          .describe("Secret holding the listener's TLS certificate; plain HTTP when unset."),
      })
      .optional()
      .describe("The cluster's Gateway or Ingress controller; required when a service is exposed."),
    clusterPrometheus: z
      .strictObject({
        namespace: dnsLabel("the Prometheus namespace")
          .default("monitoring")
          .describe("Namespace of the cluster's Prometheus pods."),
        podLabels: z
          .record(z.string().min(1).describe("A label key."), z.string().describe("Its value."))
          .default({ "app.kubernetes.io/name": "prometheus" })
          .describe("Labels of its pods (prometheus-operator sets `app.kubernetes.io/name: prometheus`)."),
      })
      .prefault({})
      .describe(
        "With `monitoring.mode: prometheus-operator`, the cluster's Prometheus that scrapes the services: the " +
          "generated policies admit its pods, in this namespace with these labels, on each service's metrics port.",
      ),
  })
  .describe("The cluster's network and the platform's communication graph.");

export type NetworkConfig = z.output<typeof networkSchema>;

/** Config problems only the whole config reveals: unknown services and sets, missing node subnets. */
export function networkReferenceIssues(
  network: NetworkConfig,
  services: Record<string, unknown>,
  hostNetworkTiers: string[],
): { path: (string | number)[]; message: string }[] {
  const issues: { path: (string | number)[]; message: string }[] = [];
  const known = Object.keys(services);
  const unknownService = (s: string) => `unknown service ${JSON.stringify(s)}; declared: ${known.join(", ") || "none"}`;
  const sets = Object.keys(network.external);
  const unknownSet = (set: string) =>
    `unknown external endpoint set ${JSON.stringify(set)}; declared in network.external: ${sets.join(", ") || "none"}`;
  if (hostNetworkTiers.length > 0 && network.nodeCidrs.length === 0)
    issues.push({
      path: ["network", "nodeCidrs"],
      message:
        `required: tier ${hostNetworkTiers.join(", ")} uses host networking, so network policies ` +
        `must name the node subnets its pods talk from`,
    });
  for (const [name, svc] of Object.entries(network.services)) {
    if (!(name in services)) issues.push({ path: ["network", "services", name], message: unknownService(name) });
    svc.talksTo.forEach((e, i) => {
      if (!(e.service in services))
        issues.push({
          path: ["network", "services", name, "talksTo", i, "service"],
          message: unknownService(e.service),
        });
      else if (e.service === name)
        issues.push({
          path: ["network", "services", name, "talksTo", i, "service"],
          message: "a service's replicas talking to each other need no edge here; name another service",
        });
    });
    svc.reaches.forEach((set, i) => {
      if (!(set in network.external))
        issues.push({
          path: ["network", "services", name, "reaches", i],
          message: unknownSet(set),
        });
    });
  }
  network.alertmanagerReaches.forEach((set, i) => {
    if (!(set in network.external))
      issues.push({
        path: ["network", "alertmanagerReaches", i],
        message: unknownSet(set),
      });
  });
  for (const name of Object.keys(network.expose)) {
    if (!(name in services)) issues.push({ path: ["network", "expose", name], message: unknownService(name) });
    if (!network.gateway)
      issues.push({
        path: ["network", "gateway"],
        message: `required: ${name} is exposed to clients, so name the Gateway controller's namespace and class`,
      });
  }
  return issues;
}
