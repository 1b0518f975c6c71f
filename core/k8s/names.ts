/**
 * Name syntaxes of k8s.io/apimachinery/pkg/util/validation, with their messages.
 * Each function returns the problems with a value (empty when valid).
 */
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export function dns1123Label(v: string): string[] {
  const out: string[] = [];
  if (v.length > 63) out.push(`must be no more than 63 characters (is ${v.length})`);
  if (!DNS1123_LABEL.test(v))
    out.push("must be a DNS-1123 label: lower-case alphanumerics and '-', starting and ending with an alphanumeric");
  return out;
}

export function dns1123Subdomain(v: string): string[] {
  const out: string[] = [];
  if (v.length > 253) out.push(`must be no more than 253 characters (is ${v.length})`);
  if (!DNS1123_SUBDOMAIN.test(v))
    out.push(
      "must be a DNS-1123 subdomain: lower-case alphanumerics, '-' and '.', starting and ending with an alphanumeric",
    );
  return out;
}

export function dns1035Label(v: string): string[] {
  const out: string[] = [];
  if (v.length > 63) out.push(`must be no more than 63 characters (is ${v.length})`);
  if (!DNS1035_LABEL.test(v))
    out.push(
      "must be a DNS-1035 label: lower-case alphanumerics and '-', starting with a letter and ending with an " +
        "alphanumeric",
    );
  return out;
}

/** RBAC object names (`path.IsValidPathSegmentName`): anything but ".", "..", "/" and "%". */
export function pathSegmentName(v: string): string[] {
  if (v === "." || v === "..") return [`may not be "${v}"`];
  if (/[/%]/.test(v)) return ["may not contain '/' or '%'"];
  return [];
}

/** Label and annotation keys: an optional DNS-1123 subdomain prefix (≤253) and "/", then a name (≤63). */
export function qualifiedName(v: string): string[] {
  const parts = v.split("/");
  let name = v;
  const out: string[] = [];
  if (parts.length === 2) {
    const [prefix = "", rest = ""] = parts;
    name = rest;
    if (prefix.length === 0) out.push("prefix part must be non-empty");
    else out.push(...dns1123Subdomain(prefix).map((m) => `prefix part ${m}`));
  } else if (parts.length > 2) {
    return ["a qualified name has at most one '/': an optional DNS prefix, then a name"];
  }
  if (name.length === 0) out.push("name part must be non-empty");
  else {
    if (name.length > 63) out.push(`name part must be no more than 63 characters (is ${name.length})`);
    if (!QUALIFIED_NAME_PART.test(name))
      out.push("name part must consist of alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric");
  }
  return out;
}

export function isQualifiedName(v: string): boolean {
  return qualifiedName(v).length === 0;
}

export function labelValue(v: string): string[] {
  const out: string[] = [];
  if (v.length > 63) out.push(`must be no more than 63 characters (is ${v.length})`);
  if (!LABEL_VALUE.test(v))
    out.push("must be empty or alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric");
  return out;
}

/**
 * Port names (IANA_SVC_NAME, RFC 6335): ≤15 lower-case alphanumerics and '-', at least one letter, no '--', no '-' at
 * either end.
 */
export function ianaServiceName(v: string): string[] {
  const out: string[] = [];
  if (v.length > 15) out.push(`must be no more than 15 characters (is ${v.length})`);
  if (!/^[-a-z0-9]+$/.test(v)) out.push("must contain only lower-case alphanumerics and '-'");
  if (!/[a-z]/.test(v)) out.push("must contain at least one letter");
  if (v.includes("--")) out.push("must not contain consecutive hyphens");
  if (v.startsWith("-") || v.endsWith("-")) out.push("must not begin or end with a hyphen");
  return out;
}
