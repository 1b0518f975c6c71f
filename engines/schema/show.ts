/** A value as a finding's message shows it: JSON, with the numbers JSON cannot write named, and kept short. */
const MAX_SHOWN = 80;

export function showValue(v: unknown): string {
  if (v === undefined) return "nothing";
  if (typeof v === "number" && !Number.isFinite(v)) return String(v); // JSON would say null
  const json = JSON.stringify(v) ?? String(v);
  return [...json].length > MAX_SHOWN ? `${[...json].slice(0, MAX_SHOWN - 1).join("")}…` : json;
}
