/**
 * CSV formatting of email records: RFC 4180 (fields with a comma, quote, CR or LF are quoted, quotes
 * doubled, CRLF line ends) with optional neutralising of spreadsheet formulas. Pure and free of Node
 * imports: the webview bundle formats rows with it too.
 */
import { FLAT_COLUMNS, type EmailRecord, type FlatColumn } from './records';

const NEEDS_QUOTING = /[",\r\n]/;
const QUOTES = /"/g;

/** The CSV header cells: the flat columns, plus `name` last when any record has a name. */
export function csvHeader(hasName: boolean): string[] {
  const header: FlatColumn[] = [...FLAT_COLUMNS];
  if (hasName) header.push('name');
  return header;
}

/**
 * Formats one CSV cell. `undefined` is an empty cell. With `neutralizeFormulas`, a text cell starting
 * with `=`, `+`, `-`, `@`, tab or CR gets a leading `'` so a spreadsheet shows it instead of running
 * it. Numbers and booleans are left alone: they came from JSON numbers, which cannot hold a formula,
 * and prefixing `-1` would turn a number into text.
 */
export function csvCell(value: string | number | boolean | undefined, neutralizeFormulas: boolean): string {
  if (value === undefined) return '';
  if (typeof value !== 'string') return String(value);
  let text = value;
  if (neutralizeFormulas && text.length > 0) {
    const first = text.charCodeAt(0);
    // = + - @ TAB CR
    if (first === 0x3d || first === 0x2b || first === 0x2d || first === 0x40 || first === 0x09 || first === 0x0d) {
      text = `'${text}`;
    }
  }
  return NEEDS_QUOTING.test(text) ? `"${text.replace(QUOTES, '""')}"` : text;
}

/** The header line, CRLF included. */
export function csvHeaderLine(hasName: boolean): string {
  return `${csvHeader(hasName).join(',')}\r\n`;
}

/**
 * Formats one record as a CSV line (CRLF included) in {@link csvHeader} order. Missing optional
 * fields are empty cells; with `hasName` a `name` cell ends the line.
 */
export function recordToCsvRow(record: EmailRecord, opts: { hasName: boolean; neutralizeFormulas: boolean }): string {
  const n = opts.neutralizeFormulas;
  const { domain, account, dns } = record;
  // Written out column by column rather than through `flatValue`: this runs a million times per export.
  let line =
    csvCell(record.email, n) +
    ',' +
    csvCell(record.status, n) +
    ',' +
    csvCell(record.reason, n) +
    ',' +
    csvCell(domain?.name, n) +
    ',' +
    csvCell(domain?.acceptAll, n) +
    ',' +
    csvCell(domain?.disposable, n) +
    ',' +
    csvCell(domain?.free, n) +
    ',' +
    csvCell(account?.role, n) +
    ',' +
    csvCell(account?.disabled, n) +
    ',' +
    csvCell(account?.fullMailbox, n) +
    ',' +
    csvCell(dns?.type, n) +
    ',' +
    csvCell(dns?.record, n) +
    ',' +
    csvCell(record.provider, n) +
    ',' +
    csvCell(record.score, n) +
    ',' +
    csvCell(record.toxic, n) +
    ',' +
    csvCell(record.toxicity, n) +
    ',' +
    csvCell(record.retryAfter, n);
  if (opts.hasName) line += ',' + csvCell(record.name, n);
  return line + '\r\n';
}
