/** Reads the policy files shipped in policies/ (next to this tool, whatever the working directory). */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { PolicySource } from "../engines/cel.ts";

export const POLICY_DIR = fileURLToPath(new URL("../policies/", import.meta.url));

export function readPolicySources(dir = POLICY_DIR): PolicySource[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((f) => ({ file: `policies/${f}`, text: readFileSync(`${dir}${f}`, "utf8") }));
}
