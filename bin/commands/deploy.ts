import { spawnSync } from "node:child_process";
import { LABEL } from "../../core/conventions.ts";
import type { KubeObject } from "../../core/finding.ts";
import { yamlFile } from "../../core/yaml.ts";
import { generateBundle } from "../../generators/bundle.ts";
import { LAYER_DIRS, LAYER_TITLE } from "../../core/layout.ts";
import {
  deployLayers,
  type LayerPlan,
  missingApiVersions,
  missingStorageClasses,
  nodeProblems,
  podTroubles,
  smokeProxyPath,
  type StagePlan,
} from "../../model/deploy.ts";
import { ENVIRONMENT_NAMES, type ResolvedPlatform } from "../../model/environments.ts";
import { textReport } from "../../reporters/text.ts";
import { invalidConfig, loadConfig, UsageError } from "../load-config.ts";
import { readPolicySources } from "../policies.ts";
import { CONFIG_OPTION, type Command, OUT_OPTION, stringOption } from "./command.ts";
import { configErrors } from "./config-errors.ts";

export const command: Command = {
  help: `Usage: platform deploy --env ENV [--context CONTEXT] [--dry-run] [--config FILE]

The seed's deploy pipeline with kubectl, on the objects FILE generates for ENV (what out/rendered/ENV
holds when \`platform check\` passes):
  1. preflight: the cluster answers; the nodes of each tier carry its labels and taints, its allocatable
     CPUs and huge pages; the storage classes and every apiVersion used are served
  2. the cluster layer (out/cluster: namespaces and cluster-wide objects such as admission policies,
     PriorityClasses, ClusterRoles): a server-side dry run, kubectl diff, apply
  3. the app layer (out/overlays: everything in the platform's namespaces): a server-side dry run, judged
     by the admission policies just applied, kubectl diff, then apply stage by stage (network policies;
     storage; the ultra-low-latency tier; the high-performance tier; monitoring), waiting for each
     workload's rollout (gitops.rolloutTimeout) and calling each service's health endpoints before the next
It stops at the first failure and says what to look at. --dry-run prints the plan and touches nothing.
Exit 0 deployed, 1 stopped on a failure, 2 bad config or usage.`,
  options: {
    ...CONFIG_OPTION,
    env: { type: "string" },
    context: { type: "string" },
    "dry-run": { type: "boolean", default: false },
  },
  positionals: false,
  run: (args) =>
    deploy({
      configFile: stringOption(args, "config"),
      env: stringOption(args, "env"),
      context: stringOption(args, "context"),
      dryRun: args.values["dry-run"] === true,
    }),
};

interface Options {
  configFile: string;
  env: string;
  context: string;
  dryRun: boolean;
}

type Result = { code: number; stdout: string; stderr: string };

/** Fields kubectl sets for server-side apply: the owner of what this tool manages. */
const FIELD_MANAGER = "nautilus-platform";

class Stop extends Error {
  constructor(
    readonly what: string,
    readonly lookAt: string[],
  ) {
    super(what);
  }
}

async function deploy(opts: Options): Promise<number> {
  if (!ENVIRONMENT_NAMES.includes(opts.env as never))
    throw new UsageError(`--env ${opts.env || "(missing)"}: expected one of ${ENVIRONMENT_NAMES.join(", ")}`);
  const loaded = await loadConfig(opts.configFile);
  if (!loaded.ok) return configErrors(opts.configFile, loaded, textReport, process.stderr, "; nothing was deployed");
  const result = generateBundle(loaded.platform, readPolicySources());
  if (!result.ok)
    return configErrors(
      opts.configFile,
      invalidConfig(result.errors, opts.configFile, loaded.source),
      textReport,
      process.stderr,
      "; nothing was deployed",
    );
  const env = result.bundle.environments.find((e) => e.environment === opts.env)!;
  const platform = env.platform;
  for (const service of Object.keys(platform.gitops?.smoke ?? {}))
    if (!platform.services[service])
      throw new UsageError(`gitops.smoke.${service}: no such service in ${opts.configFile}`);
  const layers = deployLayers(platform, env.objects);
  const stages = layers.flatMap((l) => l.stages);
  const timeout = platform.gitops?.rolloutTimeout ?? 120;
  const context = opts.context ? ["--context", opts.context] : [];
  const say = (line: string) => process.stdout.write(`${line}\n`);
  let step = 0;
  const steps = 1 + layers.reduce((n, l) => n + 2 + l.stages.length, 0);
  const heading = (text: string) => say(`[${++step}/${steps}] ${text}`);

  if (opts.dryRun) {
    printPlan(heading, say, opts, layers, timeout, context);
    return 0;
  }

  const kubectl = (args: string[], stdin?: string): Result => {
    const r = spawnSync("kubectl", [...context, ...args], {
      encoding: "utf8",
      input: stdin,
      maxBuffer: 256 * 1024 * 1024,
    });
    if (r.error)
      throw new UsageError(
        `kubectl could not be run (${(r.error as NodeJS.ErrnoException).code ?? r.error.message}): install it and ` +
          "put it on PATH",
      );
    return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
  };
  try {
    heading("preflight");
    preflight(kubectl, platform, env.objects, say);
    for (const [i, layer] of layers.entries()) {
      const title = LAYER_TITLE[layer.layer];
      const all = yamlFile(layer.objects);
      const applied = layers.slice(0, i).map((l) => LAYER_TITLE[l.layer]);
      heading(`${title}: server-side dry run of ${layer.objects.length} objects`);
      const dry = kubectl(
        ["apply", "--server-side", `--field-manager=${FIELD_MANAGER}`, "--dry-run=server", "-f", "-"],
        all,
      );
      if (dry.code !== 0)
        throw new Stop(
          `the API server refuses the ${title}'s objects:\n${indent(dry.stderr || dry.stdout)}` +
            (applied.length ? `\nalready applied: ${applied.join(", ")}` : ""),
          refusedLookAt(layer, opts.env),
        );
      heading(`${title}: kubectl diff`);
      const diff = kubectl(["diff", "--server-side", `--field-manager=${FIELD_MANAGER}`, "-f", "-"], all);
      // kubectl diff: 0 no differences, 1 differences, anything else an error.
      if (diff.code > 1) throw new Stop(`kubectl diff of the ${title} failed:\n${indent(diff.stderr)}`, []);
      say(diff.code === 0 ? "  no differences: the cluster already runs this" : indent(diff.stdout.trimEnd()));
      for (const plan of layer.stages) {
        heading(`${title}, wave ${plan.stage.wave}: ${plan.stage.title} (${plan.objects.length} objects)`);
        const result = kubectl(
          ["apply", "--server-side", `--field-manager=${FIELD_MANAGER}`, "-f", "-"],
          yamlFile(plan.objects),
        );
        if (result.code !== 0)
          throw new Stop(`applying ${plan.stage.title} failed:\n${indent(result.stderr || result.stdout)}`, []);
        for (const workload of plan.workloads) {
          const status = kubectl([
            "rollout",
            "status",
            workload.ref,
            "-n",
            workload.namespace,
            `--timeout=${timeout}s`,
          ]);
          if (status.code !== 0) throw rolloutFailure(kubectl, workload, status, timeout, plan, stages);
          say(`  ${workload.ref} rolled out`);
        }
        for (const s of plan.smoke) {
          const path = smokeProxyPath(s);
          const r = kubectl(["get", "--raw", path]);
          if (r.code !== 0)
            throw new Stop(`${s.service} answers ${s.path} with an error:\n${indent(r.stderr || r.stdout)}`, [
              `kubectl logs -n ${s.namespace} -l ${LABEL.name}=${s.service} --tail=100`,
              `kubectl get --raw ${path}`,
            ]);
          say(`  ${s.service} ${s.path}: ${r.stdout.trim().slice(0, 200) || "ok"}`);
        }
      }
    }
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
    process.stderr.write(`deploy of ${opts.env} stopped: ${e.what}\n`);
    if (e.lookAt.length) process.stderr.write(`what to look at:\n${e.lookAt.map((l) => `  ${l}`).join("\n")}\n`);
    return 1;
  }
  say(
    `deployed ${opts.env}: ${env.objects.length} objects, ${layers.map((l) => LAYER_TITLE[l.layer]).join(" then ")}, ` +
      `in ${stages.length} waves; every workload rolled out`,
  );
  return 0;
}

/** What to look at when the API server refuses a layer: the cluster layer needs rights many deployers lack. */
function refusedLookAt(layer: LayerPlan, env: string): string[] {
  const fix =
    "run `platform check` and fix what it reports; an admission webhook or policy of the cluster may refuse too";
  if (layer.layer !== "cluster") return [fix];
  return [
    fix,
    "the cluster layer creates namespaces and cluster-wide objects (admission policies, PriorityClasses, " +
      "ClusterRoles, " +
      "the APIService): kubectl auth can-i create namespaces; kubectl auth can-i create clusterroles",
    "without those rights, a cluster administrator applies it: kubectl apply --server-side -k " +
      `${OUT_OPTION.out.default}/${LAYER_DIRS.cluster.overlay(env)}`,
  ];
}

function preflight(
  kubectl: (args: string[]) => Result,
  platform: ResolvedPlatform,
  objects: readonly KubeObject[],
  say: (line: string) => void,
): void {
  const info = kubectl(["cluster-info"]);
  if (info.code !== 0)
    throw new Stop(`the cluster does not answer:\n${indent(info.stderr || info.stdout)}`, [
      "kubectl config current-context (or pass --context)",
      "the API server address and your credentials in the kubeconfig",
    ]);
  say(`  cluster reachable: ${info.stdout.split("\n")[0]?.replace(/\x1b\[[0-9;]*m/g, "") ?? ""}`);
  const nodes = kubectl(["get", "nodes", "-o", "json"]);
  if (nodes.code !== 0) throw new Stop(`listing the nodes failed:\n${indent(nodes.stderr)}`, []);
  const problems = nodeProblems(platform, JSON.parse(nodes.stdout) as unknown);
  const classes = kubectl(["get", "storageclass", "-o", "name"]);
  for (const c of missingStorageClasses(platform, classes.code === 0 ? classes.stdout : ""))
    problems.push(`storage class ${c} does not exist (storage.*.storageClass)`);
  const versions = kubectl(["api-versions"]);
  for (const v of missingApiVersions(objects, versions.code === 0 ? versions.stdout : ""))
    problems.push(`the cluster does not serve ${v}: install its CRDs or use a Kubernetes version that has it`);
  if (problems.length)
    throw new Stop(
      `the cluster is not ready for ${platform.environment}:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
      [
        "kubectl get nodes -L node-type --show-labels",
        "kubectl describe node NODE (Taints, Allocatable)",
        "or change the config if the cluster is right",
      ],
    );
  say("  nodes, taints, allocatable CPUs and huge pages, storage classes and API versions: ready");
}

function rolloutFailure(
  kubectl: (args: string[]) => Result,
  { ref: workload, app, namespace: ns }: StagePlan["workloads"][number],
  status: Result,
  timeout: number,
  plan: StagePlan,
  stages: readonly StagePlan[],
): Stop {
  const selector = `${LABEL.name}=${app}`;
  const pods = kubectl(["get", "pods", "-n", ns, "-l", selector, "-o", "json"]);
  const troubles = pods.code === 0 ? podTroubles(JSON.parse(pods.stdout) as unknown) : [];
  const later = stages.slice(stages.indexOf(plan) + 1).map((s) => s.stage.title);
  return new Stop(
    `${workload} did not roll out within ${timeout}s:\n${indent(`${status.stdout}${status.stderr}`.trim())}` +
      (troubles.length ? `\npods not ready:\n${troubles.map((t) => `  - ${t}`).join("\n")}` : "") +
      (later.length ? `\nnot applied: ${later.join("; ")}` : ""),
    [
      `kubectl describe ${workload} -n ${ns}`,
      `kubectl get pods -n ${ns} -l ${selector} -o wide`,
      `kubectl get events -n ${ns} --sort-by=.lastTimestamp`,
      `to go back to the previous version: kubectl rollout undo ${workload} -n ${ns}`,
    ],
  );
}

function printPlan(
  heading: (text: string) => void,
  say: (line: string) => void,
  opts: Options,
  layers: readonly LayerPlan[],
  timeout: number,
  context: string[],
): void {
  const k = `kubectl${context.length ? ` ${context.join(" ")}` : ""}`;
  const apply = `${k} apply --server-side --field-manager=${FIELD_MANAGER}`;
  say(`Plan for ${opts.env} (dry run: nothing is sent to the cluster)`);
  heading("preflight");
  say(`  ${k} cluster-info`);
  say(`  ${k} get nodes -o json: per tier the nodes with its labels, taints, CPUs and huge pages`);
  say(`  ${k} get storageclass -o name; ${k} api-versions`);
  for (const layer of layers) {
    const title = LAYER_TITLE[layer.layer];
    heading(`${title}: server-side dry run: ${apply} --dry-run=server -f - (${layer.objects.length} objects)`);
    heading(`${title}: ${k} diff --server-side --field-manager=${FIELD_MANAGER} -f -`);
    for (const plan of layer.stages) {
      heading(`${title}, wave ${plan.stage.wave}: ${plan.stage.title} (${plan.objects.length} objects)`);
      say(`  ${apply} -f - (${[...new Set(plan.objects.map((o) => o.kind))].join(", ")})`);
      for (const w of plan.workloads) say(`  ${k} rollout status ${w.ref} -n ${w.namespace} --timeout=${timeout}s`);
      for (const s of plan.smoke) say(`  ${k} get --raw ${smokeProxyPath(s)}`);
    }
  }
}

function indent(text: string): string {
  return text
    .trimEnd()
    .split("\n")
    .map((l) => `  ${l}`)
    .join("\n");
}
