/** Object names derived from the config, shared by generators and the checks that name what they find. */
import type { Platform } from "../schemas/platform.ts";

/** Every object of the platform is prefixed with its name, as the report's `nautilus-risk-engine`. */
export function objectName(platform: Platform, name: string): string {
  return `${platform.name}-${name}`;
}
