import { concatBytes, isJsonWhitespace } from './bytes';
import { BouncerError, type BodyExpected, type BodyFound, type BodySyntaxProblem } from './errors';
import { parseServerError } from './serverError';

/**
 * Receives the complete top-level elements found in one `push`.
 *
 * `region` holds those elements and the separators between them, so `'[' + decode(region) + ']'`
 * is a valid JSON array when every element is valid JSON. `bounds` holds `[start0, end0, start1,
 * end1, …]` byte offsets into `region`; `firstIndex` is the zero-based index of the first element
 * in the whole array. Both views are only valid during the call: the splitter reuses them.
 */
export type SplitSink = (region: Uint8Array, bounds: readonly number[], firstIndex: number) => void;

/** A single record above this size is refused rather than buffered: real records are under 1 kB. */
export const MAX_RECORD_BYTES = 32 * 1024 * 1024;

/** How much of a body that is not a JSON array is kept to say what it was (an error object, HTML…). */
const SNIFF_BYTES = 4096;

/**
 * How far into a body its first significant byte must appear. Leading whitespace is legal JSON, but a
 * server or proxy that sends it without end would otherwise be waited on (and, where the start is
 * kept for a replay, buffered) forever; no real results start this late.
 */
export const MAX_LEADING_BYTES = 64 * 1024;

/** The verdict on a body whose first {@link MAX_LEADING_BYTES} held nothing but whitespace. */
export function onlyWhitespaceError(): BouncerError {
  return new BouncerError(
    'invalidBody',
    `The server sent no results in the first ${MAX_LEADING_BYTES / 1024} KiB of the download, only whitespace.`,
    {
      detail: `no significant byte within ${MAX_LEADING_BYTES} bytes`,
      reason: { code: 'bodyOnlyWhitespace', kib: MAX_LEADING_BYTES / 1024 },
    },
  );
}

// Byte values the state machine looks at.
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;

const enum State {
  /** Before the array: BOM and whitespace allowed. */
  Start,
  /** Just after `[`: an element or `]`. */
  First,
  /** Inside an element, outside any string. */
  Element,
  /** Inside a string inside an element. */
  String,
  /** Just after a backslash inside a string. */
  Escape,
  /** After an element: `,` or `]`. */
  After,
  /** After a `,`: an element. */
  Next,
  /** After the closing `]`: whitespace only. */
  Done,
  /** The body does not start with `[`; its start is being kept to describe it. */
  NotArray,
}

/**
 * Splits a streamed JSON array (`[ {…}, {…} ]`) into its elements' byte ranges without parsing
 * them, so a caller can decode and `JSON.parse` records in batches and never holds the whole body.
 *
 * A byte-level state machine (depth, in-string, escape) runs over each chunk; an element split
 * across chunks is carried over. Scanning bytes is safe for UTF-8 because every byte of a
 * multi-byte sequence is ≥ 0x80 and so never looks like `"`, `\`, brackets or braces.
 *
 * It checks the array's own syntax (opening `[`, commas, closing `]`, nothing after it but
 * whitespace, a UTF-8 BOM tolerated) and that every element is an object; the elements' inside
 * is left to `JSON.parse`. Violations throw `BouncerError('invalidBody')`.
 */
export class RecordSplitter {
  private state = State.Start;
  private depth = 0;
  /** Bytes consumed before the current chunk. */
  private offset = 0;
  /** Elements completed so far. */
  private count = 0;
  /** The start of an unfinished element, copied out of earlier chunks. */
  private carry: Uint8Array[] = [];
  private carryLength = 0;
  /** How many bytes of a leading UTF-8 BOM were seen. */
  private bomSoFar = 0;
  private sniff: Uint8Array[] = [];
  private sniffLength = 0;
  private readonly bounds: number[] = [];

  constructor(private readonly sink: SplitSink) {}

  /** Bytes pushed so far. */
  get bytes(): number {
    return this.offset;
  }

  /** Complete elements found so far. */
  get records(): number {
    return this.count;
  }

  /** Bytes the splitter holds on to between pushes (an unfinished record, or the start of a non-array). */
  get held(): number {
    return this.carryLength + this.sniffLength;
  }

  /** Feeds the next chunk of the body. Calls the sink at most once, with every element it completed. */
  push(chunk: Uint8Array): void {
    const n = chunk.length;
    const bounds = this.bounds;
    bounds.length = 0;
    let state = this.state;
    let depth = this.depth;
    let elementStart = -1; // chunk offset where the element in progress began, when it began in this chunk
    let firstStart = -1; // chunk offset of the first element not yet emitted, when it began in this chunk
    let lastEnd = -1;
    let i = 0;

    if (state === State.NotArray) {
      this.keepSniff(chunk);
      this.offset += n;
      return;
    }

    while (i < n) {
      switch (state) {
        case State.Element:
          // Hot loop: structural bytes only; strings are skipped by the next case.
          for (; i < n; i++) {
            const c = chunk[i];
            if (c === QUOTE) {
              state = State.String;
              i++;
              break;
            }
            if (c === OPEN_BRACE || c === OPEN_BRACKET) {
              depth++;
            } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
              if (--depth === 0) {
                i++;
                if (elementStart < 0) elementStart = -this.carryLength;
                bounds.push(elementStart, i);
                lastEnd = i;
                elementStart = -1;
                this.count++;
                state = State.After;
                break;
              }
            }
          }
          break;
        case State.String:
          for (; i < n; i++) {
            const c = chunk[i];
            if (c === QUOTE) {
              state = State.Element;
              i++;
              break;
            }
            if (c === BACKSLASH) {
              if (i + 1 < n) {
                i++;
              } else {
                state = State.Escape;
                i++;
                break;
              }
            }
          }
          break;
        case State.Escape:
          state = State.String;
          i++;
          break;
        case State.After: {
          const c = chunk[i];
          if (c === COMMA) state = State.Next;
          else if (c === CLOSE_BRACKET) state = State.Done;
          else if (!isJsonWhitespace(c)) this.fail('noCommaAfter', this.count - 1, c, i);
          i++;
          break;
        }
        case State.First:
        case State.Next: {
          const c = chunk[i];
          if (c === OPEN_BRACE) {
            elementStart = i;
            if (firstStart < 0 && this.carryLength === 0) firstStart = i;
            depth = 1;
            state = State.Element;
          } else if (c === CLOSE_BRACKET && state === State.First) {
            state = State.Done;
          } else if (!isJsonWhitespace(c)) {
            if (c === CLOSE_BRACKET) this.fail('commaBeforeEnd', this.count, c, i);
            this.fail('notObject', this.count, c, i);
          }
          i++;
          break;
        }
        case State.Start: {
          const at = this.offset + i;
          const c = chunk[i];
          // A UTF-8 BOM (EF BB BF) is tolerated only as the very first bytes.
          if ((at === 0 && c === 0xef) || (at === 1 && c === 0xbb) || (at === 2 && c === 0xbf)) {
            if (at === 0 || this.bomSoFar === at) {
              this.bomSoFar = at + 1;
              i++;
              break;
            }
          }
          if (this.bomSoFar > 0 && this.bomSoFar < 3) {
            this.startSniff(chunk, i);
            this.offset += n;
            this.state = State.NotArray;
            return;
          }
          if (c === OPEN_BRACKET) {
            state = State.First;
          } else if (!isJsonWhitespace(c)) {
            this.startSniff(chunk, i);
            this.offset += n;
            this.state = State.NotArray;
            return;
          } else if (at >= MAX_LEADING_BYTES) {
            throw onlyWhitespaceError();
          }
          i++;
          break;
        }
        case State.Done:
          if (!isJsonWhitespace(chunk[i])) this.fail('dataAfterEnd', this.count, chunk[i], i);
          i++;
          break;
      }
    }

    if (bounds.length > 0) {
      let region: Uint8Array;
      if (this.carryLength > 0) {
        region = concatBytes(this.carry, this.carryLength, chunk.subarray(0, lastEnd));
        const shift = this.carryLength;
        for (let k = 0; k < bounds.length; k++) bounds[k] += shift;
        this.carry = [];
        this.carryLength = 0;
      } else {
        region = chunk.subarray(firstStart, lastEnd);
        for (let k = 0; k < bounds.length; k++) bounds[k] -= firstStart;
      }
      this.sink(region, bounds, this.count - bounds.length / 2);
    }

    const inElement = state === State.Element || state === State.String || state === State.Escape;
    if (inElement) {
      // Copy: a producer may reuse its chunk buffers once we return.
      const piece = chunk.slice(elementStart >= 0 ? elementStart : 0);
      this.carry.push(piece);
      this.carryLength += piece.length;
      if (this.carryLength > MAX_RECORD_BYTES) {
        throw new BouncerError(
          'invalidBody',
          `Record ${this.count} is larger than ${MAX_RECORD_BYTES / 1024 / 1024} MiB; refusing to buffer it.`,
          { reason: { code: 'recordTooLarge', record: this.count, maxMiB: MAX_RECORD_BYTES / 1024 / 1024 } },
        );
      }
    }

    this.state = state;
    this.depth = depth;
    this.offset += n;
  }

  /** Declares the body complete. Throws unless exactly one whole array was seen. */
  end(): void {
    switch (this.state) {
      case State.Done:
        return;
      case State.NotArray:
        throw describeNotArray(concatBytes(this.sniff, this.sniffLength));
      case State.Start:
        if (this.offset === 0) {
          throw new BouncerError('invalidBody', 'The download was empty; expected a JSON array.', {
            reason: { code: 'bodyEmpty', format: 'json', blank: false },
          });
        }
        throw new BouncerError('invalidBody', 'The download held only whitespace; expected a JSON array.', {
          reason: { code: 'bodyEmpty', format: 'json', blank: true },
        });
      default:
        throw new BouncerError(
          'invalidBody',
          `The download ended before the JSON array was complete (after ${this.count} records, ${this.offset} bytes): ` +
            'the body is truncated.',
          { reason: { code: 'bodyTruncated', records: this.count, bytes: this.offset } },
        );
    }
  }

  private startSniff(chunk: Uint8Array, from: number): void {
    this.sniff = [];
    this.sniffLength = 0;
    this.keepSniff(chunk.subarray(from));
  }

  private keepSniff(bytes: Uint8Array): void {
    const room = SNIFF_BYTES - this.sniffLength;
    const piece = bytes.slice(0, room);
    this.sniff.push(piece);
    this.sniffLength += piece.length;
    if (this.sniffLength >= SNIFF_BYTES) throw describeNotArray(concatBytes(this.sniff, this.sniffLength));
  }

  /** `record` is the index the problem names: the one before the comma for `noCommaAfter`. */
  private fail(problem: BodySyntaxProblem, record: number, byte: number, index: number): never {
    throw new BouncerError(
      'invalidBody',
      `The download is not a valid JSON array of records: ${describeSyntaxProblem(problem, record)}.`,
      {
        detail: `found ${describeByte(byte)} at byte ${this.offset + index}`,
        reason: { code: 'bodySyntax', problem, record },
      },
    );
  }
}

function describeSyntaxProblem(problem: BodySyntaxProblem, record: number): string {
  switch (problem) {
    case 'noCommaAfter':
      return `expected "," or "]" after record ${record}`;
    case 'commaBeforeEnd':
      return 'a "," is followed by "]"';
    case 'notObject':
      return `record ${record} is not a JSON object`;
    case 'dataAfterEnd':
      return 'unexpected data after the end of the array';
  }
}

function describeByte(byte: number): string {
  return byte >= 0x21 && byte < 0x7f
    ? `"${String.fromCharCode(byte)}"`
    : `byte 0x${byte.toString(16).padStart(2, '0')}`;
}

/**
 * Says what a body that should have been a JSON array was instead: an API error object (with its
 * status and message), HTML (a proxy or login page), or something else. `expected` names what should
 * have come, for a reader of another format.
 */
export function describeNotArray(start: Uint8Array, expected: BodyExpected = 'records'): BouncerError {
  const text = new TextDecoder()
    .decode(start)
    .replace(/^\uFEFF/, '')
    .trimStart();
  const detail = `body starts with ${JSON.stringify(text.slice(0, 200).replace(/\s+/g, ' '))}`;
  const wanted = expected === 'csv' ? 'CSV' : 'a JSON array of records';
  const notExpected = (
    found: BodyFound,
    message: string,
    server: { status?: number; message?: string } = {},
    said?: string,
  ) =>
    new BouncerError('invalidBody', message, {
      httpStatus: server.status,
      serverMessage: server.message,
      detail,
      reason: { code: 'bodyNotExpected', found, expected, ...(said === undefined ? {} : { said }) },
    });
  if (text.startsWith('<')) return notExpected('html', `The server sent an HTML page where ${wanted} was expected.`);
  if (text.startsWith('{')) {
    const server = parseServerError(text);
    if (server && (server.status !== undefined || server.message !== undefined || server.error !== undefined)) {
      const said = [server.status, server.error, server.message].filter((part) => part !== undefined).join(' ');
      const message = `The server sent an error object where ${wanted} was expected: ${said}.`;
      return notExpected('errorObject', message, server, said);
    }
    return notExpected('jsonObject', `The server sent a JSON object where ${wanted} was expected.`);
  }
  return notExpected('other', `The download is not ${wanted}.`);
}
