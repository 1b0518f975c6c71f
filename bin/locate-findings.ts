/**
 * Gives every finding of `check` a place in a file a reader can open: a finding about the config at
 * the line of its config path; a finding about a generated object at the config entry that produced
 * the object (found by the object's labels: `app.kubernetes.io/name` and component), as precisely as
 * its field path allows (`spec.replicas` → `services.x.replicas`, or `environments.dev.services.x.replicas`
 * when that environment sets it). The object's own field path stays in `path`, the config path the
 * line belongs to goes to `configPath`. Pure: the caller reads the config's source.
 */
import { hostNetworkNamespace } from "../model/namespaces.ts";
import { LABEL } from "../core/conventions.ts";
import { CONFIG_ENGINE, CONFIG_FILE, type Finding, type KubeObject, type ResourceRef } from "../core/finding.ts";
import type { BundleEnvironment } from "../model/environments.ts";
import type { ConfigSource } from "./config-source.ts";

/** Findings about the config (their `path` is a config path): file, line and column of that path. */
export function locateConfigFindings(
  findings: readonly Finding[],
  configFile: string,
  source: ConfigSource,
): Finding[] {
  return findings.map((f) => {
    if (f.file && f.file !== CONFIG_FILE && f.file !== configFile) return f;
    if (f.line !== undefined) return { ...f, file: configFile };
    const at = source.locate(f.path ?? "");
    return { ...f, file: configFile, line: at.line, column: at.column };
  });
}

/** Object field path → the config key (under `services.<name>`) that sets it. First match wins. */
const SERVICE_FIELDS: [RegExp, (m: RegExpExecArray) => string][] = [
  [/^spec\.(min|max)Replicas$/, (m) => `scaling.${m[1]}Replicas`],
  [/^spec\.(metrics|behavior)\b/, () => "scaling"],
  [/^spec\.replicas$/, () => "replicas"],
  [/containers\[[^\]]*\]\.image$/, () => "image"],
  [
    /containers\[[^\]]*\]\.resources\.(limits|requests)(?:\.([^.[]+)|\["([^"]+)"\])/,
    (m) => `resources.${m[1]}.${m[2] ?? m[3]}`,
  ],
  [/containers\[[^\]]*\]\.resources\.(limits|requests)/, (m) => `resources.${m[1]}`],
  [/containers\[[^\]]*\]\.resources/, () => "resources"],
  [/containers\[[^\]]*\]\.(liveness|readiness|startup)Probe/, (m) => `probes.${m[1]}`],
  [/containers\[[^\]]*\]\.ports|^spec\.ports/, () => "ports"],
  [/volumes|volumeMounts/, () => "volumes"],
];

/** Object field path → the key of the service's tier that sets it. */
const TIER_FIELDS: [RegExp, string][] = [
  [/\.hostNetwork$/, "hostNetwork"],
  [/\.nodeSelector\b/, "nodeSelector"],
  [/\.tolerations\b/, "tolerations"],
  [/\.affinity\b/, "antiAffinity"],
  [/^spec\.strategy\b/, "rollout"],
  [/\.priorityClassName$/, "priority"],
  [/^spec\.(maxUnavailable|minAvailable)$/, "maxUnavailableDuringDisruption"],
];

const MONITORING_COMPONENTS: Record<string, string> = {
  prometheus: "prometheus",
  grafana: "grafana",
  jaeger: "jaeger",
  "prometheus-adapter": "adapter",
};

function sameRef(o: KubeObject, r: ResourceRef): boolean {
  return (
    o.kind === r.kind &&
    o.apiVersion === r.apiVersion &&
    o.metadata.name === r.name &&
    (o.metadata.namespace ?? "") === (r.namespace ?? "")
  );
}

const refKey = (kind: unknown, apiVersion: unknown, name: unknown, namespace: unknown) =>
  `${String(kind)}\0${String(apiVersion)}\0${String(name)}\0${String(namespace ?? "")}`;

/**
 * An environment's first object with a reference, by an index built on first use: a scan of every object per
 * finding made locating quadratic when the findings grow with the services. The key is a function of what
 * `sameRef` compares, so a miss is a miss; a hit is confirmed by `sameRef`, and the scan decides if it fails.
 */
export function objectsByRef(): (env: BundleEnvironment, r: ResourceRef) => KubeObject | undefined {
  const indexes = new Map<BundleEnvironment, Map<string, KubeObject>>();
  return (env, r) => {
    let index = indexes.get(env);
    if (!index) {
      index = new Map();
      for (const o of env.objects) {
        const key = refKey(o.kind, o.apiVersion, o.metadata.name, o.metadata.namespace);
        if (!index.has(key)) index.set(key, o);
      }
      indexes.set(env, index);
    }
    const hit = index.get(refKey(r.kind, r.apiVersion, r.name, r.namespace));
    if (!hit) return undefined;
    return sameRef(hit, r) ? hit : env.objects.find((o) => sameRef(o, r));
  };
}

/**
 * The config paths that may have produced `f`'s object, most precise first: an environment's own
 * setting before the base config's, a field before its block.
 */
export function candidatePaths(f: Finding, env: BundleEnvironment, object: KubeObject): string[] {
  const name = object.metadata.labels?.[LABEL.name] ?? "";
  const component = object.metadata.labels?.[LABEL.component] ?? "";
  const platform = env.platform;
  const envPrefix = env.environment ? `environments.${env.environment}.` : "";
  const path = f.path ?? "";
  const both = (p: string) => (envPrefix ? [`${envPrefix}${p}`, p] : [p]);
  const service = platform.services[name];
  if (service) {
    const fields: string[] = [];
    for (const [re, sub] of SERVICE_FIELDS) {
      const m = re.exec(path);
      if (m) fields.push(...both(`services.${name}.${sub(m)}`));
    }
    for (const [re, key] of TIER_FIELDS)
      if (re.test(path)) fields.push(...both(`tiers.${service.tier}.${key}`), `services.${name}.tier`);
    if (object.kind === "HorizontalPodAutoscaler") fields.push(...both(`services.${name}.scaling`));
    return [...fields, `services.${name}`];
  }
  if (component === "storage")
    return [...(/storage$/.test(path) ? both(`storage.${name}.size`) : []), ...both(`storage.${name}`), "storage"];
  if (name in platform.tiers) return [...both(`tiers.${name}`)];
  if (component === "monitoring") {
    const alert = Object.keys(platform.monitoring.alerts).find((a) => f.message.includes(a));
    const key = MONITORING_COMPONENTS[name];
    return [
      ...(alert ? [`monitoring.alerts.${alert}`] : []),
      ...(key ? [`monitoring.components.${key}`] : []),
      /rule/i.test(object.metadata.name) ? "monitoring.alerts" : "monitoring",
    ];
  }
  if (name === platform.namespace) return ["namespace"];
  if (name === hostNetworkNamespace(platform))
    return platform.hostNetworkNamespace ? ["hostNetworkNamespace"] : ["namespace"];
  if (object.kind === "NetworkPolicy") return ["network"];
  return envPrefix ? [envPrefix.slice(0, -1)] : [];
}

export interface LocateContext {
  configFile: string;
  source: ConfigSource;
  environments: readonly BundleEnvironment[];
  /** Findings whose file is under this folder are about generated files, and stay there. */
  outDir: string;
}

/** Every finding with a file and a line (see the module comment); findings about out/ files keep their file. */
export function locateFindings(findings: readonly Finding[], ctx: LocateContext): Finding[] {
  const { configFile, source } = ctx;
  const objectOf = objectsByRef();
  const under = `${ctx.outDir.replace(/\/+$/, "")}/`;
  return findings.map((f): Finding => {
    if (f.line !== undefined) return f;
    const aboutConfig = f.engine === CONFIG_ENGINE || f.file === CONFIG_FILE || f.file === configFile;
    if (aboutConfig && (!f.file || f.file === CONFIG_FILE || f.file === configFile))
      return locateConfigFindings([f], configFile, source)[0]!;
    if (!f.resource) return f.file ? f : { ...f, file: configFile, line: 1 };
    if (f.file && (f.file === ctx.outDir || f.file.startsWith(under))) return f;
    const { resource } = f;
    const env =
      ctx.environments.find((e) => e.environment === f.environment && objectOf(e, resource)) ??
      ctx.environments.find((e) => objectOf(e, resource));
    const object = env && objectOf(env, resource);
    if (!env || !object) return { ...f, file: configFile, line: 1 };
    // A policy's own objects come from its file, not from the config.
    if (object.metadata.labels?.[LABEL.component] === "policy")
      return { ...f, file: `policies/${object.metadata.labels?.[LABEL.name]}/policy.yaml`, line: 1 };
    const candidates = candidatePaths(f, env, object);
    const exact = candidates.map((p) => source.locate(p)).find((at) => at.exact);
    const at = exact ?? source.locate(candidates[candidates.length - 1] ?? "");
    return { ...f, file: configFile, line: at.line, column: at.column, configPath: at.found };
  });
}
