import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PART_SUFFIX, TEMP_SUFFIX } from '../../src/core/atomicFile';
import { BouncerError } from '../../src/core/errors';
import { acquireFileLock } from '../../src/core/fileLock';
import {
  batchDirName,
  LOCK_SUFFIX,
  META_SUFFIX,
  ResultsCache,
  originKey,
  type CacheKey,
} from '../../src/core/resultsCache';

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

/** A promise with its resolver, to let a test decide when something finishes. */
function gate<T = void>(): { promise: Promise<T>; open: (value: T) => void } {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
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

  /** Records of a usable cached file; `undefined` when it is not usable. */
  async function recordsOf(k: CacheKey): Promise<number | undefined> {
    const found = await cache.inspect(k);
    return found.state === 'ok' ? found.records : undefined;
  }

  /** Caches `body` as a finished download would, optionally dated `mtimeSeconds` (before sealing). */
  async function put(k: CacheKey, body: string, records: number, mtimeSeconds?: number): Promise<void> {
    await cache.fill(k, { signal: new AbortController().signal, refresh: true }, async (file) => {
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(file, body);
      if (mtimeSeconds !== undefined) await setMtime(file, mtimeSeconds);
      return { bytes: Buffer.byteLength(body), records };
    });
  }


  it('keys origins by a short stable hash and lays files out as <origin>/<batch folder>/<filter>.<format>', () => {
    assert.match(ORIGIN, /^[0-9a-f]{16}$/);
    assert.equal(originKey('https://api.usebouncer.com'), ORIGIN);
    assert.notEqual(originKey('http://127.0.0.1:8080'), ORIGIN);
    const id = '5f1e0c2d9a8b7c6d5e4f3a2b';
    assert.match(batchDirName(id), new RegExp(`^${id}-[0-9a-f]{16}$`), 'a person can still find the batch');
    assert.equal(
      cache.path(key(id, 'risky', 'csv')),
      path.join(root, 'results', ORIGIN, batchDirName(id), 'risky.csv'),
    );
  });

  it('gives batch IDs that differ only in case folders that differ on a case-insensitive disk', async () => {
    const upper = path.basename(cache.batchDir(ORIGIN, 'ABC'));
    const lower = path.basename(cache.batchDir(ORIGIN, 'abc'));
    assert.notEqual(upper.toLowerCase(), lower.toLowerCase());
    await put(key('ABC'), jsonResult(1), 1);
    await put(key('abc'), jsonResult(2), 2);
    assert.equal(await recordsOf(key('ABC')), 1);
    assert.equal(await recordsOf(key('abc')), 2);
    assert.deepEqual(await cache.keysOf(ORIGIN, 'ABC'), [key('ABC')]);
    // Eviction finds each file's exact ID again, though the folder name holds it only lowercased.
    assert.deepEqual(await cache.evictToLimit(0, [key('abc')]), [key('ABC')]);
    assert.equal((await cache.inspect(key('abc'))).state, 'ok');
  });

  it('never names a batch folder after a Windows device', () => {
    const device = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;
    for (const id of ['CON', 'con', 'PRN', 'AUX', 'NUL', 'nul', 'COM1', 'com9', 'LPT1', 'lpt3']) {
      const name = path.basename(cache.batchDir(ORIGIN, id));
      assert.doesNotMatch(name, device, id);
      assert.doesNotMatch(name, /[. ]$/, `${id}: Windows drops a trailing dot or space`);
    }
  });

  it('refuses a batch ID, filter or format that is not one of ours, whatever it is handed', () => {
    for (const bad of ['..', '', 'a/../../b', ' abc', 'abc\n', 'a\\b', 'CON.txt', 'x'.repeat(129)]) {
      assert.throws(
        () => cache.path(key(bad)),
        (error: unknown) => error instanceof BouncerError && error.kind === 'invalidBatchId',
        JSON.stringify(bad),
      );
    }
    for (const filter of ['bogus', '../all', 'all.json', 'ALL', '']) {
      assert.throws(() => cache.path(key('b1', filter as CacheKey['filter'])), /Unknown results filter/, filter);
    }
    for (const format of ['exe', 'json/..', 'JSON', '']) {
      assert.throws(() => cache.path(key('b1', 'all', format as CacheKey['format'])), /Unknown results format/, format);
    }
  });

  it('reports a missing file as not cached without throwing', async () => {
    assert.equal(await cache.stat(key('nothing')), undefined);
    assert.deepEqual(await cache.inspect(key('nothing')), { state: 'missing' });
    assert.deepEqual(await cache.keysOf(ORIGIN, 'nothing'), []);
    assert.equal(await cache.totalSize(), 0);
  });

  it('writes atomically: whole file in place, sidecar beside it, no temporary or lock files left', async () => {
    const k = key('b1');
    await cache.write(k, jsonResult(3), { records: 3 });
    await cache.write(k, jsonResult(5), { records: 5 });
    const text = await fs.readFile(cache.path(k), 'utf8');
    assert.equal(JSON.parse(text).length, 5);
    const found = await cache.inspect(k);
    assert.equal(found.state, 'ok');
    assert.equal(found.state === 'ok' && found.records, 5);
    assert.deepEqual(await listFiles(path.join(root, 'results')), [
      path.join(ORIGIN, batchDirName('b1'), 'all.json'),
      path.join(ORIGIN, batchDirName('b1'), 'all.json' + META_SUFFIX),
    ]);
    assert.equal((await cache.stat(k))?.size, Buffer.byteLength(text));
  });

  it('keeps serving the previous complete file while a download is half-written beside it', async () => {
    const k = key('b1');
    await cache.write(k, jsonResult(2), { records: 2 });
    // What an interrupted download leaves: a `.part` file cut mid-record.
    await fs.writeFile(`${cache.path(k)}.4242.0123456789ab${PART_SUFFIX}`, jsonResult(50).slice(0, 300));
    const found = await cache.inspect(k);
    assert.equal(found.state, 'ok');
    assert.deepEqual(await cache.keysOf(ORIGIN, 'b1'), [k]);
  });

  describe('damaged files read as not cached', () => {
    async function reason(k: CacheKey): Promise<string> {
      const found = await cache.inspect(k);
      assert.equal(found.state, 'corrupt');
      assert.equal(await cache.stat(k), undefined);
      return found.state === 'corrupt' ? found.reason : '';
    }

    it('a truncated JSON array', async () => {
      const k = key('b1');
      const full = jsonResult(20);
      await cache.write(k, full, { records: 20 });
      await fs.truncate(cache.path(k), Math.floor(full.length / 2));
      assert.match(await reason(k), /differs/);
      // It is still listed, so the sidebar can show the batch as "not cached".
      assert.deepEqual(await cache.keysOf(ORIGIN, 'b1'), [k]);
    });

    it('garbage, an HTML page, an empty file, an error object, or a directory in its place', async () => {
      const k = key('b1');
      for (const body of ['garbage', '<!doctype html><html></html>', '', '{"status":"404"}', '[{"email":"a@b.c"}']) {
        await cache.write(k, body, { records: 1 });
        assert.equal((await cache.inspect(k)).state, 'corrupt', JSON.stringify(body));
      }
      await cache.delete(k);
      await fs.mkdir(cache.path(k));
      assert.equal((await cache.inspect(k)).state, 'corrupt');
    });

    it('a whole-looking file that was never sealed (interrupted before its sidecar, or an older cache)', async () => {
      const k = key('b1');
      await fs.mkdir(path.dirname(cache.path(k)), { recursive: true });
      await fs.writeFile(cache.path(k), jsonResult(3));
      assert.match(await reason(k), /not sealed/);
      // A sidecar from before files were sealed with their identity vouches for nothing either.
      const oldSidecar = { bytes: Buffer.byteLength(jsonResult(3)), records: 3 };
      await fs.writeFile(cache.path(k) + META_SUFFIX, JSON.stringify(oldSidecar));
      assert.match(await reason(k), /not sealed/);
      await fs.writeFile(cache.path(k) + META_SUFFIX, '{not json');
      assert.match(await reason(k), /not sealed/);
    });

    it('a file that still looks whole but is not the size the sidecar recorded', async () => {
      const k = key('b1');
      await cache.write(k, jsonResult(10), { records: 10 });
      await fs.writeFile(cache.path(k), jsonResult(9));
      assert.match(await reason(k), /differs/);
    });

    it('a file of the same size replaced or rewritten behind the sidecar', async () => {
      const k = key('b1');
      const original = jsonResult(10);
      const other = original.replace('user1@', 'user7@');
      assert.equal(Buffer.byteLength(other), Buffer.byteLength(original));
      await cache.write(k, original, { records: 10 });
      // Another writer renaming its own whole file over ours (as a second window would).
      await fs.writeFile(cache.path(k) + '.elsewhere', other);
      await fs.rename(cache.path(k) + '.elsewhere', cache.path(k));
      assert.match(await reason(k), /replaced/);

      // Or rewritten in place, keeping the inode: the modification time tells.
      await cache.write(k, original, { records: 10 });
      const { mtimeMs } = await fs.stat(cache.path(k));
      await fs.writeFile(cache.path(k), other);
      await setMtime(cache.path(k), mtimeMs / 1000 + 5);
      assert.match(await reason(k), /replaced/);
    });

    it('a JSON file whose records do not match the sidecar', async () => {
      await cache.write(key('b1'), jsonResult(3), { records: 0 });
      assert.match(await reason(key('b1')), /records/);
      await cache.write(key('b2'), '[ ]', { records: 2 });
      assert.match(await reason(key('b2')), /records/);
      await cache.write(key('b3'), '[]', { records: 0 });
      assert.equal((await cache.inspect(key('b3'))).state, 'ok');
    });

    it('an empty CSV; a CSV with a header is usable', async () => {
      const k = key('b1', 'risky', 'csv');
      await cache.write(k, '  \n', { records: 0 });
      assert.equal((await cache.inspect(k)).state, 'corrupt');
      await cache.write(k, 'email,status\na@b.c,risky\n', { records: 1 });
      assert.equal((await cache.inspect(k)).state, 'ok');
    });
  });

  describe('fill', () => {
    const signal = (): AbortSignal => new AbortController().signal;

    /** A `produce` that writes `body` once `release` is called, and says when it started. */
    function heldDownload(body: string, records: number) {
      const started = gate();
      const finish = gate<Error | undefined>();
      const produce = async (file: string): Promise<{ bytes: number; records: number }> => {
        started.open();
        const error = await finish.promise;
        if (error) throw error;
        await fs.mkdir(path.dirname(file), { recursive: true });
        await fs.writeFile(file, body);
        return { bytes: Buffer.byteLength(body), records };
      };
      return { produce, started: started.promise, finish: finish.open };
    }

    it('downloads what is missing, seals it, and then reuses it', async () => {
      const k = key('b1');
      let calls = 0;
      const produce = async (file: string) => {
        calls++;
        await fs.mkdir(path.dirname(file), { recursive: true });
        await fs.writeFile(file, jsonResult(4));
        return { bytes: Buffer.byteLength(jsonResult(4)), records: 4 };
      };
      const first = await cache.fill(k, { signal: signal() }, produce);
      assert.equal(first.reused, false);
      assert.equal(first.path, cache.path(k));
      assert.deepEqual(await cache.fill(k, { signal: signal() }, produce), {
        path: cache.path(k),
        reused: true,
        bytes: Buffer.byteLength(jsonResult(4)),
        records: 4,
      });
      assert.equal(calls, 1);
      assert.equal((await cache.fill(k, { signal: signal(), refresh: true }, produce)).reused, false);
      assert.equal(calls, 2);
      assert.deepEqual(await listFiles(path.dirname(cache.path(k))), ['all.json', 'all.json' + META_SUFFIX]);
    });

    it('a second caller (as from another window) waits for the first and reuses its file', async () => {
      const k = key('b1');
      const other = new ResultsCache(cache.root, { pollMs: 10 });
      const first = heldDownload(jsonResult(6), 6);
      const filling = cache.fill(k, { signal: signal() }, first.produce);
      await first.started;
      const waiting = gate();
      let secondCalls = 0;
      let settled = false;
      const second = other
        .fill(k, { signal: signal(), onWait: waiting.open }, async () => {
          secondCalls++;
          return { bytes: 0, records: 0 };
        })
        .finally(() => (settled = true));
      await waiting.promise;
      assert.equal(settled, false, 'the second caller waits while the first holds the lock');
      first.finish(undefined);
      assert.equal((await filling).reused, false);
      assert.deepEqual(await second, {
        path: cache.path(k),
        reused: true,
        bytes: Buffer.byteLength(jsonResult(6)),
        records: 6,
      });
      assert.equal(secondCalls, 0);
    });

    it('a waiting refresh uses the fresh file the lock holder just downloaded', async () => {
      const k = key('b1');
      await put(k, jsonResult(1), 1);
      const other = new ResultsCache(cache.root, { pollMs: 10 });
      const first = heldDownload(jsonResult(8), 8);
      const filling = cache.fill(k, { signal: signal(), refresh: true }, first.produce);
      await first.started;
      const waiting = gate();
      const second = other.fill(k, { signal: signal(), refresh: true, onWait: waiting.open }, () =>
        Promise.reject(new Error('should not download again')),
      );
      await waiting.promise;
      first.finish(undefined);
      await filling;
      assert.deepEqual(await second, {
        path: cache.path(k),
        reused: true,
        bytes: Buffer.byteLength(jsonResult(8)),
        records: 8,
      });
    });

    it('when the lock holder fails, the waiter downloads itself', async () => {
      const k = key('b1');
      const other = new ResultsCache(cache.root, { pollMs: 10 });
      const first = heldDownload('', 0);
      const filling = cache.fill(k, { signal: signal() }, first.produce);
      await first.started;
      const waiting = gate();
      const second = other.fill(k, { signal: signal(), onWait: waiting.open }, async (file) => {
        await fs.writeFile(file, jsonResult(2));
        return { bytes: Buffer.byteLength(jsonResult(2)), records: 2 };
      });
      await waiting.promise;
      first.finish(new Error('connection reset'));
      await assert.rejects(filling, /connection reset/);
      const result = await second;
      assert.equal(result.reused, false);
      assert.equal(await recordsOf(k), 2);
    });

    it('stops waiting when cancelled, leaving the holder alone', async () => {
      const k = key('b1');
      const other = new ResultsCache(cache.root, { pollMs: 10 });
      const first = heldDownload(jsonResult(3), 3);
      const filling = cache.fill(k, { signal: signal() }, first.produce);
      await first.started;
      const controller = new AbortController();
      const waiting = gate();
      const second = other.fill(k, { signal: controller.signal, onWait: waiting.open }, () =>
        Promise.reject(new Error('should not download')),
      );
      await waiting.promise;
      controller.abort();
      await assert.rejects(second, (error: unknown) => error instanceof BouncerError && error.kind === 'cancelled');
      first.finish(undefined);
      assert.equal((await filling).reused, false);
      assert.equal((await cache.inspect(k)).state, 'ok');
    });
  });

  it('evicts the oldest files first until the cache fits, sparing kept keys and running downloads', async () => {
    const oldest = key('b-oldest');
    const kept = key('b-kept');
    const middle = key('b-middle', 'risky', 'csv');
    const newest = key('b-newest');
    const locked = key('b-locked');
    const body = jsonResult(40);
    const size = Buffer.byteLength(body);
    const csv = 'email,status\n' + 'x'.repeat(size - 13);
    for (const [k, when] of [
      [locked, 500],
      [oldest, 1_000],
      [kept, 2_000],
      [middle, 3_000],
      [newest, 4_000],
    ] as const) {
      await put(k, k.format === 'csv' ? csv : body, 40, when);
    }
    const metaSize = (await cache.totalSize()) - 5 * size;
    // Another window is replacing this one right now (it holds its lock).
    const lock = await acquireFileLock(cache.path(locked) + LOCK_SUFFIX);
    const lockSize = (await fs.stat(cache.path(locked) + LOCK_SUFFIX)).size;
    // A download in progress (old mtime on purpose): never a candidate.
    const part = `${cache.path(newest).replace('all.json', 'risky.json')}.4242.0123456789ab${PART_SUFFIX}`;
    await fs.writeFile(part, 'x'.repeat(10));
    await setMtime(part, 500);
    const other = metaSize + lockSize + 10;
    assert.equal(await cache.totalSize(), 5 * size + other);

    assert.deepEqual(await cache.evictToLimit(10 * size), [], 'under the cap: nothing to do');
    const evicted = await cache.evictToLimit(3 * size + other, [kept]);
    assert.deepEqual(evicted, [oldest, middle]);
    assert.equal(await cache.stat(oldest), undefined);
    assert.equal(await cache.stat(middle), undefined);
    assert.ok(await cache.stat(kept));
    assert.ok(await cache.stat(newest));
    assert.ok(await cache.stat(locked));
    // Emptied batch folders go too, so the tree of folders does not grow forever.
    await assert.rejects(fs.stat(path.dirname(cache.path(oldest))));
    // Even a cap of zero leaves what must be kept, and what is locked.
    assert.deepEqual(await cache.evictToLimit(0, [kept]), [newest]);
    assert.ok(await cache.stat(locked));
    await lock.release();
    assert.deepEqual(await cache.evictToLimit(0, [kept]), [locked]);
  });

  it('sweeps leftovers once they are old: temporary files, locks, unsealed files, the older layout', async () => {
    const k = key('b1');
    const now = Date.now();
    const old = (now - 2 * 86_400_000) / 1000;
    await put(k, jsonResult(2), 2, (now - 30 * 86_400_000) / 1000);
    const dir = path.dirname(cache.path(k));
    const stale = [
      `${cache.path(key('b1', 'risky'))}.4242.0123456789ab${PART_SUFFIX}`,
      `${cache.path(k)}.4242.deadbeef${TEMP_SUFFIX}`,
      cache.path(key('b1', 'risky')) + LOCK_SUFFIX,
      cache.path(key('b1', 'unknown')), // Renamed into place, never sealed: the process died.
      path.join(cache.root, ORIGIN, 'ABC', 'all.json'), // The layout before batch folders were hashed.
      path.join(cache.root, ORIGIN, 'ABC', 'all.json' + META_SUFFIX),
    ];
    const livePart = `${cache.path(key('b2'))}.4242.0123456789ab${PART_SUFFIX}`;
    const liveUnsealed = cache.path(key('b1', 'risky', 'csv'));
    for (const file of [...stale, livePart, liveUnsealed]) {
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(file, 'x'.repeat(100));
    }
    for (const file of stale) await setMtime(file, old);

    assert.equal(await cache.sweepLeftovers(86_400_000, now), 600);
    assert.deepEqual(
      await listFiles(cache.root),
      [
        path.relative(cache.root, cache.path(k)),
        path.relative(cache.root, cache.path(k) + META_SUFFIX),
        path.relative(cache.root, liveUnsealed),
        path.relative(cache.root, livePart),
      ].sort(),
      'the old sealed file and what a running download may still need stay',
    );
    await assert.rejects(fs.stat(path.join(cache.root, ORIGIN, 'ABC')), 'the old folder goes with its files');
    assert.ok((await fs.stat(dir)).isDirectory());
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
