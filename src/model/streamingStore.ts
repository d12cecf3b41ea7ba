import type { EmailRecord } from '../core/records';
import { StoreBuilder } from './builder';
import type { ResultsStore } from './store';

export interface SnapshotPacing {
  /** Never two snapshots closer than this. */
  minIntervalMs: number;
  /** A snapshot once the rows have grown by this factor since the last one... */
  growth: number;
  /** ...or once this long has passed and they grew by `slowGrowth` (a slow download still moves). */
  maxIntervalMs: number;
  slowGrowth: number;
  /**
   * No snapshot past this many rows (but the first): beyond it the rows shown stay as they are, the
   * progress line keeps counting, and the whole batch follows at the end.
   */
  maxRows: number;
  /**
   * Past `maxRows`, the rows after those shown go out in parts of this many, which the webview only
   * keeps: when the download ends it joins them to the rows it shows, and fetches only the last part.
   */
  partRows: number;
}

/**
 * Each snapshot copies every row so far, and the webview then checks, counts and filters all of
 * them, so snapshots are spaced by growth: with a factor of at least 1.5 the copies of a whole
 * download add up to a few times its size, not its square. Measured in a real VS Code on a busy
 * 2-core machine, doubling every 150 ms (9 snapshots at 100k rows) slowed the download itself down;
 * the first rows go out at once either way.
 */
export const DEFAULT_PACING: SnapshotPacing = {
  minIntervalMs: 400,
  growth: 4,
  maxIntervalMs: 1500,
  slowGrowth: 1.5,
  // Every snapshot is copied, encoded, fetched and taken in by the webview on the same 2 cores as the
  // download: at 100k rows in a real VS Code, snapshots up to 100k made the download 0.5 s or more
  // slower than one snapshot did. 20,000 rows (the same as a cached table's opening rows) are far
  // more than anyone scrolls while the rest arrives.
  maxRows: 20_000,
  // 5 MB of columns: a part is fetched in tens of milliseconds, and a million rows make 15 of them.
  partRows: 65_536,
};

/** Rows `firstRow` … of a download, as a store of their own. */
export interface StorePart {
  firstRow: number;
  store: ResultsStore;
}

/**
 * The columnar store of a download, built while the download streams: ingest hands over each run of
 * records it has parsed and checked, so the store needs no second parse of the file. Along the way it
 * offers snapshots of the rows so far, paced so a table can show them growing without copying a big
 * batch over and over.
 */
export class StreamingStore {
  private readonly builder = new StoreBuilder();
  private postedRows = 0;
  private postedAt = -Infinity;
  /** Where the next part starts: rows before it were shown or handed out as parts. */
  private partFrom = 0;

  constructor(private readonly pacing: SnapshotPacing = DEFAULT_PACING) {}

  /** Records added so far. */
  get rowCount(): number {
    return this.builder.rowCount;
  }

  /**
   * Appends records in file order. `firstIndex` must continue where the last run ended: a gap or a
   * repeat means the runs are not one download's, and throws rather than building a wrong table.
   */
  add(records: readonly unknown[], firstIndex: number): void {
    if (firstIndex !== this.builder.rowCount) {
      throw new Error(`records ${firstIndex}… arrived after ${this.builder.rowCount} rows`);
    }
    for (let k = 0; k < records.length; k++) this.builder.add(records[k] as EmailRecord);
  }

  /** A copy of the rows so far when one is due at `now` (the first rows at once), else undefined. */
  snapshotIfDue(now: number): ResultsStore | undefined {
    const rows = this.builder.rowCount;
    if (rows <= this.postedRows) return undefined;
    if (this.postedRows > 0) {
      if (rows > this.pacing.maxRows) return undefined;
      const since = now - this.postedAt;
      if (since < this.pacing.minIntervalMs) return undefined;
      const grown = rows / this.postedRows;
      if (grown < this.pacing.growth && (since < this.pacing.maxIntervalMs || grown < this.pacing.slowGrowth)) {
        return undefined;
      }
    }
    this.postedRows = rows;
    this.postedAt = now;
    return this.builder.finish();
  }

  /** The rows since the last snapshot or part, once there are `partRows` of them past the snapshots. */
  partIfDue(): StorePart | undefined {
    const rows = this.builder.rowCount;
    if (this.postedRows === 0 || rows <= this.pacing.maxRows) return undefined;
    const from = Math.max(this.partFrom, this.postedRows);
    if (rows - from < this.pacing.partRows) return undefined;
    this.partFrom = rows;
    return { firstRow: from, store: this.builder.finish(from) };
  }

  /** The rows not yet in a snapshot or part, for a download that has completed; undefined before any snapshot. */
  tail(): StorePart | undefined {
    if (this.postedRows === 0) return undefined;
    const from = Math.max(this.partFrom, this.postedRows);
    return { firstRow: from, store: this.builder.finish(from) };
  }

  /**
   * The whole store, when exactly `records` records were added: the count of the download that
   * completed. Undefined otherwise (the records went elsewhere, or to another download), and the
   * caller reads the file instead.
   */
  complete(records: number): ResultsStore | undefined {
    return records === this.builder.rowCount ? this.builder.finish() : undefined;
  }
}
