import * as assert from 'node:assert/strict';
import { once } from 'node:events';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import fetch from 'node-fetch';
import { waitForCompletion, type BatchStatus } from '../../src/core/batchStatus';
import { BouncerClient, type BouncerClientOptions, type FetchLike } from '../../src/core/bouncerClient';
import { BouncerError, type BouncerErrorKind } from '../../src/core/errors';
import { MAX_LEADING_BYTES } from '../../src/core/recordSplitter';
import { DOWNLOAD_FILTERS, type DownloadFilter, type EmailRecord } from '../../src/core/records';
import { DEMO_RECORDS } from '../../emulator/demoBatch';
import { SERVER_CSV_COLUMNS } from '../../emulator/serverCsv';
import { LONG_RETRY_AFTER_SECONDS, startEmulator, type RunningEmulator } from '../../emulator/server';

/** Distinctive, so a leak anywhere is found by a plain substring search. */
const SECRET_KEY = 'sk-TEST-7f3a9c1e-never-print-me';
const BATCH = '/v1.1/email/verify/batch';

/** node-fetch v3 itself: the test proves it fits the client's FetchLike without a cast. */
const nodeFetch: FetchLike = fetch;

interface Harness {
  client: BouncerClient;
  logs: string[];
  /** Delays the client asked to sleep; the injected sleep returns at once (the HTTP stays real). */
  delays: number[];
}

async function readAll(body: AsyncIterable<Uint8Array>): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of body) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts).toString('utf8');
}

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

/**
 * node-fetch, with a count of the body bytes the client pulled from it. The client cannot hold more
 * of a body than it pulled, so this bounds what it buffered without looking at timing or memory.
 */
function countingFetch(): { fetch: FetchLike; pulled: () => number; largestChunk: () => number } {
  let pulled = 0;
  let largest = 0;
  const counting: FetchLike = async (url, init) => {
    const response = await nodeFetch(url, init);
    const source = response.body;
    if (source === null) return response;
    return {
      status: response.status,
      headers: response.headers,
      text: () => response.text(),
      body: {
        async *[Symbol.asyncIterator]() {
          for await (const chunk of source) {
            pulled += chunk.length;
            largest = Math.max(largest, chunk.length);
            yield chunk;
          }
        },
      },
    };
  };
  return { fetch: counting, pulled: () => pulled, largestChunk: () => largest };
}

/** Reads a body to its end or its error, counting the bytes it yielded. */
async function drain(body: AsyncIterable<Uint8Array>): Promise<{ bytes: number; error?: unknown }> {
  let bytes = 0;
  try {
    for await (const chunk of body) bytes += chunk.length;
    return { bytes };
  } catch (error) {
    return { bytes, error };
  }
}

/** A throwaway loopback server for the cases the emulator does not play (silence before headers, echoing). */
async function tinyServer(handler: http.RequestListener): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer(handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

describe('BouncerClient against the emulator', () => {
  let emulator: RunningEmulator;
  const signal = (): AbortSignal => new AbortController().signal;

  beforeEach(async () => {
    emulator = await startEmulator({ apiKey: SECRET_KEY });
  });
  afterEach(() => emulator.close());

  function harness(options: Partial<BouncerClientOptions> = {}): Harness {
    const logs: string[] = [];
    const delays: number[] = [];
    const client = new BouncerClient({
      baseUrl: emulator.url,
      apiKey: SECRET_KEY,
      fetch: nodeFetch,
      timeoutMs: 5000,
      retry: { random: () => 0.5 },
      sleep: async (ms) => {
        delays.push(ms);
      },
      log: (level, message) => logs.push(`${level} ${message}`),
      ...options,
    });
    return { client, logs, delays };
  }

  describe('download', () => {
    it('downloads JSON with the key and Accept header, at the documented URL', async () => {
      const { client } = harness();
      const response = await client.openDownload('demo-small', 'all', 'json', signal());
      assert.equal(response.contentType, 'application/json');
      const text = await readAll(response.body);
      assert.equal(response.contentLength, Buffer.byteLength(text));
      assert.deepEqual(JSON.parse(text), DEMO_RECORDS);
      assert.equal(emulator.requests.length, 1);
      const [request] = emulator.requests;
      assert.equal(request.path, `${BATCH}/demo-small/download`);
      assert.deepEqual(request.query, { download: 'all' });
      assert.equal(request.accept, 'application/json');
      assert.equal(request.hadValidKey, true);
    });

    it('sends every filter as the download parameter', async () => {
      const { client } = harness();
      for (const filter of DOWNLOAD_FILTERS) {
        const list = JSON.parse(
          await readAll((await client.openDownload('gen-500', filter, 'json', signal())).body),
        ) as EmailRecord[];
        assert.ok(list.length > 0, filter);
        if (filter !== 'all') {
          assert.ok(
            list.every((record) => record.status === filter),
            filter,
          );
        }
      }
      assert.deepEqual(
        emulator.requests.map((r) => r.query.download),
        [...DOWNLOAD_FILTERS],
      );
    });

    it('asks for CSV with Accept: text/csv and passes the server CSV through unchanged', async () => {
      const { client } = harness();
      const response = await client.openDownload('demo-small', 'risky', 'csv', signal());
      assert.match(response.contentType, /^text\/csv/);
      const text = await readAll(response.body);
      assert.equal(emulator.requests[0].accept, 'text/csv');
      assert.ok(text.startsWith(`${SERVER_CSV_COLUMNS.join(',')}\r\n`));
      const direct = await fetch(`${emulator.url}${BATCH}/demo-small/download?download=risky`, {
        headers: { 'x-api-key': SECRET_KEY, Accept: 'text/csv' },
      });
      assert.equal(text, await direct.text());
    });

    it('streams a large body chunk by chunk', async () => {
      const { client } = harness();
      const response = await client.openDownload('gen-50000', 'all', 'json', signal());
      assert.equal(response.contentLength, undefined);
      let chunks = 0;
      const parts: Buffer[] = [];
      for await (const chunk of response.body) {
        chunks++;
        parts.push(Buffer.from(chunk));
      }
      assert.ok(chunks > 5, `${chunks} chunks`);
      assert.equal((JSON.parse(Buffer.concat(parts).toString('utf8')) as unknown[]).length, 50_000);
    });

    it('trims and URL-encodes the ID, and refuses bad IDs before any request', async () => {
      const { client } = harness();
      await readAll((await client.openDownload('  gen-10  ', 'all', 'json', signal())).body);
      assert.equal(emulator.requests[0].path, `${BATCH}/gen-10/download`);
      await expectKind(client.openDownload('Ab_-09', 'all', 'json', signal()), 'notFound');
      assert.equal(emulator.requests[1].path, `${BATCH}/Ab_-09/download`);

      const bad = [
        '',
        '   ',
        '..',
        '%2e%2e',
        'a/b',
        'a\\b',
        '?x',
        '#x',
        'a b',
        'gen-1\r\nX-Evil: 1',
        'x'.repeat(10_000),
        'é',
      ];
      for (const id of bad) {
        await expectKind(client.openDownload(id, 'all', 'json', signal()), 'invalidBatchId');
        await expectKind(client.getBatchStatus(id, signal()), 'invalidBatchId');
      }
      assert.equal(emulator.requests.length, 2, 'no request for a bad ID');
    });

    it('refuses an unknown filter as a bad argument, before any request', async () => {
      const { client } = harness();
      const error = await expectKind(
        client.openDownload('demo-small', 'good' as DownloadFilter, 'json', signal()),
        'invalidArgument',
      );
      assert.match(error.message, /filter must be one of all, deliverable/);
      assert.deepEqual(error.reason, {
        code: 'argNotOneOf',
        field: 'filter',
        allowed: ['all', 'deliverable', 'risky', 'undeliverable', 'unknown'],
      });
      assert.equal(emulator.requests.length, 0);
    });

    it('refuses an unusable base URL up front', () => {
      for (const baseUrl of ['http://example.com', 'not a url', 'https://example.com/v1.1']) {
        assert.throws(
          () => new BouncerClient({ baseUrl, apiKey: SECRET_KEY, fetch: nodeFetch, timeoutMs: 1000 }),
          (error: unknown) => error instanceof BouncerError && error.kind === 'invalidBaseUrl',
        );
      }
    });
  });

  describe('status codes', () => {
    it('401: a wrong key is unauthorized', async () => {
      const { client } = harness({ apiKey: 'wrong-key' });
      const error = await expectKind(client.openDownload('demo-small', 'all', 'json', signal()), 'unauthorized');
      assert.equal(error.httpStatus, 401);
      assert.equal(error.serverMessage, 'invalid or missing API key');
      assert.equal(emulator.requests.length, 1, 'not retried');
    });

    it('403 is unauthorized, 402 paymentRequired', async () => {
      const { client } = harness();
      const forbidden = await expectKind(client.openDownload('fault-403', 'all', 'json', signal()), 'unauthorized');
      assert.equal(forbidden.httpStatus, 403);
      const payment = await expectKind(client.openDownload('fault-402', 'all', 'json', signal()), 'paymentRequired');
      assert.equal(payment.serverMessage, 'not enough credits');
    });

    it('404 carries the server message', async () => {
      const { client } = harness();
      const error = await expectKind(client.openDownload('no-such-batch', 'all', 'json', signal()), 'notFound');
      assert.equal(error.serverMessage, 'request no-such-batch does not exist');
      assert.match(error.detail ?? '', /body status 404/);
    });

    it('405 is notCompleted', async () => {
      const { client } = harness();
      const error = await expectKind(client.openDownload('pending-2', 'all', 'json', signal()), 'notCompleted');
      assert.equal(error.serverMessage, 'batch is not completed');
    });

    it('400 and other unexpected statuses are httpError', async () => {
      const server = await tinyServer((_req, res) => {
        res.writeHead(418, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ status: 418, error: "I'm a teapot", message: 'short and stout' }));
      });
      try {
        const { client } = harness({ baseUrl: server.url });
        const error = await expectKind(client.openDownload('demo-small', 'all', 'json', signal()), 'httpError');
        assert.equal(error.httpStatus, 418);
        assert.equal(error.serverMessage, 'short and stout');
      } finally {
        await server.close();
      }
    });

    it('does not follow redirects, so the key never travels to the Location', async () => {
      const { client } = harness();
      const error = await expectKind(client.openDownload('fault-redirect', 'all', 'json', signal()), 'httpError');
      assert.equal(error.httpStatus, 302);
      assert.deepEqual(
        emulator.requests.map((r) => r.path),
        [`${BATCH}/fault-redirect/download`],
      );
    });
  });

  describe('retries', () => {
    it('429 with Retry-After in seconds: waits what the server asked, twice, then succeeds', async () => {
      const { client, delays, logs } = harness();
      const response = await client.openDownload('fault-429', 'all', 'json', signal());
      assert.deepEqual(JSON.parse(await readAll(response.body)), DEMO_RECORDS);
      assert.deepEqual(delays, [1000, 1000]);
      assert.equal(emulator.requests.length, 3);
      assert.equal(logs.filter((line) => line.startsWith('warn') && line.includes('HTTP 429')).length, 2);
    });

    it('429 with Retry-After as an HTTP date', async () => {
      const { client, delays } = harness();
      await readAll((await client.openDownload('fault-429-date', 'all', 'json', signal())).body);
      assert.equal(delays.length, 2);
      // The emulator asks for now + 2 s at one-second resolution: the wait is in (0, 2000].
      for (const delay of delays) assert.ok(delay > 0 && delay <= 2000, `${delay}`);
      assert.equal(emulator.requests.length, 3);
    });

    it('honours a Retry-After equal to the cap, and gives up at once on one just over it', async () => {
      const atCap = harness({ retry: { maxDelayMs: 1000, random: () => 0.5 } });
      await readAll((await atCap.client.openDownload('fault-429', 'all', 'json', signal())).body);
      assert.deepEqual(atCap.delays, [1000, 1000]);

      const requests = emulator.requests.length;
      const overCap = harness({ retry: { maxDelayMs: 999, random: () => 0.5 } });
      const error = await expectKind(overCap.client.openDownload('fault-429', 'all', 'json', signal()), 'rateLimited');
      assert.deepEqual(overCap.delays, [], 'no wait cut short, no retry');
      assert.equal(emulator.requests.length, requests + 1);
      assert.match(error.message, /try again in 1 s\./);
    });

    it('a Retry-After (seconds) longer than the cap: gives up at once, saying how long and until when', async () => {
      const { client, delays, logs } = harness();
      const before = Date.now();
      const error = await expectKind(client.openDownload('fault-429-long', 'all', 'json', signal()), 'rateLimited');
      const after = Date.now();
      assert.deepEqual(delays, []);
      assert.equal(emulator.requests.length, 1);
      assert.equal(error.httpStatus, 429);
      const wait = LONG_RETRY_AFTER_SECONDS * 1000;
      assert.ok(error.retryAt !== undefined && error.retryAt >= before + wait && error.retryAt <= after + wait);
      const clock = new Date(Math.ceil(error.retryAt / 60_000) * 60_000).toISOString().slice(11, 16);
      assert.match(error.message, new RegExp(`try again in 60 min \\(after (\\d{4}-\\d\\d-\\d\\d )?${clock} UTC\\)`));
      assert.ok(logs.some((line) => line.startsWith('error') && line.includes('Retry-After until')));

      // The status endpoint, which waiting for a batch polls, gives up the same way.
      const status = await expectKind(client.getBatchStatus('fault-429-long', signal()), 'rateLimited');
      assert.match(status.message, /try again in 60 min/);
      assert.equal(emulator.requests.length, 2);
    });

    it('a Retry-After (HTTP date) longer than the cap: gives up at once, saying how long and until when', async () => {
      const { client, delays } = harness();
      const before = Date.now();
      const error = await expectKind(
        client.openDownload('fault-429-long-date', 'all', 'json', signal()),
        'rateLimited',
      );
      assert.deepEqual(delays, []);
      assert.equal(emulator.requests.length, 1);
      const wait = 2 * LONG_RETRY_AFTER_SECONDS * 1000;
      // An HTTP date has whole seconds: the server's "now + 2 h" lands up to a second early.
      const retryAt = error.retryAt ?? 0;
      assert.ok(retryAt >= before + wait - 1000 && retryAt <= Date.now() + wait, `${retryAt - before} ms`);
      assert.match(error.message, /try again in 2 h \(after (\d{4}-\d\d-\d\d )?\d\d:\d\d UTC\)/);
    });

    it('a 503 asking for longer than the cap is a serverError that says when to come back', async () => {
      const server = await tinyServer((_req, res) => {
        res.writeHead(503, { 'Content-Type': 'application/json', 'Retry-After': '600' });
        res.end('{"status":503,"error":"Service Unavailable","message":"maintenance"}');
      });
      try {
        const { client, delays } = harness({ baseUrl: server.url });
        const error = await expectKind(client.openDownload('x', 'all', 'json', signal()), 'serverError');
        assert.deepEqual(delays, []);
        assert.match(error.message, /unavailable \(HTTP 503\).*try again in 10 min/);
        assert.equal(error.serverMessage, 'maintenance');
      } finally {
        await server.close();
      }
    });

    it('503 without Retry-After: one full-jitter backoff, then success', async () => {
      const { client, delays } = harness();
      await readAll((await client.openDownload('fault-503', 'all', 'json', signal())).body);
      assert.deepEqual(delays, [500]);
    });

    it('5xx forever: three retries with growing backoff, then serverError', async () => {
      const { client, delays } = harness();
      const error = await expectKind(client.openDownload('fault-500-always', 'all', 'json', signal()), 'serverError');
      assert.equal(error.httpStatus, 500);
      assert.deepEqual(delays, [500, 1000, 2000]);
      assert.equal(emulator.requests.length, 4);
      assert.match(error.detail ?? '', /after 3 retries/);
    });

    it('429 beyond the retry budget is rateLimited', async () => {
      const { client, delays } = harness({ retry: { maxRetries: 1 } });
      const error = await expectKind(client.openDownload('fault-429', 'all', 'json', signal()), 'rateLimited');
      assert.equal(error.httpStatus, 429);
      assert.deepEqual(delays, [1000]);
      assert.equal(emulator.requests.length, 2);
    });

    it('the real sleep is abortable: cancelling during a backoff ends the download', async () => {
      const controller = new AbortController();
      const { client } = harness({
        sleep: async (_ms, sleepSignal) => {
          controller.abort();
          assert.equal(sleepSignal.aborted, true, 'the sleep receives the caller signal');
          throw sleepSignal.reason;
        },
      });
      await expectKind(client.openDownload('fault-503', 'all', 'json', controller.signal), 'cancelled');
      assert.equal(emulator.requests.length, 1);
    });
  });

  describe('bodies that are not results', () => {
    it('HTML with 200 is invalidBody, for JSON and for CSV', async () => {
      const { client } = harness();
      for (const format of ['json', 'csv'] as const) {
        const error = await expectKind(client.openDownload('fault-html', 'all', format, signal()), 'invalidBody');
        assert.match(error.message, /HTML/);
      }
    });

    it('an error object with 200 is invalidBody with the server message (numeric status)', async () => {
      const { client } = harness();
      const error = await expectKind(client.openDownload('fault-error-object', 'all', 'json', signal()), 'invalidBody');
      assert.equal(error.httpStatus, 404);
      assert.equal(error.serverMessage, 'request fault-error-object does not exist');
      const csv = await expectKind(client.openDownload('fault-error-object', 'all', 'csv', signal()), 'invalidBody');
      assert.match(csv.message, /JSON instead of CSV/);
    });

    it('a JSON array behind a BOM and whitespace passes the sniffing untouched', async () => {
      const payload = '\uFEFF \r\n\t[{"email":"a@b.c","status":"unknown","reason":"unknown"}]';
      const server = await tinyServer((_req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        // One byte at a time, so the first significant byte is several chunks in.
        const bytes = Buffer.from(payload, 'utf8');
        let i = 0;
        const next = (): void => {
          if (i >= bytes.length) return void res.end();
          res.write(bytes.subarray(i, i + 1));
          i++;
          setImmediate(next);
        };
        next();
      });
      try {
        const { client } = harness({ baseUrl: server.url });
        const text = await readAll((await client.openDownload('x', 'all', 'json', signal())).body);
        assert.equal(text, payload);
      } finally {
        await server.close();
      }
    });

    it('a gzip-encoded body arrives decompressed, with no misleading contentLength', async () => {
      const payload = JSON.stringify(DEMO_RECORDS);
      const compressed = gzipSync(payload);
      const server = await tinyServer((req, res) => {
        assert.match(String(req.headers['accept-encoding']), /gzip/);
        res.writeHead(200, {
          'Content-Type': 'application/json',
          'Content-Encoding': 'gzip',
          'Content-Length': compressed.length,
        });
        res.end(compressed);
      });
      try {
        const { client } = harness({ baseUrl: server.url });
        const response = await client.openDownload('demo-small', 'all', 'json', signal());
        assert.equal(response.contentLength, undefined);
        assert.equal(await readAll(response.body), payload);
      } finally {
        await server.close();
      }
    });

    it('endless leading whitespace is judged within the first 64 KiB, never buffered whole', async () => {
      const tap = countingFetch();
      const { client } = harness({ fetch: tap.fetch });
      // 16 MiB of spaces, then a valid array: legal JSON, but no server means it.
      const error = await expectKind(
        client.openDownload('fault-whitespace', 'all', 'json', signal()).then((response) => readAll(response.body)),
        'invalidBody',
      );
      assert.match(error.message, /no results in the first 64 KiB/);
      assert.ok(
        tap.pulled() <= MAX_LEADING_BYTES + tap.largestChunk(),
        `pulled ${tap.pulled()} bytes (largest chunk ${tap.largestChunk()})`,
      );
    });

    it('the status endpoint answering HTML is invalidBody', async () => {
      const { client } = harness();
      await expectKind(client.getBatchStatus('fault-html', signal()), 'invalidBody');
    });
  });

  describe('size limits', () => {
    it('stops a download past maxBodyBytes and closes the connection', async () => {
      const maxBodyBytes = 1024 * 1024;
      const { client } = harness({ maxBodyBytes });
      const response = await client.openDownload('fault-endless', 'all', 'json', signal());
      const { bytes, error } = await drain(response.body);
      assert.ok(error instanceof BouncerError && error.kind === 'tooLarge', String(error));
      assert.match(error.message, /larger than the 1\.0 MB download size limit/);
      assert.ok(bytes <= maxBodyBytes, `${bytes} bytes passed on`);
      assert.equal(await emulator.requestEnded(emulator.requests[0]), 'aborted');
    });

    it('the limit is inclusive: a body of exactly maxBodyBytes passes, one byte less refuses it', async () => {
      const open = (client: BouncerClient, format: 'json' | 'csv'): Promise<{ bytes: number; error?: unknown }> =>
        client.openDownload('gen-1000', 'all', format, signal()).then((response) => drain(response.body));
      const { bytes: size } = await open(harness().client, 'json');
      assert.equal((await open(harness({ maxBodyBytes: size }).client, 'json')).bytes, size);
      const under = harness({ maxBodyBytes: size - 1 }).client;
      assert.equal((await open(under, 'csv')).error, undefined, 'CSV of the same batch is smaller, so it passes');
      const { error } = await open(under, 'json');
      assert.ok(error instanceof BouncerError && error.kind === 'tooLarge', String(error));
    });

    it('counts a gzip bomb by what it expands to, not by what it weighs', async () => {
      const maxBodyBytes = 8 * 1024 * 1024;
      const { client } = harness({ maxBodyBytes });
      const response = await client.openDownload('fault-gzip-bomb', 'all', 'json', signal());
      const { bytes, error } = await drain(response.body);
      assert.ok(error instanceof BouncerError && error.kind === 'tooLarge', String(error));
      assert.match(error.message, /compressed download expands to more than the 8\.0 MB download size limit/);
      // The whole bomb (about 1 MB) may already sit in socket buffers; what matters is how much it expanded to.
      assert.ok(bytes <= maxBodyBytes, `${bytes} bytes passed on`);
    });

    it('a status answer that never ends is refused after 64 KiB, not buffered', async () => {
      const tap = countingFetch();
      const { client } = harness({ fetch: tap.fetch });
      const error = await expectKind(client.getBatchStatus('fault-endless', signal()), 'invalidBody');
      assert.match(error.message, /over 64 KiB: not a batch status/);
      assert.ok(tap.pulled() <= 64 * 1024 + tap.largestChunk(), `pulled ${tap.pulled()} bytes`);
      assert.equal(await emulator.requestEnded(emulator.requests[0]), 'aborted');
    });
  });

  describe('broken connections, stalls and cancellation', () => {
    it('a connection reset mid-body is a network error while reading', async () => {
      const { client } = harness();
      const response = await client.openDownload('fault-reset', 'all', 'json', signal());
      await expectKind(readAll(response.body), 'network');
      assert.equal(await emulator.requestEnded(emulator.requests[0]), 'aborted');
    });

    it('a truncated body ends normally; the bytes are left for the ingest to reject', async () => {
      const { client } = harness();
      const text = await readAll((await client.openDownload('fault-truncated', 'all', 'json', signal())).body);
      assert.ok(text.startsWith('[{'));
      assert.throws(() => JSON.parse(text));
    });

    it('a stalled body times out after timeoutMs and the connection is closed', async () => {
      const { client } = harness({ timeoutMs: 300 });
      const response = await client.openDownload('fault-stall', 'all', 'json', signal());
      const error = await expectKind(readAll(response.body), 'timeout');
      assert.match(error.detail ?? '', /300 ms/);
      assert.equal(await emulator.requestEnded(emulator.requests[0]), 'aborted');
    });

    it('silence before the response headers times out too', async () => {
      const server = await tinyServer(() => {
        // Never answers.
      });
      try {
        const { client } = harness({ baseUrl: server.url, timeoutMs: 200 });
        await expectKind(client.openDownload('demo-small', 'all', 'json', signal()), 'timeout');
        await expectKind(client.getBatchStatus('demo-small', signal()), 'timeout');
      } finally {
        await server.close();
      }
    });

    it('cancelling mid-body really aborts: the emulator sees the connection close', async () => {
      const { client } = harness();
      const controller = new AbortController();
      const response = await client.openDownload('gen-1000000', 'all', 'json', controller.signal);
      const iterator = response.body[Symbol.asyncIterator]();
      const first = await iterator.next();
      assert.equal(first.done, false);
      controller.abort();
      await expectKind(iterator.next(), 'cancelled');
      assert.equal(await emulator.requestEnded(emulator.requests[0]), 'aborted');
    });

    it('stopping the iteration early closes the connection', async () => {
      const { client } = harness();
      const response = await client.openDownload('gen-1000000', 'all', 'json', signal());
      for await (const chunk of response.body) {
        assert.ok(chunk.length > 0);
        break;
      }
      assert.equal(await emulator.requestEnded(emulator.requests[0]), 'aborted');
    });

    it('a body that ignores the abort still times out, or is cancelled, and tells which', async () => {
      // Headers come, then a body whose next chunk never arrives and that does not answer the abort.
      const deafFetch: FetchLike = async () => ({
        status: 200,
        headers: { get: (name: string) => (name === 'content-type' ? 'text/csv' : null) },
        text: async () => '',
        body: { [Symbol.asyncIterator]: () => ({ next: () => new Promise<never>(() => undefined) }) },
      });
      const timedOut = harness({ fetch: deafFetch, timeoutMs: 50 });
      const slow = await timedOut.client.openDownload('demo-small', 'all', 'csv', signal());
      const timeout = await expectKind(readAll(slow.body), 'timeout');
      assert.match(timeout.detail ?? '', /50 ms/);

      const cancelled = harness({ fetch: deafFetch, timeoutMs: 60_000 });
      const controller = new AbortController();
      const open = await cancelled.client.openDownload('demo-small', 'all', 'csv', controller.signal);
      const reading = readAll(open.body);
      controller.abort();
      await expectKind(reading, 'cancelled');
    });

    it('an already aborted signal sends nothing', async () => {
      const { client } = harness();
      const controller = new AbortController();
      controller.abort();
      await expectKind(client.openDownload('demo-small', 'all', 'json', controller.signal), 'cancelled');
      await expectKind(client.getBatchStatus('demo-small', controller.signal), 'cancelled');
      assert.equal(emulator.requests.length, 0);
    });

    it('a refused connection is a network error', async () => {
      const closed = await tinyServer(() => undefined);
      await closed.close();
      const { client } = harness({ baseUrl: closed.url });
      const error = await expectKind(client.openDownload('demo-small', 'all', 'json', signal()), 'network');
      assert.match(error.detail ?? '', /ECONNREFUSED/);
    });
  });

  describe('batch status', () => {
    it('reads status with stats', async () => {
      const { client } = harness();
      const status = await client.getBatchStatus('demo-small', signal());
      assert.equal(status.status, 'completed');
      assert.equal(status.quantity, DEMO_RECORDS.length);
      const stats = status.stats ?? {};
      assert.equal(
        (stats.deliverable ?? 0) + (stats.risky ?? 0) + (stats.undeliverable ?? 0) + (stats.unknown ?? 0),
        DEMO_RECORDS.length,
      );
      assert.equal(emulator.requests[0].path, `${BATCH}/demo-small`);
      assert.deepEqual(emulator.requests[0].query, { 'with-stats': 'true' });
      await expectKind(client.getBatchStatus('nope', signal()), 'notFound');
      await expectKind(client.getBatchStatus('fault-402', signal()), 'paymentRequired');
    });

    it('waitForCompletion polls at a clamped interval until completed, then the download works', async () => {
      const { client } = harness();
      const seen: BatchStatus[] = [];
      const waits: number[] = [];
      const done = await waitForCompletion(client, 'pending-3', {
        signal: signal(),
        intervalMs: 1,
        onProgress: (status) => seen.push(status),
        sleep: async (ms) => {
          waits.push(ms);
        },
      });
      assert.equal(done.status, 'completed');
      assert.deepEqual(
        seen.map((s) => [s.status, s.processed, s.quantity]),
        [
          ['processing', 10, 30],
          ['processing', 20, 30],
          ['completed', 30, 30],
        ],
      );
      assert.deepEqual(waits, [10_000, 10_000], 'never faster than the API asks');
      const list = JSON.parse(
        await readAll((await client.openDownload('pending-3', 'all', 'json', signal())).body),
      ) as unknown[];
      assert.equal(list.length, 30);
    });

    it('waitForCompletion stops on cancel and on errors', async () => {
      const { client } = harness();
      const controller = new AbortController();
      await expectKind(
        waitForCompletion(client, 'pending-50', {
          signal: controller.signal,
          intervalMs: 60_000,
          sleep: async (ms, sleepSignal) => {
            assert.equal(ms, 30_000);
            controller.abort();
            throw sleepSignal.reason;
          },
        }),
        'cancelled',
      );
      await expectKind(waitForCompletion(client, 'nope', { signal: signal() }), 'notFound');
    });
  });

  describe('the API key', () => {
    it('refuses the key itself as a batch ID, before any request puts it in a URL', async () => {
      const { client } = harness();
      for (const request of [
        client.openDownload(SECRET_KEY, 'all', 'json', signal()),
        client.getBatchStatus(SECRET_KEY, signal()),
      ]) {
        const error = await expectKind(request, 'invalidBatchId');
        assert.match(error.message, /your API key, not a batch ID/);
        assert.ok(!error.message.includes(SECRET_KEY));
      }
      assert.equal(emulator.requests.length, 0);
    });

    it('never appears in an error, a detail, a server message or a log line', async () => {
      const { client, logs } = harness({ timeoutMs: 1000 });
      const errors: unknown[] = [];
      const collect = async (promise: Promise<unknown>): Promise<void> => {
        try {
          const result = await promise;
          if (result !== null && typeof result === 'object' && 'body' in result) {
            await readAll((result as { body: AsyncIterable<Uint8Array> }).body);
          }
        } catch (error) {
          errors.push(error);
        }
      };
      const ids = [
        'nope',
        'pending-9',
        'fault-402',
        'fault-403',
        'fault-500-always',
        'fault-html',
        'fault-error-object',
        'fault-redirect',
        'fault-reset',
        'fault-stall',
        '../etc',
        `${SECRET_KEY}/x`,
      ];
      for (const id of ids) {
        await collect(client.openDownload(id, 'all', 'json', signal()));
        await collect(client.getBatchStatus(id, signal()));
      }
      const cancelled = new AbortController();
      cancelled.abort();
      await collect(client.openDownload('demo-small', 'all', 'csv', cancelled.signal));
      const rateLimited = harness({ retry: { maxRetries: 0 } });
      await collect(rateLimited.client.openDownload('fault-429', 'all', 'json', signal()));
      logs.push(...rateLimited.logs);
      const wrongKey = harness({ apiKey: `${SECRET_KEY}-wrong` });
      await collect(wrongKey.client.openDownload('demo-small', 'all', 'json', signal()));

      // A hostile server that echoes the key back in its error message: the client redacts it.
      const echo = await tinyServer((req, res) => {
        res.writeHead(500, { 'Content-Type': 'application/json' });
        res.end(
          JSON.stringify({
            status: 500,
            error: String(req.headers['x-api-key']),
            message: `bad key ${String(req.headers['x-api-key'])}`,
          }),
        );
      });
      try {
        const echoed = harness({ baseUrl: echo.url, retry: { maxRetries: 1 } });
        await collect(echoed.client.openDownload('demo-small', 'all', 'json', signal()));
        logs.push(...echoed.logs);
        const refused = harness({ baseUrl: 'http://127.0.0.1:1' });
        await collect(refused.client.openDownload('demo-small', 'all', 'json', signal()));
      } finally {
        await echo.close();
      }

      const kinds = new Set(errors.map((error) => (error instanceof BouncerError ? error.kind : 'other')));
      const expectedKinds: BouncerErrorKind[] = [
        'notFound',
        'notCompleted',
        'paymentRequired',
        'unauthorized',
        'serverError',
        'invalidBody',
        'httpError',
        'network',
        'timeout',
        'invalidBatchId',
        'cancelled',
        'rateLimited',
      ];
      for (const kind of expectedKinds) {
        assert.ok(kinds.has(kind), `path not exercised: ${kind}`);
      }
      assert.ok(!kinds.has('other'), 'every failure is a BouncerError');
      for (const error of errors as BouncerError[]) {
        const text = [
          error.message,
          error.detail,
          error.serverMessage,
          error.stack,
          String(error.cause),
          JSON.stringify(error),
        ].join('\n');
        assert.ok(!text.includes(SECRET_KEY), `key leaked by ${error.kind}: ${text}`);
      }
      assert.ok(logs.length > 5);
      assert.ok(!logs.join('\n').includes(SECRET_KEY), 'key leaked into the log');
      assert.ok(logs.join('\n').includes('‹redacted›'), 'the echoed key was redacted, not dropped silently');
    });
  });
});
