/**
 * Per-kind policies from one source. The API server type-checks a ValidatingAdmissionPolicy once per kind its
 * matchConstraints match, with `object` typed as that kind and no flow analysis: an expression that switches on
 * `object.kind` (`object.kind == 'Pod' ? object.spec : object.spec.template.spec`) names a field some matched kind
 * lacks, so it can never type-check, and its misspelt fields are never reported. A source policy in policies/ that
 * names a variant table (annotation `platform.nautilus.io/per-kind`) is therefore emitted as one policy per variant:
 * each matches only its variant's resources, and every `{placeholder}` in its expressions and field paths is
 * replaced by what the variant's kinds have there, so every expression reads fields all its kinds have. The
 * generator emits exactly these policies and the cel engine evaluates and type-checks exactly these.
 */

export const PER_KIND_ANNOTATION = "platform.nautilus.io/per-kind";
/** On an emitted variant: the id of the rule (policies/<id>/) it comes from; findings carry this id. */
export const RULE_ANNOTATION = "platform.nautilus.io/rule";

export interface PolicyVariant {
  /** Appended to the source policy's name: `non-root` → `non-root-workload`. */
  suffix: string;
  /** The resources, by API group, the variant matches (of those the source matches). */
  resources: Readonly<Record<string, readonly string[]>>;
  /** The text of each `{placeholder}` for these kinds. */
  values: Readonly<Record<string, string>>;
}

/**
 * Where each pod-template shape keeps its pod: `{podSpec}` and `{podMetadata}` (paths under `object`), and
 * `{podTemplate}`, what changes when a new pod would be made (a workload's pod template; a Pod's spec, since
 * controllers update old pods' labels and finalizers).
 */
const POD_TEMPLATE: readonly PolicyVariant[] = [
  {
    suffix: "workload",
    resources: { apps: ["deployments", "statefulsets", "daemonsets", "replicasets"], batch: ["jobs"] },
    values: { podSpec: "spec.template.spec", podMetadata: "spec.template.metadata", podTemplate: "spec.template" },
  },
  {
    suffix: "cronjob",
    resources: { batch: ["cronjobs"] },
    values: {
      podSpec: "spec.jobTemplate.spec.template.spec",
      podMetadata: "spec.jobTemplate.spec.template.metadata",
      podTemplate: "spec.jobTemplate.spec.template",
    },
  },
  {
    suffix: "pod",
    resources: { "": ["pods"] },
    values: { podSpec: "spec", podMetadata: "metadata", podTemplate: "spec" },
  },
];

const RBAC_GROUP = "rbac.authorization.k8s.io";

/**
 * Roles grant (`{rules}`), bindings refer to a role (`{clusterRoleRef}`: the name of the ClusterRole referred to,
 * else '') for `{subjects}`; each placeholder is the value for the kinds that have it and an empty one for the kinds
 * that do not. `{clusterWide}`: the role grants in every namespace.
 */
const RBAC: readonly PolicyVariant[] = [
  {
    suffix: "role",
    resources: { [RBAC_GROUP]: ["roles"] },
    values: {
      rules: "(has(object.rules) ? object.rules : [])",
      clusterWide: "false",
      clusterRoleRef: "''",
      subjects: "[]",
    },
  },
  {
    suffix: "clusterrole",
    resources: { [RBAC_GROUP]: ["clusterroles"] },
    values: {
      rules: "(has(object.rules) ? object.rules : [])",
      clusterWide: "true",
      clusterRoleRef: "''",
      subjects: "[]",
    },
  },
  {
    suffix: "binding",
    resources: { [RBAC_GROUP]: ["rolebindings", "clusterrolebindings"] },
    values: {
      rules: "[]",
      clusterWide: "false",
      clusterRoleRef: "(object.roleRef.kind == 'ClusterRole' ? object.roleRef.name : '')",
      subjects: "(has(object.subjects) ? object.subjects : [])",
    },
  },
];

export const POLICY_VARIANTS: Readonly<Record<string, readonly PolicyVariant[]>> = {
  "pod-template": POD_TEMPLATE,
  rbac: RBAC,
};

/** `{podSpec}` for the pod-template variant whose resources hold `resource` (a plural), if any. */
export function podSpecPathOf(resource: string): string | undefined {
  return POD_TEMPLATE.find((v) => Object.values(v.resources).some((rs) => rs.includes(resource)))?.values.podSpec;
}

const PLACEHOLDER = /\{([A-Za-z][A-Za-z0-9]*)\}/g;

// biome-ignore lint/suspicious/noExplicitAny: a parsed policy document, plain data
type Doc = Record<string, any>;

function substitute(value: unknown, values: Readonly<Record<string, string>>, unknown: Set<string>): unknown {
  if (typeof value === "string")
    return value.replace(PLACEHOLDER, (whole, name: string) => {
      if (name in values) return values[name]!;
      unknown.add(name);
      return whole;
    });
  if (Array.isArray(value)) return value.map((v) => substitute(v, values, unknown));
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, values, unknown)]));
  return value;
}

/** The source's resourceRules narrowed to the variant's resources; rules left with none are dropped. */
function narrowed(rules: unknown, variant: PolicyVariant): Doc[] {
  if (!Array.isArray(rules)) return [];
  return rules.flatMap((rule: Doc) =>
    (Array.isArray(rule?.apiGroups) ? (rule.apiGroups as string[]) : []).flatMap((group) => {
      const resources = (Array.isArray(rule.resources) ? (rule.resources as string[]) : []).filter((r) =>
        variant.resources[group]?.includes(r),
      );
      return resources.length > 0 ? [{ ...rule, apiGroups: [group], resources }] : [];
    }),
  );
}

/**
 * The policies a source policy document is emitted as: itself, or one per variant of the table its per-kind
 * annotation names. An error names what is wrong (an unknown table or placeholder, a variant that matches nothing).
 */
export function expandPolicy(doc: Doc): { policies: Doc[] } | { error: string } {
  const annotations: Record<string, string> = doc?.metadata?.annotations ?? {};
  const table = annotations[PER_KIND_ANNOTATION];
  if (table === undefined) return { policies: [doc] };
  const variants = POLICY_VARIANTS[table];
  const where = `metadata.annotations["${PER_KIND_ANNOTATION}"]`;
  if (!variants)
    return { error: `${where}: unknown variant table "${table}" (known: ${Object.keys(POLICY_VARIANTS).join(", ")})` };
  const name = String(doc.metadata?.name ?? "");
  const policies: Doc[] = [];
  for (const variant of variants) {
    const unknown = new Set<string>();
    const { [PER_KIND_ANNOTATION]: _, ...rest } = annotations;
    const spec = substitute(doc.spec ?? {}, variant.values, unknown) as Doc;
    const kept = substitute(rest, variant.values, unknown) as Record<string, string>;
    if (unknown.size > 0)
      return {
        error:
          `${[...unknown].map((u) => `{${u}}`).join(", ")} is not a placeholder of the "${table}" variants ` +
          `(they define ${Object.keys(variant.values)
            .map((k) => `{${k}}`)
            .join(", ")})`,
      };
    const resourceRules = narrowed(doc.spec?.matchConstraints?.resourceRules, variant);
    if (resourceRules.length === 0) continue;
    policies.push({
      ...doc,
      metadata: {
        ...doc.metadata,
        name: `${name}-${variant.suffix}`,
        annotations: { ...kept, [RULE_ANNOTATION]: name },
      },
      spec: { ...spec, matchConstraints: { ...spec.matchConstraints, resourceRules } },
    });
  }
  if (policies.length === 0)
    return { error: `spec.matchConstraints.resourceRules match none of the "${table}" variants' resources` };
  return { policies };
}
