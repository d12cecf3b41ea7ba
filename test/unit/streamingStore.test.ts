import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateRecords } from '../../emulator/generateRecords';
import { ingestJson } from '../../src/core/ingest';
import { readRecords } from '../../src/core/readRecords';
import { buildStore } from '../../src/model/builder';
import { cellText, type ResultsStore } from '../../src/model/store';
import { DEFAULT_PACING, StreamingStore } from '../../src/model/streamingStore';
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
});
