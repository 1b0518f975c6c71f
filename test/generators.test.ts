import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Deployment } from "kubernetes-types/apps/v1.js";
import type { HorizontalPodAutoscaler } from "kubernetes-types/autoscaling/v2.js";
import type { PodDisruptionBudget } from "kubernetes-types/policy/v1.js";
import type { Namespace, PersistentVolumeClaim, Service, ServiceAccount } from "kubernetes-types/core/v1.js";
import type { PriorityClass } from "kubernetes-types/scheduling/v1.js";
import { LABEL } from "../core/conventions.ts";
import { deployments } from "../generators/deployment.ts";
import { horizontalPodAutoscalers } from "../generators/horizontal-pod-autoscaler.ts";
import { jsonPatch } from "../generators/json-patch.ts";
import { namespaces } from "../generators/namespace.ts";
import { persistentVolumeClaims } from "../generators/persistent-volume-claim.ts";
import { platformObjects } from "../generators/objects.ts";
import { podDisruptionBudgets } from "../generators/pod-disruption-budget.ts";
import { priorityClasses } from "../generators/priority-class.ts";
import { serviceAccounts } from "../generators/service-account.ts";
import { services } from "../generators/service.ts";
import { toYaml } from "../core/yaml.ts";
import { bundleOf, platformOf } from "./support/config.ts";

const p = platformOf();
const byName = <T extends { metadata?: { name?: string } }>(list: T[], name: string): T => {
  const found = list.find((o) => o.metadata?.name === name);
  if (!found) throw new Error(`no ${name}`);
  return found;
};

test("every object carries the app.kubernetes.io labels, and workloads and their pods the tier label", () => {
  for (const o of platformObjects(p)) {
    for (const key of [LABEL.name, LABEL.partOf, LABEL.component, LABEL.managedBy]) {
      assert.ok(o.metadata.labels?.[key], `${o.kind} ${o.metadata.name} lacks ${key}`);
    }
  }
  for (const d of deployments(p)) {
    assert.ok(d.metadata?.labels?.[LABEL.tier]);
    assert.is(d.spec?.template.metadata?.labels?.[LABEL.tier], d.metadata?.labels?.[LABEL.tier]);
  }
});

test(
  "an ultra-low-latency Deployment is Guaranteed, host-networked, pinned to its nodes and spread one per " + "node",
  () => {
    const d: Deployment = byName(deployments(p), "nautilus-risk-engine");
    const pod = d.spec!.template.spec!;
    const c = pod.containers[0]!;
    assert.equal(c.resources?.requests, { cpu: "2", memory: "1Gi", "hugepages-2Mi": "512Mi" });
    assert.equal(c.resources?.limits, c.resources?.requests);
    assert.is(pod.hostNetwork, true);
    assert.is(pod.dnsPolicy, "ClusterFirstWithHostNet");
    assert.equal(pod.nodeSelector, { "node-type": "ultra-low-latency", "cpu-architecture": "x86_64" });
    assert.is(
      pod.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.[0]?.topologyKey,
      "kubernetes.io/hostname",
    );
    assert.equal(d.spec?.strategy, { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
    assert.is(pod.priorityClassName, "nautilus-ultra-low-latency");
    assert.is(d.spec?.replicas, 2);
  },
);

test("containers run as non-root with a read-only root filesystem and a writable /tmp", () => {
  for (const d of deployments(p)) {
    const pod = d.spec!.template.spec!;
    const c = pod.containers[0]!;
    assert.is(pod.securityContext?.runAsNonRoot, true);
    assert.is(pod.securityContext?.seccompProfile?.type, "RuntimeDefault");
    assert.equal(c.securityContext, {
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    });
    assert.ok(c.volumeMounts?.some((m) => m.mountPath === "/tmp"));
  }
});

test("probes use the named http port and the startup budget becomes period × failureThreshold", () => {
  const c = byName(deployments(p), "nautilus-market-data").spec!.template.spec!.containers[0]!;
  assert.equal(c.startupProbe?.httpGet, { path: "/health/startup", port: "http" });
  assert.is(c.startupProbe!.periodSeconds! * c.startupProbe!.failureThreshold!, 60);
  assert.is(c.livenessProbe?.httpGet?.path, "/health/live");
  assert.is(c.readinessProbe?.httpGet?.path, "/health/ready");
});

test("an autoscaled Deployment leaves replicas to its HPA, which carries the seed's bounds and behaviour", () => {
  assert.is(byName(deployments(p), "nautilus-market-data").spec?.replicas, undefined);
  const md: HorizontalPodAutoscaler = byName(horizontalPodAutoscalers(p), "nautilus-market-data");
  assert.is(md.spec?.minReplicas, 3);
  assert.is(md.spec?.maxReplicas, 15);
  assert.equal(md.spec?.scaleTargetRef, { apiVersion: "apps/v1", kind: "Deployment", name: "nautilus-market-data" });
  assert.equal(
    md.spec?.metrics?.map((m) => m.resource?.target.averageUtilization ?? m.pods?.metric.name),
    [70, 80, "nautilus_websocket_connections", "nautilus_messages_per_second"],
  );
  const se: HorizontalPodAutoscaler = byName(horizontalPodAutoscalers(p), "nautilus-strategy-engine");
  assert.equal(se.spec?.behavior?.scaleUp?.policies, [{ type: "Percent", value: 100, periodSeconds: 60 }]);
  assert.is(se.spec?.behavior?.scaleDown?.stabilizationWindowSeconds, 300);
  assert.is(horizontalPodAutoscalers(p).length, 2);
});

test("Services expose the seed's ports 8000 and 9090 on whatever port the container listens", () => {
  const s: Service = byName(services(p), "nautilus-risk-engine");
  assert.equal(
    s.spec?.ports?.map((x) => [x.name, x.port, x.targetPort]),
    [
      ["http", 8000, "http"],
      ["metrics", 9090, "metrics"],
    ],
  );
  assert.equal(s.spec?.selector, { [LABEL.name]: "risk-engine", [LABEL.partOf]: "nautilus" });
});

test("host-network services listen on distinct container ports, since they share nodes", () => {
  const ports = deployments(p)
    .filter((d) => d.spec?.template.spec?.hostNetwork)
    .flatMap((d) => d.spec!.template.spec!.containers.flatMap((c) => c.ports!.map((x) => x.containerPort)));
  assert.is(new Set(ports).size, ports.length);
});

test("each service gets a ServiceAccount without an API token and a PodDisruptionBudget", () => {
  const sas: ServiceAccount[] = serviceAccounts(p);
  const pdbs: PodDisruptionBudget[] = podDisruptionBudgets(p);
  assert.is(sas.length, 7);
  assert.ok(sas.every((s) => s.automountServiceAccountToken === false));
  assert.is(pdbs.length, 7);
  assert.ok(pdbs.every((x) => x.spec?.maxUnavailable === 1));
  // A Running but not Ready pod must not hold a node drain hostage.
  assert.ok(pdbs.every((x) => x.spec?.unhealthyPodEvictionPolicy === "AlwaysAllow"));
});

test("host-network engines get their own privileged namespace; everything else enforces restricted", () => {
  const levels = (ns: Namespace[]) =>
    ns.map((n) => [
      n.metadata?.name,
      ...["enforce", "audit", "warn"].flatMap((m) => [
        n.metadata?.labels?.[`pod-security.kubernetes.io/${m}`],
        n.metadata?.labels?.[`pod-security.kubernetes.io/${m}-version`],
      ]),
    ]);
  assert.equal(levels(namespaces(p)), [
    ["nautilus-trading", "restricted", "v1.30", "restricted", "v1.30", "restricted", "v1.30"],
    ["nautilus-engines", "privileged", "v1.30", "privileged", "v1.30", "privileged", "v1.30"],
  ]);
  const noHost = platformOf({ tiers: { "ultra-low-latency": { hostNetwork: false } } });
  assert.equal(
    namespaces(noHost).map((n) => n.metadata?.name),
    ["nautilus-trading"],
  );
});

test("one PriorityClass per tier, ultra-low-latency above high-performance", () => {
  const pcs: PriorityClass[] = priorityClasses(p);
  assert.equal(
    pcs.map((x) => [x.metadata?.name, x.value]),
    [
      ["nautilus-ultra-low-latency", 1000000],
      ["nautilus-high-performance", 100000],
    ],
  );
});

test("the seed's storage claims are generated with sizes and access modes, in each namespace mounting them", () => {
  const pvcs: PersistentVolumeClaim[] = persistentVolumeClaims(p);
  assert.equal(
    pvcs.map((x) => [
      x.metadata?.namespace,
      x.metadata?.name,
      x.spec?.resources?.requests?.storage,
      x.spec?.accessModes?.[0],
    ]),
    [
      ["nautilus-trading", "nautilus-metrics", "100Gi", "ReadWriteOnce"],
      ["nautilus-trading", "nautilus-logs", "50Gi", "ReadWriteMany"],
      ["nautilus-trading", "nautilus-cache", "20Gi", "ReadWriteMany"],
    ],
  );
});

test("policies are emitted with bindings: Deny in prod, Warn and Audit elsewhere, scoped to the namespace", () => {
  const bindings = (env: string) =>
    Object.fromEntries(
      bundleOf()
        .environments.find((e) => e.environment === env)!
        .objects.filter((o) => o.kind === "ValidatingAdmissionPolicyBinding")
        .map((o) => [
          o.metadata.name,
          (o as unknown as { spec: { validationActions: string[]; matchResources: { objectSelector?: unknown } } })
            .spec,
        ]),
    );
  const prod = bindings("prod");
  // Seven pod policies emitted per pod-template shape, rbac per kind, two whole: each policy has its binding.
  assert.is(Object.keys(prod).length, 7 * 3 + 3 + 2);
  assert.equal(prod["nautilus-guaranteed-qos-pod"]!.validationActions, ["Deny"]);
  assert.equal(bindings("dev")["nautilus-guaranteed-qos-workload"]!.validationActions, ["Warn", "Audit"]);
  assert.equal(bindings("staging")["nautilus-non-root-cronjob"]!.validationActions, ["Warn", "Audit"]);
  // Controllers write Secrets in the namespace too: only what we generate is held to no-inline-secrets.
  assert.equal(prod["nautilus-no-inline-secrets"]!.matchResources.objectSelector, {
    matchLabels: { "app.kubernetes.io/managed-by": "nautilus-platform" },
  });
  assert.is(prod["nautilus-guaranteed-qos-workload"]!.matchResources.objectSelector, undefined);
});

test("YAML output quotes YAML 1.1 booleans and dates, never folds lines, and orders keys stably", () => {
  const out = toYaml({
    spec: { b: "yes", a: "2024-01-01", long: "x".repeat(300) },
    kind: "K",
    apiVersion: "v1",
    metadata: { name: "n" },
  });
  assert.ok(out.startsWith("apiVersion: v1\nkind: K\nmetadata:"));
  assert.match(out, /a: "2024-01-01"\n\s+b: "yes"/);
  assert.match(out, new RegExp(`long: ${"x".repeat(300)}\n`));
});

test("JSON patches between object versions escape label keys and patch arrays element-wise", () => {
  const ops = jsonPatch(
    { metadata: { labels: { "a/b": "1" } }, list: [1, 2] },
    { metadata: { labels: { "a/b": "2" } }, list: [1, 3], added: true },
  );
  assert.equal(ops, [
    { op: "add", path: "/added", value: true },
    { op: "replace", path: "/list/1", value: 3 },
    { op: "replace", path: "/metadata/labels/a~1b", value: "2" },
  ]);
});

test.run();
