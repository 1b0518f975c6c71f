/** Kubernetes name and label syntax for config keys and maps, with config-path errors. */
import { z } from "zod";
import { labelValue, qualifiedName } from "../core/k8s/names.ts";

/** DNS-1035 label: what Kubernetes requires of Service names, so of our service keys too. */
export const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
export const dnsLabel = (what: string) =>
  z
    .string()
    .max(50, { error: `${what} must be at most 50 characters (the "<platform>-" prefix must still fit in 63)` })
    .regex(DNS_LABEL, {
      error: (iss) =>
        `${what} must be a DNS label (lower-case letters, digits and "-", starting with a letter), got ` +
        `${JSON.stringify(iss.input)}`,
    })
    .describe(`${what[0]!.toUpperCase()}${what.slice(1)}: a DNS label of at most 50 characters.`);

/** Kubernetes' own label syntax (the schema engine's rules), so a bad key fails here, by config path. */
const syntax = (check: (v: string) => string[]) => (v: string, ctx: z.RefinementCtx) => {
  for (const problem of check(v)) ctx.addIssue({ code: "custom", message: `${JSON.stringify(v)}: ${problem}` });
};
export const labelMap = z
  .record(
    z.string().superRefine(syntax(qualifiedName)),
    z.string().superRefine(syntax(labelValue)).describe("Label value."),
  )
  .describe("Kubernetes labels: keys like `node-type` or `example.com/zone`, values of at most 63 characters.");
