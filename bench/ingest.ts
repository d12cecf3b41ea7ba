/**
 * Download + ingest: the extension's own client and `downloadToCache` against two baselines, all
 * reading the same bytes. The emulator generates each batch once; a file server in its own process
 * then serves those bytes from disk over loopback, so neither the generation nor the serving is
 * charged to the client. Each measurement runs in a fresh Node process (see `runChild`), so its peak
 * RSS growth is its own.
 *
 * As a child: `node ingest.js serve <dir> <key>` | `ours <url> <key> <batchId> <dest>` |
 * `fetch <url> <key> <batchId>` | `parse <file>`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import nodeFetch from 'node-fetch';
import { startEmulator } from '../emulator/server';
import { BouncerClient } from '../src/core/bouncerClient';
import { downloadToCache } from '../src/core/download';
import { MIB, peakRss, reportResult, runChild } from './stats';

/** What one ingest measurement reports. */
export interface IngestRun {
  ms: number;
  bytes: number;
  records: number;
  /** Peak RSS of the measuring process minus its RSS just before the measurement started. */
  peakGrowth: number;
  hasName?: boolean;
}

export type IngestMode = 'ours' | 'fetch' | 'parse';

const downloadPath = (batchId: string): string => `/v1.1/email/verify/batch/${encodeURIComponent(batchId)}/download`;

/**
 * Has the emulator (in this process) generate batch `gen-<n>` and saves its JSON body, byte for byte,
 * as `<dir>/gen-<n>.json`. Returns the file path.
 */
export async function saveGeneratedBody(n: number, dir: string): Promise<string> {
  const batchId = `gen-${n}`;
  const file = path.join(dir, `${batchId}.json`);
  const emulator = await startEmulator({ port: 0 });
  try {
    const response = await nodeFetch(`${emulator.url}${downloadPath(batchId)}?download=all`, {
      headers: { 'x-api-key': emulator.apiKey, accept: 'application/json' },
    });
    if (response.status !== 200 || response.body === null) throw new Error(`emulator answered ${response.status}`);
    await pipeline(response.body, fs.createWriteStream(file));
  } finally {
    await emulator.close();
  }
  return file;
}

/** A child process serving `<dir>/<batchId>.json` at the download route; `stop()` ends it. */
export interface FileServer {
  url: string;
  stop(): Promise<void>;
}

/** Starts the file server (`serve` mode) in its own process and resolves once it listens. */
export function startFileServer(script: string, dir: string, apiKey: string): Promise<FileServer> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, [script, 'serve', dir, apiKey], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`file server exited early (${code})`)));
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      const match = /^listening (\S+)$/m.exec(out);
      if (match === null) return;
      child.stdout?.removeAllListeners('data');
      resolve({
        url: match[1],
        stop: () =>
          new Promise<void>((done) => {
            child.removeAllListeners('exit');
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}

/** `serve` mode: answers the download route from disk, streamed chunked as the API does, after a key check. */
function serve(dir: string, apiKey: string): void {
  const server = http.createServer((req, res) => {
    const match = /^\/v1\.1\/email\/verify\/batch\/([\w-]+)\/download$/.exec(
      new URL(req.url ?? '/', 'http://x').pathname,
    );
    const file = match === null ? '' : path.join(dir, `${match[1]}.json`);
    if (req.headers['x-api-key'] !== apiKey) {
      res.writeHead(401, { 'Content-Type': 'application/json' }).end('{"status":"401","error":"Unauthorized"}');
    } else if (match === null || !fs.existsSync(file)) {
      res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"status":"404","error":"Not Found"}');
    } else {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      pipeline(fs.createReadStream(file, { highWaterMark: MIB }), res).catch(() => res.destroy());
    }
  });
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`listening http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
  });
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

/** Measures `fn` in this (fresh) process: wall time and peak RSS growth. */
async function measure<T>(fn: () => Promise<T>): Promise<{ ms: number; peakGrowth: number; value: T }> {
  const rssBefore = process.memoryUsage().rss;
  const started = performance.now();
  const value = await fn();
  const ms = performance.now() - started;
  return { ms, peakGrowth: Math.max(0, peakRss() - rssBefore), value };
}

async function childMain(argv: string[]): Promise<void> {
  const [mode, ...rest] = argv;
  if (mode === 'serve') return serve(rest[0], rest[1]);
  if (mode === 'ours') {
    const [url, apiKey, batchId, dest] = rest;
    const client = new BouncerClient({ baseUrl: url, apiKey, fetch: nodeFetch, timeoutMs: 120_000 });
    const signal = new AbortController().signal;
    const m = await measure(() =>
      downloadToCache(client, { batchId, filter: 'all', format: 'json' }, dest, { signal }),
    );
    const run: IngestRun = {
      ms: m.ms,
      bytes: m.value.bytes,
      records: m.value.records,
      peakGrowth: m.peakGrowth,
      hasName: m.value.hasName,
    };
    return reportResult(run);
  }
  if (mode === 'fetch') {
    const [url, apiKey, batchId] = rest;
    const m = await measure(async () => {
      const response = await nodeFetch(`${url}${downloadPath(batchId)}?download=all`, {
        headers: { 'x-api-key': apiKey, accept: 'application/json' },
      });
      return (await response.json()) as unknown[];
    });
    return reportParsed(m);
  }
  if (mode === 'parse') {
    const [file] = rest;
    return reportParsed(await measure(async () => JSON.parse(fs.readFileSync(file, 'utf8')) as unknown[]));
  }
  throw new Error(`unknown mode ${mode}`);
}

/** Reports a baseline that parsed the whole array in memory: it counts records, not bytes written. */
function reportParsed(m: { ms: number; value: unknown[]; peakGrowth: number }): void {
  return reportResult({ ms: m.ms, bytes: NaN, records: m.value.length, peakGrowth: m.peakGrowth } satisfies IngestRun);
}

/** The arguments of one measurement child, per mode. */
export function ingestArgs(
  mode: IngestMode,
  ctx: { url: string; apiKey: string; batchId: string; bodyFile: string; dest: string },
): string[] {
  if (mode === 'ours') return ['ours', ctx.url, ctx.apiKey, ctx.batchId, ctx.dest];
  if (mode === 'fetch') return ['fetch', ctx.url, ctx.apiKey, ctx.batchId];
  return ['parse', ctx.bodyFile];
}

/** Runs one ingest measurement in a fresh child process. */
export function runIngest(script: string, mode: IngestMode, ctx: Parameters<typeof ingestArgs>[1]): Promise<IngestRun> {
  // The naive baselines may need more than the default heap at 1M rows; ours must not.
  const nodeArgs = mode === 'ours' ? [] : ['--max-old-space-size=8192'];
  return runChild<IngestRun>(script, ingestArgs(mode, ctx), nodeArgs);
}

// Bundled into index.js too: only the process started as ingest.js is a measurement child.
if (path.basename(process.argv[1] ?? '', '.js') === 'ingest') {
  childMain(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
