/**
 * CSV formatting of email records: RFC 4180 (fields with a comma, quote, CR or LF are quoted, quotes
 * doubled, CRLF line ends) with optional neutralising of spreadsheet formulas. Pure and free of Node
 * imports: the webview bundle formats rows with it too.
 *
 * Neutralising follows OWASP's CSV-injection advice: a cell a spreadsheet could read as a formula gets
 * a leading `'`, and a cell holding a tab or `;` is quoted too, because a paste (tab-separated) or a
 * locale whose list separator is `;` would otherwise split it and start a new cell mid-text.
 */
import { csvColumns, type FlatColumn } from './recordColumns';
import type { EmailRecord } from './records';

const NEEDS_QUOTING = /[",\r\n]/;
const NEEDS_QUOTING_WHEN_SAFE = /[",\r\n\t;]/;
const QUOTES = /"/g;

/** The CSV header cells: the column ids in `csvColumns` order, with `name` last when any record has a name. */
export function csvHeader(hasName: boolean): FlatColumn[] {
  return csvColumns(hasName).map((column) => column.id);
}

/**
 * Formats one CSV cell. `undefined` is an empty cell. With `neutralizeFormulas`, a text cell that
 * {@link needsFormulaPrefix} gets a leading `'` so a spreadsheet shows it instead of running it, and
 * a cell with a tab or `;` is quoted. Numbers and booleans are left alone: they came from JSON
 * numbers, which cannot hold a formula, and prefixing `-1` would turn a number into text.
 */
export function csvCell(value: string | number | boolean | undefined, neutralizeFormulas: boolean): string {
  if (value === undefined) return '';
  if (typeof value !== 'string') return String(value);
  let text = value;
  if (neutralizeFormulas && needsFormulaPrefix(text)) text = `'${text}`;
  const quoting = neutralizeFormulas ? NEEDS_QUOTING_WHEN_SAFE : NEEDS_QUOTING;
  return quoting.test(text) ? `"${text.replace(QUOTES, '""')}"` : text;
}

/**
 * Whether a spreadsheet could read this text cell as a formula: it starts with tab, CR or LF, or its
 * first character after any whitespace is `=`, `+`, `-`, `@` or their full-width forms (`＝＋－＠`,
 * which some spreadsheets fold to the ASCII ones). Spreadsheets trim leading spaces and line breaks
 * before they look for a formula, so ` =1` and `\n=1` are as live as `=1`.
 */
export function needsFormulaPrefix(text: string): boolean {
  const n = text.length;
  if (n === 0) return false;
  const first = text.charCodeAt(0);
  if (first === 0x09 || first === 0x0d || first === 0x0a) return true;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (!isWhitespace(c)) return startsFormula(c);
  }
  return false;
}

/** = + - @ and their full-width forms ＝ ＋ － ＠. */
function startsFormula(c: number): boolean {
  return (
    c === 0x3d || c === 0x2b || c === 0x2d || c === 0x40 || c === 0xff1d || c === 0xff0b || c === 0xff0d || c === 0xff20
  );
}

/** The code units JavaScript's `\s` matches: ASCII whitespace, NBSP, the Unicode spaces, line separators, BOM. */
function isWhitespace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0xa0) return false;
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/** The header line, CRLF included. */
export function csvHeaderLine(hasName: boolean): string {
  return `${csvHeader(hasName).join(',')}\r\n`;
}

// The readers alone, in arrays of their own: reading `.read` from table rows of differing shapes costs more.
const READS = csvColumns(false).map((column) => column.read);
const READS_WITH_NAME = csvColumns(true).map((column) => column.read);

/**
 * Formats one record as a CSV line (CRLF included) in {@link csvHeader} order. Missing optional
 * fields are empty cells; with `hasName` a `name` cell ends the line.
 */
export function recordToCsvRow(record: EmailRecord, opts: { hasName: boolean; neutralizeFormulas: boolean }): string {
  const n = opts.neutralizeFormulas;
  const reads = opts.hasName ? READS_WITH_NAME : READS;
  let line = csvCell(reads[0](record), n);
  for (let k = 1; k < reads.length; k++) line += ',' + csvCell(reads[k](record), n);
  return line + '\r\n';
}

// Bytes the encoder writes itself.
const QUOTE = 0x22;
const COMMA = 0x2c;
const CR = 0x0d;
const LF = 0x0a;
const TAB = 0x09;
const SEMICOLON = 0x3b;
const APOSTROPHE = 0x27;

const enum Quoting {
  IfNeeded,
  Always,
  Never,
}

/**
 * Formats records straight into UTF-8 bytes, exactly as `recordToCsvRow` followed by UTF-8 encoding
 * would (lone surrogates become U+FFFD, as `TextEncoder` and `Buffer` do), but without building a
 * string per cell and per row: a million rows of strings cost more in concatenation, flattening and
 * garbage than the formatting itself. For the same reason its columns are written out one by one
 * instead of read through the column table; a unit test holds them to the table.
 *
 * Rows gather in one of two buffers; `take` hands that buffer out and switches to the other, so the
 * caller can write one buffer while the next rows are formatted into the other.
 */
export class CsvRowEncoder {
  private readonly buffers: Uint8Array[];
  private current = 0;
  private out: Uint8Array;
  private at = 0;
  private readonly hasName: boolean;
  private readonly neutralize: boolean;

  /** `capacity` is each buffer's starting size; a buffer grows when a row does not fit. */
  constructor(opts: { hasName: boolean; neutralizeFormulas: boolean }, capacity = 1 << 16) {
    this.hasName = opts.hasName;
    this.neutralize = opts.neutralizeFormulas;
    this.buffers = [new Uint8Array(capacity), new Uint8Array(capacity)];
    this.out = this.buffers[0];
  }

  /** Bytes formatted since the last `take`. */
  get length(): number {
    return this.at;
  }

  /**
   * Returns the bytes formatted since the last `take` and switches buffers. The view stays valid
   * until the next `take`, after which its buffer is overwritten.
   */
  take(): Uint8Array {
    const bytes = this.out.subarray(0, this.at);
    this.current ^= 1;
    this.out = this.buffers[this.current];
    this.at = 0;
    return bytes;
  }

  /** Appends an already formatted line, such as the header. Must be ASCII. */
  appendAscii(line: string): void {
    this.reserve(line.length);
    const out = this.out;
    let at = this.at;
    for (let i = 0; i < line.length; i++) out[at++] = line.charCodeAt(i);
    this.at = at;
  }

  /**
   * Appends one record's line (CRLF included) in {@link csvHeader} order. Unrolled by hand, the only
   * place besides `RECORD_COLUMNS` that lists the fields: a new column must be added here too.
   */
  appendRecord(record: EmailRecord): void {
    const { domain, account, dns } = record;
    this.cell(record.email);
    this.cell(record.status);
    this.cell(record.reason);
    this.cell(domain?.name);
    this.cell(domain?.acceptAll);
    this.cell(domain?.disposable);
    this.cell(domain?.free);
    this.cell(account?.role);
    this.cell(account?.disabled);
    this.cell(account?.fullMailbox);
    this.cell(dns?.type);
    this.cell(dns?.record);
    this.cell(record.provider);
    this.cell(record.score);
    this.cell(record.toxic);
    this.cell(record.toxicity);
    if (this.hasName) {
      this.cell(record.retryAfter);
      this.lastCell(record.name);
    } else {
      this.lastCell(record.retryAfter);
    }
    this.reserve(2);
    this.out[this.at++] = CR;
    this.out[this.at++] = LF;
  }

  private cell(value: string | number | boolean | undefined): void {
    this.lastCell(value);
    this.reserve(1);
    this.out[this.at++] = COMMA;
  }

  /** Same rules as `csvCell`. */
  private lastCell(value: string | number | boolean | undefined): void {
    if (value === undefined) return;
    if (typeof value === 'string') {
      // Quoting is rare: try the plain form first and redo the cell quoted when it needs quotes.
      if (!this.text(value, this.neutralize, Quoting.IfNeeded)) this.text(value, this.neutralize, Quoting.Always);
    } else {
      // Numbers and booleans came from JSON numbers and literals: written as `String` gives them, like `csvCell`.
      this.text(String(value), false, Quoting.Never);
    }
  }

  /**
   * Writes `value` UTF-8 encoded; with `neutralize`, a leading `'` when it could start a formula and
   * quotes around a tab or `;`, as `csvCell` does.
   * With `Quoting.IfNeeded` it stops and returns false at the first character that needs quoting,
   * leaving the output as it was.
   */
  private text(value: string, neutralize: boolean, quoting: Quoting): boolean {
    const quoted = quoting === Quoting.Always;
    const n = value.length;
    // Worst case: 3 bytes per UTF-16 unit, plus two quotes and an apostrophe.
    this.reserve(3 * n + 3);
    const out = this.out;
    let at = this.at;
    if (quoted) out[at++] = QUOTE;
    if (neutralize && needsFormulaPrefix(value)) out[at++] = APOSTROPHE;
    for (let i = 0; i < n; i++) {
      const c = value.charCodeAt(i);
      if (c < 0x80) {
        if (
          (c === QUOTE || c === COMMA || c === CR || c === LF || (neutralize && (c === TAB || c === SEMICOLON))) &&
          quoting !== Quoting.Never
        ) {
          if (!quoted) return false;
          if (c === QUOTE) out[at++] = QUOTE;
        }
        out[at++] = c;
      } else if (c < 0x800) {
        out[at++] = 0xc0 | (c >> 6);
        out[at++] = 0x80 | (c & 0x3f);
      } else if (c < 0xd800 || c > 0xdfff) {
        out[at++] = 0xe0 | (c >> 12);
        out[at++] = 0x80 | ((c >> 6) & 0x3f);
        out[at++] = 0x80 | (c & 0x3f);
      } else {
        const low = i + 1 < n ? value.charCodeAt(i + 1) : 0;
        if (c <= 0xdbff && low >= 0xdc00 && low <= 0xdfff) {
          const point = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
          out[at++] = 0xf0 | (point >> 18);
          out[at++] = 0x80 | ((point >> 12) & 0x3f);
          out[at++] = 0x80 | ((point >> 6) & 0x3f);
          out[at++] = 0x80 | (point & 0x3f);
          i++;
        } else {
          // A lone surrogate: U+FFFD, as every UTF-8 encoder in Node and the browser writes it.
          out[at++] = 0xef;
          out[at++] = 0xbf;
          out[at++] = 0xbd;
        }
      }
    }
    if (quoted) out[at++] = QUOTE;
    this.at = at;
    return true;
  }

  private reserve(bytes: number): void {
    if (this.at + bytes <= this.out.length) return;
    const grown = new Uint8Array(Math.max(this.out.length * 2, this.at + bytes));
    grown.set(this.out.subarray(0, this.at));
    this.buffers[this.current] = grown;
    this.out = grown;
  }
}
