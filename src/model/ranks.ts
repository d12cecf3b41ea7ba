import { columnOf, type ColumnId, type DictColumn, type NumColumn, type ResultsStore, type TextColumn } from './store';

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

/**
 * Numbers rank by value; a value sent as text that reads as no number (`"n/a"`) ranks after every
 * number, by its text, so it is neither lost among the missing nor mixed in with the numbers.
 */
function numRanks(column: NumColumn): Ranks {
  const { values, given } = column;
  const present = values.filter((v) => !Number.isNaN(v)).sort();
  let unique = 0;
  for (let i = 0; i < present.length; i++) {
    if (i === 0 || present[i] !== present[unique - 1]) present[unique++] = present[i];
  }
  const sorted = present.subarray(0, unique);
  const textRanks = given ? dictRanks(given).ranks : undefined;
  let max = unique;
  const ranks = new Uint32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isNaN(v)) {
      const text = textRanks?.[i] ?? 0;
      if (text !== 0) {
        ranks[i] = unique + text;
        if (ranks[i] > max) max = ranks[i];
      }
      continue;
    }
    let lo = 0;
    let hi = unique - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    ranks[i] = lo + 1;
  }
  return { ranks, max };
}

/** ASCII case folding: emails are compared case-insensitively, byte order otherwise. */
function fold(byte: number): number {
  return byte >= 65 && byte <= 90 ? byte | 32 : byte;
}

const SMALL_RUN = 32;

/**
 * Sorts row indices of a UTF-8 text column without decoding it: an MSD radix sort, one stable
 * counting pass per byte position (ASCII case folded), so each level is linear and comparisons only
 * happen in small buckets (insertion sort). Ties keep row order, so the result is stable.
 */
function sortTextRows(column: TextColumn, rows: Uint32Array): void {
  const { bytes, offsets } = column;
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
  const keys = new Uint16Array(rows.length);
  const moved = new Uint32Array(rows.length);
  // Bucket 0 holds strings that end at this depth: they are equal so far and stay in order.
  const counts = new Uint32Array(257);
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
    counts.fill(0);
    for (let i = lo; i < hi; i++) {
      const row = rows[i];
      const p = offsets[row] + depth;
      const key = p < offsets[row + 1] ? fold(bytes[p]) + 1 : 0;
      keys[i] = key;
      counts[key]++;
    }
    let sum = lo;
    for (let b = 0; b < 257; b++) {
      const c = counts[b];
      counts[b] = sum;
      sum += c;
    }
    for (let i = lo; i < hi; i++) moved[counts[keys[i]]++] = rows[i];
    rows.set(moved.subarray(lo, hi), lo);
    // counts[b] is now the end of bucket b; buckets 1..256 with more than one row go one byte deeper.
    let bucketStart = counts[0];
    for (let b = 1; b < 257; b++) {
      const bucketEnd = counts[b];
      if (bucketEnd - bucketStart > 1) stack.push(bucketStart, bucketEnd, depth + 1);
      bucketStart = bucketEnd;
    }
  }
}

function textRanks(column: TextColumn): Ranks {
  const n = column.offsets.length - 1;
  const rows = new Uint32Array(n);
  for (let i = 0; i < n; i++) rows[i] = i;
  sortTextRows(column, rows);
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

function equalFolded(bytes: Uint8Array, a: number, ea: number, b: number, eb: number): boolean {
  if (ea - a !== eb - b) return false;
  while (a < ea) if (fold(bytes[a++]) !== fold(bytes[b++])) return false;
  return true;
}

/** Computes the ranks of a column. */
export function computeRanks(store: ResultsStore, id: ColumnId): Ranks {
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
  private readonly cache = new Map<ColumnId, Ranks>();

  constructor(readonly store: ResultsStore) {}

  get(id: ColumnId): Ranks {
    let ranks = this.cache.get(id);
    if (!ranks) {
      ranks = computeRanks(this.store, id);
      this.cache.set(id, ranks);
    }
    return ranks;
  }
}
