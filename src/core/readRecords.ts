import { createReadStream } from 'node:fs';
import { BouncerError } from './errors';
import { parseRegion } from './parseRegion';
import type { EmailRecord } from './records';
import { RecordSplitter } from './recordSplitter';

/** Chunk size for reading a cache file: large enough that per-chunk overhead vanishes, small enough to stay lean. */
const READ_CHUNK_BYTES = 1 << 20;

/**
 * Streams the records of a cached JSON download (as written by `ingestJson`) without ever holding the
 * file as one string: the file is read in 1 MiB chunks, split into elements and parsed a chunk at a
 * time. Records are not re-checked against the schema (ingest did that); a damaged file still throws
 * `BouncerError('invalidBody')`, and an aborted `signal` throws `BouncerError('cancelled')`.
 */
export function readRecords(path: string, opts: { signal?: AbortSignal } = {}): AsyncIterable<EmailRecord> {
  return generateRecords(path, opts.signal);
}

async function* generateRecords(path: string, signal: AbortSignal | undefined): AsyncGenerator<EmailRecord> {
  let parsed: unknown[] = [];
  const splitter = new RecordSplitter((region, bounds, firstIndex) => {
    parsed = parseRegion(region, bounds, firstIndex);
  });
  const stream = createReadStream(path, { highWaterMark: READ_CHUNK_BYTES });
  try {
    for await (const chunk of stream) {
      throwIfAborted(signal);
      splitter.push(chunk as Buffer);
      const batch = parsed;
      parsed = [];
      for (let k = 0; k < batch.length; k++) {
        throwIfAborted(signal);
        yield batch[k] as EmailRecord;
      }
    }
    throwIfAborted(signal);
    splitter.end();
  } finally {
    // Reached also when the consumer stops early (break/return): release the file at once.
    stream.destroy();
  }
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new BouncerError('cancelled', 'Reading the results was cancelled.');
}
