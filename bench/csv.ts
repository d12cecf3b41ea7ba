/**
 * CSV conversion of a cached download: the extension's streaming writer (readRecords → writeCsv,
 * formula neutralising on, RFC 4180 quoting) beside a plain join of the same fields after one
 * JSON.parse (no quoting, no neutralising: the floor a quick script would reach). Both write their
 * output file; each run is a fresh child process so peak RSS growth is its own.
 *
 * As a child: `node csv.js ours|read|join <cacheFile> <dest> <hasName>`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeCsv } from '../src/core/csvWriter';
import { readRecords } from '../src/core/readRecords';
import { csvHeader } from '../src/core/csvFormat';
import { flatValue } from '../src/core/recordColumns';
import type { EmailRecord } from '../src/core/records';
import { peakRss, reportResult, runChild } from './stats';

/** `read` streams the cache through readRecords and writes nothing: the share of `ours` spent reading. */
export type CsvMode = 'ours' | 'read' | 'join';

/** What one CSV measurement reports. */
export interface CsvRun {
  ms: number;
  rows: number;
  bytes: number;
  peakGrowth: number;
}

async function childMain(argv: string[]): Promise<void> {
  const [mode, cacheFile, dest, hasNameArg] = argv;
  const hasName = hasNameArg === 'true';
  const rssBefore = process.memoryUsage().rss;
  const started = performance.now();
  let rows: number;
  if (mode === 'ours') {
    rows = (await writeCsv(readRecords(cacheFile), dest, { hasName, neutralizeFormulas: true })).rows;
  } else if (mode === 'read') {
    rows = 0;
    for await (const record of readRecords(cacheFile)) if (record.email !== undefined) rows++;
    fs.writeFileSync(dest, '');
  } else if (mode === 'join') {
    const columns = csvHeader(hasName);
    const records = JSON.parse(fs.readFileSync(cacheFile, 'utf8')) as EmailRecord[];
    const body = records.map((r) => columns.map((c) => flatValue(r, c) ?? '').join(',')).join('\n');
    fs.writeFileSync(dest, `${columns.join(',')}\n${body}\n`);
    rows = records.length;
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
  const ms = performance.now() - started;
  const run: CsvRun = { ms, rows, bytes: fs.statSync(dest).size, peakGrowth: Math.max(0, peakRss() - rssBefore) };
  reportResult(run);
}

/** Runs one CSV measurement in a fresh child process. */
export function runCsv(
  script: string,
  mode: CsvMode,
  cacheFile: string,
  dest: string,
  hasName: boolean,
): Promise<CsvRun> {
  const nodeArgs = mode === 'join' ? ['--max-old-space-size=8192'] : [];
  return runChild<CsvRun>(script, [mode, cacheFile, dest, String(hasName)], nodeArgs);
}

// Bundled into index.js too: only the process started as csv.js is a measurement child.
if (path.basename(process.argv[1] ?? '', '.js') === 'csv') {
  childMain(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
