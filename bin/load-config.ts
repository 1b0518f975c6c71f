/** Loads platform.config.ts (or any module whose default export is a config) and parses it. */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parsePlatform } from "../schemas/parse.ts";
import type { Platform } from "../schemas/platform.ts";

export class UsageError extends Error {}

export async function loadConfig(file: string): Promise<Platform> {
  const path = resolve(file);
  if (!existsSync(path)) throw new UsageError(`${file}: no such config file`);
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(path).href)) as { default?: unknown };
  } catch (e) {
    const first = String((e as Error).message ?? e).split("\n")[0];
    throw new UsageError(`${file}: the config does not load: ${first}`);
  }
  if (mod.default === undefined)
    throw new UsageError(`${file}: has no default export; write \`export default definePlatform({ ... })\``);
  const parsed = parsePlatform(mod.default);
  if (!parsed.ok)
    throw new UsageError(`${file}: the config is not valid:\n${parsed.errors.map((e) => `  ${e}`).join("\n")}`);
  return parsed.platform;
}
