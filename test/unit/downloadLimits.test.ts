import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fetch from 'node-fetch';
import { BouncerClient } from '../../src/core/bouncerClient';
import { downloadToCache } from '../../src/core/download';
import { BouncerError } from '../../src/core/errors';
import type { ResultsKey } from '../../src/core/resultsKey';
import { startEmulator, type RunningEmulator } from '../../emulator/server';

// The whole download path (client → ingest → .part → rename) against the emulator over loopback,
// for bodies that must be stopped: what is already cached has to survive them.
describe('download limits, end to end over loopback', () => {
  let emulator: RunningEmulator;
  let dir: string;

  beforeEach(async () => {
    emulator = await startEmulator();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bouncer-limits-test-'));
  });
  afterEach(async () => {
    await emulator.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  function client(maxBodyBytes?: number): BouncerClient {
    return new BouncerClient({ baseUrl: emulator.url, apiKey: emulator.apiKey, fetch, timeoutMs: 5000, maxBodyBytes });
  }

  async function expectTooLarge(
    request: Omit<ResultsKey, 'originKey'>,
    dest: string,
    maxBodyBytes: number,
  ): Promise<BouncerError> {
    try {
      await downloadToCache(client(maxBodyBytes), request, dest, { signal: new AbortController().signal });
    } catch (error) {
      assert.ok(error instanceof BouncerError, String(error));
      assert.equal(error.kind, 'tooLarge', `${error.kind}: ${error.message}`);
      return error;
    }
    assert.fail('the download was not stopped');
  }

  for (const [batchId, format] of [
    ['fault-endless', 'json'],
    ['fault-endless', 'csv'],
    ['fault-gzip-bomb', 'json'],
    ['fault-gzip-bomb', 'csv'],
  ] as const) {
    it(`stops ${batchId} (${format}) at the limit and keeps the results cached before`, async () => {
      const dest = path.join(dir, `results.${format}`);
      await downloadToCache(client(), { batchId: 'demo-small', filter: 'all', format }, dest, {
        signal: new AbortController().signal,
      });
      const before = await fs.readFile(dest);

      await expectTooLarge({ batchId, filter: 'all', format }, dest, 2 * 1024 * 1024);

      assert.deepEqual(await fs.readFile(dest), before, 'the earlier good file is untouched');
      assert.deepEqual(await fs.readdir(dir), [`results.${format}`], 'no .part file is left');
      if (batchId === 'fault-endless') {
        // (A bomb's few compressed bytes may all be sent before the client stops expanding them.)
        assert.equal(await emulator.requestEnded(emulator.requests[emulator.requests.length - 1]), 'aborted');
      }
    });
  }
});
