import { openAtomicWriter } from './atomicFile';
import { csvHeaderLine, recordToCsvRow } from './csvFormat';
import { BouncerError } from './errors';
import type { EmailRecord } from './records';

/** Rows are gathered into strings of about this many characters before each write. */
const FLUSH_CHARS = 1 << 20;

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
  const rowOptions = { hasName: opts.hasName, neutralizeFormulas: opts.neutralizeFormulas };
  const writer = await openAtomicWriter(destPath);
  let rows = 0;
  let pending = csvHeaderLine(opts.hasName);
  try {
    if (isAsyncIterable(records)) {
      for await (const record of records) {
        pending += recordToCsvRow(record, rowOptions);
        rows++;
        if (pending.length >= FLUSH_CHARS) {
          throwIfAborted(signal);
          await writer.write(pending);
          pending = '';
        }
      }
    } else {
      // No `for await` here: awaiting each element of a plain array costs a microtask per row.
      for (const record of records) {
        pending += recordToCsvRow(record, rowOptions);
        rows++;
        if (pending.length >= FLUSH_CHARS) {
          throwIfAborted(signal);
          await writer.write(pending);
          pending = '';
        }
      }
    }
    throwIfAborted(signal);
    await writer.write(pending);
    await writer.commit();
  } catch (error) {
    await writer.abort();
    throw error;
  }
  return { rows, bytes: writer.bytes };
}

function isAsyncIterable<T>(value: AsyncIterable<T> | Iterable<T>): value is AsyncIterable<T> {
  return typeof (value as Partial<AsyncIterable<T>>)[Symbol.asyncIterator] === 'function';
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new BouncerError('cancelled', 'Writing the CSV file was cancelled.');
}
