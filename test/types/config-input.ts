/**
 * The documented config type that `npm run docs` writes (schemas/platform-input.generated.ts) is the zod schema's
 * input type: each is assignable to the other, or `tsc --noEmit` (test/static.test.ts) fails and names the field
 * that differs. After a schema change, `npm run docs` brings the declaration back in line.
 */
import type { z } from "zod";
import type { PlatformConfig } from "../../schemas/platform-input.generated.ts";
import type { platformSchema } from "../../schemas/platform.ts";

type Input = z.input<typeof platformSchema>;

export const toInput = (config: PlatformConfig): Input => config;
export const fromInput = (input: Input): PlatformConfig => input;
