/**
 * Least-privilege RBAC: the generated roles grant what discovery needs in the namespaces it watches, and the rbac
 * policy refuses wildcards and cluster-admin in `vet` as in `check`.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Finding, KubeObject } from "../core/finding.ts";
import { prometheusConfig } from "../generators/prometheus-config.ts";
import { bundleOf, cli, platformOf } from "./support/config.ts";

test("vet refuses a ClusterRole with wildcard verbs and resources and a binding to cluster-admin", () => {
  const r = cli(["vet", "--format", "json", "test/fixtures/rbac/wildcard-clusterrole.yaml"]);
  assert.is(r.code, 1, r.stdout + r.stderr);
  const { findings } = JSON.parse(r.stdout) as { findings: Finding[] };
  const rbac = findings.filter((f) => f.engine === "cel" && f.rule === "rbac");
  assert.equal(
    rbac.map((f) => `${f.resource?.kind}/${f.resource?.name} ${f.path} line ${f.line}`),
    [
      "ClusterRole/operator-everything rules[*].verbs line 6",
      "ClusterRole/operator-everything rules[*].resources line 6",
      "ClusterRoleBinding/operator-root roleRef.name line 17",
    ],
  );
  assert.match(rbac[0]!.message, /ClusterRole operator-everything grants every verb \("\*"\) on \*/);
  assert.match(rbac[2]!.message, /binds cluster-admin to ServiceAccount operator/);
});

test("Prometheus discovers the API server through EndpointSlices, and its RBAC is namespaced but for /metrics", () => {
  const platform = platformOf();
  const sd = (prometheusConfig(platform).scrape_configs as { kubernetes_sd_configs: { role: string }[] }[]).flatMap(
    (j) => j.kubernetes_sd_configs.map((c) => c.role),
  );
  assert.not.ok(sd.includes("endpoints"), "v1 Endpoints are deprecated since 1.33");
  assert.ok(sd.includes("endpointslice"));
  for (const env of bundleOf().environments) {
    const clusterRoles = env.objects.filter((o) => o.kind === "ClusterRole") as (KubeObject & {
      rules: { resources?: string[]; nonResourceURLs?: string[] }[];
    })[];
    // Only cluster-scoped things are granted cluster-wide: namespaces, and the API server's /metrics.
    const resources = clusterRoles.flatMap((r) => r.rules.flatMap((x) => x.resources ?? []));
    assert.equal([...new Set(resources)], ["namespaces"], env.environment);
    assert.not.ok(
      env.objects.some(
        (o) =>
          o.kind === "ClusterRoleBinding" &&
          (o as KubeObject & { subjects: { name: string }[] }).subjects.some(
            (s) => s.name === "horizontal-pod-autoscaler",
          ),
      ),
    );
  }
});

test("in the cluster the rbac policy holds only what we generate: the API server's own roles hold wildcards", () => {
  const prod = bundleOf().environments.find((e) => e.environment === "prod")!;
  for (const kind of ["role", "clusterrole", "binding"]) {
    const binding = prod.objects.find(
      (o) => o.kind === "ValidatingAdmissionPolicyBinding" && o.metadata.name === `nautilus-rbac-${kind}`,
    ) as KubeObject & { spec: { matchResources: { objectSelector?: unknown }; validationActions: string[] } };
    assert.equal(binding.spec.matchResources.objectSelector, {
      matchLabels: { "app.kubernetes.io/managed-by": "nautilus-platform" },
    });
    assert.equal(binding.spec.validationActions, ["Deny"]);
  }
});

test.run();
