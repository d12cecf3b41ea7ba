/**
 * A streaming RFC 4180 reader: bytes in, in chunks split anywhere (inside a UTF-8 character, a
 * quoted field, a doubled quote or a CRLF), rows of cells out. Pure and free of Node imports.
 *
 * It is lenient where servers are sloppy, strict where data would be lost: CRLF, LF and a lone CR
 * all end a row; a leading UTF-8 BOM is dropped; blank lines are not rows; a quote inside an
 * unquoted cell, or text after a closing quote, is kept as text. A body that ends inside a quoted
 * cell is truncated, and {@link CsvReader.end} says so.
 */
import { BouncerError } from './errors';

const QUOTE = 0x22;
const COMMA = 0x2c;
const CR = 0x0d;
const LF = 0x0a;

const enum State {
  /** At the start of a cell (and maybe of a row). */
  CellStart,
  /** Inside a cell that did not open with a quote. */
  Unquoted,
  /** Inside a quoted cell. */
  Quoted,
  /** Just read a quote inside a quoted cell: it closes the cell or, doubled, is a literal quote. */
  QuoteInQuoted,
}

/** Called with each row's cells. The array belongs to the callee. */
export type CsvRowHandler = (cells: string[], index: number) => void;

export class CsvReader {
  /** Bytes pushed so far. */
  bytes = 0;
  /** Rows emitted so far, the header included. */
  rows = 0;
  private readonly decoder = new TextDecoder('utf-8');
  private state = State.CellStart;
  private cells: string[] = [];
  private cell = '';
  /** Whether the current row has seen anything, so a blank line is not a row. */
  private rowStarted = false;
  /** The row ended on CR: a LF right after belongs to it. */
  private afterCr = false;

  constructor(private readonly onRow: CsvRowHandler) {}

  /** Reads one chunk of the body; the row handler runs for every row it completes. */
  push(chunk: Uint8Array): void {
    this.bytes += chunk.length;
    const text = this.decoder.decode(chunk, { stream: true });
    if (text.length > 0) this.read(text);
  }

  /**
   * Ends the body: emits a last row that has no line end. Throws `BouncerError('invalidBody')` when
   * the body ended inside a quoted cell, which means it was cut short.
   */
  end(): void {
    const rest = this.decoder.decode();
    if (rest.length > 0) this.read(rest);
    if (this.state === State.Quoted) {
      throw new BouncerError(
        'invalidBody',
        `The CSV download ended inside a quoted field (after ${this.bytes} bytes): the body is truncated.`,
        { reason: { code: 'csvTruncated', bytes: this.bytes } },
      );
    }
    this.endRow();
  }

  private read(text: string): void {
    const n = text.length;
    let i = 0;
    if (this.afterCr) {
      this.afterCr = false;
      if (text.charCodeAt(0) === LF) i = 1;
    }
    while (i < n) {
      switch (this.state) {
        case State.CellStart: {
          const c = text.charCodeAt(i);
          if (c === CR || c === LF) {
            this.endRow();
            i = this.skipLineEnd(text, i);
            break;
          }
          this.rowStarted = true;
          if (c === COMMA) {
            this.cells.push('');
            i++;
          } else if (c === QUOTE) {
            this.state = State.Quoted;
            i++;
          } else {
            this.state = State.Unquoted;
          }
          break;
        }
        case State.Unquoted: {
          let j = i;
          let c = 0;
          while (j < n) {
            c = text.charCodeAt(j);
            if (c === COMMA || c === CR || c === LF) break;
            j++;
          }
          this.cell += text.slice(i, j);
          if (j === n) return;
          if (c === COMMA) {
            this.cells.push(this.cell);
            this.cell = '';
            this.state = State.CellStart;
            i = j + 1;
          } else {
            this.endRow();
            i = this.skipLineEnd(text, j);
          }
          break;
        }
        case State.Quoted: {
          const j = text.indexOf('"', i);
          if (j < 0) {
            this.cell += text.slice(i);
            return;
          }
          this.cell += text.slice(i, j);
          this.state = State.QuoteInQuoted;
          i = j + 1;
          break;
        }
        case State.QuoteInQuoted: {
          if (text.charCodeAt(i) === QUOTE) {
            this.cell += '"';
            this.state = State.Quoted;
            i++;
          } else {
            // Closed: anything up to the next separator is kept as text (`"a"b` reads as `ab`).
            this.state = State.Unquoted;
          }
          break;
        }
      }
    }
  }

  /**
   * Ends the current row, if it has begun: its last cell is the one being read, or an empty one
   * after a trailing comma. A line with nothing on it is not a row.
   */
  private endRow(): void {
    if (!this.rowStarted) return;
    this.cells.push(this.cell);
    this.cell = '';
    this.state = State.CellStart;
    const cells = this.cells;
    this.cells = [];
    this.rowStarted = false;
    this.onRow(cells, this.rows++);
  }

  /** Steps over the line end at `text[i]` (CR, LF or CRLF, even when the LF is in the next chunk). */
  private skipLineEnd(text: string, i: number): number {
    if (text.charCodeAt(i) === CR) {
      if (i + 1 === text.length) {
        this.afterCr = true;
        return i + 1;
      }
      if (text.charCodeAt(i + 1) === LF) return i + 2;
    }
    return i + 1;
  }
}
