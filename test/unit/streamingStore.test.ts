import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateRecords } from '../../emulator/generateRecords';
import { ingestJson } from '../../src/core/ingest';
import { readRecords } from '../../src/core/readRecords';
import { buildStore } from '../../src/model/builder';
import { cellText, type ResultsStore } from '../../src/model/store';
import { concatStores } from '../../src/model/storeConcat';
import { DEFAULT_PACING, StreamingStore, type StorePart } from '../../src/model/streamingStore';
import { parseStore } from '../../src/shared/protocol';
import { oddDownload } from './fixtures';
import { ALL_COLUMNS } from '../../src/model/columns';

const encoder = new TextEncoder();

async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) {
    await Promise.resolve();
    yield bytes.slice(at, at + size);
  }
}

/** Every cell of every row as text: two stores are the same table when these are equal. */
function cells(store: ResultsStore): string[][] {
  return Array.from({ length: store.rowCount }, (_, row) => ALL_COLUMNS.map((id) => cellText(store, id, row)));
}

describe('StreamingStore', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bouncer-streaming-'));
  });

  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('builds, from the records ingest checks, the very store a second parse of the file builds', async () => {
    const records = [...generateRecords(3000)];
    const text = JSON.stringify(records);
    const dest = path.join(dir, 'all.json');
    const streaming = new StreamingStore();
    const runs: number[] = [];
    const summary = await ingestJson(chunked(encoder.encode(text), 4096), dest, {
      onRecords: (run, firstIndex) => {
        runs.push(run.length);
        streaming.add(run, firstIndex);
      },
    });
    assert.ok(runs.length > 1, 'records arrive in several runs while the body streams');
    const built = streaming.complete(summary.records);
    assert.ok(built, 'every record of the completed download went into the store');
    const reread = await buildStore(readRecords(dest));
    assert.equal(built.rowCount, 3000);
    assert.equal(built.hasName, reread.hasName);
    assert.deepEqual(cells(built), cells(reread));
  });

  it('does not call a store complete unless it holds every record of the download', () => {
    const streaming = new StreamingStore();
    streaming.add([...generateRecords(10)], 0);
    assert.equal(streaming.complete(11), undefined);
    assert.equal(streaming.complete(10)?.rowCount, 10);
  });

  it('refuses runs that do not continue where the last one ended', () => {
    const streaming = new StreamingStore();
    const records = [...generateRecords(10)];
    streaming.add(records.slice(0, 5), 0);
    assert.throws(() => streaming.add(records.slice(6), 6), /arrived after 5 rows/);
    assert.throws(() => streaming.add(records.slice(0, 5), 0), /arrived after 5 rows/);
  });

  it('offers the first rows at once, then snapshots spaced by growth, each a copy that later rows leave alone', () => {
    const streaming = new StreamingStore(DEFAULT_PACING);
    const records = [...generateRecords(1000)];
    streaming.add(records.slice(0, 10), 0);
    const first = streaming.snapshotIfDue(0);
    assert.equal(first?.rowCount, 10, 'the first rows go out at once');
    assert.equal(streaming.snapshotIfDue(10_000), undefined, 'nothing new, nothing to post');
    streaming.add(records.slice(10, 15), 10);
    assert.equal(streaming.snapshotIfDue(10), undefined, 'too soon after the last one');
    assert.equal(streaming.snapshotIfDue(DEFAULT_PACING.minIntervalMs + 10), undefined, 'grown too little');
    assert.equal(
      streaming.snapshotIfDue(DEFAULT_PACING.maxIntervalMs + 10)?.rowCount,
      15,
      'a slow download still shows its rows growing',
    );
    streaming.add(records.slice(15, 15 * DEFAULT_PACING.growth), 15);
    const later = streaming.snapshotIfDue(DEFAULT_PACING.maxIntervalMs + 10 + DEFAULT_PACING.minIntervalMs);
    assert.equal(later?.rowCount, 15 * DEFAULT_PACING.growth, 'grown enough: due after the short interval');
    assert.equal(first.rowCount, 10);
    assert.equal(first.text.email.offsets.length, 11, 'an earlier snapshot keeps its own rows');
  });

  it('stops offering snapshots past its row limit, after the first', () => {
    const streaming = new StreamingStore({ ...DEFAULT_PACING, maxRows: 20 });
    const records = [...generateRecords(200)];
    streaming.add(records.slice(0, 30), 0);
    assert.equal(streaming.snapshotIfDue(0)?.rowCount, 30, 'the first rows go out whatever their number');
    streaming.add(records.slice(30), 30);
    assert.equal(streaming.snapshotIfDue(1_000_000), undefined);
    assert.equal(streaming.complete(200)?.rowCount, 200, 'the whole batch still comes at the end');
  });

  it('copies a whole download only a few times over, however it is cut into runs', () => {
    const streaming = new StreamingStore(DEFAULT_PACING);
    const records = [...generateRecords(2000)];
    let copied = 0;
    let now = 0;
    for (let at = 0; at < records.length; at++) {
      streaming.add([records[at]], at);
      now += 5;
      copied += streaming.snapshotIfDue(now)?.rowCount ?? 0;
    }
    assert.ok(copied < 4 * records.length, `${copied} rows copied for ${records.length}`);
  });
  /**
   * Feeds `records` in runs of the given sizes (cycled) as a download does (`DownloadFeed`: a part
   * is asked for only when no snapshot was due), and returns what went to the page.
   */
  function stream(records: readonly unknown[], runs: readonly number[], pacing = SMALL) {
    const streaming = new StreamingStore(pacing);
    const snapshots: ResultsStore[] = [];
    const parts: StorePart[] = [];
    const order: string[] = [];
    let now = 0;
    for (let at = 0, k = 0; at < records.length; k++) {
      const run = records.slice(at, at + runs[k % runs.length]);
      streaming.add(run, at);
      at += run.length;
      now += 100;
      const snapshot = streaming.snapshotIfDue(now);
      if (snapshot) {
        snapshots.push(snapshot);
        order.push('snapshot');
      }
      const part = snapshot ? undefined : streaming.partIfDue();
      if (part) {
        parts.push(part);
        order.push('part');
      }
    }
    return { streaming, snapshots, parts, order };
  }

  const SMALL = { ...DEFAULT_PACING, maxRows: 20, partRows: 50, minIntervalMs: 0 };

  describe('parts past the snapshots', () => {
    const odd = oddDownload(700);
    const runPatterns: Record<string, number[]> = {
      'one row at a time': [1],
      'runs of 7, 13 and 1': [7, 13, 1],
      'a first run past the row limit': [30, 11],
      'runs bigger than a part': [5, 120],
      'runs that end on part boundaries': [10, 10, 50],
    };
    for (const [name, runs] of Object.entries(runPatterns)) {
      it(`cover every row once, in order, and join into the whole batch: ${name}`, () => {
        const { streaming, snapshots, parts, order } = stream(odd, runs);
        assert.ok(snapshots.length > 0, 'the first rows went out as a snapshot');
        assert.ok(parts.length > 3, `${parts.length} parts`);
        assert.equal(order.lastIndexOf('snapshot') < order.indexOf('part'), true, 'no snapshot after a part');
        const shown = snapshots[snapshots.length - 1];
        let end = shown.rowCount;
        for (const part of parts) {
          assert.equal(part.firstRow, end, 'each part starts where the rows before it end');
          assert.ok(part.store.rowCount >= SMALL.partRows, `a part of ${part.store.rowCount} rows`);
          assert.ok(part.firstRow + part.store.rowCount > SMALL.maxRows, 'parts come past the snapshots');
          assert.ok(parseStore(part.store));
          end += part.store.rowCount;
        }
        const tail = streaming.tail();
        assert.ok(tail);
        assert.equal(tail.firstRow, end, 'the tail starts after the last part');
        assert.equal(tail.firstRow + tail.store.rowCount, odd.length, 'and ends at the last row');
        assert.ok(tail.store.rowCount < SMALL.partRows + Math.max(...runs), 'the tail is what a part did not take');
        const whole = streaming.complete(odd.length);
        assert.ok(whole);
        const joined = concatStores([shown, ...parts.map((part) => part.store), tail.store]);
        assert.deepStrictEqual(joined, whole);
        assert.deepEqual(cells(joined), cells(whole));
      });
    }

    it('ends with an empty tail when the last run ends a part', () => {
      // 20 rows shown, then parts of exactly 50 rows, to 720.
      const records = oddDownload(720);
      const { streaming, snapshots, parts } = stream(records, [20, ...Array<number>(14).fill(50)]);
      assert.equal(snapshots[snapshots.length - 1].rowCount, 20);
      assert.deepEqual(
        parts.map((part) => [part.firstRow, part.store.rowCount]),
        Array.from({ length: 14 }, (_, k) => [20 + 50 * k, 50]),
      );
      const tail = streaming.tail();
      assert.deepEqual([tail?.firstRow, tail?.store.rowCount], [720, 0]);
      assert.ok(tail && parseStore(tail.store));
      const joined = concatStores([snapshots[snapshots.length - 1], ...parts.map((p) => p.store), tail.store]);
      assert.deepStrictEqual(joined, streaming.complete(720));
    });

    it('offers no part and no tail before the first snapshot, nor parts up to the row limit', () => {
      const streaming = new StreamingStore(SMALL);
      const records = oddDownload(700);
      streaming.add(records.slice(0, 200), 0);
      assert.equal(streaming.partIfDue(), undefined, 'nothing shown yet: the whole batch comes at the end');
      assert.equal(streaming.tail(), undefined);
      const small = new StreamingStore({ ...SMALL, maxRows: 100, partRows: 5 });
      small.add(records.slice(0, 10), 0);
      assert.equal(small.snapshotIfDue(0)?.rowCount, 10);
      small.add(records.slice(10, 100), 10);
      assert.equal(small.partIfDue(), undefined, 'snapshots may still show these rows');
      small.add(records.slice(100, 101), 100);
      assert.deepEqual(small.partIfDue()?.firstRow, 10);
      assert.equal(small.partIfDue(), undefined, 'nothing new since');
      assert.deepEqual(small.tail()?.firstRow, 101);
    });
  });
});
