import type { Finding } from "../../core/finding.ts";
import { refOf } from "../../core/finding.ts";
import { ANNOTATION, LABEL, MANAGED_BY } from "../../core/conventions.ts";
import { joinPath } from "../../core/field-path.ts";
import { STAGES, stageOf, syncWaveOf } from "../../core/stages.ts";
import { environmentOf, findingOf, type ObjectCheck } from "../check.ts";

const PATH = joinPath("metadata.annotations", ANNOTATION.syncWave);
const ORDER = STAGES.map((s) => `${s.wave} ${s.title}`).join(", ");

/**
 * The apply order is only as good as its weakest object: Argo CD puts an object without a wave in wave 0, so a
 * Deployment that lost its annotation would start before its storage exists and before its tier's turn. Objects
 * this tool generates (managed-by label) are judged; other manifests `vet` reads are not ours to order.
 */
export const syncWave: ObjectCheck = {
  id: "gitops/sync-wave",
  needs: "objects",
  description: "Every generated object carries the sync wave of its stage in the seed's apply order.",
  severity: "error",
  doc: {
    catches:
      `An object labelled \`${LABEL.managedBy}: ${MANAGED_BY}\` without a whole-number \`${ANNOTATION.syncWave}\` ` +
      `annotation, with a wave other than its stage's, or of a kind and component no stage places. The stages: ` +
      `${ORDER}.`,
    why:
      "Argo CD applies wave by wave and waits for each to be healthy; an object without a wave is in wave 0 and " +
      "goes first. An engine started before its claims, its network policies or the admission policies that " +
      "judge it breaks the seed's order, which `platform deploy` follows as well.",
    fix:
      "Regenerate (`npm run generate`): the generator sets every wave from core/stages.ts. For a new kind or " +
      "component, give it a stage there.",
    example: {
      manifests: `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: nautilus-logs
  namespace: nautilus-trading
  labels: { app.kubernetes.io/managed-by: ${MANAGED_BY}, app.kubernetes.io/component: storage }
spec:
  accessModes: [ReadWriteMany]
  resources: { requests: { storage: 50Gi } }
`,
    },
  },
  run({ environments }) {
    return environments.flatMap((env) => {
      const out: Finding[] = [];
      for (const o of env.objects) {
        // Argo CD's own objects are applied to Argo CD, not synced in waves.
        if (o.metadata?.labels?.[LABEL.managedBy] !== MANAGED_BY || o.apiVersion.startsWith("argoproj.io/")) continue;
        const stage = stageOf(o, env.objects);
        const wave = syncWaveOf(o);
        const at = { ...environmentOf(env), resource: refOf(o), path: PATH };
        if (!stage)
          out.push(
            findingOf(this, {
              ...at,
              message: `no stage of the apply order places a ${o.kind} of component "${
                o.metadata.labels?.[LABEL.component] ?? "(none)"
              }", so it has no sync wave`,
              hint: "give the kind or component a stage in core/stages.ts",
            }),
          );
        else if (wave === undefined)
          out.push(
            findingOf(this, {
              ...at,
              message:
                `${o.kind} ${o.metadata.name} has no sync wave; it belongs to ${stage.title} (wave ${stage.wave}), ` +
                "and without one Argo CD applies it first, in wave 0",
              hint: `regenerate, or set ${ANNOTATION.syncWave}: "${stage.wave}"`,
            }),
          );
        else if (wave !== stage.wave)
          out.push(
            findingOf(this, {
              ...at,
              message:
                `${o.kind} ${o.metadata.name} is in wave ${wave}, but it belongs to ${stage.title} (wave ` +
                `${stage.wave}); the apply order is ${ORDER}`,
              hint: `regenerate, or set ${ANNOTATION.syncWave}: "${stage.wave}"`,
            }),
          );
      }
      return out;
    });
  },
};
