/**
 * Container image references by the grammar container runtimes parse them with
 * (github.com/distribution/reference, regexp.go and reference.go):
 *
 *   reference := name [":" tag] ["@" digest]
 *   name      := [domain "/"] path-component ["/" path-component]*
 *   domain    := (domain-component ["." domain-component]* | "[" IPv6 "]") [":" port]
 *
 * A reference outside it ("x:1 --privileged", "registry/x:1\nkind: Secret") reaches the kubelet as
 * an image the runtime cannot pull, or, written into YAML by hand, as something else entirely.
 */
import { z } from "zod";

const ALPHANUMERIC = "[a-z0-9]+";
const SEPARATOR = "(?:[._]|__|[-]+)";
const PATH_COMPONENT = `${ALPHANUMERIC}(?:${SEPARATOR}${ALPHANUMERIC})*`;
const DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const DOMAIN_NAME = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*`;
const IPV6_ADDRESS = "\\[(?:[a-fA-F0-9:]+)\\]";
const DOMAIN_AND_PORT = `(?:${DOMAIN_NAME}|${IPV6_ADDRESS})(?::[0-9]+)?`;
const REMOTE_NAME = `${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const NAME = `(?:${DOMAIN_AND_PORT}/)?${REMOTE_NAME}`;
const TAG = "[\\w][\\w.-]{0,127}";
const DIGEST = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}";

/** Anchored, with groups for name, tag and digest; also the JSON Schema's `pattern`. */
export const IMAGE_REFERENCE = new RegExp(`^(${NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);

/** reference.go's NameTotalLengthMax. */
const NAME_MAX = 255;
/** go-digest: the algorithms runtimes verify, and the length of their lower-case hex encoding. */
const DIGEST_HEX_LENGTH: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

export interface ImageReference {
  name: string;
  tag?: string;
  digest?: string;
}

/** The parsed reference, or why `s` is not one (a phrase for a message). */
export function parseImageReference(s: string): ImageReference | string {
  if (s === "") return "it is empty";
  // Named first: whitespace is what turns an image string into injected YAML or a second argument.
  if (/\s/.test(s)) return "it contains whitespace (a space, tab or line break)";
  const m = IMAGE_REFERENCE.exec(s);
  if (!m) {
    return (
      "it does not follow the reference grammar [registry[:port]/]path[:tag][@digest] (path components are " +
      'lower-case letters and digits joined by ".", "_", "__" or "-"; a tag is at most 128 of [A-Za-z0-9_.-])'
    );
  }
  const [, name, tag, digest] = m as unknown as [string, string, string | undefined, string | undefined];
  if (name.length > NAME_MAX) return `its repository name is ${name.length} characters, over ${NAME_MAX}`;
  if (digest !== undefined) {
    const [algorithm, hex] = digest.split(":") as [string, string];
    const length = DIGEST_HEX_LENGTH[algorithm];
    if (length === undefined) return `its digest algorithm "${algorithm}" is not one of sha256, sha384, sha512`;
    if (!new RegExp(`^[a-f0-9]{${length}}$`).test(hex))
      return `a ${algorithm} digest is ${length} lower-case hexadecimal digits`;
  }
  return { name, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

const EXAMPLE = '"registry.example.com/team/app:1.2.3"';

/** Any image reference a runtime can pull; whether it is pinned is the `pinned-images` policy's call. */
export const imageReference = () =>
  z
    .string()
    .regex(IMAGE_REFERENCE, { error: (iss) => imageMessage(String(iss.input)) })
    .superRefine((s, ctx) => {
      const parsed = parseImageReference(s);
      // The regex already reported a mismatch; only the rules it cannot express remain.
      if (typeof parsed === "string" && IMAGE_REFERENCE.test(s))
        ctx.addIssue({ code: "custom", message: imageMessage(s) });
    });

/** Tags or digests only: `:latest` or no tag would make a rollout depend on when a node pulls. */
export const pinnedImage = () =>
  imageReference().superRefine((s, ctx) => {
    const parsed = parseImageReference(s);
    if (typeof parsed === "string") return;
    if (parsed.tag === undefined && parsed.digest === undefined)
      ctx.addIssue({
        code: "custom",
        message:
          `expected an image pinned by tag or digest like "quay.io/prometheus/prometheus:v2.42.0", got ` +
          JSON.stringify(s),
      });
    else if (parsed.tag === "latest" && parsed.digest === undefined)
      ctx.addIssue({ code: "custom", message: 'images are pinned: ":latest" changes under a running platform' });
  });

function imageMessage(s: string): string {
  const why = parseImageReference(s);
  const reason = typeof why === "string" ? why : "invalid";
  return `expected an image reference like ${EXAMPLE}, got ${JSON.stringify(s)}: ${reason}`;
}
