/**
 * What changed when addresses were verified again: for each address of the newer batch, its
 * status in the older batch and now, counted per change. Pure; the host shows the counts.
 */
import type { ResultsIndex } from './writeBack';

/** Addresses that went from one status to another (or stayed, when `from === to`). */
export interface StatusChange {
  readonly from: string;
  readonly to: string;
  readonly count: number;
}

export interface BatchDiff {
  /** Changes with `from !== to`, most addresses first. */
  readonly changed: readonly StatusChange[];
  /** Addresses whose status stayed, per status, most first. */
  readonly unchanged: readonly StatusChange[];
  /** Addresses of the newer batch that the older one has no result for. */
  readonly onlyInNewer: number;
  /** Addresses of the older batch left out of the newer one (only the unknown ones were sent again). */
  readonly onlyInOlder: number;
}

/** Compares two batches' results by address (case-insensitive, as the indexes key them). */
export function diffBatches(older: ResultsIndex, newer: ResultsIndex): BatchDiff {
  const counts = new Map<string, { from: string; to: string; count: number }>();
  let onlyInNewer = 0;
  for (const [key, record] of newer) {
    const before = older.get(key);
    if (!before) {
      onlyInNewer++;
      continue;
    }
    const from = String(before.status);
    const to = String(record.status);
    const id = JSON.stringify([from, to]);
    const entry = counts.get(id) ?? { from, to, count: 0 };
    entry.count++;
    counts.set(id, entry);
  }
  let onlyInOlder = 0;
  for (const key of older.keys()) if (!newer.has(key)) onlyInOlder++;
  const byCount = (a: StatusChange, b: StatusChange) =>
    b.count - a.count || a.from.localeCompare(b.from) || a.to.localeCompare(b.to);
  const all = [...counts.values()];
  return {
    changed: all.filter((c) => c.from !== c.to).sort(byCount),
    unchanged: all.filter((c) => c.from === c.to).sort(byCount),
    onlyInNewer,
    onlyInOlder,
  };
}

/** One line per change: "unknown → deliverable: 12". */
export function describeChanges(diff: BatchDiff): string[] {
  return diff.changed.map((c) => `${c.from} → ${c.to}: ${c.count.toLocaleString('en-US')}`);
}
