/**
 * Writing a batch's results back into the list they came from: the source's rows, untouched and in
 * order, with result columns appended; or, for a plain list of addresses, the deliverable ones.
 * Pure: the host reads the source and the cached results and writes what this yields.
 */
import * as path from 'node:path';
import { findEmailColumn, looksLikeEmail } from './emailColumn';
import { BouncerError } from './errors';
import { BOM, detectDelimiter, encodeCell, parseCells, rawRecordsOf, type RawRecord } from './rawCsv';
import { COLUMN_DEFS, flatValue, type FlatColumn } from './recordColumns';
import type { EmailRecord } from './records';

/** The result columns added when the caller names none. */
export const DEFAULT_WRITE_BACK_COLUMNS: readonly FlatColumn[] = ['status', 'reason', 'score'];

/** Column names an unknown one is answered with, to show the form they take (a nested one too). */
const COLUMN_EXAMPLES: readonly FlatColumn[] = ['status', 'reason', 'score', 'domain.name'];

/**
 * What the status column says for a row Bouncer gave no result for. None of them is a Bouncer
 * status, so a filter on the column tells them apart from results.
 */
export const NOT_VERIFIED = {
  /** The row's address appeared on an earlier row, which carries the result. */
  duplicate: 'duplicate',
  /** The email cell holds something that is not an address. */
  invalid: 'invalid',
  /** The email cell is empty. */
  missing: 'missing',
  /** An address the batch has no result for (finished early, another part, another list). */
  absent: 'not verified',
} as const;

/** Rows per outcome, for the message the user sees after writing. */
export interface WriteBackSummary {
  rows: number;
  verified: number;
  duplicates: number;
  invalid: number;
  missing: number;
  notVerified: number;
  /** Data rows in the output (all rows, or the deliverable ones). */
  written: number;
}

export interface CsvWriteBackOptions {
  /** Result columns to append, by column id; `status` is added first when left out. */
  columns: readonly FlatColumn[];
  /** As `bouncer.csv.neutralizeFormulas` says: applies to the new cells only. */
  neutralizeFormulas: boolean;
  /** Only the header and the rows whose address is deliverable. */
  onlyDeliverable?: boolean;
}

/** Results by address, compared the way Bouncer dedupes: trimmed and case-insensitive. */
export type ResultsIndex = ReadonlyMap<string, EmailRecord>;

/** The key an address is joined on. */
export function emailKey(email: string): string {
  return email.trim().toLowerCase();
}

/** Indexes a batch's records by address; the first record of an address wins. */
export async function indexResults(records: AsyncIterable<EmailRecord>): Promise<ResultsIndex> {
  const index = new Map<string, EmailRecord>();
  for await (const record of records) {
    if (typeof record.email !== 'string') continue;
    const key = emailKey(record.email);
    if (!index.has(key)) index.set(key, record);
  }
  return index;
}

/** Checks column ids from outside (a command argument) against the column table. */
export function parseWriteBackColumns(value: unknown): FlatColumn[] {
  if (value === undefined) return [...DEFAULT_WRITE_BACK_COLUMNS];
  if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'string')) {
    throw new BouncerError('invalidArgument', '"columns" must be a non-empty list of result column names.', {
      reason: { code: 'argColumnsNotList' },
    });
  }
  const unknown = value.filter((id) => !Object.prototype.hasOwnProperty.call(COLUMN_DEFS, id));
  if (unknown.length > 0) {
    throw new BouncerError(
      'invalidArgument',
      `Unknown result column ${unknown.map((id) => `"${id}"`).join(', ')}; use names such as ${COLUMN_EXAMPLES.join(', ')}.`,
      { reason: { code: 'argUnknownColumns', unknown, examples: COLUMN_EXAMPLES } },
    );
  }
  return [...new Set(value as FlatColumn[])];
}

export function emptySummary(): WriteBackSummary {
  return { rows: 0, verified: 0, duplicates: 0, invalid: 0, missing: 0, notVerified: 0, written: 0 };
}

/**
 * The source CSV with result columns appended, as text chunks in order. The source comes as text
 * chunks too (a file streamed, or the editor's text as one chunk), so neither side has to hold a
 * large file whole. Every original record keeps its raw text (quoting, spacing) and line end; the
 * new header cells and values use the source's delimiter, and a BOM stays. A row shorter than the
 * header is padded with empty cells so the new values land under their headers; blank lines pass
 * through. `summary` is filled as the chunks are taken.
 * @throws BouncerError('invalidArgument') when the file is empty or no column holds addresses.
 */
export async function* joinCsv(
  source: AsyncIterable<string> | Iterable<string>,
  results: ResultsIndex,
  options: CsvWriteBackOptions,
  summary: WriteBackSummary = emptySummary(),
): AsyncGenerator<string> {
  // Taken one `next()` at a time: a `for` loop that breaks would close the reader for good.
  const batches = rawRecordsOf(source);
  let batch: RawRecord[] = [];
  let taken = 0;
  const nextRecord = async (): Promise<RawRecord | undefined> => {
    while (taken >= batch.length) {
      const next = await batches.next();
      if (next.done) return undefined;
      batch = next.value;
      taken = 0;
    }
    return batch[taken++];
  };
  const first = await nextRecord();
  const hasBom = first !== undefined && first.raw.startsWith(BOM);
  const headerRaw = first === undefined ? '' : hasBom ? first.raw.slice(BOM.length) : first.raw;
  if (first === undefined || headerRaw.trim() === '') {
    throw new BouncerError('invalidArgument', 'The file is empty or its first line (the header) is blank.', {
      reason: { code: 'writeBackNoHeader' },
    });
  }
  const delimiter = detectDelimiter(headerRaw);
  const headerCells = parseCells(headerRaw, delimiter);
  const sample: string[][] = [];
  // Sampling needs rows before the output starts; they are kept and written from memory.
  const buffered: RawRecord[] = [];
  let emailColumn = findEmailColumn(headerCells);
  while (emailColumn < 0 && sample.length < 50) {
    const record = await nextRecord();
    if (record === undefined) break;
    buffered.push(record);
    if (record.raw !== '') sample.push(parseCells(record.raw, delimiter));
  }
  if (emailColumn < 0) emailColumn = findEmailColumn(headerCells, sample);
  if (emailColumn < 0) {
    throw new BouncerError(
      'invalidArgument',
      'No column of the file holds email addresses. Name the column "email" in the header line and try again.',
      { reason: { code: 'writeBackNoEmailColumn' } },
    );
  }
  const columns: FlatColumn[] = options.columns.includes('status')
    ? [...options.columns]
    : ['status', ...options.columns];
  const named = new Set(headerCells.map((cell) => cell.trim().toLowerCase()));
  const names = columns.map((id) => (named.has(id.toLowerCase()) ? `bouncer.${id}` : id));
  // A file without any line end gets LF after its header, the commonest choice.
  const eol = first.eol || '\n';
  const cell = (value: string | number | undefined) => encodeCell(value, delimiter, options.neutralizeFormulas);

  yield `${hasBom ? BOM : ''}${headerRaw}${delimiter}${names.map(cell).join(delimiter)}${eol}`;
  const seen = new Set<string>();
  /** The output line of one record, or undefined when it is left out. */
  const line = (record: RawRecord): string | undefined => {
    if (record.raw === '') return options.onlyDeliverable ? undefined : record.eol;
    summary.rows++;
    const cells = parseCells(record.raw, delimiter);
    const address = (cells[emailColumn] ?? '').trim();
    const key = emailKey(address);
    let result: EmailRecord | undefined;
    let marker: string | undefined;
    if (address === '') {
      marker = NOT_VERIFIED.missing;
      summary.missing++;
    } else if (!looksLikeEmail(address)) {
      marker = NOT_VERIFIED.invalid;
      summary.invalid++;
    } else if (seen.has(key)) {
      marker = NOT_VERIFIED.duplicate;
      summary.duplicates++;
    } else {
      seen.add(key);
      result = results.get(key);
      if (result) summary.verified++;
      else {
        marker = NOT_VERIFIED.absent;
        summary.notVerified++;
      }
    }
    if (options.onlyDeliverable && result?.status !== 'deliverable') return undefined;
    const values = columns.map((id) => (result ? flatValue(result, id) : id === 'status' ? marker : undefined));
    const padding = delimiter.repeat(Math.max(0, headerCells.length - cells.length));
    summary.written++;
    return `${record.raw}${padding}${delimiter}${values.map(cell).join(delimiter)}${record.eol}`;
  };
  /** One output chunk per batch of records read. */
  const lines = (records: readonly RawRecord[]): string => {
    const out: string[] = [];
    for (const record of records) {
      const text = line(record);
      if (text !== undefined) out.push(text);
    }
    return out.join('');
  };
  yield lines([...buffered, ...batch.slice(taken)]);
  for await (const records of batches) yield lines(records);
}

/**
 * The deliverable addresses of a plain list (text, or anything else that is not CSV), one per
 * line, in the source's order, each once, with the source's line end.
 */
export function deliverableAddresses(
  text: string,
  results: ResultsIndex,
  summary: WriteBackSummary = emptySummary(),
): string {
  const eol = /\r\n|\n|\r/.exec(text)?.[0] ?? '\n';
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const address of addressesIn(text)) {
    const key = emailKey(address);
    summary.rows++;
    if (seen.has(key)) {
      summary.duplicates++;
      continue;
    }
    seen.add(key);
    const result = results.get(key);
    if (!result) {
      summary.notVerified++;
      continue;
    }
    summary.verified++;
    if (result.status === 'deliverable') {
      lines.push(address);
      summary.written++;
    }
  }
  return lines.map((line) => `${line}${eol}`).join('');
}

/** Every address in a text, in order: one a line, or several found within a line. */
function* addressesIn(text: string): Generator<string> {
  for (const line of text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/)) {
    const trimmed = line.trim();
    if (looksLikeEmail(trimmed)) {
      yield trimmed;
      continue;
    }
    for (const match of trimmed.matchAll(/[^\s@"'<>,;:()[\]{}]+@[^\s@"'<>,;:()[\]{}]+\.[^\s@"'<>,;:()[\]{}.]+/g)) {
      if (looksLikeEmail(match[0])) yield match[0];
    }
  }
}

/** Whether a source is joined as CSV (by its extension) or read as a plain list of addresses. */
export function isCsvSource(sourcePath: string): boolean {
  return /\.(csv|tsv)$/i.test(sourcePath);
}

/**
 * Where the output goes: beside the source, `contacts.csv` → `contacts.verified.csv` (or
 * `contacts.deliverable.csv`); a plain list → `contacts.deliverable.txt`. Never the source itself:
 * the name always gains a part.
 */
export function writeBackPath(sourcePath: string, onlyDeliverable: boolean): string {
  const dir = path.dirname(sourcePath);
  const ext = path.extname(sourcePath);
  const base = path.basename(sourcePath, ext);
  if (!isCsvSource(sourcePath)) return path.join(dir, `${base}.deliverable.txt`);
  return path.join(dir, `${base}.${onlyDeliverable ? 'deliverable' : 'verified'}${ext}`);
}
