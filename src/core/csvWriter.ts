import { openAtomicWriter } from './atomicFile';
import { CsvRowEncoder, csvHeaderLine } from './csvFormat';
import { BouncerError } from './errors';
import { RECORD_BATCHES, type RecordStream } from './readRecords';
import type { EmailRecord } from './records';

/** Rows are gathered into about this many bytes before each write. */
const FLUSH_BYTES = 1 << 20;

/**
 * Writes records as an RFC 4180 CSV file (header first, CRLF line ends, see `csvFormat`), atomically:
 * into a temporary file that replaces `destPath` only when every row is written. Accepts a plain
 * array, any iterable, or an async iterable such as `readRecords`. An aborted `signal` throws
 * `BouncerError('cancelled')` and leaves `destPath` as it was.
 */
export async function writeCsv(
  records: AsyncIterable<EmailRecord> | Iterable<EmailRecord>,
  destPath: string,
  opts: { hasName: boolean; neutralizeFormulas: boolean; signal?: AbortSignal },
): Promise<{ rows: number; bytes: number }> {
  const { signal } = opts;
  throwIfAborted(signal);
  const writer = await openAtomicWriter(destPath);
  // Rows go straight into bytes; while one buffer is being written the next rows fill the other.
  const encoder = new CsvRowEncoder(
    { hasName: opts.hasName, neutralizeFormulas: opts.neutralizeFormulas },
    FLUSH_BYTES + (1 << 16),
  );
  encoder.appendAscii(csvHeaderLine(opts.hasName));
  let writing: Promise<void> | undefined;
  const flush = async (): Promise<void> => {
    throwIfAborted(signal);
    // The encoder reuses the buffer being written at the next `take`: wait for that write first.
    if (writing) await writing;
    writing = writer.write(encoder.take());
    // Awaited at the next flush; until then a failure must not count as unhandled.
    writing.catch(() => undefined);
  };
  let rows = 0;
  try {
    if (hasBatches(records)) {
      // From readRecords: a region's records at a time, without an async step per record.
      for await (const batch of records[RECORD_BATCHES]()) {
        for (let k = 0; k < batch.length; k++) encoder.appendRecord(batch[k]);
        rows += batch.length;
        if (encoder.length >= FLUSH_BYTES) await flush();
      }
    } else if (isAsyncIterable(records)) {
      for await (const record of records) {
        encoder.appendRecord(record);
        rows++;
        if (encoder.length >= FLUSH_BYTES) await flush();
      }
    } else {
      // No `for await` here: awaiting each element of a plain array costs a microtask per row.
      for (const record of records) {
        encoder.appendRecord(record);
        rows++;
        if (encoder.length >= FLUSH_BYTES) await flush();
      }
    }
    await flush();
    await writing;
    await writer.commit();
  } catch (error) {
    // Let a write in flight settle before the handle is closed under it.
    await writing?.catch(() => undefined);
    await writer.abort();
    throw error;
  }
  return { rows, bytes: writer.bytes };
}

function hasBatches(value: AsyncIterable<EmailRecord> | Iterable<EmailRecord>): value is RecordStream {
  return typeof (value as Partial<RecordStream>)[RECORD_BATCHES] === 'function';
}

function isAsyncIterable<T>(value: AsyncIterable<T> | Iterable<T>): value is AsyncIterable<T> {
  return typeof (value as Partial<AsyncIterable<T>>)[Symbol.asyncIterator] === 'function';
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new BouncerError('cancelled', 'Writing the CSV file was cancelled.');
}
