import { timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { isDownloadFilter, type DownloadFilter, type EmailRecord, type Status } from '../src/core/records';
import { DEMO_BATCH_ID, DEMO_RECORDS } from './demoBatch';
import { HOSTILE_BATCH_ID, HOSTILE_RECORDS } from './hostileBatch';
import { generateRecords, MAX_GENERATED_RECORDS, statusCounts } from './generateRecords';
import { QUIRK_BATCH_IDS, quirkJsonBody } from './quirkBatches';
import { csvHeader, csvRow } from './serverCsv';
import {
  CreatedBatches,
  DEFAULT_CREATED_BATCH_STEPS,
  DEFAULT_CREDITS,
  resultFor,
  type CreatedBatch,
} from './createdBatches';

export { generateRecords } from './generateRecords';

/**
 * A local Bouncer API over loopback for tests, the demo and benchmarks. Plain `node:http`:
 * it must behave like a real server on the wire (chunked streaming, resets, stalls), so no framework
 * sits between it and the socket.
 */

export const DEFAULT_EMULATOR_KEY = 'bouncer-demo-key';

export interface EmulatorOptions {
  /** 0 (default) picks any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** The one key the emulator accepts. Default {@link DEFAULT_EMULATOR_KEY}. */
  apiKey?: string;
  /** One line per finished request (method, path, status); never contains the key. */
  log?: (line: string) => void;
  /**
   * Pause this many milliseconds before each chunk of a streamed download (`gen-<N>`, `pending-<K>`),
   * so tests can keep a download running while something else happens. Default 0.
   */
  chunkDelayMs?: number;
  /** Credits the account starts with. Default {@link DEFAULT_CREDITS}. */
  credits?: number;
  /**
   * Status polls a created batch spends processing after its first (still `queued`) poll; each
   * processes an equal share. 0 completes it on the second poll. Default {@link DEFAULT_CREATED_BATCH_STEPS}.
   */
  createdBatchSteps?: number;
  /** The clock of the creation rate limit; tests move it instead of waiting a minute. Default `Date.now`. */
  now?: () => number;
  /**
   * Keep each streamed download's body once generated, and send those bytes again on the next
   * request, as a real server sends stored results. For benchmarks: a download then costs what it
   * costs the client, not the emulator's generating (seconds at a million records, on the same cores).
   * Holds the bodies in memory (327 MB for `gen-1000000`). Default false.
   */
  keepBodies?: boolean;
}

/** What the emulator saw of one request. The key itself is never stored, only whether it matched. */
export interface EmulatorRequest {
  method: string;
  /** The path as sent, still percent-encoded. */
  path: string;
  query: Record<string, string>;
  hadValidKey: boolean;
  accept: string;
  /** Status code sent (0 until the head is written). */
  status: number;
  /** `aborted`: the connection closed before the response ended (client cancel, fault-reset). */
  outcome: 'open' | 'finished' | 'aborted';
}

export interface RunningEmulator {
  /** Base URL, e.g. `http://127.0.0.1:41234` (what `bouncer.apiBaseUrl` should be set to). */
  url: string;
  port: number;
  apiKey: string;
  requests: EmulatorRequest[];
  /** Resolves when that request's connection finished or was closed early. */
  requestEnded(request: EmulatorRequest): Promise<'finished' | 'aborted'>;
  /** From now on this instance serves these records (completed) for this ID, as if the batch changed. */
  replaceBatch(id: string, records: readonly EmailRecord[]): void;
  /** Credits left on the emulated account; tests may set it (e.g. to 0 to provoke a 402). */
  credits: number;
  /** A batch created through this instance (its addresses, state, polls), or undefined. */
  createdBatch(id: string): CreatedBatch | undefined;
  /** Every batch created through this instance and not deleted, oldest first. */
  createdBatches(): CreatedBatch[];
  close(): Promise<void>;
}

/** Batch IDs that always exist; `gen-<N>` and `pending-<K>` exist for any N ≤ 1,000,000 and K ≥ 0. */
export const SEEDED_BATCH_IDS = [
  DEMO_BATCH_ID,
  HOSTILE_BATCH_ID,
  'gen-1000',
  'gen-100000',
  'gen-1000000',
  'pending-3',
  'fault-reset',
  'fault-truncated',
  'fault-stall',
  'fault-429',
  'fault-429-date',
  'fault-429-long',
  'fault-429-long-date',
  'fault-503',
  'fault-500-always',
  'fault-html',
  'fault-error-object',
  'fault-402',
  'fault-403',
  'fault-redirect',
  ...QUIRK_BATCH_IDS,
  'fault-whitespace',
  'fault-endless',
  'fault-gzip-bomb',
] as const;

/** `fault-whitespace` sends this much whitespace before its (valid) body. */
export const WHITESPACE_FAULT_BYTES = 16 * 1024 * 1024;
/**
 * `fault-gzip-bomb` expands to at least this many bytes, from about a thousandth of that on the wire.
 * Far past any limit a test sets; small enough that a test can expand it whole in about a second.
 */
export const GZIP_BOMB_BYTES = 64 * 1024 * 1024;
/** What `fault-429-long` asks to wait, in seconds; `fault-429-long-date` asks for twice as long. */
export const LONG_RETRY_AFTER_SECONDS = 3600;

/** Records a `pending-<K>` batch holds once completed. */
const PENDING_QUANTITY = 30;
/** Stable timestamps keep every answer byte-for-byte reproducible. */
const CREATED = '2026-01-15T10:00:00.000Z';
const STARTED = '2026-01-15T10:00:05.000Z';
const COMPLETED = '2026-01-15T10:02:00.000Z';
/** Write in chunks of about this many characters; big enough to be fast, small enough to stream. */
const CHUNK_CHARS = 64 * 1024;

type StatusCounts = Record<Status, number>;

interface Batch {
  id: string;
  quantity: number;
  records: () => Iterable<EmailRecord>;
  counts: () => StatusCounts;
}

function countRecords(records: Iterable<EmailRecord>): StatusCounts {
  const counts: StatusCounts = { deliverable: 0, risky: 0, undeliverable: 0, unknown: 0 };
  for (const record of records) {
    if (record.status in counts) counts[record.status as Status]++;
  }
  return counts;
}

const demoBatch = (id: string): Batch => ({
  id,
  quantity: DEMO_RECORDS.length,
  records: () => DEMO_RECORDS,
  counts: () => countRecords(DEMO_RECORDS),
});

/** Resolves a batch ID to its data, or undefined when the emulator does not know it. */
function findBatch(id: string): Batch | undefined {
  if (id === DEMO_BATCH_ID) return demoBatch(id);
  if (id === HOSTILE_BATCH_ID) {
    const records = HOSTILE_RECORDS;
    return { id, quantity: records.length, records: () => records, counts: () => countRecords(records) };
  }
  const gen = /^gen-(\d{1,7})$/.exec(id);
  if (gen !== null) {
    const n = Number(gen[1]);
    if (n > MAX_GENERATED_RECORDS) return undefined;
    return { id, quantity: n, records: () => generateRecords(n), counts: () => statusCounts(n) };
  }
  const pending = /^pending-(\d{1,4})$/.exec(id);
  if (pending !== null) {
    const seed = 1000 + Number(pending[1]);
    return {
      id,
      quantity: PENDING_QUANTITY,
      records: () => generateRecords(PENDING_QUANTITY, seed),
      counts: () => statusCounts(PENDING_QUANTITY, seed),
    };
  }
  if ((SEEDED_BATCH_IDS as readonly string[]).includes(id)) return demoBatch(id);
  return undefined;
}

/** 100,000 addresses with names fit in well under this. */
const MAX_CREATION_BODY_BYTES = 32 * 1024 * 1024;

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The request body as text, or undefined once it passed `maxBytes` (the rest is not read). */
async function readBody(req: http.IncomingMessage, maxBytes: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function errorBody(status: number, error: string, message: string): string {
  // The real API sends `status` as a string here (and as a number elsewhere; see fault-error-object).
  return JSON.stringify({ status: String(status), error, message });
}

/** True when `given` equals `expected`, compared in constant time. */
function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

function hasValidKey(req: http.IncomingMessage, apiKey: string): boolean {
  const header = req.headers['x-api-key'];
  if (typeof header === 'string' && sameSecret(header, apiKey)) return true;
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && /^basic /i.test(auth)) {
    const decoded = Buffer.from(auth.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon >= 0 && sameSecret(decoded.slice(colon + 1), apiKey);
  }
  return false;
}

/** Writes `piece` (a Buffer or string) and waits for the socket to take it; false once the client left. */
async function writeWithBackpressure(res: http.ServerResponse, piece: Buffer | string): Promise<boolean> {
  if (res.destroyed) return false;
  if (!res.write(piece)) await drained(res);
  return !res.destroyed;
}

/**
 * Gzip members for `fault-gzip-bomb`: the start of a valid body, then one member (about 1 KB)
 * that expands to 1 MiB of newlines, sent again and again, then the end of the body. Concatenated
 * members are one valid gzip stream, and newlines are whitespace in JSON and blank lines in CSV,
 * so the decompressed whole is valid results, only enormous. Built once, on first use.
 */
let gzipBomb: { json: Buffer; csv: Buffer; filler: Buffer; end: { json: Buffer; csv: Buffer } } | undefined;
function gzipBombParts(): NonNullable<typeof gzipBomb> {
  gzipBomb ??= {
    json: gzipSync(JSON.stringify(DEMO_RECORDS).slice(0, -1)),
    csv: gzipSync(csvHeader() + DEMO_RECORDS.map(csvRow).join('')),
    filler: gzipSync(Buffer.alloc(1024 * 1024, 0x0a), { level: 9 }),
    end: { json: gzipSync(']'), csv: Buffer.alloc(0) },
  };
  return gzipBomb;
}

/** Records without end, for `fault-endless`: the generated set, over and over. */
function* endlessRecords(): Iterable<EmailRecord> {
  for (;;) yield* generateRecords(10_000);
}

/** Resolves once the response can take more data, or the connection is gone. */
function drained(res: http.ServerResponse): Promise<void> {
  if (res.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    // Both listeners go once either fires: a long stream waits for drain thousands of times.
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/**
 * Streams records as compact JSON or CSV, generating while writing: a million records never sit
 * in memory, and backpressure is honoured. Stops quietly when the client goes away.
 */
async function streamRecords(
  res: http.ServerResponse,
  records: Iterable<EmailRecord>,
  filter: DownloadFilter,
  csv: boolean,
  chunkDelayMs = 0,
  /** Receives every piece written, in order, when given. */
  written?: string[],
): Promise<void> {
  let chunk = csv ? csvHeader() : '[';
  let first = true;
  for (const record of records) {
    if (filter !== 'all' && record.status !== filter) continue;
    if (csv) chunk += csvRow(record);
    else {
      chunk += (first ? '' : ',') + JSON.stringify(record);
      first = false;
    }
    if (chunk.length >= CHUNK_CHARS) {
      if (chunkDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, chunkDelayMs));
      if (res.destroyed) return;
      written?.push(chunk);
      const more = res.write(chunk);
      chunk = '';
      if (!more) await drained(res);
    }
  }
  if (chunkDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, chunkDelayMs));
  if (res.destroyed) return;
  const last = csv ? chunk : chunk + ']';
  written?.push(last);
  res.end(last);
}

function bodyString(records: Iterable<EmailRecord>, filter: DownloadFilter, csv: boolean): string {
  const kept = [...records].filter((record) => filter === 'all' || record.status === filter);
  return csv ? csvHeader() + kept.map(csvRow).join('') : JSON.stringify(kept);
}

/** Starts the emulator; resolves once it listens. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const apiKey = options.apiKey ?? DEFAULT_EMULATOR_KEY;
  const host = options.host ?? '127.0.0.1';
  const requests: EmulatorRequest[] = [];
  /** Bodies sent once and kept (`keepBodies`), by batch, filter and format. */
  const keptBodies = new Map<string, Buffer[]>();
  const ended = new Map<EmulatorRequest, Promise<'finished' | 'aborted'>>();
  /** Per-instance counters: status polls per pending batch, requests per retry fault. */
  const counters = new Map<string, number>();
  const bump = (key: string): number => {
    const next = (counters.get(key) ?? 0) + 1;
    counters.set(key, next);
    return next;
  };
  let baseUrl = '';
  /** Batches whose data a test replaced; they win over the built-in ones. */
  const replaced = new Map<string, Batch>();
  const created = new CreatedBatches(
    options.credits ?? DEFAULT_CREDITS,
    options.createdBatchSteps ?? DEFAULT_CREATED_BATCH_STEPS,
    options.now ?? Date.now,
  );

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    const entry: EmulatorRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      hadValidKey: hasValidKey(req, apiKey),
      accept: String(req.headers.accept ?? ''),
      status: 0,
      outcome: 'open',
    };
    requests.push(entry);
    ended.set(
      entry,
      new Promise((resolve) => {
        res.on('close', () => {
          entry.status = res.statusCode;
          entry.outcome = res.writableFinished ? 'finished' : 'aborted';
          const early = entry.outcome === 'aborted' ? ' (closed early)' : '';
          options.log?.(`${entry.method} ${entry.path}${url.search} → ${res.statusCode}${early}`);
          resolve(entry.outcome);
        });
      }),
    );
    handle(req, res, url, entry).catch((error: unknown) => {
      options.log?.(`emulator error: ${error instanceof Error ? error.message : String(error)}`);
      if (!res.headersSent) {
        send(res, 500, 'application/json', errorBody(500, 'Internal Server Error', 'emulator failure'));
      } else res.destroy();
    });
  });

  function send(
    res: http.ServerResponse,
    status: number,
    type: string,
    body: string,
    headers: http.OutgoingHttpHeaders = {},
  ): void {
    res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), ...headers });
    res.end(body);
  }

  const json = 'application/json';

  async function handle(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    url: URL,
    entry: EmulatorRequest,
  ): Promise<void> {
    if (url.pathname === '/leak') {
      // Target of fault-redirect: a client that follows the redirect shows up here.
      send(res, 200, 'text/plain', 'redirect followed');
      return;
    }
    if (await handleAccountAndCreated(req, res, url, entry)) return;
    const match = /^\/v1\.1\/email\/verify\/batch\/([^/]+)(\/download)?$/.exec(url.pathname);
    if (match === null) {
      send(res, 404, json, errorBody(404, 'Not Found', `no route for ${url.pathname}`));
      return;
    }
    if (req.method !== 'GET') {
      send(res, 405, json, errorBody(405, 'Method Not Allowed', `${req.method ?? ''} is not supported here`));
      return;
    }
    if (!entry.hadValidKey) {
      send(res, 401, json, errorBody(401, 'Unauthorized', 'invalid or missing API key'));
      return;
    }
    let id: string;
    try {
      id = decodeURIComponent(match[1]);
    } catch {
      id = match[1];
    }
    const download = match[2] !== undefined;
    const endpoint = download ? 'download' : 'status';
    const batch = replaced.get(id) ?? findBatch(id);
    if (batch === undefined) {
      send(res, 404, json, errorBody(404, 'Not Found', `request ${id} does not exist`));
      return;
    }

    // Faults that answer both endpoints the same way.
    switch (id) {
      case 'fault-402':
        send(res, 402, json, errorBody(402, 'Payment Required', 'not enough credits'));
        return;
      case 'fault-403':
        send(res, 403, json, errorBody(403, 'Forbidden', 'access to this resource is forbidden'));
        return;
      case 'fault-500-always':
        send(res, 500, json, errorBody(500, 'Internal Server Error', 'something went wrong'));
        return;
      case 'fault-html':
        send(
          res,
          200,
          'text/html; charset=utf-8',
          '<!DOCTYPE html><html><head><title>Login</title></head><body><h1>Please sign in</h1></body></html>',
        );
        return;
      case 'fault-error-object':
        send(
          res,
          200,
          json,
          JSON.stringify({ status: 404, error: 'Not Found', message: `request ${id} does not exist` }),
        );
        return;
      case 'fault-redirect':
        res.writeHead(302, { Location: `${baseUrl}/leak`, 'Content-Length': 0 });
        res.end();
        return;
      case 'fault-429':
      case 'fault-429-date':
        // Two refusals, then success; and again, so a reused instance keeps showing the pattern.
        if (bump(`${endpoint}:${id}`) % 3 !== 0) {
          const retryAfter = id === 'fault-429' ? '1' : new Date(Date.now() + 2000).toUTCString();
          send(
            res,
            429,
            json,
            JSON.stringify({ status: 429, error: 'Too Many Requests', message: 'rate limit exceeded' }),
            {
              'Retry-After': retryAfter,
            },
          );
          return;
        }
        break;
      case 'fault-429-long':
      case 'fault-429-long-date': {
        // Longer than any client should sleep in one go: every request is refused.
        const retryAfter =
          id === 'fault-429-long'
            ? String(LONG_RETRY_AFTER_SECONDS)
            : new Date(Date.now() + 2 * LONG_RETRY_AFTER_SECONDS * 1000).toUTCString();
        send(
          res,
          429,
          json,
          JSON.stringify({ status: 429, error: 'Too Many Requests', message: 'rate limit exceeded' }),
          { 'Retry-After': retryAfter },
        );
        return;
      }
      case 'fault-503':
        if (bump(`${endpoint}:${id}`) % 2 === 1) {
          send(res, 503, json, errorBody(503, 'Service Unavailable', 'try again later'));
          return;
        }
        break;
    }

    if (!download && id === 'fault-endless') {
      // A status answer that never ends: a client must not buffer it whole.
      res.writeHead(200, { 'Content-Type': json });
      if (!(await writeWithBackpressure(res, `{"batchId":"${id}","status":"completed","pad":"`))) return;
      const pad = 'x'.repeat(CHUNK_CHARS);
      while (await writeWithBackpressure(res, pad));
      return;
    }

    if (!download) {
      sendStatus(
        res,
        batch,
        id.startsWith('pending-') ? bump(`polls:${id}`) : undefined,
        url.searchParams.get('with-stats') === 'true',
      );
      return;
    }

    const filterParam = url.searchParams.get('download') ?? 'all';
    if (!isDownloadFilter(filterParam)) {
      send(
        res,
        400,
        json,
        errorBody(400, 'Bad Request', 'download must be one of all, deliverable, risky, undeliverable, unknown'),
      );
      return;
    }
    const csv = entry.accept.toLowerCase().includes('text/csv');
    const type = csv ? 'text/csv; charset=utf-8' : 'application/json';

    if (id.startsWith('pending-')) {
      const needed = Number(id.slice('pending-'.length));
      if ((counters.get(`polls:${id}`) ?? 0) < needed) {
        send(res, 405, json, errorBody(405, 'Method Not Allowed', 'batch is not completed'));
        return;
      }
    }

    if (id === 'fault-reset' || id === 'fault-truncated' || id === 'fault-stall') {
      const body = Buffer.from(bodyString(generateRecords(2000), filterParam, csv), 'utf8');
      // No Content-Length: the client cannot tell a truncated body from the framing alone.
      res.writeHead(200, { 'Content-Type': type });
      if (id === 'fault-truncated') {
        res.end(body.subarray(0, Math.floor(body.length / 2)));
        return;
      }
      res.write(body.subarray(0, id === 'fault-reset' ? 64 * 1024 : 1024));
      if (id === 'fault-reset') {
        // Let the first part reach the client, then cut the connection without a proper end.
        setTimeout(() => req.socket.destroy(), 50);
      }
      // fault-stall: nothing more, ever; the socket stays open until the client gives up.
      return;
    }

    const quirk = csv ? undefined : quirkJsonBody(id, filterParam);
    if (quirk !== undefined) {
      send(res, 200, type, quirk);
      return;
    }
    if (id === 'fault-whitespace') {
      res.writeHead(200, { 'Content-Type': type });
      const blank = Buffer.alloc(CHUNK_CHARS, 0x20);
      for (let sent = 0; sent < WHITESPACE_FAULT_BYTES; sent += blank.length) {
        if (!(await writeWithBackpressure(res, blank))) return;
      }
      res.end(bodyString(DEMO_RECORDS, filterParam, csv));
      return;
    }

    if (id === 'fault-endless') {
      res.writeHead(200, { 'Content-Type': type });
      await streamRecords(res, endlessRecords(), filterParam, csv);
      return;
    }

    if (id === 'fault-gzip-bomb') {
      // Sent whatever Accept-Encoding said, as a hostile server would; chunked, so no length warns the client.
      const bomb = gzipBombParts();
      res.writeHead(200, { 'Content-Type': type, 'Content-Encoding': 'gzip' });
      if (!(await writeWithBackpressure(res, csv ? bomb.csv : bomb.json))) return;
      for (let expanded = 0; expanded < GZIP_BOMB_BYTES; expanded += 1024 * 1024) {
        if (!(await writeWithBackpressure(res, bomb.filler))) return;
      }
      res.end(csv ? bomb.end.csv : bomb.end.json);
      return;
    }

    if (batch.quantity <= DEMO_RECORDS.length) {
      send(res, 200, type, bodyString(batch.records(), filterParam, csv));
      return;
    }
    res.writeHead(200, { 'Content-Type': type });
    const keep = options.keepBodies && !options.chunkDelayMs ? `${batch.id}\n${filterParam}\n${csv}` : undefined;
    const kept = keep === undefined ? undefined : keptBodies.get(keep);
    if (kept) {
      for (const piece of kept) if (!(await writeWithBackpressure(res, piece))) return;
      res.end();
      return;
    }
    const pieces: string[] | undefined = keep === undefined ? undefined : [];
    await streamRecords(res, batch.records(), filterParam, csv, options.chunkDelayMs ?? 0, pieces);
    if (keep !== undefined && pieces && !res.destroyed) {
      keptBodies.set(
        keep,
        pieces.map((p) => Buffer.from(p)),
      );
    }
  }

  /**
   * The endpoints of a batch's life and of the account: create, credits, real-time verify, and
   * status, download, finish and delete of the batches created here. Returns false when the
   * request is for none of them (the seeded batches answer it).
   */
  async function handleAccountAndCreated(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    url: URL,
    entry: EmulatorRequest,
  ): Promise<boolean> {
    const path = url.pathname;
    const batchMatch = /^\/v1\.1\/email\/verify\/batch\/([^/]+)(\/download|\/finish)?$/.exec(path);
    const batch = batchMatch === null ? undefined : created.get(safeDecode(batchMatch[1]));
    const known =
      path === '/v1.1/email/verify/batch' ||
      path === '/v1.1/credits' ||
      path === '/v1.1/email/verify' ||
      batch !== undefined ||
      // Finish and delete answer for the seeded batches too; they change nothing there.
      (batchMatch !== null && (batchMatch[2] === '/finish' || req.method === 'DELETE'));
    if (!known) return false;
    const method = req.method ?? 'GET';
    const allowed =
      path === '/v1.1/email/verify/batch' || batchMatch?.[2] === '/finish'
        ? 'POST'
        : batchMatch !== null && batchMatch[2] === undefined
          ? ['GET', 'DELETE']
          : 'GET';
    if (!(Array.isArray(allowed) ? allowed.includes(method) : allowed === method)) {
      send(res, 405, json, errorBody(405, 'Method Not Allowed', `${method} is not supported here`));
      return true;
    }
    if (!entry.hadValidKey) {
      send(res, 401, json, errorBody(401, 'Unauthorized', 'invalid or missing API key'));
      return true;
    }
    if (path === '/v1.1/credits') {
      send(res, 200, json, JSON.stringify({ credits: created.credits }));
      return true;
    }
    if (path === '/v1.1/email/verify') {
      await verifyOne(res, url);
      return true;
    }
    if (path === '/v1.1/email/verify/batch') {
      const text = await readBody(req, MAX_CREATION_BODY_BYTES);
      if (text === undefined) {
        send(res, 413, json, errorBody(413, 'Payload Too Large', 'request body too large'));
        return true;
      }
      const outcome = created.create(text);
      if (outcome.ok) {
        const { id, created: at, status, entries, duplicates } = outcome.batch;
        send(
          res,
          200,
          json,
          JSON.stringify({ batchId: id, created: at, status, quantity: entries.length, duplicates }),
        );
      } else if (outcome.status === 429) {
        send(res, 429, json, JSON.stringify({ status: 429, error: 'Too Many Requests', message: outcome.message }), {
          'Retry-After': String(outcome.retryAfterSeconds),
        });
      } else {
        const error = outcome.status === 400 ? 'Bad Request' : 'Payment Required';
        send(res, outcome.status, json, errorBody(outcome.status, error, outcome.message));
      }
      return true;
    }
    if (batch === undefined) {
      const id = batchMatch === null ? '' : safeDecode(batchMatch[1]);
      const seeded = replaced.has(id) || findBatch(id) !== undefined;
      if (!seeded) send(res, 404, json, errorBody(404, 'Not Found', `request ${id} does not exist`));
      else if (batchMatch?.[2] === '/finish') send(res, 202, json, '{}');
      else if (!id.startsWith('pending-')) send(res, 200, json, '{}');
      // A seeded pending batch is "processing" for as long as the emulator lives.
      else send(res, 405, json, errorBody(405, 'Method Not Allowed', 'batch cannot be deleted in current state'));
      return true;
    }
    if (batchMatch?.[2] === '/finish') {
      created.finish(batch);
      send(res, 202, json, '{}');
      return true;
    }
    if (method === 'DELETE') {
      if (created.delete(batch)) send(res, 200, json, '{}');
      else send(res, 405, json, errorBody(405, 'Method Not Allowed', 'batch cannot be deleted in current state'));
      return true;
    }
    if (batchMatch?.[2] === '/download') {
      if (batch.status !== 'completed') {
        send(res, 405, json, errorBody(405, 'Method Not Allowed', 'batch is not completed'));
        return true;
      }
      const filter = url.searchParams.get('download') ?? 'all';
      if (!isDownloadFilter(filter)) {
        send(
          res,
          400,
          json,
          errorBody(400, 'Bad Request', 'download must be one of all, deliverable, risky, undeliverable, unknown'),
        );
        return true;
      }
      const csv = entry.accept.toLowerCase().includes('text/csv');
      send(res, 200, csv ? 'text/csv; charset=utf-8' : json, bodyString(created.records(batch), filter, csv));
      return true;
    }
    created.poll(batch);
    const short = {
      batchId: batch.id,
      created: batch.created,
      status: batch.status,
      quantity: batch.entries.length,
      duplicates: batch.duplicates,
    };
    const records = created.records(batch);
    const body =
      url.searchParams.get('with-stats') === 'true'
        ? {
            ...short,
            started: batch.polls > 1 ? batch.created : undefined,
            completed: batch.status === 'completed' ? new Date().toISOString() : undefined,
            credits: batch.entries.length,
            processed: batch.processed,
            stats: countRecords(records),
          }
        : short;
    send(res, 200, json, JSON.stringify(body));
    return true;
  }

  /**
   * `GET /v1.1/email/verify?email=…&timeout=…`: one address, one credit. An address whose local part
   * starts with `slow` never gets an answer, so a client's own timeout can be tested.
   */
  async function verifyOne(res: http.ServerResponse, url: URL): Promise<void> {
    const email = url.searchParams.get('email') ?? '';
    const timeout = url.searchParams.get('timeout');
    if (email.trim() === '' || (timeout !== null && !/^\d{1,2}$/.test(timeout)) || Number(timeout) > 30) {
      send(res, 400, json, errorBody(400, 'Bad Request', 'email is required; timeout is 1 to 30 seconds'));
      return;
    }
    if (created.credits < 1) {
      send(res, 402, json, errorBody(402, 'Payment Required', 'not enough credits'));
      return;
    }
    if (email.toLowerCase().startsWith('slow')) {
      await once(res, 'close');
      return;
    }
    created.credits--;
    send(res, 200, json, JSON.stringify(resultFor(email)));
  }

  /** Without `with-stats=true` the API answers only the short form, as the docs describe. */
  function sendStatus(res: http.ServerResponse, batch: Batch, polls: number | undefined, withStats: boolean): void {
    const needed = batch.id.startsWith('pending-') ? Number(batch.id.slice('pending-'.length)) : 0;
    const done = polls === undefined || polls >= needed;
    const processed = done ? batch.quantity : Math.floor((batch.quantity * (polls ?? 0)) / Math.max(1, needed));
    const short = {
      batchId: batch.id,
      created: CREATED,
      status: done ? 'completed' : 'processing',
      quantity: batch.quantity,
      duplicates: 0,
    };
    const body = withStats
      ? {
          ...short,
          started: STARTED,
          completed: done ? COMPLETED : undefined,
          credits: batch.quantity,
          processed,
          stats: done ? batch.counts() : { deliverable: 0, risky: 0, undeliverable: 0, unknown: 0 },
        }
      : short;
    send(res, 200, json, JSON.stringify(body));
  }

  server.listen(options.port ?? 0, host);
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  return {
    url: baseUrl,
    port,
    apiKey,
    requests,
    get credits() {
      return created.credits;
    },
    set credits(value: number) {
      created.credits = value;
    },
    createdBatch: (id) => created.get(id),
    createdBatches: () => created.all(),
    replaceBatch: (id, records) => {
      const copy = [...records];
      replaced.set(id, { id, quantity: copy.length, records: () => copy, counts: () => countRecords(copy) });
    },
    requestEnded: (request) =>
      ended.get(request) ?? Promise.resolve(request.outcome === 'open' ? 'aborted' : request.outcome),
    close: async () => {
      const closed = once(server, 'close');
      server.close();
      // Stalled and streaming responses would otherwise keep close() waiting forever.
      server.closeAllConnections();
      await closed;
    },
  };
}
