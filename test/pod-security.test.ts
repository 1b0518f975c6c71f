/**
 * The offline Pod Security evaluator: pods and pod templates judged against the level their namespace
 * enforces, as PodSecurity admission would, with findings that name the field and read like its warnings.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Namespace } from "kubernetes-types/core/v1.js";
import { runObjectChecks } from "../checks/registry.ts";
import { enforcedLevel } from "../checks/pod-security/namespaces.ts";
import { evaluatePodSecurity } from "../checks/pod-security/standards.ts";
import { podTemplateOf } from "../core/k8s/pod-template.ts";
import type { Finding, KubeObject } from "../core/finding.ts";
import { container, cronJob, deployment, NAMESPACE, pod, podSpec } from "../policies/builders.ts";
import { bundleOf, cli } from "./support/config.ts";

const locked = container().securityContext;

function namespace(level?: string, version?: string, name = NAMESPACE): Namespace {
  const labels: Record<string, string> = {};
  if (level) labels["pod-security.kubernetes.io/enforce"] = level;
  if (version) labels["pod-security.kubernetes.io/enforce-version"] = version;
  return { apiVersion: "v1", kind: "Namespace", metadata: { name, labels } };
}

const podSecurity = (...objects: unknown[]): Finding[] =>
  runObjectChecks({ environments: [{ environment: "", objects: objects as KubeObject[] }] }).filter(
    (f) => f.engine === "pod-security",
  );

const lines = (fs: Finding[]) => fs.map((f) => `${f.rule} ${f.severity} ${f.path}`);

test("a restricted-namespace Deployment with hostPath, added capabilities, no seccomp is refused by field", () => {
  const bad = deployment({
    spec: {
      securityContext: { runAsNonRoot: true },
      containers: [container({ securityContext: { ...locked, capabilities: { drop: ["ALL"], add: ["SYS_NICE"] } } })],
      volumes: [{ name: "logs", hostPath: { path: "/var/log" } }],
    },
  });
  const findings = podSecurity(namespace("restricted"), bad);
  // Restricted replaces the baseline capabilities control with its own, as PodSecurity admission does.
  assert.equal(lines(findings).sort(), [
    "baseline error spec.template.spec.volumes[0].hostPath",
    "restricted error spec.template.spec.containers[0].securityContext.capabilities.add",
    "restricted error spec.template.spec.securityContext.seccompProfile.type",
    "restricted error spec.template.spec.volumes[0].hostPath",
  ]);
  const caps = findings.find((f) => f.rule === "restricted" && f.path?.endsWith("capabilities.add"))!;
  assert.is(
    caps.message.split(";")[0],
    'would violate PodSecurity "restricted:latest": unrestricted capabilities (container "app" must not include ' +
      '"SYS_NICE" in securityContext.capabilities.add)',
  );
  assert.equal(caps.resource, { apiVersion: "apps/v1", kind: "Deployment", namespace: NAMESPACE, name: "risk-engine" });
});

test("compliant pods, workloads and CronJobs pass restricted; NET_BIND_SERVICE may be added", () => {
  const netBind = container({
    securityContext: { ...locked, capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE"] } },
  });
  assert.equal(
    lines(
      podSecurity(
        namespace("restricted"),
        deployment(),
        pod({ spec: { containers: [netBind] } }),
        cronJob(),
        deployment({
          name: "volumes",
          spec: {
            volumes: [
              { name: "tmp", emptyDir: {} },
              { name: "c", configMap: { name: "c" } },
            ],
          },
        }),
      ),
    ),
    [],
  );
});

test("the level follows the namespace: privileged allows all, baseline allows what only restricted forbids", () => {
  const rootish = deployment({ spec: { securityContext: {}, containers: [container({ securityContext: {} })] } });
  const host = deployment({ name: "engine", spec: { hostNetwork: true } });
  assert.equal(lines(podSecurity(namespace("privileged"), rootish, host)), []);
  assert.equal(lines(podSecurity(namespace(), rootish, host)), [], "no label is privileged");
  assert.equal(lines(podSecurity(namespace("baseline"), rootish, host)), [
    "baseline error spec.template.spec.hostNetwork",
  ]);
  assert.ok(lines(podSecurity(namespace("restricted"), rootish)).length >= 4);
});

test("each namespace is judged at its own level (engines privileged, the rest restricted)", () => {
  const engine = { ...deployment({ name: "engine", spec: { hostNetwork: true } }) };
  engine.metadata = { ...engine.metadata, namespace: "engines" };
  const lax = deployment({ name: "lax", spec: { securityContext: {} } });
  const findings = podSecurity(namespace("privileged", undefined, "engines"), namespace("restricted"), engine, lax);
  assert.equal(findings.map((f) => `${f.resource?.name} ${f.path}`).sort(), [
    "lax spec.template.spec.securityContext.runAsNonRoot",
    "lax spec.template.spec.securityContext.seccompProfile.type",
  ]);
});

test("a pod whose namespace is not among the objects is judged at baseline, as a warning that says so", () => {
  const host = deployment({ name: "engine", spec: { hostNetwork: true, securityContext: {} } });
  const findings = podSecurity(host);
  assert.equal(lines(findings), ["baseline warning spec.template.spec.hostNetwork"]);
  assert.match(findings[0]!.message, /namespace nautilus-trading is not among these objects/);
});

test("enforce-version pins the controls: runAsUser 0 is allowed before v1.23, unsafe sysctls by version", () => {
  const root = deployment({ spec: { securityContext: { ...podSpec().securityContext, runAsUser: 0 } } });
  assert.equal(lines(podSecurity(namespace("restricted", "v1.22"), root)), []);
  assert.equal(lines(podSecurity(namespace("restricted", "v1.23"), root)), [
    "restricted error spec.template.spec.securityContext.runAsUser",
  ]);
  const keepalive = deployment({
    spec: {
      securityContext: {
        ...podSpec().securityContext,
        sysctls: [{ name: "net.ipv4.tcp_keepalive_time", value: "60" }],
      },
    },
  });
  assert.equal(lines(podSecurity(namespace("baseline", "v1.29"), keepalive)), []);
  assert.equal(lines(podSecurity(namespace("baseline", "v1.28"), keepalive)), [
    "baseline error spec.template.spec.securityContext.sysctls[0].name",
  ]);
});

test("an invalid enforce label is judged as restricted:latest, as the API server does", () => {
  assert.equal(enforcedLevel({ "pod-security.kubernetes.io/enforce": "strict" }).level, "restricted");
  assert.equal(
    enforcedLevel({
      "pod-security.kubernetes.io/enforce": "baseline",
      "pod-security.kubernetes.io/enforce-version": "1.30",
    }).level,
    "restricted",
  );
  assert.equal(
    enforcedLevel({
      "pod-security.kubernetes.io/enforce": "baseline",
      "pod-security.kubernetes.io/enforce-version": "v1.27",
    }).minor,
    27,
  );
});

test("every baseline control names its field", () => {
  const t = podTemplateOf(
    deployment({
      spec: {
        hostPID: true,
        securityContext: { seccompProfile: { type: "Unconfined" }, seLinuxOptions: { user: "system_u" } },
        containers: [
          container({
            ports: [{ containerPort: 80, hostPort: 80 }],
            securityContext: { privileged: true, procMount: "Unmasked", capabilities: { add: ["SYS_ADMIN"] } },
          }),
        ],
      },
    }) as unknown as KubeObject,
  )!;
  assert.equal(
    evaluatePodSecurity(t, "baseline", 30).map((v) => `${v.control} ${v.path}`),
    [
      "hostNamespaces spec.template.spec.hostPID",
      "privileged spec.template.spec.containers[0].securityContext.privileged",
      "capabilities_baseline spec.template.spec.containers[0].securityContext.capabilities.add",
      "hostPorts spec.template.spec.containers[0].ports[0].hostPort",
      "seLinuxOptions spec.template.spec.securityContext.seLinuxOptions",
      "procMount spec.template.spec.containers[0].securityContext.procMount",
      "seccompProfile_baseline spec.template.spec.securityContext.seccompProfile.type",
    ],
  );
});

test("every generated workload but the host-network engines already meets restricted", () => {
  for (const env of bundleOf().environments) {
    const objects = env.objects.map((o) =>
      o.kind === "Namespace"
        ? {
            ...o,
            metadata: {
              ...o.metadata,
              labels: { ...o.metadata.labels, "pod-security.kubernetes.io/enforce": "restricted" },
            },
          }
        : o,
    );
    const failing = podSecurity(...objects);
    const hostNetwork = new Set(
      objects.filter((o) => podTemplateOf(o)?.spec.hostNetwork === true).map((o) => o.metadata.name),
    );
    assert.ok(hostNetwork.size > 0);
    assert.equal(
      [...new Set(failing.map((f) => f.resource!.name))].filter((n) => !hostNetwork.has(n)),
      [],
      env.environment,
    );
  }
});

test("vet refuses a restricted-namespace pod with hostPath, naming the file and field", () => {
  const r = cli(["vet", "--format", "json", "test/fixtures/pod-security/restricted-hostpath.yaml"]);
  assert.is(r.code, 1, r.stdout + r.stderr);
  const { findings } = JSON.parse(r.stdout) as { findings: Finding[] };
  const hostPath = findings.find((f) => f.engine === "pod-security" && f.rule === "restricted")!;
  assert.is(hostPath.path, "spec.volumes[0].hostPath");
  assert.is(hostPath.file, "test/fixtures/pod-security/restricted-hostpath.yaml");
  assert.ok(typeof hostPath.line === "number");
});

test.run();
