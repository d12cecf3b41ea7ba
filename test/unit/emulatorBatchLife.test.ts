import * as assert from 'node:assert/strict';
import fetch from 'node-fetch';
import { compileStrictValidator, describeErrors } from '../../src/core/recordSchema';
import type { EmailRecord } from '../../src/core/records';
import { resultFor, statusFor } from '../../emulator/createdBatches';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../emulator/server';

const BATCH = '/v1.1/email/verify/batch';

describe('emulator: a batch created, followed, finished and deleted', () => {
  let emulator: RunningEmulator;
  afterEach(() => emulator?.close());

  async function start(options: EmulatorOptions = {}): Promise<void> {
    emulator = await startEmulator(options);
  }

  async function call(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: unknown; retryAfter: string | null }> {
    const response = await fetch(`${emulator.url}${path}`, {
      method,
      headers: { 'x-api-key': emulator.apiKey, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return {
      status: response.status,
      json: text === '' ? undefined : JSON.parse(text),
      retryAfter: response.headers.get('retry-after'),
    };
  }

  const create = (emails: unknown) => call('POST', BATCH, emails);
  const status = (id: string) => call('GET', `${BATCH}/${id}?with-stats=true`);

  it('keeps the posted addresses, drops duplicates case-insensitively and reports them as Bouncer does', async () => {
    await start();
    const answer = await create([
      { email: 'Ann@example.com', name: 'Ann' },
      { email: 'bob@example.com' },
      { email: 'ann@EXAMPLE.com' },
    ]);
    assert.equal(answer.status, 200);
    const body = answer.json as Record<string, unknown>;
    assert.match(String(body.batchId), /^[0-9a-f]{24}$/);
    assert.equal(body.status, 'queued');
    assert.equal(body.quantity, 2);
    assert.equal(body.duplicates, 1);
    assert.equal(typeof body.created, 'string');
    assert.deepEqual(emulator.createdBatch(String(body.batchId))?.entries, [
      { email: 'Ann@example.com', name: 'Ann' },
      { email: 'bob@example.com' },
    ]);
  });

  it('moves queued → processing (processed grows) → completed, one step per poll, then serves derived results', async () => {
    await start({ createdBatchSteps: 2 });
    const emails = ['deliverable.a@x.io', 'risky.b@x.io', 'undeliverable.c@x.io', 'unknown.d@x.io'];
    const id = String(((await create(emails.map((email) => ({ email })))).json as { batchId: string }).batchId);

    const early = await call('GET', `${BATCH}/${id}/download?download=all`);
    assert.equal(early.status, 405);
    assert.deepEqual(early.json, { status: '405', error: 'Method Not Allowed', message: 'batch is not completed' });

    const seen: Array<[unknown, unknown]> = [];
    for (let poll = 0; poll < 3; poll++) {
      const body = (await status(id)).json as Record<string, unknown>;
      seen.push([body.status, body.processed]);
    }
    assert.deepEqual(seen, [
      ['queued', 0],
      ['processing', 2],
      ['completed', 4],
    ]);
    const last = (await status(id)).json as Record<string, unknown>;
    assert.deepEqual(last.stats, { deliverable: 1, risky: 1, undeliverable: 1, unknown: 1 });

    const results = await call('GET', `${BATCH}/${id}/download?download=all`);
    assert.equal(results.status, 200);
    const records = results.json as EmailRecord[];
    assert.deepEqual(
      records.map((r) => [r.email, r.status]),
      emails.map((email) => [email, email.split('.')[0]]),
    );
    const validate = compileStrictValidator();
    for (const record of records) assert.ok(validate(record), describeErrors(validate.errors));
  });

  it('lets a batch set its own pace with a first address steps-<N>-…', async () => {
    await start({ createdBatchSteps: 1 });
    const id = String(
      (
        (await create([{ email: 'steps-4-a@x.io' }, { email: 'b@x.io' }, { email: 'c@x.io' }, { email: 'd@x.io' }]))
          .json as { batchId: string }
      ).batchId,
    );
    const seen: unknown[] = [];
    for (let poll = 0; poll < 5; poll++) seen.push(((await status(id)).json as { processed: number }).processed);
    assert.deepEqual(seen, [0, 1, 2, 3, 4]);
  });

  it('derives every result from its address alone', () => {
    assert.deepEqual(resultFor('someone@example.org'), resultFor('someone@example.org'));
    assert.equal(statusFor('RISKY-7@a.b'), 'risky');
    assert.equal(resultFor('x@y.z', 'X').name, 'X');
  });

  it('refuses to delete while processing (405, as documented), and deletes once completed', async () => {
    await start({ createdBatchSteps: 2 });
    const id = String(((await create([{ email: 'a@x.io' }, { email: 'b@x.io' }])).json as { batchId: string }).batchId);
    await status(id);
    await status(id);
    const refused = await call('DELETE', `${BATCH}/${id}`);
    assert.equal(refused.status, 405);
    assert.deepEqual(refused.json, {
      status: '405',
      error: 'Method Not Allowed',
      message: 'batch cannot be deleted in current state',
    });
    await status(id);
    const deleted = await call('DELETE', `${BATCH}/${id}`);
    assert.equal(deleted.status, 200);
    assert.deepEqual(deleted.json, {});
    assert.equal((await status(id)).status, 404);
  });

  it('finish stops processing at once and refunds the addresses not verified', async () => {
    await start({ createdBatchSteps: 4, credits: 100 });
    const emails = ['a@x.io', 'b@x.io', 'c@x.io', 'd@x.io'].map((email) => ({ email }));
    const id = String(((await create(emails)).json as { batchId: string }).batchId);
    assert.deepEqual((await call('GET', '/v1.1/credits')).json, { credits: 96 });
    await status(id);
    await status(id); // 1 of 4 processed
    const finished = await call('POST', `${BATCH}/${id}/finish`);
    assert.equal(finished.status, 202);
    assert.deepEqual(finished.json, {});
    const body = (await status(id)).json as Record<string, unknown>;
    assert.equal(body.status, 'completed');
    assert.equal(body.processed, 1);
    assert.deepEqual((await call('GET', '/v1.1/credits')).json, { credits: 99 });
    const records = (await call('GET', `${BATCH}/${id}/download`)).json as EmailRecord[];
    assert.deepEqual(
      records.map((r) => r.email),
      ['a@x.io'],
    );
  });

  it('credits go down with each creation; 402 when they run out, spending nothing', async () => {
    await start({ credits: 3 });
    assert.deepEqual((await call('GET', '/v1.1/credits')).json, { credits: 3 });
    assert.equal((await create([{ email: 'a@x.io' }, { email: 'A@x.io' }])).status, 200);
    assert.deepEqual((await call('GET', '/v1.1/credits')).json, { credits: 2 }, 'duplicates cost nothing');
    const refused = await create([{ email: 'a@x.io' }, { email: 'b@x.io' }, { email: 'c@x.io' }]);
    assert.equal(refused.status, 402);
    assert.equal((refused.json as { error: string }).error, 'Payment Required');
    assert.equal(emulator.credits, 2);
  });

  it('answers 429 with Retry-After on the 61st creation in a minute, and accepts again a minute later', async () => {
    let now = Date.parse('2026-02-01T12:00:00Z');
    await start({ now: () => now });
    for (let i = 0; i < 60; i++) {
      now += 500;
      assert.equal((await create([{ email: `n${i}@x.io` }])).status, 200, `creation ${i + 1}`);
    }
    const limited = await create([{ email: 'late@x.io' }]);
    assert.equal(limited.status, 429);
    assert.equal(limited.retryAfter, '31', 'the oldest creation leaves the minute 30.5 s from now');
    now += 31_000;
    assert.equal((await create([{ email: 'late@x.io' }])).status, 200);
  });

  it('answers 400 for a malformed body, and for an empty list', async () => {
    await start();
    for (const body of ['{"email":"a@x.io"}', 'not json', '[1,2]', '[{"name":"no email"}]', '[]']) {
      const answer = await create(body);
      assert.equal(answer.status, 400, body);
      assert.equal((answer.json as { status: string }).status, '400');
    }
    assert.equal(emulator.credits, 1_000_000);
  });

  it('verifies one address in real time for a credit; 402 once none are left', async () => {
    await start({ credits: 1 });
    const one = await call('GET', '/v1.1/email/verify?email=risky.x%40y.io&timeout=10');
    assert.equal(one.status, 200);
    assert.deepEqual(one.json, resultFor('risky.x@y.io'));
    assert.equal(emulator.credits, 0);
    assert.equal((await call('GET', '/v1.1/email/verify?email=b%40y.io')).status, 402);
    assert.equal((await call('GET', '/v1.1/email/verify?email=b%40y.io&timeout=31')).status, 400);
  });

  it('asks for the key on every new endpoint', async () => {
    await start();
    for (const [method, path] of [
      ['POST', BATCH],
      ['GET', '/v1.1/credits'],
      ['GET', '/v1.1/email/verify?email=a%40b.c'],
      ['POST', `${BATCH}/demo-small/finish`],
      ['DELETE', `${BATCH}/demo-small`],
    ]) {
      const response = await fetch(`${emulator.url}${path}`, { method, body: method === 'POST' ? '[]' : undefined });
      assert.equal(response.status, 401, `${method} ${path}`);
    }
  });
});
