/**
 * The `kubernetes-models` (or prometheus-operator) model class of an apiVersion+kind, imported
 * lazily: importing every model costs ~0.8 s, one kind a few milliseconds.
 */
export interface ModelClass {
  prototype: { validate(this: unknown): void };
}

export interface ModelInfo {
  model: ModelClass;
  /** True for custom resources, whose fields are checked by tracing the validator. */
  custom: boolean;
}

/** Custom resource groups and the packages their models (compiled from the CRDs' schemas) come from. */
const CUSTOM_PACKAGES: Record<string, string> = {
  "monitoring.coreos.com": "@kubernetes-models/prometheus-operator",
  "external-secrets.io": "@kubernetes-models/external-secrets",
  "argoproj.io": "@kubernetes-models/argo-cd",
  "gateway.networking.k8s.io": "@kubernetes-models/gateway-api",
  "cilium.io": "@kubernetes-models/cilium",
};

const cache = new Map<string, Promise<ModelInfo | undefined>>();

export function modelFor(apiVersion: string, kind: string): Promise<ModelInfo | undefined> {
  const key = `${apiVersion}/${kind}`;
  let p = cache.get(key);
  if (!p) {
    p = load(apiVersion, kind);
    cache.set(key, p);
  }
  return p;
}

async function load(apiVersion: string, kind: string): Promise<ModelInfo | undefined> {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/", 2) : ["", apiVersion];
  // The names become a module specifier: only plain names, never `..` or other path tricks.
  if (
    !/^[A-Za-z0-9]+$/.test(kind) ||
    !version ||
    !/^v\d+[a-z0-9]*$/.test(version) ||
    !/^[a-z0-9.-]*$/.test(group ?? "")
  )
    return undefined;
  const custom = group ? CUSTOM_PACKAGES[group] : undefined;
  const specifier = custom
    ? `${custom}/${group}/${version}/${kind}`
    : `kubernetes-models/${group ? `${group}/` : ""}${version}/${kind}`;
  try {
    const mod = (await import(specifier)) as Record<string, unknown>;
    const model = mod[kind] as ModelClass | undefined;
    return model && typeof model.prototype?.validate === "function" ? { model, custom: Boolean(custom) } : undefined;
  } catch {
    return undefined;
  }
}
