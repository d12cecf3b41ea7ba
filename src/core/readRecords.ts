import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { concatBytes, isJsonWhitespace } from './bytes';
import { BouncerError } from './errors';
import { parseRegion, tryParseObjects } from './parseRegion';
import type { EmailRecord } from './records';
import { RecordSplitter } from './recordSplitter';

/**
 * Chunk size for reading a cache file: large enough that per-chunk overhead vanishes, small enough to
 * stay lean. At 1 MiB a region's text is big enough for Node to keep it outside the V8 heap, where
 * it is reclaimed late: the 1M-row CSV conversion then peaked about 100 MB higher than at 512 KiB.
 */
const READ_CHUNK_BYTES = 1 << 19;

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
/** The UTF-8 byte order mark, which ingest tolerates before the array and `JSON.parse` does not. */
const UTF8_BOM = [0xef, 0xbb, 0xbf] as const;

function bomLength(bytes: Uint8Array): number {
  return bytes[0] === UTF8_BOM[0] && bytes[1] === UTF8_BOM[1] && bytes[2] === UTF8_BOM[2] ? UTF8_BOM.length : 0;
}

/** Bytes at the start of a cache file that come before the array: a UTF-8 BOM, then JSON whitespace. */
function leadingBytes(bytes: Uint8Array): number {
  let at = bomLength(bytes);
  while (at < bytes.length && isJsonWhitespace(bytes[at])) at++;
  return at;
}

/**
 * The whole text of a cached JSON download, for views that take it in one piece (the JSON tab).
 * Every view reads the cache through this module, so whatever ingest accepted (a BOM, whitespace
 * around the array, compact or pretty) opens everywhere: the BOM is dropped here, because
 * `JSON.parse` refuses it and `Buffer#toString` keeps it.
 */
export async function readResultsText(path: string): Promise<string> {
  const bytes = await readFile(path);
  return bytes.toString('utf8', bomLength(bytes));
}

/**
 * Present on what `readRecords` returns: the same records a parsed region (thousands of records) at
 * a time, for consumers of a million records such as `writeCsv`, which would otherwise pay an
 * async-iterator step per record. Use either this or the record iterator, not both.
 */
export const RECORD_BATCHES: unique symbol = Symbol('recordBatches');

/** What `readRecords` returns: an async iterable of records that can also hand them out in batches. */
export interface RecordStream extends AsyncIterable<EmailRecord> {
  [RECORD_BATCHES](): AsyncIterable<readonly EmailRecord[]>;
}

/**
 * Streams the records of a cached JSON download (as written by `ingestJson`) without ever holding the
 * file as one string: the file is read in 512 KiB chunks, split into elements and parsed a chunk at a
 * time. Records are not re-checked against the schema (ingest did that); a damaged file still throws
 * `BouncerError('invalidBody')`, and an aborted `signal` throws `BouncerError('cancelled')`.
 */
export function readRecords(path: string, opts: { signal?: AbortSignal } = {}): RecordStream {
  const records = generateRecords(path, opts.signal) as AsyncGenerator<EmailRecord> & Partial<RecordStream>;
  records[RECORD_BATCHES] = () => generateBatches(path, opts.signal);
  return records as AsyncGenerator<EmailRecord> & RecordStream;
}

async function* generateRecords(path: string, signal: AbortSignal | undefined): AsyncGenerator<EmailRecord> {
  for await (const batch of generateBatches(path, signal)) {
    for (let k = 0; k < batch.length; k++) {
      throwIfAborted(signal);
      yield batch[k];
    }
  }
}

async function* generateBatches(path: string, signal: AbortSignal | undefined): AsyncGenerator<readonly EmailRecord[]> {
  let yielded = 0;
  let complete = false;
  const fast = compactBatches(path);
  try {
    for (;;) {
      throwIfAborted(signal);
      const step = await fast.next();
      if (step.done) {
        complete = step.value;
        break;
      }
      yielded += step.value.length;
      yield step.value as EmailRecord[];
    }
  } finally {
    // Reached also when the consumer stops early (break/return): release the file at once.
    await fast.return(false);
  }
  // Anything the shortcut does not vouch for is read again the careful way, which also says exactly
  // what is wrong with a damaged file; the records already handed out are skipped.
  if (!complete) yield* splitBatches(path, signal, yielded);
}

/**
 * The shortcut for the compact arrays the API sends and ingest stores byte for byte (`[{…},{…}]`):
 * each chunk is cut after its last `},{` instead of being walked byte by byte, and the bytes before
 * the cut are parsed in one go. A wrong cut (a `},{` inside a string or a nested array) leaves text
 * that is not a list of JSON values, so parsing fails rather than returning wrong records. Returns
 * true when it read the whole file; false, with no further batches, at anything it does not vouch
 * for: another layout, a parse failure, a missing end, two chunks without a cut.
 */
async function* compactBatches(path: string): AsyncGenerator<unknown[], boolean> {
  const stream = createReadStream(path, { highWaterMark: READ_CHUNK_BYTES });
  // Bytes of the elements after the last cut. The stream hands out a fresh buffer per read, so
  // whole chunks are kept by reference; tails are copied so a chunk is not pinned by its last bytes.
  let pending: Uint8Array[] = [];
  let pendingLength = 0;
  let started = false;
  try {
    for await (const data of stream) {
      const chunk = data as Buffer;
      let from = 0;
      if (!started) {
        // A BOM or whitespace before the array is allowed here too, so such files keep the fast path.
        const start = leadingBytes(chunk);
        if (chunk.length < start + 2 || chunk[start] !== OPEN_BRACKET || chunk[start + 1] !== OPEN_BRACE) return false;
        started = true;
        from = start + 1;
      }
      const cut = lastElementEnd(chunk, from);
      if (cut < 0) {
        pending.push(chunk.subarray(from));
        pendingLength += chunk.length - from;
        // No `},{` in two chunks: not the compact layout (or a giant record); keep memory flat.
        if (pendingLength > 2 * READ_CHUNK_BYTES) return false;
        continue;
      }
      const batch = tryParseObjects(framed(pending, pendingLength, chunk.subarray(from, cut + 1)));
      if (batch === undefined) return false;
      const tail = chunk.slice(cut + 2);
      pending = [new Uint8Array(tail)];
      pendingLength = tail.length;
      yield batch;
    }
    if (!started) return false;
    // What is left is the last elements, the closing `]` and whitespace.
    const rest = concatBytes(pending, pendingLength);
    let end = rest.length;
    while (end > 0 && isJsonWhitespace(rest[end - 1])) end--;
    if (end === 0 || rest[end - 1] !== CLOSE_BRACKET) return false;
    const batch = tryParseObjects(framed([rest.subarray(0, end - 1)], end - 1));
    if (batch === undefined) return false;
    yield batch;
    return true;
  } finally {
    stream.destroy();
  }
}

/** The index of the `}` of the last `},{` at or after `from`, or -1. Scans back from the end: about one record. */
function lastElementEnd(chunk: Uint8Array, from: number): number {
  for (let i = chunk.length - 3; i >= from; i--) {
    if (chunk[i] === CLOSE_BRACE && chunk[i + 1] === COMMA && chunk[i + 2] === OPEN_BRACE) return i;
  }
  return -1;
}

/** The careful reader: `RecordSplitter` walks every byte and names what is wrong. */
async function* splitBatches(
  path: string,
  signal: AbortSignal | undefined,
  skip: number,
): AsyncGenerator<readonly EmailRecord[]> {
  let parsed: unknown[] = [];
  const splitter = new RecordSplitter((region, bounds, firstIndex) => {
    parsed = parseRegion(region, bounds, firstIndex);
  });
  const stream = createReadStream(path, { highWaterMark: READ_CHUNK_BYTES });
  try {
    for await (const chunk of stream) {
      throwIfAborted(signal);
      splitter.push(chunk as Buffer);
      let batch = parsed;
      parsed = [];
      if (skip > 0) {
        const skipped = Math.min(skip, batch.length);
        batch = batch.slice(skipped);
        skip -= skipped;
      }
      if (batch.length > 0) yield batch as EmailRecord[];
    }
    throwIfAborted(signal);
    splitter.end();
  } finally {
    stream.destroy();
  }
}

/** `[`, the pieces, then `]`: a JSON array text as bytes, so the decoded text needs no concatenation. */
function framed(pieces: readonly Uint8Array[], length: number, tail?: Uint8Array): Uint8Array {
  const out = new Uint8Array(length + (tail?.length ?? 0) + 2);
  out[0] = OPEN_BRACKET;
  let at = 1;
  for (const piece of pieces) {
    out.set(piece, at);
    at += piece.length;
  }
  if (tail) out.set(tail, at);
  out[out.length - 1] = CLOSE_BRACKET;
  return out;
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new BouncerError('cancelled', 'Reading the results was cancelled.');
}
