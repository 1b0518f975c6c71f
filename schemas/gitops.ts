/**
 * How the platform reaches its clusters: the Git repository Argo CD syncs from, each environment's clusters,
 * and what `platform deploy` waits for. Optional: without it no Argo CD objects are generated.
 */
import { z } from "zod";
import { dnsLabel } from "./names.ts";
import { seconds } from "./units.ts";

/** http(s) or ssh (git@host:path) repository addresses, as Argo CD takes them. */
const REPO_URL = /^(https?:\/\/[^\s/?#]+\S*|ssh:\/\/\S+|[\w.-]+@[\w.-]+:\S+)$/;
const SERVER_URL = /^https:\/\/[^\s/?#]+(?:[/?#]\S*)?$/;

const cluster = z
  .strictObject({
    name: dnsLabel("a cluster name").describe("The cluster's name, part of its Application's name."),
    server: z
      .string()
      .regex(SERVER_URL, {
        error: (iss) => `expected the API server's https:// address, got ${JSON.stringify(iss.input)}`,
      })
      .describe("The cluster's API server address, as registered in Argo CD (`https://...`)."),
    region: z.string().min(1).describe('Where the cluster runs ("eu-west-1"); a label of its Application.'),
  })
  .describe("A cluster an environment runs in.");

const clusters = z
  .array(cluster)
  .min(1)
  .optional()
  .describe(
    "The environment's clusters: one gives an Application for it, several an ApplicationSet with one " +
      "Application per cluster. Unset: the cluster Argo CD runs in.",
  );

const sync = z
  .enum(["automated", "manual"])
  .describe("`automated` syncs every commit (pruning and self-healing); `manual` waits for someone to sync.");

export const gitopsSchema = z
  .strictObject({
    repoURL: z
      .string()
      .regex(REPO_URL, {
        error: (iss) =>
          `expected a Git repository URL (https://, ssh:// or git@host:path), got ${JSON.stringify(iss.input)}`,
      })
      .describe("The Git repository that holds out/, as Argo CD clones it."),
    targetRevision: z.string().min(1).default("HEAD").describe("Branch, tag or commit Argo CD syncs."),
    path: z
      .string()
      .regex(/^[^/\s][^\s]*$/, { error: "expected a path relative to the repository root, like `out`" })
      .default("out")
      .describe("Where out/ is in the repository."),
    source: z
      .enum(["overlays", "rendered"])
      .default("overlays")
      .describe("Sync `overlays/<env>` (Argo CD runs Kustomize) or the plain manifests of `rendered/<env>`."),
    project: z.string().min(1).default("default").describe("The Argo CD project of the Applications."),
    namespace: dnsLabel("the Argo CD namespace").default("argocd").describe("Where Argo CD runs."),
    sync: z
      .strictObject({
        dev: sync.default("automated"),
        staging: sync.default("automated"),
        prod: sync.default("manual"),
      })
      .default({ dev: "automated", staging: "automated", prod: "manual" })
      .describe("Sync policy per environment: automated for dev and staging, manual for prod by default."),
    clusters: z
      .strictObject({ dev: clusters, staging: clusters, prod: clusters })
      .default({})
      .describe("Clusters per environment (the seed's multi-region phase)."),
    rolloutTimeout: seconds()
      .prefault("120s")
      .describe("How long `platform deploy` waits for each workload's rollout (the seed waits 120s)."),
    smoke: z
      .record(
        dnsLabel("a service name"),
        z.array(z.string().regex(/^\//).describe("An HTTP path.")).describe("The service's extra health paths."),
      )
      .default({})
      .describe(
        "Extra health endpoints `platform deploy` calls after the rollout, per service (the seed's " +
          "`/health/e2e-latency`); every service's readiness path is called too.",
      ),
  })
  .describe("GitOps delivery: Argo CD Applications and the deploy pipeline.");

export type Gitops = z.output<typeof gitopsSchema>;
