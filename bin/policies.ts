/** Reads the policies shipped in policies/<id>/policy.yaml (next to this tool, whatever the working directory). */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { PolicySource } from "../engines/cel.ts";

export const POLICY_DIR = fileURLToPath(new URL("../policies/", import.meta.url));
export const POLICY_FILE = "policy.yaml";

/** The ids of the shipped policies: every folder of policies/ that holds a policy.yaml. */
export function policyIds(dir = POLICY_DIR): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(`${dir}${e.name}/${POLICY_FILE}`))
    .map((e) => e.name)
    .sort();
}

export function readPolicySources(dir = POLICY_DIR): PolicySource[] {
  return policyIds(dir).map((id) => ({
    file: `policies/${id}/${POLICY_FILE}`,
    text: readFileSync(`${dir}${id}/${POLICY_FILE}`, "utf8"),
  }));
}
