/**
 * Field paths as findings print them: `spec.template.spec.containers[0].resources`,
 * with map keys that are not identifiers quoted: `metadata.labels["app.kubernetes.io/name"]`.
 */
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

export function joinPath(base: string, key: string | number): string {
  if (typeof key === "number") return `${base}[${key}]`;
  if (IDENTIFIER.test(key)) return base ? `${base}.${key}` : key;
  return `${base}[${JSON.stringify(key)}]`;
}

/**
 * A JSON pointer (`/spec/template/spec/containers/0`) as a field path, reading `root` to tell array indexes from map
 * keys.
 */
export function pointerToPath(pointer: string, root: unknown): string {
  if (!pointer) return "";
  let path = "";
  let node: unknown = root;
  for (const raw of pointer.slice(1).split("/")) {
    const s = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (Array.isArray(node)) {
      path = joinPath(path, Number(s));
      node = node[Number(s)];
    } else {
      path = joinPath(path, s);
      node = node && typeof node === "object" ? (node as Record<string, unknown>)[s] : undefined;
    }
  }
  return path;
}

/** Edit distance (Levenshtein), for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** The closest known name, if it is close enough to be a likely typo (case-insensitive match wins). */
export function didYouMean(name: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    if (k.toLowerCase() === name.toLowerCase()) return k;
    const d = editDistance(name, k);
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}
