import { writeAtomically } from '../core/atomicFile';
import { csvCell, csvHeaderLine, needsFormulaPrefix, recordToCsvRow } from '../core/csvFormat';
import { writeCsv } from '../core/csvWriter';
import { recordsAt } from './rowRecord';
import { textAt, type ResultsStore } from './store';

const FLUSH_CHARS = 1 << 20;

/**
 * Writes rows of the store as a JSON array (one compact record per line), atomically: the file
 * appears only when complete. Extra columns are left out: the file holds Bouncer records, and an
 * extra column's label may even be a record's key (a second `email` column).
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

/**
 * Writes rows of the store as CSV (formula neutralising as configured), its extra columns after the
 * record's, under their own labels. Without extras it is the core writer's fast path.
 */
export async function writeCsvRows(
  store: ResultsStore,
  rows: Uint32Array,
  destPath: string,
  neutralizeFormulas: boolean,
): Promise<void> {
  if (!store.extra) {
    await writeCsv(recordsAt(store, rows), destPath, { hasName: store.hasName, neutralizeFormulas });
    return;
  }
  await writeAtomically(destPath, async (writer) => {
    let pending = csvHeaderWithExtras(store, neutralizeFormulas);
    for (const line of csvLines(store, rows, neutralizeFormulas)) {
      pending += line;
      if (pending.length >= FLUSH_CHARS) {
        await writer.write(pending);
        pending = '';
      }
    }
    await writer.write(pending);
  });
}

function csvHeaderWithExtras(store: ResultsStore, neutralizeFormulas: boolean): string {
  const header = csvHeaderLine(store.hasName);
  if (!store.extra) return header;
  const labels = store.extra.map((extra) => ',' + csvCell(extra.label, neutralizeFormulas)).join('');
  return header.slice(0, -2) + labels + '\r\n';
}

/** CSV lines (CRLF included) of the rows, each with its extra cells before the line end. */
function* csvLines(store: ResultsStore, rows: Uint32Array, neutralizeFormulas: boolean): Generator<string> {
  const opts = { hasName: store.hasName, neutralizeFormulas };
  const extra = store.extra ?? [];
  let k = 0;
  for (const record of recordsAt(store, rows)) {
    const line = recordToCsvRow(record, opts);
    if (extra.length === 0) {
      yield line;
    } else {
      const row = rows[k];
      let cells = '';
      for (let e = 0; e < extra.length; e++) cells += ',' + csvCell(textAt(extra[e].column, row), neutralizeFormulas);
      yield line.slice(0, -2) + cells + '\r\n';
    }
    k++;
  }
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
  parts.push(csvHeaderWithExtras(store, neutralizeFormulas));
  for (const line of csvLines(store, rows, neutralizeFormulas)) parts.push(line);
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
