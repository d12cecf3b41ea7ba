import * as assert from 'node:assert/strict';
import fetch from 'node-fetch';
import { BatchApi, MAX_BATCH_SIZE } from '../../src/core/batchApi';
import { BouncerClient, type FetchLike } from '../../src/core/bouncerClient';
import { BouncerError, type BouncerErrorKind } from '../../src/core/errors';
import { resultFor } from '../../emulator/createdBatches';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../emulator/server';

const SECRET_KEY = 'sk-TEST-batch-api-never-print-me';

async function expectKind(promise: Promise<unknown>, kind: BouncerErrorKind): Promise<BouncerError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof BouncerError, `expected a BouncerError, got ${String(error)}`);
    assert.equal(error.kind, kind, `${error.kind}: ${error.message} (${error.detail ?? ''})`);
    return error;
  }
  assert.fail(`expected BouncerError('${kind}'), but it succeeded`);
}

describe('BatchApi over loopback', () => {
  let emulator: RunningEmulator;
  let api: BatchApi;
  let logs: string[];
  let delays: number[];
  const signal = (): AbortSignal => new AbortController().signal;

  async function start(options: EmulatorOptions = {}, apiKey = SECRET_KEY, timeoutMs = 5000): Promise<void> {
    emulator = await startEmulator({ apiKey: SECRET_KEY, ...options });
    logs = [];
    delays = [];
    const client = new BouncerClient({
      baseUrl: emulator.url,
      apiKey,
      fetch: fetch as FetchLike,
      timeoutMs,
      log: (level, message) => logs.push(`${level} ${message}`),
      // The HTTP stays real; only the wait between attempts is recorded instead of slept.
      sleep: async (ms) => {
        delays.push(ms);
      },
    });
    api = new BatchApi(client);
  }
  afterEach(() => emulator?.close());

  it('creates a batch with names, follows it to completed, and reports duplicates as Bouncer does', async () => {
    await start({ createdBatchSteps: 1 });
    const created = await api.createBatch(
      [{ email: 'a@x.io', name: 'Ann' }, { email: 'b@x.io' }, { email: 'A@X.io' }],
      signal(),
    );
    assert.equal(created.status, 'queued');
    assert.equal(created.quantity, 2);
    assert.equal(created.duplicates, 1);
    assert.deepEqual(emulator.createdBatch(created.batchId)?.entries, [
      { email: 'a@x.io', name: 'Ann' },
      { email: 'b@x.io' },
    ]);
    assert.equal((await api.status(created.batchId, signal())).status, 'queued');
    const done = await api.status(created.batchId, signal());
    assert.equal(done.status, 'completed');
    assert.equal(done.processed, 2);
    const request = emulator.requests.find((r) => r.method === 'POST');
    assert.ok(request?.hadValidKey, 'the key went in x-api-key');
    assert.ok(
      emulator.requests.every((r) => !r.path.includes(SECRET_KEY) && !JSON.stringify(r.query).includes(SECRET_KEY)),
    );
  });

  it('refuses an empty list or one over 100,000 before sending anything', async () => {
    await start();
    const empty = await expectKind(api.createBatch([], signal()), 'invalidArgument');
    assert.deepEqual(empty.reason, { code: 'noAddresses' });
    const tooMany = Array.from({ length: MAX_BATCH_SIZE + 1 }, (_, i) => ({ email: `n${i}@x.io` }));
    const large = await expectKind(api.createBatch(tooMany, signal()), 'invalidArgument');
    assert.deepEqual(large.reason, { code: 'batchTooLarge', max: MAX_BATCH_SIZE });
    const blank = await expectKind(api.verifyEmail('  ', signal()), 'invalidArgument');
    assert.deepEqual(blank.reason, { code: 'noAddress' });
    assert.equal(emulator.requests.length, 0);
  });

  it('402 on creation says how many credits are missing', async () => {
    await start({ credits: 2 });
    const error = await expectKind(
      api.createBatch(
        [{ email: 'a@x.io' }, { email: 'b@x.io' }, { email: 'c@x.io' }, { email: 'd@x.io' }, { email: 'e@x.io' }],
        signal(),
      ),
      'paymentRequired',
    );
    assert.equal(error.creditsMissing, 3);
    assert.match(error.message, /5 needed, 2 left, 3 missing/);
    assert.equal(emulator.credits, 2, 'nothing was spent');
  });

  it('429 on creation waits as Retry-After says, tells the caller the wait, then creates', async () => {
    let now = Date.parse('2026-02-01T12:00:00Z');
    await start({ now: () => now });
    for (let i = 0; i < 60; i++) await api.createBatch([{ email: `n${i}@x.io` }], signal());
    const waits: number[] = [];
    // The injected sleep moves the emulator's clock as a real wait would.
    delays = [];
    const created = api.createBatch([{ email: 'late@x.io' }], signal(), {
      onWait: (ms) => {
        waits.push(ms);
        now += ms;
      },
    });
    const batch = await created;
    assert.deepEqual(waits, [60_000]);
    assert.deepEqual(delays, [60_000]);
    assert.match(batch.batchId, /^[0-9a-f]{24}$/);
    assert.ok(logs.some((line) => /POST \/v1\.1\/email\/verify\/batch: HTTP 429; retry 1 of 3 in 60000 ms/.test(line)));
  });

  it('400 becomes rejected, with the server reason', async () => {
    await start();
    const error = await expectKind(api.createBatch([{ email: 7 as unknown as string }], signal()), 'rejected');
    assert.match(error.message, /HTTP 400.*item 0 has no email/);
    assert.deepEqual(error.reason, { code: 'refused', call: 'create' });
  });

  it('401 is unauthorized on every call, and the key is in no message', async () => {
    await start({}, 'sk-wrong-key-for-this-test');
    for (const call of [
      api.createBatch([{ email: 'a@x.io' }], signal()),
      api.credits(signal()),
      api.finishBatch('demo-small', signal()),
      api.deleteBatch('demo-small', signal()),
      api.verifyEmail('a@x.io', signal()),
    ]) {
      const error = await expectKind(call, 'unauthorized');
      assert.ok(!`${error.message}${error.detail ?? ''}`.includes('sk-wrong-key-for-this-test'));
    }
  });

  it('finish stops the batch and refunds; delete answers cannotDelete while processing, then deletes', async () => {
    await start({ createdBatchSteps: 3, credits: 10 });
    const { batchId } = await api.createBatch(
      ['a', 'b', 'c', 'd', 'e', 'f'].map((l) => ({ email: `${l}@x.io` })),
      signal(),
    );
    assert.equal(await api.credits(signal()), 4);
    await api.status(batchId, signal());
    await api.status(batchId, signal()); // 2 of 6 processed
    const refused = await expectKind(api.deleteBatch(batchId, signal()), 'cannotDelete');
    assert.match(refused.message, /cannot be deleted in its current state \(HTTP 405\)/);
    assert.equal(refused.serverMessage, 'batch cannot be deleted in current state');
    await api.finishBatch(batchId, signal());
    assert.equal(await api.credits(signal()), 8);
    assert.equal((await api.status(batchId, signal())).status, 'completed');
    await api.deleteBatch(batchId, signal());
    await expectKind(api.status(batchId, signal()), 'notFound');
  });

  it('validates and encodes batch IDs, and refuses the key as an ID, before any request', async () => {
    await start();
    await expectKind(api.finishBatch('../credits', signal()), 'invalidBatchId');
    await expectKind(api.deleteBatch('a b', signal()), 'invalidBatchId');
    await expectKind(api.deleteBatch(SECRET_KEY, signal()), 'invalidBatchId');
    assert.equal(emulator.requests.length, 0);
    await expectKind(api.finishBatch('nope', signal()), 'notFound');
    assert.deepEqual(
      emulator.requests.map((r) => `${r.method} ${r.path}`),
      ['POST /v1.1/email/verify/batch/nope/finish'],
    );
  });

  it('verifies one address in real time with timeout=10', async () => {
    await start();
    const record = await api.verifyEmail(' risky.x@y.io ', signal());
    assert.deepEqual(record, resultFor('risky.x@y.io'));
    const request = emulator.requests.at(-1);
    assert.deepEqual(request?.query, { email: 'risky.x@y.io', timeout: '10' });
  });

  it('gives up on a real-time check that does not answer in time', async () => {
    await start({}, SECRET_KEY);
    // 0 s asked of Bouncer: the client waits that plus its 5 s margin at most; the emulator never answers `slow…`.
    const error = await expectKind(api.verifyEmail('slow@y.io', signal(), 0), 'timeout');
    assert.match(error.message, /sent nothing for 5 s/);
  });

  it('reads the credits left', async () => {
    await start({ credits: 1234 });
    assert.equal(await api.credits(signal()), 1234);
  });
});
