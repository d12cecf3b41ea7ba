/** Small byte helpers shared by the streaming readers (no Node imports). */

/** JSON's four whitespace bytes: space, LF, CR, tab. */
export function isJsonWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** Joins the first `length` bytes held in `pieces`, then `tail` if given, into one new array. */
export function concatBytes(pieces: readonly Uint8Array[], length: number, tail?: Uint8Array): Uint8Array {
  const out = new Uint8Array(length + (tail?.length ?? 0));
  let at = 0;
  for (const piece of pieces) {
    out.set(piece, at);
    at += piece.length;
  }
  if (tail) out.set(tail, at);
  return out;
}
