/**
 * CSV read so that it can be written back byte for byte: each record keeps its raw text and its
 * own line end, and cells are parsed only to be looked at. Writing results back appends cells to
 * the raw text, so a source's quoting, spacing and line ends survive untouched, which re-encoding
 * parsed cells could never promise.
 */
import { needsFormulaPrefix } from './csvFormat';

/** One record of the source: its text without the line end, and the line end it had. */
export interface RawRecord {
  readonly raw: string;
  /** `\r\n`, `\n`, `\r`, or '' for a last record with no line end. */
  readonly eol: string;
}

/** The delimiters a contacts export uses, in the order a tie is decided. */
const DELIMITERS = [',', ';', '\t', '|'] as const;

/** A UTF-8 BOM as the decoded text starts with it. */
export const BOM = '\uFEFF';

/**
 * The source's records in order, from text that arrives in chunks (a file read as a stream), so a
 * large source never has to be one string: only the records of one chunk are held. They come as
 * one array per chunk (records end where they end, not where chunks do), since a step of an async
 * generator per record would cost more than reading them. A quoted cell may hold line breaks: they
 * belong to the record. A chunk may end anywhere, inside quotes or between the `\r` and `\n` of one
 * line end; the records are those of the joined text. An empty text has no records; a final line
 * end does not start an empty record.
 */
export async function* rawRecordsOf(chunks: AsyncIterable<string> | Iterable<string>): AsyncGenerator<RawRecord[]> {
  let text = '';
  /** Where scanning resumes in `text` (everything before it belongs to the current record). */
  let at = 0;
  let quoted = false;
  for await (const chunk of chunks) {
    text += chunk;
    const records: RawRecord[] = [];
    let start = 0;
    let i = at;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        quoted = !quoted;
      } else if (!quoted && (c === 0x0a || c === 0x0d)) {
        // A `\r` last in the chunk: whether `\n` follows is for the next chunk to say.
        if (c === 0x0d && i + 1 === text.length) break;
        const eol = c === 0x0d && text.charCodeAt(i + 1) === 0x0a ? '\r\n' : c === 0x0d ? '\r' : '\n';
        records.push({ raw: text.slice(start, i), eol });
        i += eol.length - 1;
        start = i + 1;
      }
    }
    text = text.slice(start);
    at = i - start;
    if (records.length > 0) yield records;
  }
  if (at < text.length) yield [{ raw: text.slice(0, at), eol: '\r' }];
  else if (text.length > 0) yield [{ raw: text, eol: '' }];
}

/**
 * The delimiter of a header line: the candidate that occurs most often outside quotes, `,` when
 * none does (a one-column file).
 */
export function detectDelimiter(headerLine: string): string {
  let best: string = ',';
  let bestCount = 0;
  for (const delimiter of DELIMITERS) {
    const count = parseCells(headerLine, delimiter).length - 1;
    if (count > bestCount) {
      best = delimiter;
      bestCount = count;
    }
  }
  return best;
}

/**
 * The cells of one raw record, unquoted. Lenient like the download reader: a quote inside an
 * unquoted cell, or text after a closing quote, is kept as text.
 */
export function parseCells(raw: string, delimiter: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  let atStart = true;
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i];
    if (quoted) {
      if (ch === '"') {
        if (raw[i + 1] === '"') {
          cell += '"';
          i++;
        } else {
          quoted = false;
        }
      } else {
        cell += ch;
      }
    } else if (ch === delimiter) {
      cells.push(cell);
      cell = '';
      atStart = true;
      continue;
    } else if (ch === '"' && atStart) {
      quoted = true;
    } else {
      cell += ch;
    }
    atStart = false;
  }
  cells.push(cell);
  return cells;
}

/**
 * Encodes a new cell for a file with this delimiter. Quoted when it holds the delimiter, a quote
 * or a line break; with `neutralizeFormulas`, a text a spreadsheet could run gets a leading `'`
 * and a tab or `;` is quoted too, exactly as the results CSV does (see `csvCell`). Numbers came
 * from JSON numbers and are left alone.
 */
export function encodeCell(value: string | number | undefined, delimiter: string, neutralizeFormulas: boolean): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') return String(value);
  const text = neutralizeFormulas && needsFormulaPrefix(value) ? `'${value}` : value;
  const needsQuotes = text.includes(delimiter) || /["\r\n]/.test(text) || (neutralizeFormulas && /[\t;]/.test(text));
  return needsQuotes ? `"${text.replace(/"/g, '""')}"` : text;
}
