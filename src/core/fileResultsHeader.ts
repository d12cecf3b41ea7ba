/**
 * How a CSV file's header maps onto the record's columns, for files a person opens in the table
 * (Bouncer's web app exports, our own exports, a colleague's spreadsheet). The accepted names come
 * from the column table: each column's id, its label and its aliases.
 */
import { RECORD_COLUMNS, type ColumnKind, type RecordColumn } from './recordColumns';
import type { EmailRecord } from './records';

/** Header names compare without case, spaces or punctuation: `Domain Name`, `domain_name`, `domain.name`. */
export function normalizeHeaderName(name: string): string {
  return name.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
}

/** Every accepted name (normalized) → its column. The id wins over another column's label or alias. */
const BY_NAME: ReadonlyMap<string, RecordColumn> = (() => {
  const byName = new Map<string, RecordColumn>();
  const columns = RECORD_COLUMNS as readonly RecordColumn[];
  for (const column of columns) byName.set(normalizeHeaderName(column.id), column);
  for (const column of columns) {
    for (const name of [column.label, ...(column.aliases ?? [])]) {
      const key = normalizeHeaderName(name);
      if (!byName.has(key)) byName.set(key, column);
    }
  }
  return byName;
})();

/** The record column a header cell names, or undefined for a column of its own. */
export function columnForHeader(name: string): RecordColumn | undefined {
  return BY_NAME.get(normalizeHeaderName(name));
}

/** Where one mapped CSV column goes in the record. */
interface Slot {
  index: number;
  /** `domain` for `domain.name`; undefined for a top-level field. */
  group: string | undefined;
  key: string;
  kind: ColumnKind;
}

/** A CSV header, read: which cells go where, and the columns the record table does not know. */
export interface CsvHeader {
  /** Cells per row the header announces. */
  readonly width: number;
  /** Fewer cells are fine when the header ends with an empty cell (a trailing comma): a row may leave it out. */
  readonly minWidth: number;
  /** Position of the email column, or -1 when the file has none (it is not Bouncer results). */
  readonly emailIndex: number;
  /** Header names of the columns that are not record fields, in file order. */
  readonly extraNames: readonly string[];
  /** Their positions in a row. */
  readonly extraIndexes: readonly number[];
  readonly slots: readonly Slot[];
}

/** Maps a header row. A column named twice is read from its first cell; the second is an extra column. */
export function readCsvHeader(cells: readonly string[]): CsvHeader {
  const slots: Slot[] = [];
  const taken = new Set<string>();
  const extraNames: string[] = [];
  const extraIndexes: number[] = [];
  let emailIndex = -1;
  cells.forEach((cell, index) => {
    const column = columnForHeader(cell);
    if (!column || taken.has(column.id)) {
      if (cell.trim() === '' && index === cells.length - 1) return;
      extraNames.push(cell.trim() === '' ? `column ${index + 1}` : cell.trim());
      extraIndexes.push(index);
      return;
    }
    taken.add(column.id);
    if (column.id === 'email') emailIndex = index;
    const [first, second] = column.id.split('.');
    slots.push(
      second === undefined
        ? { index, group: undefined, key: first, kind: column.kind }
        : { index, group: first, key: second, kind: column.kind },
    );
  });
  const trailingBlank = cells.length > 1 && cells[cells.length - 1].trim() === '';
  return {
    width: cells.length,
    minWidth: cells.length - (trailingBlank ? 1 : 0),
    emailIndex,
    extraNames,
    extraIndexes,
    slots,
  };
}

/** A number written as JSON would write it, the way the table's builder reads numeric text. */
const NUMERIC_TEXT = /^\s*-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*$/;

/**
 * One data row as a record: an empty cell is a missing field, a numeric column holds a number when
 * the cell reads as one (and the text as sent otherwise, shown as such). Undefined when the row is
 * malformed: a cell count other than the header's, or no email.
 */
export function csvRowToRecord(header: CsvHeader, cells: readonly string[]): EmailRecord | undefined {
  if (cells.length < header.minWidth || cells.length > header.width || !cells[header.emailIndex]) return undefined;
  const record: Record<string, unknown> = {};
  const { slots } = header;
  for (let k = 0; k < slots.length; k++) {
    const slot = slots[k];
    const cell = cells[slot.index];
    if (cell === undefined || cell === '') continue;
    const value = slot.kind === 'num' && NUMERIC_TEXT.test(cell) ? Number(cell) : cell;
    if (slot.group === undefined) {
      record[slot.key] = value;
      continue;
    }
    const group = (record[slot.group] ??= {}) as Record<string, unknown>;
    group[slot.key] = value;
  }
  return record as unknown as EmailRecord;
}

/** The extra columns' cells of a row, in `extraNames` order. */
export function extraCells(header: CsvHeader, cells: readonly string[]): string[] {
  return header.extraIndexes.map((index) => cells[index] ?? '');
}
