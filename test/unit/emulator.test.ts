import * as assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import fetch from 'node-fetch';
import { checkStructure, compileStrictValidator, describeErrors, oddFields } from '../../src/core/recordSchema';
import { REASONS, STATUSES, type EmailRecord } from '../../src/core/records';
import { DEMO_RECORDS } from '../../emulator/demoBatch';
import { QUIRK_ODD_RECORDS } from '../../emulator/quirkBatches';
import { generateRecord, generateRecords, statusCounts } from '../../emulator/generateRecords';
import { SERVER_CSV_COLUMNS } from '../../emulator/serverCsv';
import {
  GZIP_BOMB_BYTES,
  LONG_RETRY_AFTER_SECONDS,
  startEmulator,
  WHITESPACE_FAULT_BYTES,
  type RunningEmulator,
} from '../../emulator/server';

const BATCH = '/v1.1/email/verify/batch';

describe('emulator', () => {
  let emulator: RunningEmulator;
  beforeEach(async () => {
    emulator = await startEmulator();
  });
  afterEach(() => emulator.close());

  function get(path: string, headers: Record<string, string> = {}): ReturnType<typeof fetch> {
    return fetch(`${emulator.url}${path}`, {
      headers: { 'x-api-key': emulator.apiKey, ...headers },
      redirect: 'manual',
    });
  }

  async function records(id: string, filter = 'all'): Promise<EmailRecord[]> {
    const response = await get(`${BATCH}/${id}/download?download=${filter}`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/json');
    return (await response.json()) as EmailRecord[];
  }

  /**
   * The spec's schema has no `name` property, yet the API notes say `name` comes back when one was
   * sent at creation. So `name` is checked on its own and the rest against the strict schema as written.
   */
  function schemaProblems(list: EmailRecord[]): string[] {
    const validate = compileStrictValidator();
    const problems: string[] = [];
    for (const record of list) {
      const { name, ...rest } = record;
      if (name !== undefined && typeof name !== 'string') problems.push(`${record.email}: name is not a string`);
      if (!validate(rest)) problems.push(`${record.email}: ${describeErrors(validate.errors)}`);
    }
    return problems;
  }

  it('serves records that match the spec schema (demo-small: only the deliberate toxicity 42 differs)', async () => {
    const demo = await records('demo-small');
    assert.deepEqual(demo, DEMO_RECORDS);
    // The download schema says toxicity 0–5, another docs page 0–100: the demo keeps one record above 5.
    assert.deepEqual(schemaProblems(demo), ['toxic@example.com: /toxicity must be <= 5']);
    assert.deepEqual(schemaProblems(await records('gen-5000')), []);
    assert.deepEqual(schemaProblems(await records('pending-0')), []);
  });

  it('demo-small covers every status, reason, yes/no/unknown value and the hostile cases', () => {
    const seen = (pick: (record: EmailRecord) => unknown): Set<unknown> => new Set(DEMO_RECORDS.map(pick));
    for (const status of STATUSES) assert.ok(seen((r) => r.status).has(status), status);
    for (const reason of REASONS) assert.ok(seen((r) => r.reason).has(reason), reason);
    const flags = ['acceptAll', 'disposable', 'free'] as const;
    for (const flag of flags) {
      for (const value of ['yes', 'no', 'unknown']) {
        assert.ok(seen((r) => r.domain?.[flag]).has(value), `${flag}=${value}`);
      }
    }
    for (const flag of ['role', 'disabled', 'fullMailbox'] as const) {
      for (const value of ['yes', 'no', 'unknown']) {
        assert.ok(seen((r) => r.account?.[flag]).has(value), `${flag}=${value}`);
      }
    }
    const values = DEMO_RECORDS.flatMap((r) =>
      [r.email, r.name, r.provider, r.dns?.record].filter((v) => v !== undefined),
    );
    assert.ok(values.includes('"<img src=x onerror=alert(1)>"@example.com'));
    for (const exact of ['+1', '-2']) assert.ok(values.includes(exact), exact);
    for (const start of ['=HYPERLINK(', '@SUM', '\t', '\r', '</script>']) {
      assert.ok(
        values.some((v) => v.startsWith(start)),
        start,
      );
    }
    assert.ok(DEMO_RECORDS.some((r) => Number(r.toxicity ?? 0) > 5));
    assert.ok(
      DEMO_RECORDS.some((r) => r.domain === undefined && r.score === undefined),
      'a record with only required fields',
    );
    assert.ok(DEMO_RECORDS.some((r) => r.name !== undefined) && DEMO_RECORDS.some((r) => r.name === undefined));
    assert.ok(
      DEMO_RECORDS.some((r) => /[\u0080-\uffff]/.test(r.email)) &&
        DEMO_RECORDS.some((r) => /[\u0080-\uffff]/.test(r.name ?? '')),
    );
    assert.ok(DEMO_RECORDS.some((r) => r.retryAfter !== undefined));
  });

  it('applies every download filter', async () => {
    const all = await records('gen-3000');
    assert.equal(all.length, 3000);
    let total = 0;
    for (const status of STATUSES) {
      const some = await records('gen-3000', status);
      assert.ok(some.length > 0, status);
      assert.ok(
        some.every((r) => r.status === status),
        status,
      );
      assert.deepEqual(
        some,
        all.filter((r) => r.status === status),
      );
      total += some.length;
    }
    assert.equal(total, all.length);
    const bad = await get(`${BATCH}/gen-10/download?download=everything`);
    assert.equal(bad.status, 400);
  });

  it('writes CSV with a header row, the same records, RFC 4180 quoting', async () => {
    const response = await get(`${BATCH}/demo-small/download?download=all`, { Accept: 'text/csv' });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/csv/);
    const text = await response.text();
    assert.ok(text.startsWith(SERVER_CSV_COLUMNS.join(',') + '\r\n'));
    assert.ok(text.includes('"Smith, ""Johnny""\nJr."'), 'quotes, comma and newline quoted');
    assert.ok(text.includes('\r\n"""<img src=x onerror=alert(1)>""@example.com",'), 'quoted email');
    // Count records: line breaks outside quotes.
    let rows = 0;
    let quoted = false;
    for (let i = 0; i < text.length; i++) {
      if (text[i] === '"') quoted = !quoted;
      else if (!quoted && text[i] === '\r' && text[i + 1] === '\n') rows++;
    }
    assert.equal(rows, DEMO_RECORDS.length + 1);

    const risky = await (await get(`${BATCH}/gen-2000/download?download=risky`, { Accept: 'text/csv' })).text();
    const lines = risky.trimEnd().split('\r\n');
    const statusColumn = lines[0].split(',').indexOf('status');
    assert.ok(lines.length > 1);
    assert.ok(lines.slice(1).every((line) => line.split(',')[statusColumn] === 'risky'));
  });

  it('streams big batches in chunks, without a Content-Length', async () => {
    const response = await get(`${BATCH}/gen-100000/download`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-length'), null);
    let chunks = 0;
    let bytes = 0;
    const parts: Buffer[] = [];
    for await (const chunk of response.body ?? []) {
      chunks++;
      bytes += (chunk as Buffer).length;
      parts.push(chunk as Buffer);
    }
    assert.ok(chunks > 10, `${chunks} chunks`);
    const list = JSON.parse(Buffer.concat(parts, bytes).toString('utf8')) as EmailRecord[];
    assert.equal(list.length, 100_000);
    assert.deepEqual(list[99_999], generateRecord(99_999));
  });

  it('with keepBodies, sends a streamed body again byte for byte, for each filter and format', async () => {
    const keeping = await startEmulator({ keepBodies: true });
    try {
      for (const [query, accept] of [
        ['', 'application/json'],
        ['?download=risky', 'application/json'],
        ['', 'text/csv'],
      ] as const) {
        const path = `${BATCH}/gen-20000/download${query}`;
        const read = async (server: RunningEmulator) => {
          const response = await fetch(`${server.url}${path}`, { headers: { 'x-api-key': server.apiKey, accept } });
          assert.equal(response.status, 200);
          return Buffer.from(await response.arrayBuffer());
        };
        const fresh = await read(emulator);
        assert.ok(fresh.length > 100_000, `${path} ${accept} is a streamed body`);
        assert.ok((await read(keeping)).equals(fresh), `${path} ${accept}: the first, generated`);
        assert.ok((await read(keeping)).equals(fresh), `${path} ${accept}: the second, from the kept body`);
      }
    } finally {
      await keeping.close();
    }
  });

  it('generates deterministic records with a realistic spread', () => {
    const a = [...generateRecords(500)];
    const b = [...generateRecords(500)];
    assert.deepEqual(a, b);
    assert.notDeepEqual([...generateRecords(50, 7)], a.slice(0, 50));
    assert.equal(new Set(a.map((r) => r.email)).size, 500, 'emails are unique');
    const counts = statusCounts(10_000);
    assert.equal(counts.deliverable + counts.risky + counts.undeliverable + counts.unknown, 10_000);
    assert.ok(counts.deliverable > 6000 && counts.deliverable < 7500, JSON.stringify(counts));
    assert.ok(counts.unknown > 200 && counts.unknown < 1000, JSON.stringify(counts));
    const reasons = new Set([...generateRecords(10_000)].map((r) => r.reason));
    for (const reason of REASONS) assert.ok(reasons.has(reason), reason);
  });

  it('reports batch status with stats that match the download', async () => {
    const response = await get(`${BATCH}/gen-2000?with-stats=true`);
    assert.equal(response.status, 200);
    const status = (await response.json()) as Record<string, unknown>;
    const list = await records('gen-2000');
    const expected = { deliverable: 0, risky: 0, undeliverable: 0, unknown: 0 };
    for (const record of list) expected[record.status as keyof typeof expected]++;
    assert.deepEqual(status.stats, expected);
    assert.equal(status.status, 'completed');
    assert.equal(status.quantity, 2000);
    assert.equal(status.processed, 2000);
    for (const key of ['batchId', 'created', 'started', 'completed', 'duplicates', 'credits']) {
      assert.ok(key in status, key);
    }
    const short = (await (await get(`${BATCH}/gen-2000`)).json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(short).sort(), ['batchId', 'created', 'duplicates', 'quantity', 'status']);
  });

  it('answers pending-<K> downloads with 405 until the status was polled K times', async () => {
    const notYet = await get(`${BATCH}/pending-3/download`);
    assert.equal(notYet.status, 405);
    assert.deepEqual(await notYet.json(), {
      status: '405',
      error: 'Method Not Allowed',
      message: 'batch is not completed',
    });
    const processed: number[] = [];
    const states: string[] = [];
    for (let i = 0; i < 3; i++) {
      const status = (await (await get(`${BATCH}/pending-3?with-stats=true`)).json()) as {
        status: string;
        processed: number;
      };
      states.push(status.status);
      processed.push(status.processed);
      if (i < 2) assert.equal((await get(`${BATCH}/pending-3/download`)).status, 405);
    }
    assert.deepEqual(states, ['processing', 'processing', 'completed']);
    assert.deepEqual(processed, [10, 20, 30]);
    assert.equal((await records('pending-3')).length, 30);
  });

  it('checks the key: x-api-key or Basic auth; 401 with the documented body otherwise', async () => {
    const url = `${emulator.url}${BATCH}/demo-small`;
    const basic = `Basic ${Buffer.from(`anyone:${emulator.apiKey}`).toString('base64')}`;
    assert.equal((await fetch(url, { headers: { Authorization: basic } })).status, 200);
    const badHeaders: Record<string, string>[] = [
      {},
      { 'x-api-key': 'wrong' },
      { 'x-api-key': `${emulator.apiKey}x` },
      { Authorization: 'Basic Og==' },
    ];
    for (const headers of badHeaders) {
      const response = await fetch(url, { headers });
      assert.equal(response.status, 401, JSON.stringify(headers));
      assert.deepEqual(await response.json(), {
        status: '401',
        error: 'Unauthorized',
        message: 'invalid or missing API key',
      });
    }
    // Checked before existence: a wrong key learns nothing about which batches exist.
    assert.equal((await fetch(`${emulator.url}${BATCH}/nope`)).status, 401);
    assert.deepEqual(
      emulator.requests.map((r) => r.hadValidKey),
      [true, false, false, false, false, false],
    );
    assert.ok(!JSON.stringify(emulator.requests).includes(emulator.apiKey), 'the key itself is never stored');
  });

  it('answers unknown batches with the documented 404', async () => {
    for (const id of ['nope', 'gen-1000001', 'gen-x', 'fault-unknown']) {
      const response = await get(`${BATCH}/${id}/download`);
      assert.equal(response.status, 404);
      assert.deepEqual(await response.json(), {
        status: '404',
        error: 'Not Found',
        message: `request ${id} does not exist`,
      });
    }
  });

  it('plays the stateless faults', async () => {
    const html = await get(`${BATCH}/fault-html/download`);
    assert.equal(html.status, 200);
    assert.match(html.headers.get('content-type') ?? '', /^text\/html/);
    const errorObject = await get(`${BATCH}/fault-error-object/download`);
    assert.equal(errorObject.status, 200);
    assert.equal(((await errorObject.json()) as { status: unknown }).status, 404);
    assert.equal((await get(`${BATCH}/fault-402/download`)).status, 402);
    assert.equal((await get(`${BATCH}/fault-403/download`)).status, 403);
    assert.equal((await get(`${BATCH}/fault-500-always/download`)).status, 500);
    assert.equal((await get(`${BATCH}/fault-500-always/download`)).status, 500);
    const redirect = await get(`${BATCH}/fault-redirect/download`);
    assert.equal(redirect.status, 302);
    assert.equal(redirect.headers.get('location'), `${emulator.url}/leak`);
  });

  it('serves the quirk batches: BOM before pretty JSON, records unlike the spec, a record without status', async () => {
    const bom = Buffer.from(await (await get(`${BATCH}/quirk-bom/download`)).arrayBuffer());
    assert.deepEqual([...bom.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    assert.match(bom.toString('utf8', 3), /^\s+\[\n {2}\{\n/);
    assert.deepEqual(JSON.parse(bom.toString('utf8', 3)), DEMO_RECORDS);
    const riskyText = await (await get(`${BATCH}/quirk-bom/download?download=risky`)).text();
    const risky = JSON.parse(riskyText.slice(1)) as EmailRecord[];
    assert.ok(risky.length > 0 && risky.every((r) => r.status === 'risky'));
    const odd = (await records('quirk-odd')) as unknown as Record<string, unknown>[];
    assert.deepEqual(odd, QUIRK_ODD_RECORDS);
    assert.ok(
      odd.every((r) => checkStructure(r) === undefined && oddFields(r).length > 0),
      'each record differs from the spec, its structure aside',
    );
    const broken = (await records('quirk-broken')) as unknown as Record<string, unknown>[];
    assert.equal(broken[2].status, undefined);
    const csv = await get(`${BATCH}/quirk-odd/download`, { accept: 'text/csv' });
    assert.match(await csv.text(), /^[a-z.,A-Z]+\r\n/, 'CSV requests get the demo CSV');
  });

  it('plays the retry faults with per-instance counters', async () => {
    const first = await get(`${BATCH}/fault-429/download`);
    assert.equal(first.status, 429);
    assert.equal(first.headers.get('retry-after'), '1');
    assert.equal((await get(`${BATCH}/fault-429/download`)).status, 429);
    assert.equal((await get(`${BATCH}/fault-429/download`)).status, 200);
    const dated = await get(`${BATCH}/fault-429-date/download`);
    assert.equal(dated.status, 429);
    assert.ok(!Number.isNaN(Date.parse(dated.headers.get('retry-after') ?? '')), 'Retry-After is an HTTP date');
    assert.equal((await get(`${BATCH}/fault-503/download`)).status, 503);
    assert.equal((await get(`${BATCH}/fault-503/download`)).status, 200);
    for (const endpoint of ['/download', '']) {
      const long = await get(`${BATCH}/fault-429-long${endpoint}`);
      assert.equal(long.status, 429);
      assert.equal(long.headers.get('retry-after'), String(LONG_RETRY_AFTER_SECONDS));
      const longDate = await get(`${BATCH}/fault-429-long-date${endpoint}`);
      assert.equal(longDate.status, 429);
      const until = Date.parse(longDate.headers.get('retry-after') ?? '') - Date.now();
      assert.ok(Math.abs(until - 2 * LONG_RETRY_AFTER_SECONDS * 1000) < 5000, `asks for ${until} ms`);
    }
    assert.equal((await get(`${BATCH}/fault-429-long/download`)).status, 429, 'refused every time');

    const other = await startEmulator();
    try {
      const response = await fetch(`${other.url}${BATCH}/fault-503/download`, {
        headers: { 'x-api-key': other.apiKey },
      });
      assert.equal(response.status, 503, 'a new instance starts its own counters');
    } finally {
      await other.close();
    }
  });

  it('sends megabytes of whitespace before a valid body for fault-whitespace', async () => {
    const text = await (await get(`${BATCH}/fault-whitespace/download`)).text();
    assert.equal(text.length, WHITESPACE_FAULT_BYTES + JSON.stringify(DEMO_RECORDS).length);
    assert.equal(text.trim(), JSON.stringify(DEMO_RECORDS));
  });

  it('never ends fault-endless: records for as long as the client reads, and a status that never closes', async () => {
    for (const [path, start] of [
      [`${BATCH}/fault-endless/download`, '[{"email":'],
      [`${BATCH}/fault-endless`, '{"batchId":"fault-endless"'],
    ]) {
      const response = await get(path);
      assert.equal(response.status, 200);
      let bytes = 0;
      let head = '';
      for await (const chunk of response.body as AsyncIterable<Buffer>) {
        if (head === '') head = chunk.toString('utf8', 0, 40);
        bytes += chunk.length;
        if (bytes > 8 * 1024 * 1024) break;
      }
      assert.ok(head.startsWith(start), head);
      assert.ok(bytes > 8 * 1024 * 1024, path);
    }
    for (const request of emulator.requests) assert.equal(await emulator.requestEnded(request), 'aborted');
  });

  it('serves fault-gzip-bomb as gzip that expands a thousandfold into valid JSON', async () => {
    const response = await fetch(`${emulator.url}${BATCH}/fault-gzip-bomb/download`, {
      headers: { 'x-api-key': emulator.apiKey },
      compress: false,
    });
    assert.equal(response.headers.get('content-encoding'), 'gzip');
    assert.equal(response.headers.get('content-length'), null, 'chunked: no length warns the client');
    const raw = Buffer.from(await response.arrayBuffer());
    assert.ok(raw.length * 500 < GZIP_BOMB_BYTES, `${raw.length} bytes on the wire`);
    let expanded = 0;
    let head = '';
    let tail = '';
    for await (const chunk of Readable.from([raw]).pipe(createGunzip()) as AsyncIterable<Buffer>) {
      if (head === '') head = chunk.toString('utf8', 0, 200);
      expanded += chunk.length;
      tail = chunk.toString('utf8', Math.max(0, chunk.length - 20));
    }
    assert.ok(expanded >= GZIP_BOMB_BYTES, `${expanded} bytes expanded`);
    assert.ok(JSON.stringify(DEMO_RECORDS).startsWith(head));
    assert.match(tail, /\n\]$/);
  });

  it('truncates fault-truncated cleanly: a valid prefix, then a proper end', async () => {
    const response = await get(`${BATCH}/fault-truncated/download`);
    assert.equal(response.status, 200);
    const text = await response.text();
    assert.ok(text.startsWith('[{"email":'));
    assert.throws(() => JSON.parse(text));
    const [entry] = emulator.requests;
    assert.equal(await emulator.requestEnded(entry), 'finished');
  });

  it('resets fault-reset mid-body', async () => {
    const response = await get(`${BATCH}/fault-reset/download`);
    assert.equal(response.status, 200);
    await assert.rejects(response.text());
    assert.equal(await emulator.requestEnded(emulator.requests[0]), 'aborted');
  });

  it('closes even while a fault-stall response hangs', async () => {
    const response = await get(`${BATCH}/fault-stall/download`);
    assert.equal(response.status, 200);
    const reading = response.text();
    await emulator.close();
    await assert.rejects(reading);
    emulator = await startEmulator();
  });
});
