import type { ColumnId } from './store';
import type { RankCache } from './ranks';

/** One sort key; the first key in a list is the primary one. */
export interface SortKey {
  column: ColumnId;
  descending: boolean;
}

/**
 * Returns every row index ordered by the keys: a stable LSD pass of counting sort per key, last key
 * first, so ties keep the previous order (and finally the file order). Missing values sort last in
 * both directions. With `buffers` (two arrays of at least `rowCount`), no full-size array is
 * allocated and the result is a view of one of them, valid until they are passed in again.
 */
export function sortRows(
  rowCount: number,
  keys: readonly SortKey[],
  ranks: RankCache,
  buffers?: [Uint32Array, Uint32Array],
): Uint32Array {
  const reuse = buffers !== undefined && buffers[0].length >= rowCount && buffers[1].length >= rowCount;
  let order: Uint32Array = reuse ? buffers[0].subarray(0, rowCount) : new Uint32Array(rowCount);
  let scratch: Uint32Array = reuse ? buffers[1].subarray(0, rowCount) : new Uint32Array(rowCount);
  for (let i = 0; i < rowCount; i++) order[i] = i;
  for (let k = keys.length - 1; k >= 0; k--) {
    const { ranks: r, max } = ranks.get(keys[k].column);
    const descending = keys[k].descending;
    // Key: 0..max-1 for present values in the wanted direction, max for missing.
    const counts = new Uint32Array(max + 2);
    for (let i = 0; i < rowCount; i++) {
      const rank = r[order[i]];
      counts[rank === 0 ? max + 1 : descending ? max - rank + 1 : rank]++;
    }
    let sum = 0;
    for (let b = 0; b < counts.length; b++) {
      const c = counts[b];
      counts[b] = sum;
      sum += c;
    }
    for (let i = 0; i < rowCount; i++) {
      const row = order[i];
      const rank = r[row];
      scratch[counts[rank === 0 ? max + 1 : descending ? max - rank + 1 : rank]++] = row;
    }
    [order, scratch] = [scratch, order];
  }
  return order;
}

/**
 * The next sort after a header click: a plain click sorts by that column alone (toggling direction
 * when it already was the primary key); a shift-click adds it as a further key or toggles it there.
 */
export function nextSort(current: readonly SortKey[], column: ColumnId, additive: boolean, maxKeys = 3): SortKey[] {
  const existing = current.find((key) => key.column === column);
  if (!additive) {
    const descending = current.length > 0 && current[0].column === column ? !current[0].descending : false;
    return [{ column, descending }];
  }
  if (existing) return current.map((key) => (key.column === column ? { column, descending: !key.descending } : key));
  return [...current, { column, descending: false }].slice(0, maxKeys);
}
