import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fetch from 'node-fetch';
import { startEmulator, type RunningEmulator } from '../../emulator/server';
import { PART_SUFFIX, TEMP_SUFFIX, tempPathFor, writeFileAtomic } from '../../src/core/atomicFile';
import { BouncerClient } from '../../src/core/bouncerClient';
import { batchDirName, LOCK_SUFFIX, META_SUFFIX } from '../../src/core/cacheLayout';
import { sealFile } from '../../src/core/cacheSeal';
import type { ResultsDownloader } from '../../src/core/download';
import { BouncerError } from '../../src/core/errors';
import { acquireFileLock } from '../../src/core/fileLock';
import type { DownloadSummary } from '../../src/core/ingest';
import { originKey, type ResultsKey } from '../../src/core/resultsKey';
import {
  ResultsRepository,
  type CacheState,
  type EnsureOptions,
  type ResultsRepositoryOptions,
} from '../../src/core/resultsRepository';

const ORIGIN = originKey('https://api.usebouncer.com');

function key(batchId: string, filter: ResultsKey['filter'] = 'all', format: ResultsKey['format'] = 'json'): ResultsKey {
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

/** What the repository told the history, in order. */
class RecordingHistory {
  readonly events: ({ opened: ResultsKey } | { downloaded: ResultsKey; summary: DownloadSummary })[] = [];
  async recordDownload(k: ResultsKey, summary: DownloadSummary): Promise<void> {
    this.events.push({ downloaded: k, summary });
  }
  async recordOpened(k: ResultsKey): Promise<void> {
    this.events.push({ opened: k });
  }
}

/**
 * The API client's download call, with a body held back until the test calls `finish` (with an
 * error: the connection fails). Everything after the call (ingest, rename, seal) is the real code.
 */
function heldDownload(body: string) {
  const started = gate();
  const finish = gate<Error | undefined>();
  let calls = 0;
  const downloader: ResultsDownloader = {
    openDownload: async () => {
      calls++;
      started.open();
      async function* held(): AsyncGenerator<Uint8Array> {
        const error = await finish.promise;
        if (error) throw error;
        yield Buffer.from(body);
      }
      return { contentType: 'application/json', body: held() };
    },
  };
  return { downloader, started: started.promise, finish: finish.open, calls: () => calls };
}

/** `ensure` options as the host passes them, with the test's own signal and a hook for waiting. */
function through(
  downloader: ResultsDownloader,
  extra: { refresh?: boolean; signal?: AbortSignal; onWait?: () => void } = {},
): EnsureOptions {
  return {
    refresh: extra.refresh,
    connect: async () => downloader,
    track: (work) =>
      work(extra.signal ?? new AbortController().signal, (progress) => {
        if (progress.kind === 'waiting') extra.onWait?.();
      }),
  };
}

const never: ResultsDownloader = {
  openDownload: () => Promise.reject(new Error('should not download')),
};

describe('results repository', () => {
  let root: string;
  let history: RecordingHistory;
  let logs: string[];
  /** The cache's size limit in bytes, read by the repository at each eviction. */
  let limit: number;
  let repo: ResultsRepository;

  /** A repository on the same folder, as another VS Code window has. */
  function open(options: Partial<ResultsRepositoryOptions> = {}): ResultsRepository {
    return new ResultsRepository({
      root: path.join(root, 'results'),
      history,
      maxBytes: () => limit,
      log: (message) => logs.push(message),
      lockTiming: { pollMs: 10 },
      ...options,
    });
  }

  beforeEach(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'bouncer-cache-test-'));
    history = new RecordingHistory();
    logs = [];
    limit = 0;
    repo = open();
  });

  afterEach(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  async function state(k: ResultsKey): Promise<CacheState['state']> {
    return (await repo.inspect(k)).state;
  }

  /** Records of a usable cached file; `undefined` when it is not usable. */
  async function recordsOf(k: ResultsKey): Promise<number | undefined> {
    const found = await repo.inspect(k);
    return found.state === 'ok' ? found.records : undefined;
  }

  /** Caches `body` sealed, as a finished download would be, optionally dated `mtimeSeconds`. */
  async function put(k: ResultsKey, body: string, records: number, mtimeSeconds?: number): Promise<void> {
    const file = repo.path(k);
    await writeFileAtomic(file, body);
    if (mtimeSeconds !== undefined) await setMtime(file, mtimeSeconds);
    await sealFile(file, k, { bytes: Buffer.byteLength(body), records });
  }

  it('keys origins by a short stable hash and lays files out as <origin>/<batch folder>/<filter>.<format>', () => {
    assert.match(ORIGIN, /^[0-9a-f]{16}$/);
    assert.equal(originKey('https://api.usebouncer.com'), ORIGIN);
    assert.notEqual(originKey('http://127.0.0.1:8080'), ORIGIN);
    const id = '5f1e0c2d9a8b7c6d5e4f3a2b';
    assert.match(batchDirName(id), new RegExp(`^${id}-[0-9a-f]{16}$`), 'a person can still find the batch');
    assert.equal(repo.path(key(id, 'risky', 'csv')), path.join(root, 'results', ORIGIN, batchDirName(id), 'risky.csv'));
  });

  it('gives batch IDs that differ only in case folders that differ on a case-insensitive disk', async () => {
    const upper = path.basename(repo.batchDir(ORIGIN, 'ABC'));
    const lower = path.basename(repo.batchDir(ORIGIN, 'abc'));
    assert.notEqual(upper.toLowerCase(), lower.toLowerCase());
    await put(key('ABC'), jsonResult(1), 1);
    await put(key('abc'), jsonResult(2), 2);
    assert.equal(await recordsOf(key('ABC')), 1);
    assert.equal(await recordsOf(key('abc')), 2);
    assert.deepEqual(await repo.keysOf(ORIGIN, 'ABC'), [key('ABC')]);
    // Eviction finds each file's exact ID again, though the folder name holds it only lowercased.
    limit = 1;
    assert.deepEqual(await repo.evictOverLimit([key('abc')]), [key('ABC')]);
    assert.equal(await state(key('abc')), 'ok');
  });

  it('never names a batch folder after a Windows device', () => {
    const device = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;
    for (const id of ['CON', 'con', 'PRN', 'AUX', 'NUL', 'nul', 'COM1', 'com9', 'LPT1', 'lpt3']) {
      const name = path.basename(repo.batchDir(ORIGIN, id));
      assert.doesNotMatch(name, device, id);
      assert.doesNotMatch(name, /[. ]$/, `${id}: Windows drops a trailing dot or space`);
    }
  });

  it('refuses a batch ID, filter or format that is not one of ours, whatever it is handed', async () => {
    const invalidBatchId = (error: unknown) => error instanceof BouncerError && error.kind === 'invalidBatchId';
    for (const bad of ['..', '', 'a/../../b', ' abc', 'abc\n', 'a\\b', 'CON.txt', 'x'.repeat(129)]) {
      assert.throws(() => repo.path(key(bad)), invalidBatchId, JSON.stringify(bad));
      await assert.rejects(repo.keysOf(ORIGIN, bad), invalidBatchId, JSON.stringify(bad));
    }
    for (const filter of ['bogus', '../all', 'all.json', 'ALL', '']) {
      assert.throws(() => repo.path(key('b1', filter as ResultsKey['filter'])), /Unknown results filter/, filter);
    }
    for (const format of ['exe', 'json/..', 'JSON', '']) {
      assert.throws(
        () => repo.path(key('b1', 'all', format as ResultsKey['format'])),
        /Unknown results format/,
        format,
      );
    }
  });

  it('reports a missing file as missing without throwing', async () => {
    assert.deepEqual(await repo.inspect(key('nothing')), { state: 'missing' });
    assert.deepEqual(await repo.keysOf(ORIGIN, 'nothing'), []);
    assert.equal(await repo.totalSize(), 0);
  });

  it('keeps serving the previous complete file while a download is half-written beside it', async () => {
    const k = key('b1');
    await put(k, jsonResult(2), 2);
    // What an interrupted download leaves: a temporary file cut mid-record.
    await fs.writeFile(tempPathFor(repo.path(k), PART_SUFFIX), jsonResult(50).slice(0, 300));
    assert.equal(await state(k), 'ok');
    assert.deepEqual(await repo.keysOf(ORIGIN, 'b1'), [k]);
  });

  describe('inspection: a file the seal no longer vouches for is stale, one that cannot be the sealed result is damaged', () => {
    async function reason(k: ResultsKey, expected: 'stale' | 'damaged'): Promise<string> {
      const found = await repo.inspect(k);
      assert.equal(found.state, expected);
      return found.state === expected ? found.reason : '';
    }

    it('a truncated JSON array is damaged', async () => {
      const k = key('b1');
      const full = jsonResult(20);
      await put(k, full, 20);
      await fs.truncate(repo.path(k), Math.floor(full.length / 2));
      assert.match(await reason(k, 'damaged'), /differs/);
      // It is still listed, so the sidebar can show the batch as "not cached".
      assert.deepEqual(await repo.keysOf(ORIGIN, 'b1'), [k]);
    });

    it('garbage, an HTML page, an empty file, an error object, or a directory in its place is damaged', async () => {
      const k = key('b1');
      for (const body of ['garbage', '<!doctype html><html></html>', '', '{"status":"404"}', '[{"email":"a@b.c"}']) {
        await put(k, body, 1);
        assert.equal(await state(k), 'damaged', JSON.stringify(body));
      }
      await fs.rm(repo.path(k));
      await fs.mkdir(repo.path(k));
      assert.equal(await state(k), 'damaged');
    });

    it('a whole-looking file that was never sealed (interrupted before its sidecar, or an older cache) is stale', async () => {
      const k = key('b1');
      await fs.mkdir(path.dirname(repo.path(k)), { recursive: true });
      await fs.writeFile(repo.path(k), jsonResult(3));
      assert.match(await reason(k, 'stale'), /not sealed/);
      // A sidecar from before files were sealed with their identity vouches for nothing either.
      const oldSidecar = { bytes: Buffer.byteLength(jsonResult(3)), records: 3 };
      await fs.writeFile(repo.path(k) + META_SUFFIX, JSON.stringify(oldSidecar));
      assert.match(await reason(k, 'stale'), /not sealed/);
      await fs.writeFile(repo.path(k) + META_SUFFIX, '{not json');
      assert.match(await reason(k, 'stale'), /not sealed/);
    });

    it('a file that still looks whole but is not the size the sidecar recorded is damaged', async () => {
      const k = key('b1');
      await put(k, jsonResult(10), 10);
      await fs.writeFile(repo.path(k), jsonResult(9));
      assert.match(await reason(k, 'damaged'), /differs/);
    });

    it('a file of the same size replaced or rewritten behind the sidecar is stale', async () => {
      const k = key('b1');
      const original = jsonResult(10);
      const other = original.replace('user1@', 'user7@');
      assert.equal(Buffer.byteLength(other), Buffer.byteLength(original));
      await put(k, original, 10);
      // Another writer renaming its own whole file over ours (as a second window would).
      await fs.writeFile(repo.path(k) + '.elsewhere', other);
      await fs.rename(repo.path(k) + '.elsewhere', repo.path(k));
      assert.match(await reason(k, 'stale'), /replaced/);

      // Or rewritten in place, keeping the inode: the modification time tells.
      await put(k, original, 10);
      const { mtimeMs } = await fs.stat(repo.path(k));
      await fs.writeFile(repo.path(k), other);
      await setMtime(repo.path(k), mtimeMs / 1000 + 5);
      assert.match(await reason(k, 'stale'), /replaced/);
    });

    it('a JSON file whose records do not match the sidecar is damaged', async () => {
      await put(key('b1'), jsonResult(3), 0);
      assert.match(await reason(key('b1'), 'damaged'), /records/);
      await put(key('b2'), '[ ]', 2);
      assert.match(await reason(key('b2'), 'damaged'), /records/);
      await put(key('b3'), '[]', 0);
      assert.equal(await state(key('b3')), 'ok');
    });

    it('an empty CSV is damaged; a CSV with a header is usable', async () => {
      const k = key('b1', 'risky', 'csv');
      await put(k, '  \n', 0);
      assert.equal(await state(k), 'damaged');
      await put(k, 'email,status\na@b.c,risky\n', 1);
      assert.equal(await state(k), 'ok');
    });
  });

  describe('ensure, against the emulator over loopback', () => {
    let emulator: RunningEmulator;
    let client: BouncerClient;

    beforeEach(async () => {
      emulator = await startEmulator();
      client = new BouncerClient({ baseUrl: emulator.url, apiKey: emulator.apiKey, fetch, timeoutMs: 5000 });
    });
    afterEach(() => emulator.close());

    const downloads = (): number => emulator.requests.filter((r) => r.path.endsWith('/download')).length;

    it('goes missing → ok → stale → ok → damaged → ok, downloading only when the file is not ok', async () => {
      const k = { originKey: originKey(emulator.url), batchId: 'demo-small', filter: 'all', format: 'json' } as const;
      const file = repo.path(k);
      const ensure = (refresh = false) => repo.ensure(k, { refresh, connect: async () => client });
      assert.equal(await state(k), 'missing');

      const first = await ensure();
      assert.equal(first.path, file);
      assert.equal(first.summary?.records, 41);
      assert.equal(await recordsOf(k), 41);
      assert.equal(downloads(), 1);
      const relative = path.relative(repo.root, file);
      assert.deepEqual(
        await listFiles(repo.root),
        [relative, relative + META_SUFFIX],
        'no temporary or lock file left',
      );

      const cached = await ensure();
      assert.deepEqual(cached, { ...k, path: file }, 'from the cache: no summary');
      assert.equal(downloads(), 1);

      // Rewritten behind the seal (same bytes, another modification time): no longer vouched for.
      const { mtimeMs } = await fs.stat(file);
      await fs.writeFile(file, await fs.readFile(file));
      await setMtime(file, mtimeMs / 1000 + 5);
      assert.equal(await state(k), 'stale');
      assert.equal((await ensure()).summary?.records, 41);
      assert.equal(downloads(), 2);
      assert.equal(await state(k), 'ok');

      await fs.truncate(file, 100);
      assert.equal(await state(k), 'damaged');
      await ensure();
      assert.equal(downloads(), 3);
      assert.equal(await state(k), 'ok');

      await ensure(true);
      assert.equal(downloads(), 4, 'a refresh downloads even what is cached');
      assert.equal(await state(k), 'ok');
    });

    it('tells the history what each call did: downloaded with counts, or opened', async () => {
      const k = { originKey: originKey(emulator.url), batchId: 'demo-small', filter: 'risky', format: 'csv' } as const;
      const downloaded = await repo.ensure(k, { connect: async () => client });
      await repo.ensure(k, { connect: async () => client });
      assert.ok(downloaded.summary?.counts);
      assert.deepEqual(history.events, [{ downloaded: k, summary: downloaded.summary }, { opened: k }]);
      assert.equal(downloaded.summary.counts.risky, downloaded.summary.records, 'a CSV counted by its status column');
    });

    it('a failed download keeps the previous file and tells the history nothing', async () => {
      const k = {
        originKey: originKey(emulator.url),
        batchId: 'fault-truncated',
        filter: 'all',
        format: 'json',
      } as const;
      await put(k, jsonResult(2), 2);
      await assert.rejects(
        repo.ensure(k, { refresh: true, connect: async () => client }),
        (error: unknown) => error instanceof BouncerError && error.kind === 'invalidBody',
      );
      assert.equal(await recordsOf(k), 2);
      assert.deepEqual(history.events, []);
      assert.deepEqual(await listFiles(path.dirname(repo.path(k))), ['all.json', 'all.json' + META_SUFFIX]);
    });

    it('evicts down to the limit after a download, sparing what it just downloaded', async () => {
      const old = key('b-old');
      await put(old, jsonResult(40), 40, 1_000);
      const k = { originKey: originKey(emulator.url), batchId: 'demo-small', filter: 'all', format: 'json' } as const;
      limit = 1;
      await repo.ensure(k, { connect: async () => client });
      assert.equal(await state(old), 'missing');
      assert.equal(await state(k), 'ok', 'the file just downloaded stays, even over the limit');
      assert.ok(
        logs.some((line) => line.includes('evicted b-old (all, json)')),
        logs.join('\n'),
      );
    });
  });

  describe('ensure: one download per file at a time', () => {
    it('two requests in one window share one download', async () => {
      const k = key('b1');
      const held = heldDownload(jsonResult(4));
      const first = repo.ensure(k, through(held.downloader));
      await held.started;
      let secondConnected = false;
      const second = repo.ensure(k, {
        connect: async () => {
          secondConnected = true;
          return never;
        },
      });
      held.finish(undefined);
      const [a, b] = await Promise.all([first, second]);
      assert.equal(held.calls(), 1);
      assert.equal(secondConnected, false, 'no second client, no second progress, no wait for our own lock');
      assert.equal(a.summary?.records, 4);
      assert.equal(b.summary?.records, 4);
    });

    it('a second window waits for the first and reuses its file', async () => {
      const k = key('b1');
      const other = open();
      const first = heldDownload(jsonResult(6));
      const filling = repo.ensure(k, through(first.downloader));
      await first.started;
      const waiting = gate();
      let settled = false;
      const second = other.ensure(k, through(never, { onWait: waiting.open })).finally(() => (settled = true));
      await waiting.promise;
      assert.equal(settled, false, 'the second caller waits while the first holds the lock');
      first.finish(undefined);
      assert.equal((await filling).summary?.records, 6);
      assert.deepEqual(await second, {
        ...k,
        path: repo.path(k),
        summary: { bytes: Buffer.byteLength(jsonResult(6)), records: 6 },
      });
      assert.equal(history.events.length, 2, 'both windows tell the history of the download');
    });

    it('a waiting refresh uses the fresh file the lock holder just downloaded', async () => {
      const k = key('b1');
      await put(k, jsonResult(1), 1, 1_000);
      const first = heldDownload(jsonResult(8));
      const filling = repo.ensure(k, through(first.downloader, { refresh: true }));
      await first.started;
      const waiting = gate();
      const second = open().ensure(k, through(never, { refresh: true, onWait: waiting.open }));
      await waiting.promise;
      first.finish(undefined);
      await filling;
      assert.equal((await second).summary?.records, 8);
    });

    it('when the lock holder fails, the waiter downloads itself', async () => {
      const k = key('b1');
      const first = heldDownload(jsonResult(1));
      const filling = repo.ensure(k, through(first.downloader));
      await first.started;
      const waiting = gate();
      const own = heldDownload(jsonResult(2));
      const second = open().ensure(k, through(own.downloader, { onWait: waiting.open }));
      await waiting.promise;
      first.finish(new Error('connection reset'));
      await assert.rejects(filling, /connection reset/);
      own.finish(undefined);
      assert.equal((await second).summary?.records, 2);
      assert.equal(await recordsOf(k), 2);
    });

    it('stops waiting when cancelled, leaving the holder alone', async () => {
      const k = key('b1');
      const first = heldDownload(jsonResult(3));
      const filling = repo.ensure(k, through(first.downloader));
      await first.started;
      const controller = new AbortController();
      const waiting = gate();
      const second = open().ensure(k, through(never, { signal: controller.signal, onWait: waiting.open }));
      await waiting.promise;
      controller.abort();
      await assert.rejects(second, (error: unknown) => error instanceof BouncerError && error.kind === 'cancelled');
      first.finish(undefined);
      assert.equal((await filling).summary?.records, 3);
      assert.equal(await state(k), 'ok');
    });

    it('asks for the client only when it must download', async () => {
      const k = key('b1');
      await put(k, jsonResult(1), 1);
      let connects = 0;
      await repo.ensure(k, {
        connect: async () => {
          connects++;
          return never;
        },
      });
      assert.equal(connects, 0);
      assert.deepEqual(history.events, [{ opened: k }]);
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
    const metaSize = (await repo.totalSize()) - 5 * size;
    // Another window is replacing this one right now (it holds its lock).
    const lock = await acquireFileLock(repo.path(locked) + LOCK_SUFFIX);
    const lockSize = (await fs.stat(repo.path(locked) + LOCK_SUFFIX)).size;
    // A download in progress (old mtime on purpose): never a candidate.
    const part = tempPathFor(repo.path(key('b-newest', 'risky')), PART_SUFFIX);
    await fs.writeFile(part, 'x'.repeat(10));
    await setMtime(part, 500);
    const other = metaSize + lockSize + 10;
    assert.equal(await repo.totalSize(), 5 * size + other);

    assert.deepEqual(await repo.evictOverLimit(), [], 'no limit: nothing to do');
    limit = 10 * size;
    assert.deepEqual(await repo.evictOverLimit(), [], 'under the cap: nothing to do');
    limit = 3 * size + other;
    const evicted = await repo.evictOverLimit([kept]);
    assert.deepEqual(evicted, [oldest, middle]);
    assert.equal(await state(oldest), 'missing');
    assert.equal(await state(middle), 'missing');
    assert.equal(await state(kept), 'ok');
    assert.equal(await state(newest), 'ok');
    assert.equal(await state(locked), 'ok');
    // Emptied batch folders go too, so the tree of folders does not grow forever.
    await assert.rejects(fs.stat(path.dirname(repo.path(oldest))));
    // Even the smallest cap leaves what must be kept, and what is locked.
    limit = 1;
    assert.deepEqual(await repo.evictOverLimit([kept]), [newest]);
    assert.equal(await state(locked), 'ok');
    await lock.release();
    assert.deepEqual(await repo.evictOverLimit([kept]), [locked]);
    assert.equal(await state(kept), 'ok');
  });

  it('sweeps leftovers once they are old: temporary files, locks, unsealed files, the older layout', async () => {
    const k = key('b1');
    const now = Date.now();
    const old = (now - 2 * 86_400_000) / 1000;
    await put(k, jsonResult(2), 2, (now - 30 * 86_400_000) / 1000);
    const dir = path.dirname(repo.path(k));
    const stale = [
      tempPathFor(repo.path(key('b1', 'risky')), PART_SUFFIX),
      tempPathFor(repo.path(k), TEMP_SUFFIX),
      repo.path(key('b1', 'risky')) + LOCK_SUFFIX,
      repo.path(key('b1', 'unknown')), // Renamed into place, never sealed: the process died.
      path.join(repo.root, ORIGIN, 'ABC', 'all.json'), // The layout before batch folders were hashed.
      path.join(repo.root, ORIGIN, 'ABC', 'all.json' + META_SUFFIX),
    ];
    const livePart = tempPathFor(repo.path(key('b2')), PART_SUFFIX);
    const liveUnsealed = repo.path(key('b1', 'risky', 'csv'));
    for (const file of [...stale, livePart, liveUnsealed]) {
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(file, 'x'.repeat(100));
    }
    for (const file of stale) await setMtime(file, old);

    assert.equal(await repo.sweepLeftovers(86_400_000, now), 600);
    assert.deepEqual(
      await listFiles(repo.root),
      [
        path.relative(repo.root, repo.path(k)),
        path.relative(repo.root, repo.path(k) + META_SUFFIX),
        path.relative(repo.root, liveUnsealed),
        path.relative(repo.root, livePart),
      ].sort(),
      'the old sealed file and what a running download may still need stay',
    );
    await assert.rejects(fs.stat(path.join(repo.root, ORIGIN, 'ABC')), 'the old folder goes with its files');
    assert.ok((await fs.stat(dir)).isDirectory());
    assert.ok(logs.some((line) => line.includes('left in the cache by interrupted downloads')));
  });

  it('deletes one batch or everything, and tolerates deleting what is not there', async () => {
    await put(key('b1'), jsonResult(1), 1);
    await put(key('b1', 'all', 'csv'), 'email\na@b.c\n', 1);
    await put(key('b2'), jsonResult(1), 1);
    await repo.deleteBatch(ORIGIN, 'b1');
    assert.deepEqual(await repo.keysOf(ORIGIN, 'b1'), []);
    assert.equal(await state(key('b2')), 'ok');
    await repo.deleteBatch(ORIGIN, 'never-there');
    await repo.clear();
    assert.equal(await repo.totalSize(), 0);
    await repo.clear();
  });

  it('leaves a file another window is downloading when deleting a batch or everything, and says how many', async () => {
    const waiting = open({ busyWaitMs: 50 });
    await put(key('b1'), jsonResult(1), 1);
    await put(key('b1', 'risky'), jsonResult(1), 1);
    // Another window holds the lock of b1's whole results: it is replacing them right now.
    const lock = await acquireFileLock(repo.path(key('b1')) + LOCK_SUFFIX);
    try {
      assert.deepEqual(await waiting.deleteBatch(ORIGIN, 'b1'), { busy: 1 });
      assert.equal(await state(key('b1')), 'ok', 'the file being downloaded stays, with its sidecar');
      assert.notEqual(await state(key('b1', 'risky')), 'ok', 'the other file of the batch went');
      assert.deepEqual(await waiting.clear(), { busy: 1 });
      assert.equal(await state(key('b1')), 'ok');
    } finally {
      await lock.release();
    }
    assert.deepEqual(await waiting.deleteBatch(ORIGIN, 'b1'), { busy: 0 }, 'once that download ends, it can go');
    assert.deepEqual(await repo.keysOf(ORIGIN, 'b1'), []);
  });
});
