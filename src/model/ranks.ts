import type { FlatColumn } from '../core/records';
import { columnOf, type DictColumn, type NumColumn, type ResultsStore, type TextColumn } from './store';

/**
 * A column reduced to one rank per row: equal values share a rank, 0 means "missing", present
 * values rank 1..max. Sorting then becomes counting sorts over small integers, stable and linear.
 */
export interface Ranks {
  ranks: Uint32Array;
  max: number;
}

/** Orders strings case-insensitively, falling back to code-unit order so the order is total. */
export function compareText(a: string, b: string): number {
  const la = a.toLowerCase();
  const lb = b.toLowerCase();
  if (la !== lb) return la < lb ? -1 : 1;
  return a === b ? 0 : a < b ? -1 : 1;
}

function dictRanks(column: DictColumn): Ranks {
  const { values, codes } = column;
  const order = Array.from({ length: values.length - 1 }, (_, i) => i + 1);
  order.sort((a, b) => compareText(values[a], values[b]));
  const rankOfCode = new Uint32Array(values.length);
  order.forEach((code, position) => (rankOfCode[code] = position + 1));
  const ranks = new Uint32Array(codes.length);
  for (let i = 0; i < codes.length; i++) ranks[i] = rankOfCode[codes[i]];
  return { ranks, max: order.length };
}

function numRanks(column: NumColumn): Ranks {
  const { values } = column;
  const present = values.filter((v) => !Number.isNaN(v)).sort();
  let unique = 0;
  for (let i = 0; i < present.length; i++) {
    if (i === 0 || present[i] !== present[unique - 1]) present[unique++] = present[i];
  }
  const sorted = present.subarray(0, unique);
  const ranks = new Uint32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isNaN(v)) continue;
    let lo = 0;
    let hi = unique - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    ranks[i] = lo + 1;
  }
  return { ranks, max: unique };
}

/** ASCII case folding: emails are compared case-insensitively, byte order otherwise. */
function fold(byte: number): number {
  return byte >= 65 && byte <= 90 ? byte | 32 : byte;
}

const ROW_BITS = 2 ** 21;
const SMALL_RUN = 24;

/**
 * Sorts row indices of a UTF-8 text column without decoding it: an MSD radix sort on 4-byte chunks,
 * each chunk packed with the row index into one float64 so the engine's native typed-array sort
 * does the work; small runs of equal chunks finish with an insertion sort.
 */
function sortTextRows(column: TextColumn, rows: Uint32Array): void {
  const { bytes, offsets } = column;
  const chunkAt = (row: number, depth: number): number => {
    const start = offsets[row] + depth;
    const end = offsets[row + 1];
    let chunk = 0;
    for (let k = 0; k < 4; k++) chunk = chunk * 256 + (start + k < end ? fold(bytes[start + k]) : 0);
    return chunk;
  };
  const compareFrom = (a: number, b: number, depth: number): number => {
    let pa = offsets[a] + depth;
    let pb = offsets[b] + depth;
    const ea = offsets[a + 1];
    const eb = offsets[b + 1];
    while (pa < ea && pb < eb) {
      const d = fold(bytes[pa++]) - fold(bytes[pb++]);
      if (d !== 0) return d;
    }
    return ea - pa - (eb - pb) || a - b;
  };
  const keys = new Float64Array(rows.length);
  const stack: number[] = [0, rows.length, 0];
  while (stack.length > 0) {
    const depth = stack.pop() as number;
    const hi = stack.pop() as number;
    const lo = stack.pop() as number;
    if (hi - lo <= SMALL_RUN) {
      for (let i = lo + 1; i < hi; i++) {
        const row = rows[i];
        let j = i - 1;
        while (j >= lo && compareFrom(rows[j], row, depth) > 0) {
          rows[j + 1] = rows[j];
          j--;
        }
        rows[j + 1] = row;
      }
      continue;
    }
    const sub = keys.subarray(lo, hi);
    for (let i = lo; i < hi; i++) sub[i - lo] = chunkAt(rows[i], depth) * ROW_BITS + rows[i];
    sub.sort();
    for (let i = lo; i < hi; i++) rows[i] = sub[i - lo] % ROW_BITS;
    // Recurse into runs that share this chunk and still have bytes left to compare.
    let runStart = lo;
    let runChunk = Math.floor(sub[0] / ROW_BITS);
    for (let i = lo + 1; i <= hi; i++) {
      const chunk = i < hi ? Math.floor(sub[i - lo] / ROW_BITS) : -1;
      if (chunk === runChunk) continue;
      if (i - runStart > 1 && runChunk % 256 !== 0) stack.push(runStart, i, depth + 4);
      runStart = i;
      runChunk = chunk;
    }
  }
}

function textRanks(column: TextColumn): Ranks {
  const n = column.offsets.length - 1;
  const rows = new Uint32Array(n);
  for (let i = 0; i < n; i++) rows[i] = i;
  if (n < ROW_BITS) {
    sortTextRows(column, rows);
  } else {
    // Beyond 2M rows the row index no longer fits beside a 32-bit chunk in a float64.
    const cells = Array.from({ length: n }, (_, i) => textOf(column, i));
    rows.sort((a, b) => compareText(cells[a], cells[b]) || a - b);
  }
  const { bytes, offsets, present } = column;
  const ranks = new Uint32Array(n);
  let rank = 0;
  let prev = -1;
  for (const row of rows) {
    if (present && present[row] !== 1) continue;
    if (prev < 0 || !equalFolded(bytes, offsets[prev], offsets[prev + 1], offsets[row], offsets[row + 1])) rank++;
    ranks[row] = rank;
    prev = row;
  }
  return { ranks, max: rank };
}

const decoder = new TextDecoder();
function textOf(column: TextColumn, row: number): string {
  return decoder.decode(column.bytes.subarray(column.offsets[row], column.offsets[row + 1]));
}

function equalFolded(bytes: Uint8Array, a: number, ea: number, b: number, eb: number): boolean {
  if (ea - a !== eb - b) return false;
  while (a < ea) if (fold(bytes[a++]) !== fold(bytes[b++])) return false;
  return true;
}

/** Computes the ranks of a column. */
export function computeRanks(store: ResultsStore, id: FlatColumn): Ranks {
  const column = columnOf(store, id);
  switch (column.kind) {
    case 'dict':
      return dictRanks(column);
    case 'num':
      return numRanks(column);
    case 'text':
      return textRanks(column);
  }
}

/** Ranks per column, computed on first use: the email ranks cost one sort, later sorts reuse them. */
export class RankCache {
  private readonly cache = new Map<FlatColumn, Ranks>();

  constructor(readonly store: ResultsStore) {}

  get(id: FlatColumn): Ranks {
    let ranks = this.cache.get(id);
    if (!ranks) {
      ranks = computeRanks(this.store, id);
      this.cache.set(id, ranks);
    }
    return ranks;
  }
}
