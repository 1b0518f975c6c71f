/**
 * IPv4 and IPv6 CIDRs parsed as the API server parses NetworkPolicy `ipBlock.cidr` (Go's
 * net.ParseCIDR): dotted quads without leading zeros, IPv6 with at most one "::" and an optional
 * trailing dotted quad, a decimal prefix length within the family's width. A shape-only regex let
 * ":::::/64" through, and the API server then refused every network policy that named it.
 */

export interface Cidr {
  family: 4 | 6;
  /** The address as 4 or 16 bytes. */
  bytes: number[];
  prefix: number;
}

/** The parsed CIDR, or why `s` is not one (a phrase for a message). */
export function parseCidr(s: string): Cidr | string {
  const slash = s.indexOf("/");
  if (slash < 0) return "the prefix length is missing (write it as address/length)";
  const address = s.slice(0, slash);
  const length = s.slice(slash + 1);
  const bytes = address.includes(":") ? parseIpv6(address) : parseIpv4(address);
  if (bytes === undefined) return `${JSON.stringify(address)} is not an IPv4 or IPv6 address`;
  const family = bytes.length === 4 ? 4 : 6;
  const width = bytes.length * 8;
  if (!/^(0|[1-9]\d{0,2})$/.test(length) || Number(length) > width)
    return `the prefix length of an IPv${family} CIDR is a number from 0 to ${width}, got ${JSON.stringify(length)}`;
  return { family, bytes, prefix: Number(length) };
}

/** The CIDR's network address with the host bits cleared, as text. */
export function networkOf(c: Cidr): string {
  const masked = c.bytes.map((b, i) => {
    const keep = Math.max(0, Math.min(8, c.prefix - i * 8));
    return b & (0xff << (8 - keep)) & 0xff;
  });
  return `${c.family === 4 ? masked.join(".") : formatIpv6(masked)}/${c.prefix}`;
}

export function hasHostBits(c: Cidr): boolean {
  return c.bytes.some((b, i) => {
    const keep = Math.max(0, Math.min(8, c.prefix - i * 8));
    return (b & ~(0xff << (8 - keep)) & 0xff) !== 0;
  });
}

function parseIpv4(s: string): number[] | undefined {
  const parts = s.split(".");
  if (parts.length !== 4) return undefined;
  const bytes: number[] = [];
  for (const p of parts) {
    // Go refuses leading zeros: "010" reads as octal to some tools and decimal to others.
    if (!/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255) return undefined;
    bytes.push(Number(p));
  }
  return bytes;
}

function parseIpv6(s: string): number[] | undefined {
  const halves = s.split("::");
  if (halves.length > 2) return undefined;
  const groupsOf = (part: string): number[] | undefined => {
    if (part === "") return [];
    const out: number[] = [];
    const fields = part.split(":");
    for (const [i, f] of fields.entries()) {
      if (i === fields.length - 1 && f.includes(".")) {
        const v4 = parseIpv4(f);
        if (!v4) return undefined;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(f)) out.push(Number.parseInt(f, 16));
      else return undefined;
    }
    return out;
  };
  const head = groupsOf(halves[0]!);
  const tail = halves.length === 2 ? groupsOf(halves[1]!) : [];
  if (!head || !tail) return undefined;
  // A dotted quad belongs only at the very end.
  if (halves.length === 2 && halves[0]!.includes(".")) return undefined;
  const present = head.length + tail.length;
  // "::" stands for at least one group of zeros.
  if (halves.length === 2 ? present > 7 : present !== 8) return undefined;
  const groups = [...head, ...Array<number>(8 - present).fill(0), ...tail];
  return groups.flatMap((g) => [g >> 8, g & 0xff]);
}

/** RFC 5952 text: lower case, the longest run of two or more zero groups as "::". */
function formatIpv6(bytes: number[]): string {
  const groups = Array.from({ length: 8 }, (_, i) => (bytes[2 * i]! << 8) | bytes[2 * i + 1]!);
  let best = { start: -1, length: 0 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length && j - i >= 2) best = { start: i, length: j - i };
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.start < 0) return hex.join(":");
  return `${hex.slice(0, best.start).join(":")}::${hex.slice(best.start + best.length).join(":")}`;
}

/** Whether `c`'s first `bits` bits equal `other`'s (same family). */
function samePrefix(a: Cidr, b: Cidr, bits: number): boolean {
  for (let i = 0; i < bits; i++) {
    const byte = i >> 3;
    const mask = 0x80 >> (i & 7);
    if ((a.bytes[byte]! & mask) !== (b.bytes[byte]! & mask)) return false;
  }
  return true;
}

/** Every address of `inner` is in `outer`. */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  return outer.family === inner.family && outer.prefix <= inner.prefix && samePrefix(outer, inner, outer.prefix);
}

/** Some address is in both. */
export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return a.family === b.family && samePrefix(a, b, Math.min(a.prefix, b.prefix));
}
