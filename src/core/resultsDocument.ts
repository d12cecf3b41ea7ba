/**
 * The text of a results document (the JSON and CSV tabs), made from the cached JSON records a
 * region at a time and handed out as bytes: the text never exists as one string, so a batch of any
 * size fits (V8 strings end near 512 MiB), and the cache file itself is never opened in an editor.
 */
import { CsvRowEncoder, csvHeaderLine } from './csvFormat';
import { RECORD_BATCHES, readRecords } from './readRecords';
import type { EmailRecord } from './records';
import type { ResultsFormat } from './resultsKey';

/**
 * Up to this size of cached JSON the JSON document is indented like `JSON.stringify(_, null, 2)`;
 * above it, one compact record per line. Indented text is about 1.45 times the size and 23 lines a
 * record: at 100,000 records that is 47 MB and 2.4 million lines for the editor to measure and fold,
 * against 100,000 lines one per line. 16 MiB is about 49,000 records (23 MB indented), a little
 * above what the untitled tabs before took (20 MB of indented text).
 */
export const PRETTY_JSON_LIMIT_BYTES = 16 * 1024 * 1024;

/** How the JSON document lays out its records. */
export type JsonLayout = 'indented' | 'recordPerLine';

export function jsonLayout(cachedBytes: number): JsonLayout {
  return cachedBytes <= PRETTY_JSON_LIMIT_BYTES ? 'indented' : 'recordPerLine';
}

/** Text is gathered into pieces of about this size before it is encoded. */
const PIECE_BYTES = 1 << 20;

export interface ResultsDocumentOptions {
  /** The JSON layout; see {@link jsonLayout}. */
  layout: JsonLayout;
  /** For CSV: a formula-looking cell gets a leading `'` (the `bouncer.csv.neutralizeFormulas` setting). */
  neutralizeFormulas: boolean;
  signal?: AbortSignal;
}

/**
 * The document's bytes (UTF-8) for a cached JSON file. Throws as `readRecords` does: a damaged
 * file is `BouncerError('invalidBody')`, an aborted `signal` `BouncerError('cancelled')`.
 */
export async function resultsDocumentBytes(
  cachePath: string,
  format: ResultsFormat,
  opts: ResultsDocumentOptions,
): Promise<Uint8Array> {
  const pieces = format === 'json' ? await jsonPieces(cachePath, opts) : await csvPieces(cachePath, opts);
  return joinPieces(pieces);
}

/**
 * `[`, the records, `]`. Indented, each record is `JSON.stringify(record, null, 2)` shifted in by
 * two spaces, which is exactly what indenting the whole array gives; one per line, a record is
 * `JSON.stringify(record)`. Either way the text is one valid JSON array.
 */
async function jsonPieces(cachePath: string, opts: ResultsDocumentOptions): Promise<Uint8Array[]> {
  const indented = opts.layout === 'indented';
  const pieces: Uint8Array[] = [];
  let text = '';
  let first = true;
  for await (const batch of readRecords(cachePath, { signal: opts.signal })[RECORD_BATCHES]()) {
    for (let k = 0; k < batch.length; k++) {
      const record = indented ? JSON.stringify(batch[k], null, 2).replace(/\n/g, '\n  ') : JSON.stringify(batch[k]);
      text += (first ? '[\n' : ',\n') + (indented ? '  ' : '') + record;
      first = false;
      if (text.length >= PIECE_BYTES) {
        pieces.push(Buffer.from(text, 'utf8'));
        text = '';
      }
    }
  }
  text += first ? '[]\n' : '\n]\n';
  pieces.push(Buffer.from(text, 'utf8'));
  return pieces;
}

/**
 * RFC 4180 CSV by the same encoder as every CSV export, in the column table's order. A `name`
 * column is added only when a record has a name, which is known only once one is met: the rows
 * are then encoded again with it (names are rare, so this second pass almost never runs).
 */
async function csvPieces(cachePath: string, opts: ResultsDocumentOptions): Promise<Uint8Array[]> {
  const withoutName = await encodeCsv(cachePath, false, opts);
  return withoutName ?? (await encodeCsv(cachePath, true, opts))!;
}

/** The CSV pieces, or undefined when `hasName` is false and a record has a name. */
async function encodeCsv(
  cachePath: string,
  hasName: boolean,
  opts: ResultsDocumentOptions,
): Promise<Uint8Array[] | undefined> {
  const encoder = new CsvRowEncoder({ hasName, neutralizeFormulas: opts.neutralizeFormulas }, PIECE_BYTES + (1 << 16));
  const pieces: Uint8Array[] = [];
  encoder.appendAscii(csvHeaderLine(hasName));
  for await (const batch of readRecords(cachePath, { signal: opts.signal })[RECORD_BATCHES]()) {
    for (let k = 0; k < batch.length; k++) {
      const record: EmailRecord = batch[k];
      if (!hasName && record.name !== undefined && record.name !== null) return undefined;
      encoder.appendRecord(record);
      // The encoder reuses its buffers: each piece is a copy.
      if (encoder.length >= PIECE_BYTES) pieces.push(encoder.take().slice());
    }
  }
  pieces.push(encoder.take().slice());
  return pieces;
}

function joinPieces(pieces: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const piece of pieces) length += piece.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const piece of pieces) {
    out.set(piece, at);
    at += piece.length;
  }
  return out;
}
