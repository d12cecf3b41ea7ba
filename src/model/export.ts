import { writeAtomically } from '../core/atomicFile';
import { csvHeaderLine, needsFormulaPrefix, recordToCsvRow } from '../core/csvFormat';
import { writeCsv } from '../core/csvWriter';
import type { EmailRecord } from '../core/records';
import { recordsAt } from './rowRecord';
import type { ResultsStore } from './store';

const FLUSH_CHARS = 1 << 20;

/**
 * Writes rows of the store as a JSON array (one compact record per line), atomically: the file
 * appears only when complete.
 */
export function writeJsonRows(store: ResultsStore, rows: Uint32Array, destPath: string): Promise<void> {
  return writeAtomically(destPath, async (writer) => {
    let pending = '[';
    let first = true;
    for (const record of recordsAt(store, rows)) {
      pending += (first ? '\n' : ',\n') + JSON.stringify(record);
      first = false;
      if (pending.length >= FLUSH_CHARS) {
        await writer.write(pending);
        pending = '';
      }
    }
    await writer.write(`${pending}\n]\n`);
  });
}

/** Writes rows of the store as CSV through the core writer (formula neutralising as configured). */
export async function writeCsvRows(
  store: ResultsStore,
  rows: Uint32Array,
  destPath: string,
  neutralizeFormulas: boolean,
): Promise<void> {
  await writeCsv(recordsAt(store, rows), destPath, { hasName: store.hasName, neutralizeFormulas });
}

/**
 * Clipboard text for rows: CSV with its header, or the emails one per line. A spreadsheet reads a
 * paste as tab-separated lines, so with `neutralizeFormulas` an email is neutralised like a CSV cell
 * (a leading `'` where it could run as a formula) and one holding a tab or line break is quoted.
 */
export function clipboardText(
  store: ResultsStore,
  rows: Uint32Array,
  what: 'csv' | 'emails',
  neutralizeFormulas: boolean,
): string {
  const parts: string[] = [];
  if (what === 'emails') {
    for (const record of recordsAt(store, rows)) parts.push(neutralizeFormulas ? safeLine(record.email) : record.email);
    return parts.join('\n');
  }
  parts.push(csvHeaderLine(store.hasName));
  const opts = { hasName: store.hasName, neutralizeFormulas };
  for (const record of recordsAt(store, rows)) parts.push(recordToCsvRow(record as EmailRecord, opts));
  return parts.join('');
}

/**
 * One pasted line that stays one inert cell. Commas and `;` stay as they are: a paste splits cells
 * only at tabs and line breaks.
 */
function safeLine(text: string): string {
  const safe = needsFormulaPrefix(text) ? `'${text}` : text;
  return /[\t\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
