import { untilAborted } from './abortable';
import { concatBytes } from './bytes';
import { openAtomicWriter, PART_SUFFIX, tempPathFor } from './atomicFile';
import { CsvReader } from './csvReader';
import { BouncerError } from './errors';
import {
  describeStructureProblem,
  MAX_ODD_EXAMPLES,
  oddFields,
  type OddRecords,
  structureProblem,
} from './recordSchema';
import { describeNotArray, RecordSplitter } from './recordSplitter';
import { parseRegion } from './parseRegion';
import { StatusCounts } from './statusCounts';

/** Reported after each chunk of the body is written and checked. */
export interface IngestProgress {
  bytes: number;
  records: number;
}

/**
 * What a completed download found. The cache's seal keeps its bytes and records, the history its
 * bytes, records and counts.
 */
export interface DownloadSummary {
  bytes: number;
  /** JSON: array elements. CSV: data rows (the header is excluded, blank lines are not rows). */
  records: number;
  /**
   * Records per `status` value, including values the spec does not list; bounded and without a
   * prototype, as `StatusCounts` makes it. Absent for a CSV whose header has no `status` column.
   */
  counts?: Record<string, number>;
  /** Whether any record has a `name` (then CSV output gets a `name` column); JSON only. */
  hasName?: boolean;
  /** Records that are kept but differ from the spec (see `oddFields`); JSON only. */
  odd?: OddRecords;
}

export interface IngestOptions {
  signal?: AbortSignal;
  onProgress?: (progress: IngestProgress) => void;
  /**
   * Where the bytes go until they are complete; the owner of `destPath` names it (the cache does,
   * see `cacheLayout.ts`). Default: a fresh `.part` name beside `destPath`.
   */
  tempPath?: string;
  /**
   * JSON only: each run of records once parsed and checked, in file order (`firstIndex` is the index
   * of the first), so a caller can build its own view of them while the body still streams instead
   * of parsing the file again afterwards. Records reported here may still belong to a download that
   * fails later; only the resolved promise says the body was complete.
   */
  onRecords?: (records: readonly unknown[], firstIndex: number) => void;
}

/**
 * Streams a JSON download into `destPath`, checking it on the way: the body must be one JSON array
 * (BOM and surrounding whitespace tolerated) whose every element parses and passes `structureProblem`.
 * Records that differ from the spec otherwise (a `null`, a numeric string, an unknown enum value) are
 * kept as sent and counted in `odd`: the real API is not held to its schema.
 * Bytes are written to a temporary file of its own (`tempPath`) as they arrive and renamed over
 * `destPath` only when the array closed and everything checked out; on any failure the temporary
 * file is deleted and a previous `destPath` is left as it was.
 *
 * Throws `BouncerError('invalidBody')` for a body that is not such an array (naming the record index
 * and the reason for a bad record), `BouncerError('cancelled')` when `signal` aborts, and rethrows
 * errors from the body iterator itself (e.g. `network`, `timeout`) unchanged.
 */
export async function ingestJson(
  body: AsyncIterable<Uint8Array>,
  destPath: string,
  opts: IngestOptions = {},
): Promise<Required<DownloadSummary>> {
  const counts = new StatusCounts();
  const odd: OddRecords = { records: 0, examples: [] };
  let hasName = false;
  const splitter = new RecordSplitter((region, bounds, firstIndex) => {
    const records = parseRegion(region, bounds, firstIndex);
    for (let k = 0; k < records.length; k++) {
      const record = records[k] as { status: string; name?: unknown };
      const problem = structureProblem(record);
      if (problem !== undefined) {
        throw new BouncerError(
          'invalidBody',
          `Record ${firstIndex + k} is not an email result: ${describeStructureProblem(problem)}.`,
          { reason: { code: 'recordNotResult', record: firstIndex + k, ...problem } },
        );
      }
      const fields = oddFields(record);
      if (fields.length > 0) {
        odd.records++;
        for (const field of fields.slice(0, MAX_ODD_EXAMPLES - odd.examples.length)) {
          odd.examples.push({ record: firstIndex + k, ...field });
        }
      }
      counts.add(record.status);
      if (record.name !== undefined && record.name !== null) hasName = true;
    }
    opts.onRecords?.(records, firstIndex);
  });

  await pump(body, destPath, opts, {
    push: (chunk) => splitter.push(chunk),
    end: () => splitter.end(),
    progress: () => ({ bytes: splitter.bytes, records: splitter.records }),
  });
  return { bytes: splitter.bytes, records: splitter.records, counts: counts.toObject(), hasName, odd };
}

/**
 * Streams a CSV download into `destPath` byte for byte (the server's CSV is kept exactly as sent),
 * with the same temporary-file-then-rename handling as {@link ingestJson}, reading it on the way with the
 * streaming CSV reader to count rows per status. The column order is not documented, so `status` is
 * found by name in the header. A body that is empty, HTML, JSON, or ends inside a quoted field
 * throws `BouncerError('invalidBody')`.
 */
export async function ingestCsv(
  body: AsyncIterable<Uint8Array>,
  destPath: string,
  opts: IngestOptions = {},
): Promise<DownloadSummary> {
  const counter = new CsvStatusCounter();
  await pump(body, destPath, opts, {
    push: (chunk) => counter.push(chunk),
    end: () => counter.end(),
    progress: () => ({ bytes: counter.bytes, records: counter.records }),
  });
  return counter.summary();
}

interface BodyCheck {
  push(chunk: Uint8Array): void;
  end(): void;
  progress(): IngestProgress;
}

/**
 * Copies the body to a temporary file while `check` inspects it, then commits or cleans up. The name
 * is unique to this download, so another process downloading the same file never writes into it.
 */
async function pump(
  body: AsyncIterable<Uint8Array>,
  destPath: string,
  { signal, onProgress, tempPath = tempPathFor(destPath, PART_SUFFIX) }: IngestOptions,
  check: BodyCheck,
): Promise<void> {
  if (signal?.aborted) throw cancelled();
  const writer = await openAtomicWriter(destPath, tempPath);
  const iterator = body[Symbol.asyncIterator]();
  let finished = false;
  try {
    for (;;) {
      // A body that ignores the abort must not hold the cancel up; the catch below names it.
      const next = await (signal ? untilAborted(iterator.next(), signal) : iterator.next());
      if (next.done) {
        finished = true;
        break;
      }
      const chunk = next.value;
      // Let the disk write run while the chunk is checked; both must succeed before the next chunk.
      const written = writer.write(chunk);
      try {
        check.push(chunk);
      } catch (error) {
        await written.catch(() => undefined);
        throw error;
      }
      await written;
      onProgress?.(check.progress());
    }
    if (signal?.aborted) throw cancelled();
    check.end();
    await writer.commit();
  } catch (error) {
    await writer.abort();
    // Stop the download when we are the ones giving up; a body that already failed needs nothing.
    if (!finished) {
      try {
        void Promise.resolve(iterator.return?.()).catch(() => undefined);
      } catch {
        // A body that cannot be stopped is simply dropped.
      }
    }
    if (error instanceof BouncerError) throw error;
    if (signal?.aborted) throw cancelled(error);
    throw error;
  }
}

function cancelled(cause?: unknown): BouncerError {
  return new BouncerError('cancelled', 'The download was cancelled.', { cause });
}

const SNIFF_BYTES = 4096;

/**
 * Reads a streamed CSV body: counts data rows per `status` and refuses bodies that are plainly not
 * CSV (HTML, JSON, an error object) or hold no header at all.
 */
class CsvStatusCounter {
  private readonly reader = new CsvReader((cells) => this.row(cells));
  private hasHeader = false;
  /** Column of `status` in the header; -1 when there is none. */
  private statusColumn = -1;
  private readonly counts = new StatusCounts();
  private dataRows = 0;
  /** Undecided until the first byte that is not BOM or whitespace: is this CSV at all? */
  private verdict: 'undecided' | 'csv' | 'notCsv' = 'undecided';
  private sniff: Uint8Array[] = [];
  private sniffLength = 0;

  get bytes(): number {
    return this.reader.bytes;
  }

  get records(): number {
    return this.dataRows;
  }

  push(chunk: Uint8Array): void {
    if (this.verdict !== 'csv') {
      this.keepSniff(chunk);
      if (this.verdict === 'notCsv') {
        this.reader.bytes += chunk.length;
        return;
      }
    }
    this.reader.push(chunk);
  }

  end(): void {
    if (this.verdict === 'notCsv') throw this.notCsv();
    this.reader.end();
    if (!this.hasHeader) {
      throw new BouncerError(
        'invalidBody',
        this.bytes === 0
          ? 'The server sent an empty CSV file, with no header line. Try again, or open the batch as JSON.'
          : 'The server sent a CSV file of blank space, with no header line. Try again, or open the batch as JSON.',
        { reason: { code: 'bodyEmpty', format: 'csv', blank: this.bytes !== 0 } },
      );
    }
  }

  summary(): DownloadSummary {
    const summary: DownloadSummary = { bytes: this.bytes, records: this.records };
    if (this.statusColumn >= 0) summary.counts = this.counts.toObject();
    return summary;
  }

  private row(cells: string[]): void {
    if (!this.hasHeader) {
      // Lines of blank space before the header are not rows of anything.
      if (cells.every((cell) => cell.trim() === '')) return;
      this.hasHeader = true;
      this.statusColumn = cells.findIndex((name) => name.trim().toLowerCase() === 'status');
      return;
    }
    this.dataRows++;
    if (this.statusColumn < 0) return;
    const status = cells[this.statusColumn];
    // A row too short to reach the column has no status to count; it still counts as a record.
    if (status === undefined || status === '') return;
    this.counts.add(status);
  }

  private keepSniff(chunk: Uint8Array): void {
    const piece = chunk.slice(0, SNIFF_BYTES - this.sniffLength);
    this.sniff.push(piece);
    this.sniffLength += piece.length;
    if (this.verdict === 'undecided') {
      const text = new TextDecoder().decode(concatBytes(this.sniff, this.sniffLength)).replace(/^\uFEFF/, '');
      const first = text.trimStart()[0];
      if (first !== undefined) this.verdict = first === '<' || first === '{' || first === '[' ? 'notCsv' : 'csv';
      // Kilobytes of nothing but whitespace: not worth re-reading on every chunk; let the reader decide.
      else if (this.sniffLength >= SNIFF_BYTES) this.verdict = 'csv';
    }
    if (this.verdict === 'notCsv' && this.sniffLength >= SNIFF_BYTES) throw this.notCsv();
  }
  private notCsv(): BouncerError {
    const start = concatBytes(this.sniff, this.sniffLength);
    const text = new TextDecoder()
      .decode(start)
      .replace(/^\uFEFF/, '')
      .trimStart();
    if (text.startsWith('[')) {
      return new BouncerError('invalidBody', 'The server sent JSON where CSV was expected.', {
        reason: { code: 'bodyNotExpected', found: 'json', expected: 'csv' },
      });
    }
    return describeNotArray(start, 'csv');
  }
}
