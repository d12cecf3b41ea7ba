import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { META_SUFFIX, PART_SUFFIX, ResultsCache, originKey, type CacheKey } from '../../src/core/resultsCache';

const ORIGIN = originKey('https://api.usebouncer.com');

function key(batchId: string, filter: CacheKey['filter'] = 'all', format: CacheKey['format'] = 'json'): CacheKey {
  return { originKey: ORIGIN, batchId, filter, format };
}

/** A JSON result of `n` records, padded so sizes are easy to reason about. */
function jsonResult(n: number): string {
  const records = Array.from({ length: n }, (_, i) => ({
    email: `user${i}@example.com`,
    status: 'deliverable',
    reason: 'accepted_email',
  }));
  return JSON.stringify(records, null, 1) + '\n';
}

async function setMtime(file: string, secondsSinceEpoch: number): Promise<void> {
  await fs.utimes(file, secondsSinceEpoch, secondsSinceEpoch);
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(path.relative(dir, path.join(entry.parentPath, entry.name)));
  }
  return out.sort();
}

describe('results cache', () => {
  let root: string;
  let cache: ResultsCache;

  beforeEach(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'bouncer-cache-test-'));
    cache = new ResultsCache(path.join(root, 'results'));
  });

  afterEach(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it('keys origins by a short stable hash and lays files out as <origin>/<batch>/<filter>.<format>', () => {
    assert.match(ORIGIN, /^[0-9a-f]{16}$/);
    assert.equal(originKey('https://api.usebouncer.com'), ORIGIN);
    assert.notEqual(originKey('http://127.0.0.1:8080'), ORIGIN);
    assert.equal(
      cache.path(key('5f1e0c2d9a8b7c6d5e4f3a2b', 'risky', 'csv')),
      path.join(root, 'results', ORIGIN, '5f1e0c2d9a8b7c6d5e4f3a2b', 'risky.csv'),
    );
  });

  it('refuses path segments that would leave the cache folder', () => {
    assert.throws(() => cache.path(key('..')));
    assert.throws(() => cache.path(key('')));
    const nested = cache.path(key('a/../../b'));
    assert.equal(path.dirname(path.dirname(nested)), path.join(root, 'results', ORIGIN));
  });

  it('reports a missing file as not cached without throwing', async () => {
    assert.equal(await cache.stat(key('nothing')), undefined);
    assert.deepEqual(await cache.inspect(key('nothing')), { state: 'missing' });
    assert.deepEqual(await cache.keysOf(ORIGIN, 'nothing'), []);
    assert.equal(await cache.totalSize(), 0);
  });

  it('writes atomically: whole file in place, sidecar beside it, no temporary files left', async () => {
    const k = key('b1');
    await cache.write(k, jsonResult(3), { records: 3 });
    await cache.write(k, jsonResult(5), { records: 5 });
    const text = await fs.readFile(cache.path(k), 'utf8');
    assert.equal(JSON.parse(text).length, 5);
    const found = await cache.inspect(k);
    assert.equal(found.state, 'ok');
    assert.equal(found.state === 'ok' && found.records, 5);
    assert.deepEqual(await listFiles(path.join(root, 'results')), [
      path.join(ORIGIN, 'b1', 'all.json'),
      path.join(ORIGIN, 'b1', 'all.json' + META_SUFFIX),
    ]);
    assert.equal((await cache.stat(k))?.size, Buffer.byteLength(text));
  });

  it('keeps serving the previous complete file while a download is half-written beside it', async () => {
    const k = key('b1');
    await cache.write(k, jsonResult(2), { records: 2 });
    // What an interrupted download leaves: a `.part` file cut mid-record.
    await fs.writeFile(cache.path(k) + PART_SUFFIX, jsonResult(50).slice(0, 300));
    const found = await cache.inspect(k);
    assert.equal(found.state, 'ok');
    assert.deepEqual(await cache.keysOf(ORIGIN, 'b1'), [k]);
  });

  describe('damaged files read as not cached', () => {
    it('a truncated JSON array (no sidecar, as a download leaves it)', async () => {
      const k = key('b1');
      await fs.mkdir(path.dirname(cache.path(k)), { recursive: true });
      const full = jsonResult(20);
      await fs.writeFile(cache.path(k), full);
      assert.equal((await cache.inspect(k)).state, 'ok');
      await fs.truncate(cache.path(k), Math.floor(full.length / 2));
      const found = await cache.inspect(k);
      assert.equal(found.state, 'corrupt');
      assert.match(found.state === 'corrupt' ? found.reason : '', /not closed/);
      assert.equal(await cache.stat(k), undefined);
      // It is still listed, so the sidebar can show the batch as "not cached".
      assert.deepEqual(await cache.keysOf(ORIGIN, 'b1'), [k]);
    });

    it('garbage, an HTML page, an empty file, or a directory in its place', async () => {
      const k = key('b1');
      await fs.mkdir(path.dirname(cache.path(k)), { recursive: true });
      for (const body of ['garbage', '<!doctype html><html></html>', '', '{"status":"404"}']) {
        await fs.writeFile(cache.path(k), body);
        assert.equal((await cache.inspect(k)).state, 'corrupt', JSON.stringify(body));
      }
      await fs.rm(cache.path(k));
      await fs.mkdir(cache.path(k));
      assert.equal((await cache.inspect(k)).state, 'corrupt');
    });

    it('a file that still looks whole but is not the size the sidecar recorded', async () => {
      const k = key('b1');
      await cache.write(k, jsonResult(10), { records: 10 });
      await fs.writeFile(cache.path(k), jsonResult(9));
      const found = await cache.inspect(k);
      assert.equal(found.state, 'corrupt');
      assert.match(found.state === 'corrupt' ? found.reason : '', /differs/);
    });

    it('an empty CSV, but a CSV with a header is usable; a damaged sidecar is ignored', async () => {
      const k = key('b1', 'risky', 'csv');
      await fs.mkdir(path.dirname(cache.path(k)), { recursive: true });
      await fs.writeFile(cache.path(k), '  \n');
      assert.equal((await cache.inspect(k)).state, 'corrupt');
      await fs.writeFile(cache.path(k), 'email,status\na@b.c,risky\n');
      await fs.writeFile(cache.path(k) + META_SUFFIX, '{not json');
      assert.equal((await cache.inspect(k)).state, 'ok');
    });
  });

  it('seal records a downloaded file so later tampering is caught', async () => {
    const k = key('b1');
    await fs.mkdir(path.dirname(cache.path(k)), { recursive: true });
    await fs.writeFile(cache.path(k), jsonResult(4));
    await cache.seal(k, { records: 4 });
    const found = await cache.inspect(k);
    assert.equal(found.state === 'ok' && found.records, 4);
    await fs.appendFile(cache.path(k), '\n\n');
    assert.equal((await cache.inspect(k)).state, 'corrupt');
  });

  it('evicts the oldest files first until the cache fits, sparing kept keys and running downloads', async () => {
    const oldest = key('b-oldest');
    const kept = key('b-kept');
    const middle = key('b-middle', 'risky', 'csv');
    const newest = key('b-newest');
    const body = jsonResult(40);
    const size = Buffer.byteLength(body);
    for (const [k, when] of [
      [oldest, 1_000],
      [kept, 2_000],
      [middle, 3_000],
      [newest, 4_000],
    ] as const) {
      await fs.mkdir(path.dirname(cache.path(k)), { recursive: true });
      await fs.writeFile(cache.path(k), k.format === 'csv' ? 'email,status\n' + 'x'.repeat(size - 13) : body);
      await setMtime(cache.path(k), when);
    }
    // A download in progress (old mtime on purpose): never a candidate.
    await fs.writeFile(cache.path(newest).replace('all.json', 'risky.json') + PART_SUFFIX, 'x'.repeat(10));
    await setMtime(cache.path(newest).replace('all.json', 'risky.json') + PART_SUFFIX, 500);
    assert.equal(await cache.totalSize(), 4 * size + 10);

    assert.deepEqual(await cache.evictToLimit(10 * size), [], 'under the cap: nothing to do');
    const evicted = await cache.evictToLimit(2 * size + 10, [kept]);
    assert.deepEqual(evicted, [oldest, middle]);
    assert.equal(await cache.stat(oldest), undefined);
    assert.equal(await cache.stat(middle), undefined);
    assert.ok(await cache.stat(kept));
    assert.ok(await cache.stat(newest));
    assert.equal(await cache.totalSize(), 2 * size + 10);
    // Emptied batch folders go too, so the tree of folders does not grow forever.
    await assert.rejects(fs.stat(path.dirname(cache.path(oldest))));
    // Even a cap of zero leaves what must be kept.
    assert.deepEqual(await cache.evictToLimit(0, [kept]), [newest]);
    assert.equal(await cache.totalSize(), size + 10);
  });

  it('sweeps leftovers of interrupted writes once they are old, never a running download', async () => {
    const k = key('b1');
    await cache.write(k, jsonResult(2), { records: 2 });
    const stalePart = cache.path(key('b1', 'risky')) + PART_SUFFIX;
    const staleTemp = cache.path(k) + '.4242.deadbeef.tmp';
    const livePart = cache.path(key('b2')) + PART_SUFFIX;
    await fs.mkdir(path.dirname(livePart), { recursive: true });
    for (const file of [stalePart, staleTemp, livePart]) await fs.writeFile(file, 'x'.repeat(100));
    const now = Date.now();
    await setMtime(stalePart, (now - 2 * 86_400_000) / 1000);
    await setMtime(staleTemp, (now - 2 * 86_400_000) / 1000);
    await setMtime(cache.path(k), (now - 30 * 86_400_000) / 1000);

    assert.equal(await cache.sweepLeftovers(86_400_000, now), 200);
    assert.deepEqual(
      (await listFiles(path.join(root, 'results'))).map((f) => path.basename(f)),
      ['all.json', 'all.json' + META_SUFFIX, 'all.json' + PART_SUFFIX].sort(),
      'the old finished file and the running download stay',
    );
  });

  it('deletes one batch or everything, and tolerates deleting what is not there', async () => {
    await cache.write(key('b1'), jsonResult(1), { records: 1 });
    await cache.write(key('b1', 'all', 'csv'), 'email\na@b.c\n', { records: 1 });
    await cache.write(key('b2'), jsonResult(1), { records: 1 });
    await cache.deleteBatch(ORIGIN, 'b1');
    assert.deepEqual(await cache.keysOf(ORIGIN, 'b1'), []);
    assert.ok(await cache.stat(key('b2')));
    await cache.deleteBatch(ORIGIN, 'never-there');
    await cache.clear();
    assert.equal(await cache.totalSize(), 0);
    await cache.clear();
  });
});
