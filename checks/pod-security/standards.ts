/**
 * The Pod Security Standards, evaluated offline as the API server's PodSecurity admission does
 * (k8s.io/pod-security-admission/policy), pinned to the checks of Kubernetes v1.30: each control has the
 * level it belongs to, the version it appeared in, and the reason and detail the API server prints, so a
 * finding reads like `kubectl apply`'s warning. Pure: the checks in this folder apply it to every pod
 * template against the level its namespace enforces.
 */
import { joinPath } from "../../core/field-path.ts";
import { containersOf, type PodTemplate } from "../../core/k8s/pod-template.ts";
import { isPlainObject } from "../../core/plain.ts";

export type Level = "privileged" | "baseline" | "restricted";

/** The newest policy version this evaluator implements; `latest`, and any newer version, are judged as this. */
export const PINNED_MINOR = 30;
export const PINNED_VERSION = `v1.${PINNED_MINOR}`;

export const ENFORCE_LABEL = "pod-security.kubernetes.io/enforce";
export const ENFORCE_VERSION_LABEL = "pod-security.kubernetes.io/enforce-version";

/** One failed control: what PodSecurity admission prints as `reason (detail)`, and the field to change. */
export interface Violation {
  control: string;
  level: "baseline" | "restricted";
  reason: string;
  detail: string;
  path: string;
  fix: string;
}

type Plain = Record<string, unknown>;
const obj = (v: unknown): Plain => (isPlainObject(v) ? (v as Plain) : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** A container as the controls read it. */
interface Container {
  name: string;
  path: string;
  securityContext: Plain;
  raw: Plain;
}

function containersIn(t: PodTemplate): Container[] {
  return containersOf(t).map(({ container, path, index }) => ({
    name: String(container.name ?? `#${index}`),
    path,
    securityContext: obj(container.securityContext),
    raw: container,
  }));
}

interface Context {
  t: PodTemplate;
  pod: Plain;
  podPath: string;
  containers: Container[];
  windows: boolean;
  minor: number;
}

interface Control {
  id: string;
  level: "baseline" | "restricted";
  since: number;
  /** Baseline controls the restricted level replaces with a stricter one of its own. */
  overriddenBy?: string;
  check(ctx: Context): Omit<Violation, "control" | "level">[];
}

const quoted = (s: string) => JSON.stringify(s);

/** Who must set a field the pod sets for all containers, as PodSecurity names them: `pod or containers "a", "b"`. */
const podOrContainers = (unset: readonly Container[]) =>
  `pod or ${unset.length === 1 ? "container" : "containers"} ${unset.map((c) => quoted(c.name)).join(", ")}`;

const BASELINE_CAPABILITIES = new Set([
  "AUDIT_WRITE",
  "CHOWN",
  "DAC_OVERRIDE",
  "FOWNER",
  "FSETID",
  "KILL",
  "MKNOD",
  "NET_BIND_SERVICE",
  "SETFCAP",
  "SETGID",
  "SETPCAP",
  "SETUID",
  "SYS_CHROOT",
]);

/** Safe sysctls by the version that allowed them. */
const SAFE_SYSCTLS: readonly [string, number][] = [
  ["kernel.shm_rmid_forced", 0],
  ["net.ipv4.ip_local_port_range", 0],
  ["net.ipv4.ip_unprivileged_port_start", 0],
  ["net.ipv4.tcp_syncookies", 0],
  ["net.ipv4.ping_group_range", 0],
  ["net.ipv4.ip_local_reserved_ports", 27],
  ["net.ipv4.tcp_keepalive_time", 29],
  ["net.ipv4.tcp_fin_timeout", 29],
  ["net.ipv4.tcp_keepalive_intvl", 29],
  ["net.ipv4.tcp_keepalive_probes", 29],
];

const SELINUX_TYPES = new Set(["", "container_t", "container_init_t", "container_kvm_t"]);

/** Volume sources the restricted level allows. */
const RESTRICTED_VOLUMES = new Set([
  "configMap",
  "csi",
  "downwardAPI",
  "emptyDir",
  "ephemeral",
  "persistentVolumeClaim",
  "projected",
  "secret",
]);

const APPARMOR_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/";

const CONTROLS: readonly Control[] = [
  {
    id: "hostProcess",
    level: "baseline",
    since: 0,
    check: ({ pod, podPath, containers }) => [
      ...(obj(pod.windowsOptions).hostProcess === true
        ? [
            {
              reason: "hostProcess",
              detail: "pod must not set securityContext.windowsOptions.hostProcess=true",
              path: `${podPath}.windowsOptions.hostProcess`,
              fix: "remove windowsOptions.hostProcess",
            },
          ]
        : []),
      ...containers
        .filter((c) => obj(c.securityContext.windowsOptions).hostProcess === true)
        .map((c) => ({
          reason: "hostProcess",
          detail: `container ${quoted(c.name)} must not set securityContext.windowsOptions.hostProcess=true`,
          path: `${c.path}.securityContext.windowsOptions.hostProcess`,
          fix: "remove windowsOptions.hostProcess",
        })),
    ],
  },
  {
    id: "hostNamespaces",
    level: "baseline",
    since: 0,
    check: ({ t }) =>
      (["hostNetwork", "hostPID", "hostIPC"] as const)
        .filter((f) => t.spec[f] === true)
        .map((f) => ({
          reason: "host namespaces",
          detail: `${f}=true`,
          path: joinPath(t.specPath, f),
          fix:
            `remove ${f}, or run the pod in a namespace that enforces privileged ` +
            "(baseline and restricted forbid host namespaces)",
        })),
  },
  {
    id: "privileged",
    level: "baseline",
    since: 0,
    check: ({ containers }) =>
      containers
        .filter((c) => c.securityContext.privileged === true)
        .map((c) => ({
          reason: "privileged",
          detail: `container ${quoted(c.name)} must not set securityContext.privileged=true`,
          path: `${c.path}.securityContext.privileged`,
          fix: "remove securityContext.privileged, and add only the capabilities the process needs",
        })),
  },
  {
    id: "capabilities_baseline",
    level: "baseline",
    since: 0,
    overriddenBy: "capabilities_restricted",
    check: ({ containers }) =>
      containers.flatMap((c) => {
        const add = list(obj(c.securityContext.capabilities).add).map(String);
        const forbidden = add.filter((a) => !BASELINE_CAPABILITIES.has(a));
        return forbidden.length === 0
          ? []
          : [
              {
                reason: "non-default capabilities",
                detail:
                  `container ${quoted(c.name)} must not include ${forbidden.map(quoted).join(", ")} in ` +
                  "securityContext.capabilities.add",
                path: `${c.path}.securityContext.capabilities.add`,
                fix: `remove ${forbidden.join(", ")} from capabilities.add`,
              },
            ];
      }),
  },
  {
    id: "hostPathVolumes",
    level: "baseline",
    since: 0,
    check: ({ t }) =>
      list(t.spec.volumes).flatMap((v, i) =>
        isPlainObject(obj(v).hostPath)
          ? [
              {
                reason: "hostPath volumes",
                detail: `volume ${quoted(String(obj(v).name))}`,
                path: `${joinPath(joinPath(t.specPath, "volumes"), i)}.hostPath`,
                fix: "use an emptyDir, a persistentVolumeClaim, a configMap or a secret instead of hostPath",
              },
            ]
          : [],
      ),
  },
  {
    id: "hostPorts",
    level: "baseline",
    since: 0,
    check: ({ containers }) =>
      containers.flatMap((c) =>
        list(c.raw.ports).flatMap((p, j) => {
          const port = obj(p).hostPort;
          return typeof port === "number" && port !== 0
            ? [
                {
                  reason: "hostPort",
                  detail: `container ${quoted(c.name)} uses hostPort ${port}`,
                  path: `${c.path}.ports[${j}].hostPort`,
                  fix: "remove hostPort and expose the port through a Service",
                },
              ]
            : [];
        }),
      ),
  },
  {
    id: "appArmorProfile",
    level: "baseline",
    since: 0,
    check: ({ t, pod, podPath, containers, minor }) => {
      const found: Omit<Violation, "control" | "level">[] = [];
      for (const [key, value] of Object.entries(t.annotations)) {
        if (!key.startsWith(APPARMOR_ANNOTATION)) continue;
        if (value === "runtime/default" || value.startsWith("localhost/")) continue;
        found.push({
          reason: "forbidden AppArmor profile",
          detail: `${key}=${quoted(value)}`,
          path: joinPath(joinPath(t.metadataPath, "annotations"), key),
          fix: 'use "runtime/default" or a "localhost/" profile',
        });
      }
      // The appArmorProfile fields are checked from v1.30, when they went GA.
      if (minor < 30) return found;
      const unconfined = (sc: Plain) => obj(sc.appArmorProfile).type === "Unconfined";
      if (unconfined(pod))
        found.push({
          reason: "forbidden AppArmor profile",
          detail: 'pod must not set securityContext.appArmorProfile.type to "Unconfined"',
          path: `${podPath}.appArmorProfile.type`,
          fix: 'use "RuntimeDefault" or "Localhost"',
        });
      for (const c of containers)
        if (unconfined(c.securityContext))
          found.push({
            reason: "forbidden AppArmor profile",
            detail: `container ${quoted(c.name)} must not set securityContext.appArmorProfile.type to "Unconfined"`,
            path: `${c.path}.securityContext.appArmorProfile.type`,
            fix: 'use "RuntimeDefault" or "Localhost"',
          });
      return found;
    },
  },
  {
    id: "seLinuxOptions",
    level: "baseline",
    since: 0,
    check: ({ pod, podPath, containers }) => {
      const judge = (sc: Plain, who: string, path: string) => {
        const o = sc.seLinuxOptions;
        if (!isPlainObject(o)) return [];
        const se = obj(o);
        const bad: string[] = [];
        if (se.type !== undefined && !SELINUX_TYPES.has(String(se.type))) bad.push(`type ${quoted(String(se.type))}`);
        if (se.user !== undefined && se.user !== "") bad.push(`user ${quoted(String(se.user))}`);
        if (se.role !== undefined && se.role !== "") bad.push(`role ${quoted(String(se.role))}`);
        return bad.length === 0
          ? []
          : [
              {
                reason: "seLinuxOptions",
                detail: `${who} set forbidden securityContext.seLinuxOptions: ${bad.join("; ")}`,
                path: `${path}.seLinuxOptions`,
                fix: "set no user or role, and a type of container_t, container_init_t or container_kvm_t",
              },
            ];
      };
      return [
        ...judge(pod, "pod", podPath),
        ...containers.flatMap((c) =>
          judge(c.securityContext, `container ${quoted(c.name)}`, `${c.path}.securityContext`),
        ),
      ];
    },
  },
  {
    id: "procMount",
    level: "baseline",
    since: 0,
    check: ({ containers }) =>
      containers
        .filter((c) => c.securityContext.procMount !== undefined && c.securityContext.procMount !== "Default")
        .map((c) => ({
          reason: "procMount",
          detail: `container ${quoted(c.name)} sets procMount ${quoted(String(c.securityContext.procMount))}`,
          path: `${c.path}.securityContext.procMount`,
          fix: 'remove procMount or set it to "Default"',
        })),
  },
  {
    id: "seccompProfile_baseline",
    level: "baseline",
    since: 19,
    overriddenBy: "seccompProfile_restricted",
    check: ({ pod, podPath, containers }) => [
      ...(obj(pod.seccompProfile).type === "Unconfined"
        ? [
            {
              reason: "seccompProfile",
              detail: 'pod must not set securityContext.seccompProfile.type to "Unconfined"',
              path: `${podPath}.seccompProfile.type`,
              fix: 'use "RuntimeDefault" or "Localhost"',
            },
          ]
        : []),
      ...containers
        .filter((c) => obj(c.securityContext.seccompProfile).type === "Unconfined")
        .map((c) => ({
          reason: "seccompProfile",
          detail: `container ${quoted(c.name)} must not set securityContext.seccompProfile.type to "Unconfined"`,
          path: `${c.path}.securityContext.seccompProfile.type`,
          fix: 'use "RuntimeDefault" or "Localhost"',
        })),
    ],
  },
  {
    id: "sysctls",
    level: "baseline",
    since: 0,
    check: ({ pod, podPath, minor }) =>
      list(pod.sysctls).flatMap((s, i) => {
        const name = String(obj(s).name);
        return SAFE_SYSCTLS.some(([safe, since]) => safe === name && since <= minor)
          ? []
          : [
              {
                reason: "forbidden sysctls",
                detail: name,
                path: `${podPath}.sysctls[${i}].name`,
                fix: `remove ${name}: only the safe sysctls (${SAFE_SYSCTLS.filter(([, v]) => v <= minor)
                  .map(([n]) => n)
                  .join(", ")}) are allowed`,
              },
            ];
      }),
  },
  {
    id: "restrictedVolumes",
    level: "restricted",
    since: 0,
    check: ({ t }) =>
      list(t.spec.volumes).flatMap((v, i) => {
        const type = Object.keys(obj(v)).find((k) => k !== "name");
        return type === undefined || RESTRICTED_VOLUMES.has(type)
          ? []
          : [
              {
                reason: "restricted volume types",
                detail: `volume ${quoted(String(obj(v).name))} uses restricted volume type ${quoted(type)}`,
                path: `${joinPath(joinPath(t.specPath, "volumes"), i)}.${type}`,
                fix: `use one of ${[...RESTRICTED_VOLUMES].join(", ")}`,
              },
            ];
      }),
  },
  {
    id: "allowPrivilegeEscalation",
    level: "restricted",
    since: 8,
    check: ({ containers, windows, minor }) =>
      windows && minor >= 25
        ? []
        : containers
            .filter((c) => c.securityContext.allowPrivilegeEscalation !== false)
            .map((c) => ({
              reason: "allowPrivilegeEscalation != false",
              detail: `container ${quoted(c.name)} must set securityContext.allowPrivilegeEscalation=false`,
              path: `${c.path}.securityContext.allowPrivilegeEscalation`,
              fix: "set allowPrivilegeEscalation: false",
            })),
  },
  {
    id: "runAsNonRoot",
    level: "restricted",
    since: 0,
    check: ({ pod, podPath, containers }) => {
      const found: Omit<Violation, "control" | "level">[] = [];
      const fix = "set runAsNonRoot: true on the pod's securityContext (or on every container)";
      if (pod.runAsNonRoot === false)
        found.push({
          reason: "runAsNonRoot != true",
          detail: "pod must not set securityContext.runAsNonRoot=false",
          path: `${podPath}.runAsNonRoot`,
          fix,
        });
      const unset: Container[] = [];
      for (const c of containers) {
        if (c.securityContext.runAsNonRoot === false)
          found.push({
            reason: "runAsNonRoot != true",
            detail: `container ${quoted(c.name)} must not set securityContext.runAsNonRoot=false`,
            path: `${c.path}.securityContext.runAsNonRoot`,
            fix,
          });
        else if (c.securityContext.runAsNonRoot !== true && pod.runAsNonRoot !== true) unset.push(c);
      }
      if (unset.length > 0)
        found.push({
          reason: "runAsNonRoot != true",
          detail: `${podOrContainers(unset)} must set securityContext.runAsNonRoot=true`,
          path: `${podPath}.runAsNonRoot`,
          fix,
        });
      return found;
    },
  },
  {
    id: "runAsUser",
    level: "restricted",
    since: 23,
    check: ({ pod, podPath, containers }) =>
      [
        ...(pod.runAsUser === 0
          ? [{ reason: "runAsUser=0", detail: "pod must not set runAsUser=0", path: `${podPath}.runAsUser` }]
          : []),
        ...containers
          .filter((c) => c.securityContext.runAsUser === 0)
          .map((c) => ({
            reason: "runAsUser=0",
            detail: `container ${quoted(c.name)} must not set runAsUser=0`,
            path: `${c.path}.securityContext.runAsUser`,
          })),
      ].map((v) => ({ ...v, fix: "use a non-zero user id such as 10001, or leave runAsUser out" })),
  },
  {
    id: "seccompProfile_restricted",
    level: "restricted",
    since: 19,
    check: ({ pod, podPath, containers, windows, minor }) => {
      if (windows && minor >= 25) return [];
      const ok = (t: unknown) => t === "RuntimeDefault" || t === "Localhost";
      const fix = "set securityContext.seccompProfile.type: RuntimeDefault on the pod";
      const found: Omit<Violation, "control" | "level">[] = [];
      const podType = obj(pod.seccompProfile).type;
      if (podType !== undefined && !ok(podType))
        found.push({
          reason: "seccompProfile",
          detail: `pod must not set securityContext.seccompProfile.type to ${quoted(String(podType))}`,
          path: `${podPath}.seccompProfile.type`,
          fix,
        });
      const unset: Container[] = [];
      for (const c of containers) {
        const type = obj(c.securityContext.seccompProfile).type;
        if (type !== undefined && !ok(type))
          found.push({
            reason: "seccompProfile",
            detail:
              `container ${quoted(c.name)} must not set securityContext.seccompProfile.type to ` + quoted(String(type)),
            path: `${c.path}.securityContext.seccompProfile.type`,
            fix,
          });
        else if (type === undefined && !ok(podType)) unset.push(c);
      }
      if (unset.length > 0 && podType === undefined)
        found.push({
          reason: "seccompProfile",
          detail:
            `${podOrContainers(unset)} must set securityContext.seccompProfile.type to ` +
            '"RuntimeDefault" or "Localhost"',
          path: `${podPath}.seccompProfile.type`,
          fix,
        });
      return found;
    },
  },
  {
    id: "capabilities_restricted",
    level: "restricted",
    since: 22,
    check: ({ containers, windows, minor }) =>
      windows && minor >= 25
        ? []
        : containers.flatMap((c) => {
            const caps = obj(c.securityContext.capabilities);
            const found: Omit<Violation, "control" | "level">[] = [];
            if (!list(caps.drop).includes("ALL"))
              found.push({
                reason: "unrestricted capabilities",
                detail: `container ${quoted(c.name)} must set securityContext.capabilities.drop=["ALL"]`,
                path: `${c.path}.securityContext.capabilities.drop`,
                fix: 'set capabilities.drop: ["ALL"]',
              });
            const added = list(caps.add)
              .map(String)
              .filter((a) => a !== "NET_BIND_SERVICE");
            if (added.length > 0)
              found.push({
                reason: "unrestricted capabilities",
                detail:
                  `container ${quoted(c.name)} must not include ${added.map(quoted).join(", ")} in ` +
                  "securityContext.capabilities.add",
                path: `${c.path}.securityContext.capabilities.add`,
                fix: "add no capability but NET_BIND_SERVICE, or run the pod in a namespace of a laxer level",
              });
            return found;
          }),
  },
];

/** The controls of a level at a version: restricted includes baseline, less what it replaces. */
function controlsOf(level: Level, minor: number): Control[] {
  if (level === "privileged") return [];
  const active = CONTROLS.filter((c) => c.since <= minor && (level === "restricted" || c.level === "baseline"));
  const ids = new Set(active.map((c) => c.id));
  return active.filter((c) => !(level === "restricted" && c.overriddenBy && ids.has(c.overriddenBy)));
}

/** Every control of `level` (at policy version v1.`minor`) the pod template fails. */
export function evaluatePodSecurity(t: PodTemplate, level: Level, minor: number): Violation[] {
  const ctx: Context = {
    t,
    pod: obj(t.spec.securityContext),
    podPath: joinPath(t.specPath, "securityContext"),
    containers: containersIn(t),
    windows: obj(t.spec.os).name === "windows",
    minor: Math.min(minor, PINNED_MINOR),
  };
  return controlsOf(level, ctx.minor).flatMap((c) =>
    c.check(ctx).map((v) => ({ control: c.id, level: c.level, ...v })),
  );
}
