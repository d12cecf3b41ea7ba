/**
 * Whether `bytes[start, end)` (UTF-8) contains `needle` (the UTF-8 of lowercase text), ASCII letters
 * folded to lowercase, other bytes as they are; with `whole`, whether it is exactly `needle`. The
 * one inner loop of search and column filters: it runs for every row of a million on each keystroke.
 */
export function matchesFolded(
  bytes: Uint8Array,
  start: number,
  end: number,
  needle: Uint8Array,
  whole: boolean,
): boolean {
  const len = needle.length;
  if (whole && end - start !== len) return false;
  if (len === 0) return true;
  const first = needle[0];
  const last = end - len;
  for (let p = start; p <= last; p++) {
    let b = bytes[p];
    if (b >= 65 && b <= 90) b |= 32;
    if (b !== first) continue;
    let k = 1;
    for (; k < len; k++) {
      let c = bytes[p + k];
      if (c >= 65 && c <= 90) c |= 32;
      if (c !== needle[k]) break;
    }
    if (k === len) return true;
  }
  return false;
}
