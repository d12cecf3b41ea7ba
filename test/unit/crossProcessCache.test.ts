import * as assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateRecords, startEmulator, type RunningEmulator } from '../../emulator/server';
import { originKey } from '../../src/core/resultsKey';
import { ResultsRepository } from '../../src/core/resultsRepository';
import type { ChildDone, ChildMessage } from './children/cacheDownloader';

const CHILD = path.join(__dirname, 'children', 'cacheDownloader.js');
const RECORDS = 3000;
const BATCH = `gen-${RECORDS}`;

/** Every file under `dir`, relative, sorted. */
async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(path.relative(dir, path.join(entry.parentPath, entry.name)));
  }
  return out.sort();
}

/** Starts a downloader process and resolves once it is ready to start on `go`. */
function startChild(args: string[]): Promise<{ child: ChildProcess; result: Promise<ChildMessage> }> {
  const child = fork(CHILD, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolveReady, rejectReady) => {
    const result = new Promise<ChildMessage>((resolve, reject) => {
      child.on('message', (message: ChildMessage) => {
        if (message.type === 'ready') resolveReady({ child, result });
        else resolve(message);
      });
      child.on('exit', (code) => {
        const error = new Error(`downloader ${child.pid} exited (${code}) without a result`);
        reject(error);
        rejectReady(error);
      });
    });
    result.catch(() => undefined);
  });
}

describe('two processes downloading the same batch into one cache folder', function () {
  this.timeout(60_000);
  let emulator: RunningEmulator;
  let dir: string;
  const children: ChildProcess[] = [];

  beforeEach(async () => {
    // About 16 chunks of 64 KB: the download takes seconds, so the second process, told to start
    // at the same moment, finds the first one still downloading.
    emulator = await startEmulator({ chunkDelayMs: 150 });
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bouncer-two-processes-'));
  });

  afterEach(async () => {
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill();
    await emulator.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('ends with one complete, sealed file, no temporary files, and a single download', async () => {
    const root = path.join(dir, 'results');
    const args = [root, emulator.url, emulator.apiKey, BATCH, 'all', 'json'];
    const started = await Promise.all([startChild(args), startChild(args)]);
    children.push(...started.map((s) => s.child));
    for (const { child } of started) child.send({ type: 'go' });
    const results = await Promise.all(started.map((s) => s.result));

    const failures = results.filter((r) => r.type !== 'done');
    assert.deepEqual(failures, [], 'both processes end with the file');
    const done = results as ChildDone[];
    const downloads = emulator.requests.filter((r) => r.path.endsWith(`/${BATCH}/download`));
    assert.equal(downloads.length, 1, 'the server saw one download');
    assert.deepEqual(
      done
        .map((r) => ({ reused: r.reused, waited: r.waited, recorded: r.recorded }))
        .sort((a, b) => Number(a.reused) - Number(b.reused)),
      [
        { reused: false, waited: false, recorded: RECORDS },
        { reused: true, waited: true, recorded: RECORDS },
      ],
      'one process downloaded, the other waited for it and reused its file; both told their history',
    );

    const cache = new ResultsRepository({
      root,
      history: { recordDownload: async () => undefined, recordOpened: async () => undefined },
    });
    const key = { originKey: originKey(emulator.url), batchId: BATCH, filter: 'all', format: 'json' } as const;
    const file = cache.path(key);
    assert.ok(done.every((r) => r.path === file));
    const expected = JSON.stringify([...generateRecords(RECORDS)]);
    assert.ok((await fs.readFile(file, 'utf8')) === expected, 'the file is exactly what the server sent');
    const found = await cache.inspect(key);
    assert.deepEqual(found.state === 'ok' && { size: found.size, records: found.records }, {
      size: Buffer.byteLength(expected),
      records: RECORDS,
    });
    const relative = path.relative(root, file);
    assert.deepEqual(await listFiles(root), [relative, `${relative}.meta`], 'no temporary or lock files remain');
  });
});
