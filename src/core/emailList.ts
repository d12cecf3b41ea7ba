/**
 * The addresses a person wants verified, read from what they have open: a CSV of contacts, a text
 * file or selection, a JSON export. Pure: text in, a clean list out, with what was left out counted
 * so the confirmation can say so. Nothing here decides deliverability; Bouncer does.
 */
import { MAX_BATCH_SIZE, type BatchEmail } from './batchApi';
import { CsvReader } from './csvReader';
import { findEmailColumn, findNameColumn, looksLikeEmail, normalizeHeaderName } from './emailColumn';
import { BouncerError } from './errors';

export type ListFormat = 'csv' | 'text' | 'json';

/** The list ready to send, and what was set aside on the way. */
export interface AddressList {
  /** Unique addresses (case-insensitively), trimmed, first spelling and first name kept, in order. */
  emails: BatchEmail[];
  /** Repeats dropped. */
  duplicates: number;
  /** Lines, cells or items that held no address at all. */
  invalid: number;
  /** The first few of them, for the log (never the whole file). */
  invalidExamples: string[];
}

/** A CSV's header and the columns picked for it, so a person can confirm or change the email column. */
export interface CsvLayout {
  header: string[];
  /** Index of the address column, or -1 when none was recognised. */
  emailColumn: number;
  /** Index of the name column, or -1. */
  nameColumn: number;
  /** True when the first row is already data (addresses), not names of columns. */
  headerless: boolean;
}

/** Rows sampled to recognise an unnamed address column. */
const SAMPLE_ROWS = 50;
const MAX_EXAMPLES = 5;

/** The list format a file name suggests; text for anything that is not .csv or .json. */
export function formatOfFileName(fileName: string): ListFormat {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.json')) return 'json';
  return 'text';
}

/** Rows of a CSV text (RFC 4180: quoted commas, doubled quotes, CRLF or LF; a BOM is dropped). */
export function csvRows(text: string): string[][] {
  const rows: string[][] = [];
  const reader = new CsvReader((cells) => rows.push(cells));
  try {
    reader.push(new TextEncoder().encode(text));
    reader.end();
  } catch (error) {
    // The reader speaks of a download cut short; here it is a file a person can fix.
    throw new BouncerError('invalidArgument', 'The CSV ends inside a quoted cell: a closing quote is missing.', {
      reason: { code: 'csvOpenQuote' },
      cause: error,
    });
  }
  return rows;
}

/**
 * Recognises a CSV's columns: the email column by its header name, else by its values; the name
 * column by its header. A first row whose email cell is an address is data, not a header.
 */
export function csvLayout(rows: readonly string[][]): CsvLayout {
  const header = rows[0] ?? [];
  const emailColumn = findEmailColumn(header, rows.slice(1, 1 + SAMPLE_ROWS));
  if (emailColumn < 0) {
    // No header names an address: the first row may itself be data.
    const byValues = findEmailColumn(
      header.map((_, i) => `column ${i + 1}`),
      rows.slice(0, SAMPLE_ROWS),
    );
    if (byValues >= 0 && looksLikeEmail(header[byValues] ?? '')) {
      return {
        header: header.map((_, i) => `Column ${i + 1}`),
        emailColumn: byValues,
        nameColumn: -1,
        headerless: true,
      };
    }
  }
  const headerless = emailColumn >= 0 && looksLikeEmail(header[emailColumn] ?? '');
  return {
    header: headerless ? header.map((_, i) => `Column ${i + 1}`) : [...header],
    emailColumn,
    nameColumn: headerless ? -1 : findNameColumn(header),
    headerless,
  };
}

/**
 * Reads the addresses of a list.
 * @param column for CSV: the email column's header name (exact, or equal once case and punctuation
 *   are ignored); when absent the recognised column is used.
 * @throws BouncerError('invalidArgument') when the CSV has no such or no recognisable email column,
 *   or the JSON is not an array.
 */
export function readAddresses(text: string, format: ListFormat, column?: string): AddressList {
  const collector = new Collector();
  if (format === 'csv') readCsv(text, column, collector);
  else if (format === 'json') readJson(text, collector);
  else readText(text, collector);
  return collector.result();
}

/** The same cleaning for addresses given directly (a command argument): trimmed, deduplicated, checked. */
export function collectAddresses(items: readonly (string | BatchEmail)[]): AddressList {
  const collector = new Collector();
  for (const item of items) {
    if (typeof item === 'string') collector.add(item);
    else collector.add(item.email, item.name);
  }
  return collector.result();
}

function readCsv(text: string, column: string | undefined, out: Collector): void {
  const rows = csvRows(text);
  if (rows.length === 0) return;
  const layout = csvLayout(rows);
  let emailColumn = layout.emailColumn;
  if (column !== undefined) {
    emailColumn = layout.header.indexOf(column);
    if (emailColumn < 0) {
      emailColumn = layout.header.findIndex((name) => normalizeHeaderName(name) === normalizeHeaderName(column));
    }
    if (emailColumn < 0) {
      // Cut short: both come from a file or an argument of any size, and end up in a notification.
      const given = column.slice(0, 100);
      const columns = layout.header.join(', ').slice(0, 300);
      throw new BouncerError('invalidArgument', `The CSV has no column "${given}". Its columns: ${columns}.`, {
        reason: { code: 'csvNoSuchColumn', column: given, columns },
      });
    }
  }
  if (emailColumn < 0) {
    throw new BouncerError(
      'invalidArgument',
      'No column of this CSV holds email addresses. Name the column "email", or pick it when asked.',
      { reason: { code: 'csvNoEmailColumn' } },
    );
  }
  for (const row of layout.headerless ? rows : rows.slice(1)) {
    const name = layout.nameColumn >= 0 ? row[layout.nameColumn]?.trim() : undefined;
    out.add(row[emailColumn] ?? '', name);
  }
}

function readJson(text: string, out: Collector): void {
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    const problem = (error as Error).message;
    throw new BouncerError('invalidArgument', `The JSON is not valid: ${problem}`, {
      reason: { code: 'jsonInvalid', problem },
    });
  }
  if (!Array.isArray(raw)) {
    throw new BouncerError('invalidArgument', 'The JSON must be an array of addresses, or of objects with "email".', {
      reason: { code: 'jsonNotArray' },
    });
  }
  for (const item of raw) {
    if (typeof item === 'string') out.add(item);
    else if (typeof item === 'object' && item !== null && typeof (item as { email?: unknown }).email === 'string') {
      const { email, name } = item as { email: string; name?: unknown };
      out.add(email, typeof name === 'string' ? name.trim() : undefined);
    } else out.reject(JSON.stringify(item) ?? String(item));
  }
}

/** Anything between separators that could be an address; each candidate is then checked in full. */
const CANDIDATES = /[^\s<>()[\]"',;:]+@[^\s<>()[\]"',;:]+/g;

function readText(text: string, out: Collector): void {
  for (const line of text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/)) {
    const trimmed = line.trim();
    if (trimmed === '') continue;
    if (looksLikeEmail(trimmed)) {
      out.add(trimmed);
      continue;
    }
    // "Ann <ann@example.com>", "a@x.io, b@y.io": every address found in the line.
    const found = (trimmed.match(CANDIDATES) ?? [])
      .map((candidate) => candidate.replace(/[.]+$/, ''))
      .filter(looksLikeEmail);
    if (found.length === 0) out.reject(trimmed);
    for (const email of found) out.add(email);
  }
}

class Collector {
  private readonly seen = new Set<string>();
  private readonly emails: BatchEmail[] = [];
  private duplicates = 0;
  private invalid = 0;
  private readonly examples: string[] = [];

  add(raw: string, name?: string): void {
    const email = raw.trim();
    if (!looksLikeEmail(email)) {
      this.reject(raw);
      return;
    }
    const key = email.toLowerCase();
    if (this.seen.has(key)) {
      this.duplicates++;
      return;
    }
    this.seen.add(key);
    this.emails.push(name ? { email, name } : { email });
  }

  reject(raw: string): void {
    this.invalid++;
    if (this.examples.length < MAX_EXAMPLES) this.examples.push(raw.trim().slice(0, 80));
  }

  result(): AddressList {
    return {
      emails: this.emails,
      duplicates: this.duplicates,
      invalid: this.invalid,
      invalidExamples: this.examples,
    };
  }
}

/** One batch to create: its part of the list and its name. */
export interface BatchPart {
  name: string;
  emails: BatchEmail[];
}

/**
 * Cuts a list into batches of at most `size` (Bouncer's 100,000). One part keeps the name; several
 * are named "<name> (part 1 of N)", or "part 1 of N" without a name.
 */
export function splitIntoBatches(emails: readonly BatchEmail[], name: string, size = MAX_BATCH_SIZE): BatchPart[] {
  const count = Math.max(1, Math.ceil(emails.length / size));
  if (count === 1) return [{ name, emails: [...emails] }];
  return Array.from({ length: count }, (_, i) => {
    const part = `part ${i + 1} of ${count}`;
    return { name: name ? `${name} (${part})` : part, emails: emails.slice(i * size, (i + 1) * size) };
  });
}
