import type { ResultsStore } from './store';

/** Totals for the summary bar, over the whole batch. */
export interface Summary {
  total: number;
  /** Per status code. */
  statusCounts: Uint32Array;
  /** statusReason[statusCode][reasonCode]: the reason breakdown of each status. */
  statusReason: Uint32Array[];
}

/** Counts statuses and, within each, reasons. */
export function summarize(store: ResultsStore): Summary {
  const status = store.dict.status;
  const reason = store.dict.reason;
  const statusCounts = new Uint32Array(status.values.length);
  const statusReason = status.values.map(() => new Uint32Array(reason.values.length));
  for (let row = 0; row < store.rowCount; row++) {
    const s = status.codes[row];
    statusCounts[s]++;
    statusReason[s][reason.codes[row]]++;
  }
  return { total: store.rowCount, statusCounts, statusReason };
}

/** Value/count pairs with a non-zero count, largest first, ties by value. */
export function countsByValue(values: readonly string[], counts: Uint32Array): { value: string; count: number }[] {
  return values
    .map((value, code) => ({ value, count: counts[code] }))
    .filter((entry) => entry.count > 0)
    .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
}
