import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { PART_SUFFIX } from '../../src/core/atomicFile';
import { BouncerError } from '../../src/core/errors';
import { ingestCsv, ingestJson, type IngestProgress } from '../../src/core/ingest';
import { MAX_STATUS_KEYS } from '../../src/core/statusCounts';

const encoder = new TextEncoder();

function record(i: number, status: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    email: `user${i}@example.com`,
    status,
    reason: 'accepted_email',
    domain: { name: 'example.com', acceptAll: 'no', disposable: 'no', free: 'yes' },
    account: { role: 'no', disabled: 'no', fullMailbox: 'no' },
    dns: { type: 'MX', record: 'mx.example.com.' },
    provider: 'example.com',
    score: 90,
    toxic: 'unknown',
    toxicity: 0,
    ...extra,
  };
}

const RECORDS = [
  record(0, 'deliverable'),
  record(1, 'risky', { name: 'Zoë "Z" [x]' }),
  record(2, 'deliverable'),
  record(3, 'greylisted'),
  record(4, 'undeliverable', { futureField: { nested: ']}' } }),
];

/** Yields `bytes` in chunks of `size`, each a fresh copy, as a network body would. */
async function* chunked(bytes: Uint8Array, size = 7): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) {
    await Promise.resolve();
    yield bytes.slice(at, at + size);
  }
}

function body(text: string, size?: number): AsyncGenerator<Uint8Array> {
  return chunked(encoder.encode(text), size);
}

/** Temporary files a download left beside `dest` (whatever their unique names). */
async function leftovers(dest: string): Promise<string[]> {
  const names = await fs.readdir(path.dirname(dest)).catch(() => [] as string[]);
  return names.filter((name) => name.startsWith(path.basename(dest)) && name.endsWith(PART_SUFFIX));
}

async function exists(file: string): Promise<boolean> {
  return fs.stat(file).then(
    () => true,
    () => false,
  );
}

async function rejectsWith(promise: Promise<unknown>, kind: string, message?: RegExp): Promise<BouncerError> {
  let caught: unknown;
  await promise.then(
    () => assert.fail(`expected a ${kind} error`),
    (error: unknown) => {
      caught = error;
    },
  );
  assert.ok(caught instanceof BouncerError, `expected a BouncerError, got ${String(caught)}`);
  assert.equal(caught.kind, kind);
  if (message) assert.match(caught.message, message);
  return caught;
}

describe('ingestJson', () => {
  let dir: string;
  let dest: string;

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bouncer-ingest-'));
    dest = path.join(dir, 'cache', 'batch.json');
  });

  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  async function assertNothingCached(): Promise<void> {
    assert.equal(await exists(dest), false, 'no cache file');
    assert.deepEqual(await leftovers(dest), [], 'no .part file');
  }

  it('caches a compact body byte for byte and summarises it', async () => {
    const text = JSON.stringify(RECORDS);
    const summary = await ingestJson(body(text), dest);
    assert.deepEqual(summary, {
      bytes: Buffer.byteLength(text),
      records: 5,
      counts: { deliverable: 2, risky: 1, greylisted: 1, undeliverable: 1 },
      hasName: true,
      odd: {
        records: 1,
        examples: [{ record: 3, field: 'status', problem: 'is not a documented value: found "greylisted"' }],
      },
    });
    assert.equal(await fs.readFile(dest, 'utf8'), text);
    assert.deepEqual(await leftovers(dest), []);
  });

  it('gives two downloads of the same file at once their own temporary files: both land whole', async () => {
    // Two windows downloading one batch: the bodies may even differ (the batch changed between them).
    const longer = JSON.stringify(RECORDS);
    const shorter = JSON.stringify(RECORDS.slice(0, 3));
    const [a, b] = await Promise.all([ingestJson(body(longer, 5), dest), ingestJson(body(shorter, 3), dest)]);
    assert.deepEqual([a.records, b.records], [5, 3]);
    assert.ok([longer, shorter].includes(await fs.readFile(dest, 'utf8')), 'one whole body, not a mix');
    assert.deepEqual(await leftovers(dest), []);
  });

  it('caches a pretty body with a BOM, fed one byte at a time', async () => {
    const text = `\uFEFF${JSON.stringify(RECORDS, null, 2)}\n`;
    const summary = await ingestJson(body(text, 1), dest);
    assert.equal(summary.records, 5);
    assert.equal(summary.bytes, Buffer.byteLength(text));
    assert.deepEqual(await fs.readFile(dest), Buffer.from(text, 'utf8'));
  });

  it('reports hasName false when no record has a name', async () => {
    const summary = await ingestJson(body(JSON.stringify([record(0, 'risky')])), dest);
    assert.equal(summary.hasName, false);
    assert.deepEqual(summary.counts, { risky: 1 });
  });

  it('accepts an empty array as zero records', async () => {
    for (const text of ['[]', ' [ \r\n ] \n']) {
      const summary = await ingestJson(body(text, 1), dest);
      assert.deepEqual(summary, {
        bytes: text.length,
        records: 0,
        counts: {},
        hasName: false,
        odd: { records: 0, examples: [] },
      });
      assert.equal(await fs.readFile(dest, 'utf8'), text);
    }
  });

  it('reports progress that grows to the final totals', async () => {
    const text = JSON.stringify(RECORDS);
    const seen: IngestProgress[] = [];
    const summary = await ingestJson(body(text, 50), dest, { onProgress: (progress) => seen.push({ ...progress }) });
    assert.equal(seen.length, Math.ceil(text.length / 50));
    for (let k = 1; k < seen.length; k++) {
      assert.ok(seen[k].bytes > seen[k - 1].bytes);
      assert.ok(seen[k].records >= seen[k - 1].records);
    }
    assert.deepEqual(seen[seen.length - 1], { bytes: summary.bytes, records: summary.records });
  });

  it('replaces a previous cache when the new body is good', async () => {
    await fs.mkdir(path.dirname(dest), { recursive: true });
    await fs.writeFile(dest, '[]');
    await ingestJson(body(JSON.stringify(RECORDS)), dest);
    assert.equal(await fs.readFile(dest, 'utf8'), JSON.stringify(RECORDS));
  });

  const failures: Array<[string, string, RegExp]> = [
    ['a truncated body', JSON.stringify(RECORDS).slice(0, -20), /truncated/],
    ['a body cut just before the closing bracket', JSON.stringify(RECORDS).slice(0, -1), /truncated/],
    ['trailing garbage', `${JSON.stringify(RECORDS)}\n<!-- cached -->`, /after the end of the array/],
    ['an HTML page', '<html><head><title>Login</title></head><body>Sign in</body></html>', /HTML page/],
    [
      'an error object',
      '{"status":"405","error":"Method Not Allowed","message":"batch is not completed"}',
      /error object.*batch is not completed/,
    ],
    [
      'a record without a status',
      JSON.stringify([record(0, 'risky'), { email: 'x@y.z', reason: 'timeout' }]),
      /^Record 1 is not an email result: its "status" is missing, not a string\.$/,
    ],
    [
      'a record whose status is null',
      JSON.stringify([record(0, 'risky'), record(1, 'risky'), record(2, 'risky', { status: null })]),
      /^Record 2 is not an email result: its "status" is null/,
    ],
    [
      'a record whose email is a number',
      JSON.stringify([record(0, 'risky'), record(1, 'risky', { email: 42 })]),
      /^Record 1 is not an email result: its "email" is 42, not a string/,
    ],
    ['a record that is not JSON', `[${JSON.stringify(record(0, 'risky'))},{"email":}]`, /Record 1 is not valid JSON/],
  ];

  for (const [name, text, message] of failures) {
    it(`refuses ${name}, caches nothing and keeps the previous cache`, async () => {
      await rejectsWith(ingestJson(body(text), dest), 'invalidBody', message);
      await assertNothingCached();

      await fs.mkdir(path.dirname(dest), { recursive: true });
      await fs.writeFile(dest, 'previous');
      await rejectsWith(ingestJson(body(text, 3), dest), 'invalidBody', message);
      assert.equal(await fs.readFile(dest, 'utf8'), 'previous');
      assert.deepEqual(await leftovers(dest), []);
    });
  }

  it('keeps records the real API sends unlike its schema as they are, and counts them as odd', async () => {
    const records = [
      record(0, 'deliverable', { score: '100', provider: null }),
      record(1, 'risky', { domain: null, name: null }),
      record(2, 'deliverable'),
      record(3, 'catch_all', { reason: null, toxicity: '3' }),
      record(4, 'risky', { score: 150 }),
      record(5, 'unknown', { account: { role: 'no', disabled: 'no' }, dns: { type: 7 } }),
    ];
    const text = JSON.stringify(records);
    const summary = await ingestJson(body(text), dest);
    assert.equal(await fs.readFile(dest, 'utf8'), text, 'cached as the server sent it');
    assert.equal(summary.records, 6);
    assert.equal(summary.hasName, false, 'a null name is no name');
    assert.deepEqual(summary.counts, { deliverable: 2, risky: 2, catch_all: 1, unknown: 1 });
    assert.equal(summary.odd.records, 5, 'every record but record 2');
    assert.deepEqual(summary.odd.examples, [
      { record: 0, field: 'provider', problem: 'must be string: found null' },
      { record: 0, field: 'score', problem: 'must be integer: found "100"' },
      { record: 1, field: 'domain', problem: 'must be object: found null' },
      { record: 1, field: 'name', problem: 'must be string: found null' },
      { record: 3, field: 'status', problem: 'is not a documented value: found "catch_all"' },
    ]);
  });

  it('reports each odd field by record index and field, never the record, with long values cut short', async () => {
    const long = 'x'.repeat(10_000);
    const records = [record(0, 'risky', { toxic: { nested: long }, score: long })];
    const summary = await ingestJson(body(JSON.stringify(records)), dest);
    assert.deepEqual(summary.odd, {
      records: 1,
      examples: [
        {
          record: 0,
          field: 'score',
          problem: `must be integer: found ${JSON.stringify('x'.repeat(40))}… (10000 characters)`,
        },
        { record: 0, field: 'toxic', problem: 'must be string: found an object' },
      ],
    });
  });

  it('keeps only the first few odd fields as examples, however many records are odd', async () => {
    const records = Array.from({ length: 1000 }, (_, i) => record(i, 'risky', { score: String(i) }));
    const summary = await ingestJson(body(JSON.stringify(records), 4096), dest);
    assert.equal(summary.odd.records, 1000);
    assert.deepEqual(
      summary.odd.examples.map((e) => e.record),
      [0, 1, 2, 3, 4],
    );
  });

  it('refuses a body the client must never cache even partly: error object carries the server status', async () => {
    const error = await rejectsWith(
      ingestJson(body('{"status":404,"error":"Not Found","message":"request abc does not exist"}'), dest),
      'invalidBody',
    );
    assert.equal(error.httpStatus, 404);
    assert.equal(error.serverMessage, 'request abc does not exist');
  });

  it('stops at once when aborted mid-body, even if the body never sends again, and leaves no file', async () => {
    const controller = new AbortController();
    let returned = false;
    const stalled: AsyncIterable<Uint8Array> = {
      [Symbol.asyncIterator]() {
        let sent = false;
        return {
          next: () => {
            if (!sent) {
              sent = true;
              return Promise.resolve({ done: false, value: encoder.encode('[{"email":"a@b.c",') });
            }
            return new Promise<IteratorResult<Uint8Array>>(() => undefined);
          },
          return: () => {
            returned = true;
            return Promise.resolve({ done: true, value: undefined });
          },
        };
      },
    };
    const ingesting = ingestJson(stalled, dest, {
      signal: controller.signal,
      onProgress: () => setImmediate(() => controller.abort()),
    });
    await rejectsWith(ingesting, 'cancelled');
    await assertNothingCached();
    assert.ok(returned, 'the body was told to stop');
  });

  it('refuses to start when already aborted', async () => {
    await rejectsWith(ingestJson(body('[]'), dest, { signal: AbortSignal.abort() }), 'cancelled');
    await assertNothingCached();
  });

  it('rethrows an error from the body iterator unchanged', async () => {
    const network = new BouncerError('network', 'The connection was reset.');
    async function* resets(): AsyncGenerator<Uint8Array> {
      yield encoder.encode('[{"email":"a@b.c","status":"risky","reason":"x"},');
      throw network;
    }
    await fs.mkdir(path.dirname(dest), { recursive: true });
    await fs.writeFile(dest, 'previous');
    await assert.rejects(ingestJson(resets(), dest), (error: unknown) => error === network);
    assert.equal(await fs.readFile(dest, 'utf8'), 'previous');
    assert.deepEqual(await leftovers(dest), []);

    const plain = new Error('socket hang up');
    async function* hangsUp(): AsyncGenerator<Uint8Array> {
      yield encoder.encode('[');
      throw plain;
    }
    await assert.rejects(ingestJson(hangsUp(), dest), (error: unknown) => error === plain);
  });

  it('ingests a real HTTP body over loopback and fails cleanly when the connection is reset mid-body', async () => {
    const text = JSON.stringify(Array.from({ length: 2000 }, (_, i) => record(i, 'deliverable')));
    const server = http.createServer((request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      if (request.url === '/reset') {
        response.write(text.slice(0, 100_000));
        setTimeout(() => request.socket.destroy(), 20);
      } else {
        response.end(text);
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const get = (route: string): Promise<http.IncomingMessage> =>
      new Promise((resolve, reject) => http.get({ host: '127.0.0.1', port, path: route }, resolve).on('error', reject));
    try {
      const summary = await ingestJson(await get('/ok'), dest);
      assert.equal(summary.records, 2000);
      assert.equal(await fs.readFile(dest, 'utf8'), text);

      await assert.rejects(ingestJson(await get('/reset'), dest), (error: unknown) => {
        assert.ok(error instanceof Error);
        assert.ok(!(error instanceof BouncerError), 'the transport error is passed through for the client to classify');
        return true;
      });
      assert.equal(await fs.readFile(dest, 'utf8'), text, 'the good cache survived');
      assert.deepEqual(await leftovers(dest), []);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('ingestCsv', () => {
  let dir: string;
  let dest: string;

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bouncer-ingest-csv-'));
    dest = path.join(dir, 'batch.csv');
  });

  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  const CSV =
    '\uFEFFemail,status,reason,name\r\n' +
    'a@b.c,deliverable,accepted_email,"Smith, John"\r\n' +
    'd@e.f,risky,low_quality,"two\r\nlines and a ""quote"""\r\n' +
    'g@h.i,unknown,timeout,\r\n';

  it('keeps the server bytes exactly and counts data lines, quoted newlines included', async () => {
    for (const size of [1, 5, 1000]) {
      const result = await ingestCsv(body(CSV, size), dest);
      assert.deepEqual(result, {
        bytes: Buffer.byteLength(CSV),
        records: 3,
        counts: { deliverable: 1, risky: 1, unknown: 1 },
      });
      assert.deepEqual(await fs.readFile(dest), Buffer.from(CSV, 'utf8'));
    }
  });

  it('counts rows per status, finding the column by its name wherever it is', async () => {
    const text =
      'name,"Status",email\r\n' +
      '"a, ""status"" of\r\nrisky",risky,a@b.c\r\n' +
      'x,deliverable,d@e.f\n' +
      'y,greylisted,g@h.i\r\n' +
      'z,risky,j@k.l\r\n' +
      'short\r\n';
    for (const size of [1, 3, 1000]) {
      assert.deepEqual(await ingestCsv(body(text, size), dest), {
        bytes: Buffer.byteLength(text),
        records: 5,
        counts: { risky: 2, deliverable: 1, greylisted: 1 },
      });
    }
    assert.deepEqual(
      await ingestCsv(body('email,reason\r\na,b\r\n'), dest),
      { bytes: 19, records: 1 },
      'no status column: no counts',
    );
  });

  it('keeps CSV status counts bounded, with a status such as __proto__ counted as any other', async () => {
    const statuses = ['__proto__', 'constructor', ...Array.from({ length: 100 }, (_, k) => `made-up-${k}`)];
    const text = `email,status\r\n${statuses.map((s, k) => `u${k}@x.com,${s}\r\n`).join('')}`;
    const { counts, records } = await ingestCsv(body(text, 64), dest);
    assert.equal(records, statuses.length);
    assert.ok(counts);
    assert.ok(Object.keys(counts).length <= MAX_STATUS_KEYS, `${Object.keys(counts).length} keys`);
    assert.equal(Object.getPrototypeOf(counts), Object.prototype, 'the table itself is untouched');
    assert.ok(Object.hasOwn(counts, '__proto__') && counts.__proto__ === 1);
    assert.equal(
      Object.values(counts).reduce((a, b) => a + b, 0),
      statuses.length,
      'every row is counted',
    );
  });

  it('counts a last line without a newline, LF-only files, and ignores blank lines', async () => {
    assert.equal((await ingestCsv(body('email,status\na,b\nc,d'), dest)).records, 2);
    assert.equal((await ingestCsv(body('email,status\r\na,b\r\n\r\n'), dest)).records, 1);
    assert.equal((await ingestCsv(body('\r\n  \r\nemail,status\r\na,b\r\n'), dest)).records, 1);
  });

  it('counts zero records for a header alone', async () => {
    assert.deepEqual(await ingestCsv(body('email,status,reason\r\n'), dest), { bytes: 21, records: 0, counts: {} });
  });

  for (const [name, text] of [
    ['an empty body', ''],
    ['a body of blank space', ' \r\n\t\n   '],
    ['a body of kilobytes of blank space', `\uFEFF${' \r\n'.repeat(3000)}`],
  ]) {
    it(`refuses ${name}: there is no header, so nothing was downloaded`, async () => {
      await fs.writeFile(dest, 'previous');
      await rejectsWith(ingestCsv(body(text, 4), dest), 'invalidBody', /no header line.*Try again/);
      assert.equal(await fs.readFile(dest, 'utf8'), 'previous');
      assert.deepEqual(await leftovers(dest), []);
    });
  }

  const failures: Array<[string, string, RegExp]> = [
    ['an HTML page', '  <!doctype html><html><body>oops</body></html>', /HTML page where CSV was expected/],
    [
      'an error object',
      '{"status":"404","error":"Not Found","message":"request x does not exist"}',
      /error object.*does not exist/,
    ],
    ['JSON records', JSON.stringify(RECORDS), /JSON where CSV was expected/],
    ['a body cut inside a quoted field', 'email,name\r\na@b.c,"unfinished', /ended inside a quoted field/],
  ];
  for (const [name, text, message] of failures) {
    it(`refuses ${name} and keeps the previous file`, async () => {
      await fs.writeFile(dest, 'previous');
      await rejectsWith(ingestCsv(body(text, 4), dest), 'invalidBody', message);
      assert.equal(await fs.readFile(dest, 'utf8'), 'previous');
      assert.deepEqual(await leftovers(dest), []);
    });
  }

  it('refuses a long HTML page without reading all of it', async () => {
    let chunks = 0;
    async function* endlessHtml(): AsyncGenerator<Uint8Array> {
      yield encoder.encode('<html>');
      for (;;) {
        chunks++;
        yield encoder.encode('<p>filler</p>'.repeat(20));
      }
    }
    await rejectsWith(ingestCsv(endlessHtml(), dest), 'invalidBody', /HTML/);
    assert.ok(chunks < 100, `stopped after ${chunks} chunks`);
    assert.equal(await exists(dest), false);
  });

  it('is cancelled by its signal and leaves no file', async () => {
    const controller = new AbortController();
    async function* slow(): AsyncGenerator<Uint8Array> {
      yield encoder.encode('email,status\r\n');
      controller.abort();
      yield encoder.encode('a@b.c,risky\r\n');
    }
    await rejectsWith(ingestCsv(slow(), dest, { signal: controller.signal }), 'cancelled');
    assert.equal(await exists(dest), false);
    assert.deepEqual(await leftovers(dest), []);
  });
});
