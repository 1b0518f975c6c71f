import type { KubeObjectLike } from "../builders.ts";
import { secret } from "../builders.ts";

export const allow: KubeObjectLike[] = [
  secret("empty-placeholder"),
  secret("empty-data-maps", { data: {}, stringData: {} }),
];

export const deny: KubeObjectLike[] = [
  secret("inline-data", { data: { password: "aHVudGVyMg==" } }),
  secret("inline-string-data", { stringData: { "api-key": "not-so-secret" } }),
];
