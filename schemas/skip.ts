/** Findings a team accepts, each with its reason: reported as suppressed, never dropped. */
import { z } from "zod";

export const skipSchema = z
  .array(
    z
      .strictObject({
        rule: z
          .string()
          .regex(/^[a-z0-9-]+\/[a-z0-9-]+$/, { error: 'expected "engine/rule", like "platform/rollout-capacity"' })
          .describe('The finding\'s engine and rule: "platform/rollout-capacity", "cel/guaranteed-qos".'),
        object: z
          .string()
          .regex(/^[A-Za-z]+\/[a-z0-9.-]+$/, {
            error: 'expected "Kind/name", like "Deployment/nautilus-order-manager"',
          })
          .optional()
          .describe('Only findings about this object, "Kind/name"; every object when unset.'),
        environment: z
          .enum(["dev", "staging", "prod"])
          .optional()
          .describe("Only findings in this environment; every environment when unset."),
        reason: z
          .string()
          .min(10, { error: "say why the finding is accepted, in a sentence (at least 10 characters)" })
          .describe("Why the team accepts the finding; shown with it."),
      })
      .describe("One accepted finding (or set of findings) and why."),
  )
  .default([])
  .describe(
    "Findings the team accepts: `check` reports each as a suppressed note with its reason instead of failing, " +
      "and warns about an entry that matches nothing.",
  );

export type Skip = z.output<typeof skipSchema>[number];
