import { FLAG_COLUMNS, type FlagColumn } from '../core/recordColumns';
import { ColumnFilterIndex, type ColumnFilter } from './columnFilter';
import type { SearchIndex } from './search';
import type { DictColumn, ResultsStore } from './store';

/**
 * What the user filters on. Values are strings, not dictionary codes, so the state survives a reload
 * (codes depend on the order records arrive). '' stands for "missing".
 */
export interface FilterState {
  /** Statuses to keep; empty keeps all. */
  statuses: string[];
  /** Reasons to keep; empty keeps all. */
  reasons: string[];
  /** Per yes/no/unknown column, the one value to keep. */
  flags: Partial<Record<FlagColumn, string>>;
  /** Inclusive score range; rows without a score fail any range. */
  scoreMin?: number;
  scoreMax?: number;
  /** Substring over email, domain and provider, case-insensitive. */
  search: string;
  /** Per-column text filters, all of which a row must pass; absent when there are none. */
  columns?: ColumnFilter[];
}

export type { ColumnFilter } from './columnFilter';

/** No filter at all. */
export function emptyFilter(): FilterState {
  return { statuses: [], reasons: [], flags: {}, search: '' };
}

/** The rows of the view plus the counts the status and reason chips show. */
export interface ViewResult {
  /** Row indices in display order. */
  rows: Uint32Array;
  /** Per status code: rows that pass every filter except the status one. */
  statusCounts: Uint32Array;
  /** Per reason code: rows that pass every filter except the reason one. */
  reasonCounts: Uint32Array;
}

/** 1 for each dictionary code whose value is in `wanted`; undefined when `wanted` is empty. */
function allowedCodes(column: DictColumn, wanted: readonly string[]): Uint8Array | undefined {
  if (wanted.length === 0) return undefined;
  const allowed = new Uint8Array(column.values.length);
  for (let code = 0; code < column.values.length; code++) if (wanted.includes(column.values[code])) allowed[code] = 1;
  return allowed;
}

/**
 * Filters an ordered list of rows (usually a sort order over all rows) in one pass, keeping order,
 * and counts statuses and reasons faceted: each chip counts what the other filters leave.
 * With `into` (at least `order.length` long) nothing full-size is allocated and the returned rows are a
 * view of it, valid until it is passed in again: callers alternate two buffers.
 */
export function applyFilter(
  store: ResultsStore,
  order: Uint32Array,
  filter: FilterState,
  search: SearchIndex,
  into?: Uint32Array,
  columnIndex?: ColumnFilterIndex,
): ViewResult {
  const status = store.dict.status;
  const reason = store.dict.reason;
  const statusOk = allowedCodes(status, filter.statuses);
  const reasonOk = allowedCodes(reason, filter.reasons);
  // Flag filters and column filters share one loop: `allowed[codes[row]]`, or `allowed[row]` for a row mask.
  const flagTests: { codes: DictColumn['codes'] | undefined; allowed: Uint8Array }[] = [];
  for (const id of FLAG_COLUMNS) {
    const wanted = filter.flags[id];
    if (wanted === undefined) continue;
    const allowed = allowedCodes(store.dict[id], [wanted]) as Uint8Array;
    flagTests.push({ codes: store.dict[id].codes, allowed });
  }
  const score = store.num.score.values;
  const min = filter.scoreMin ?? -Infinity;
  const max = filter.scoreMax ?? Infinity;
  const hasRange = filter.scoreMin !== undefined || filter.scoreMax !== undefined;
  const searchMask = search.match(filter.search);
  const columnTests = (columnIndex ?? new ColumnFilterIndex(store)).tests(filter.columns);
  for (const test of columnTests) flagTests.push(test);

  const statusCounts = new Uint32Array(status.values.length);
  const reasonCounts = new Uint32Array(reason.values.length);
  // Caller-owned buffers spare a full-size allocation per keystroke (less GC while typing at 1M rows).
  const reuse = into !== undefined && into.length >= order.length;
  const rows = reuse ? into : new Uint32Array(order.length);
  let count = 0;
  const statusCodes = status.codes;
  const reasonCodes = reason.codes;
  for (let i = 0; i < order.length; i++) {
    const row = order[i];
    if (searchMask && searchMask[row] === 0) continue;
    if (hasRange) {
      const s = score[row];
      // NaN (missing) fails both comparisons, so it is dropped as documented.
      if (!(s >= min && s <= max)) continue;
    }
    let flagsOk = true;
    for (let f = 0; f < flagTests.length; f++) {
      const test = flagTests[f];
      if (test.allowed[test.codes === undefined ? row : test.codes[row]] === 0) {
        flagsOk = false;
        break;
      }
    }
    if (!flagsOk) continue;
    const sc = statusCodes[row];
    const rc = reasonCodes[row];
    const sPass = !statusOk || statusOk[sc] === 1;
    const rPass = !reasonOk || reasonOk[rc] === 1;
    if (rPass) statusCounts[sc]++;
    if (sPass) reasonCounts[rc]++;
    if (sPass && rPass) rows[count++] = row;
  }
  return { rows: reuse ? rows.subarray(0, count) : rows.slice(0, count), statusCounts, reasonCounts };
}
