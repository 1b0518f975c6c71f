/**
 * `definePlatform`, alone in a module that imports only types: loading platform.config.ts then compiles two small
 * files instead of the whole schema and zod, which the CLI has already loaded in its own copy.
 */
import type { PlatformConfig } from "./platform-input.generated.ts";
import type { PlatformInput } from "./platform.ts";

/**
 * Gives editor completion, compile-time checks and each field's description on hover in platform.config.ts;
 * returns its input. `PlatformConfig` is `PlatformInput` spelled out with the descriptions (`npm run docs`).
 */
export function definePlatform(config: PlatformConfig): PlatformInput {
  return config;
}
