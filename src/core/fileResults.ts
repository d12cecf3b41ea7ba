/**
 * Reads a Bouncer results file a person opens in the table (a JSON array of records, or a CSV with a
 * header) as a stream of records, never holding the file as one string: a 350 MB JSON or a
 * 1,000,000-row CSV opens like a small one. Rows that cannot be read are counted and left out; a file
 * that is not Bouncer results at all says so before any row.
 */
import { createReadStream } from 'node:fs';
import { CsvReader } from './csvReader';
import { BouncerError } from './errors';
import { csvRowToRecord, extraCells, readCsvHeader, type CsvHeader } from './fileResultsHeader';
import { isObject } from './guards';
import { parseRegion } from './parseRegion';
import { RECORD_BATCHES, readRecords } from './readRecords';
import type { EmailRecord } from './records';
import { RecordSplitter } from './recordSplitter';

/** The same chunk size as the cache reader uses, for the same reasons (see `readRecords`). */
const READ_CHUNK_BYTES = 1 << 19;

export type ResultsFileFormat = 'csv' | 'json';

/** The format a file name says, or undefined for any other file. */
export function resultsFileFormat(name: string): ResultsFileFormat | undefined {
  const match = /\.(csv|json)$/i.exec(name);
  return match ? (match[1].toLowerCase() as ResultsFileFormat) : undefined;
}

/** A file's bytes: a local path, read with Node streams, or chunks from elsewhere (a virtual document). */
export type FileBytes = { path: string } | { chunks: () => AsyncIterable<Uint8Array> };

/** Why a file is not Bouncer results; the host turns each into one sentence. */
export type NotResultsReason = 'empty' | 'noEmailColumn' | 'notArray' | 'noEmailField';

/** The file opened, but it is not Bouncer results: nothing of it is shown. */
export class NotBouncerResultsError extends Error {
  constructor(
    readonly reason: NotResultsReason,
    detail: string,
  ) {
    super(detail);
    this.name = 'NotBouncerResultsError';
  }
}

/** What reading found besides the records; filled in as the records are read. */
export interface FileReadReport {
  /** Records handed out. */
  rows: number;
  /** Rows left out: a CSV row with another cell count than the header, or a row or record without an email. */
  malformed: number;
  /** The first malformed row, counted from 1 among the data rows (or records). */
  firstMalformed?: number;
  /** CSV columns that are not record fields, shown as text columns. */
  extraColumns: string[];
}

export interface ReadFileOptions {
  signal?: AbortSignal;
  /** The extra columns' cells of each record, called just before the record is handed out. */
  onExtraCells?: (cells: string[]) => void;
}

/** A file being read: its records (read once) and the report they fill in. */
export interface ResultsFileRead {
  records: AsyncIterable<EmailRecord>;
  report: FileReadReport;
}

/** Starts reading a results file; nothing is read until the records are iterated. */
export function readResultsFile(
  bytes: FileBytes,
  format: ResultsFileFormat,
  opts: ReadFileOptions = {},
): ResultsFileRead {
  const report: FileReadReport = { rows: 0, malformed: 0, extraColumns: [] };
  const records = format === 'csv' ? csvRecords(bytes, report, opts) : jsonRecords(bytes, report, opts);
  return { records, report };
}

function chunksOf(bytes: FileBytes): AsyncIterable<Uint8Array> {
  if ('chunks' in bytes) return bytes.chunks();
  return createReadStream(bytes.path, { highWaterMark: READ_CHUNK_BYTES }) as AsyncIterable<Uint8Array>;
}

function countMalformed(report: FileReadReport, row: number): void {
  report.malformed++;
  report.firstMalformed ??= row;
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new BouncerError('cancelled', 'Reading the file was cancelled.');
}

async function* csvRecords(
  bytes: FileBytes,
  report: FileReadReport,
  { signal, onExtraCells }: ReadFileOptions,
): AsyncGenerator<EmailRecord> {
  let header: CsvHeader | undefined;
  let dataRows = 0;
  let ready: EmailRecord[] = [];
  let extras: string[][] = [];
  const reader = new CsvReader((cells) => {
    if (!header) {
      // Blank lines before the header are nothing.
      if (cells.every((cell) => cell.trim() === '')) return;
      header = readCsvHeader(cells);
      if (header.emailIndex < 0) {
        throw new NotBouncerResultsError('noEmailColumn', `No email column in the header: ${cells.join(', ')}`);
      }
      report.extraColumns = [...header.extraNames];
      return;
    }
    dataRows++;
    const record = csvRowToRecord(header, cells);
    if (!record) {
      countMalformed(report, dataRows);
      return;
    }
    ready.push(record);
    if (onExtraCells && header.extraIndexes.length > 0) extras.push(extraCells(header, cells));
  });
  function* drain(): Generator<EmailRecord> {
    const batch = ready;
    const cells = extras;
    ready = [];
    extras = [];
    for (let k = 0; k < batch.length; k++) {
      if (cells.length > 0) onExtraCells?.(cells[k]);
      report.rows++;
      yield batch[k];
    }
  }
  for await (const chunk of chunksOf(bytes)) {
    throwIfAborted(signal);
    reader.push(chunk);
    yield* drain();
  }
  throwIfAborted(signal);
  try {
    reader.end();
  } catch (error) {
    // The file ends inside a quoted cell: that last row is cut short; the ones before it are whole.
    if (!(error instanceof BouncerError) || !header) throw error;
    countMalformed(report, dataRows + 1);
  }
  if (!header) throw new NotBouncerResultsError('empty', 'The file has no header line.');
  yield* drain();
}

/** Enough records to tell Bouncer results from another array of objects. */
const SNIFF_RECORDS = 1000;

async function* jsonRecords(
  bytes: FileBytes,
  report: FileReadReport,
  { signal }: ReadFileOptions,
): AsyncGenerator<EmailRecord> {
  let seen = 0;
  let decided = false;
  try {
    for await (const batch of jsonBatches(bytes, signal)) {
      throwIfAborted(signal);
      if (!decided) {
        const sample = batch.slice(0, SNIFF_RECORDS);
        if (!sample.some(hasEmail)) {
          throw new NotBouncerResultsError('noEmailField', 'None of the first records has an email field.');
        }
        decided = true;
      }
      for (let k = 0; k < batch.length; k++) {
        seen++;
        const record = batch[k];
        if (!hasEmail(record)) {
          countMalformed(report, seen);
          continue;
        }
        report.rows++;
        yield record;
      }
    }
  } catch (error) {
    // Not an array at all (an object, HTML, nothing): another kind of file, not a damaged one.
    if (error instanceof BouncerError && error.kind === 'invalidBody' && seen === 0) {
      throw new NotBouncerResultsError('notArray', error.message);
    }
    throw error;
  }
}

function hasEmail(record: unknown): record is EmailRecord {
  return isObject(record) && typeof record.email === 'string' && record.email !== '';
}

function jsonBatches(bytes: FileBytes, signal: AbortSignal | undefined): AsyncIterable<readonly unknown[]> {
  // A local file takes the cache's reader, with its shortcut for compact arrays.
  if ('path' in bytes) return readRecords(bytes.path, { signal })[RECORD_BATCHES]();
  return splitChunks(bytes.chunks());
}

async function* splitChunks(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<readonly unknown[]> {
  let parsed: unknown[] = [];
  const splitter = new RecordSplitter((region, bounds, firstIndex) => {
    parsed = parseRegion(region, bounds, firstIndex);
  });
  for await (const chunk of chunks) {
    splitter.push(chunk);
    const batch = parsed;
    parsed = [];
    if (batch.length > 0) yield batch;
  }
  splitter.end();
  if (parsed.length > 0) yield parsed;
}

/** Hands out a byte array in chunks, so a document already in memory goes through the same readers. */
export async function* inChunks(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += READ_CHUNK_BYTES) yield bytes.subarray(at, at + READ_CHUNK_BYTES);
}
