/**
 * The columns as the results table offers them, derived from the record's column table.
 */
import { COLUMN_DEFS, csvColumns, RECORD_COLUMNS, type FlatColumn } from '../core/recordColumns';
import { extraIndex, MAX_EXTRA_COLUMNS, type ColumnId } from './store';

/** Every column the store holds, in the order CSV output uses, `name` last. */
export const ALL_COLUMNS: readonly FlatColumn[] = csvColumns(true).map((column) => column.id);

/** Type guard for record column ids arriving from persisted state or messages. */
export function isRecordColumnId(value: unknown): value is FlatColumn {
  return typeof value === 'string' && Object.hasOwn(COLUMN_DEFS, value);
}

const EXTRA_ID = /^extra:(0|[1-9][0-9]?)$/;

/**
 * Type guard for any column id arriving from persisted state or messages: a record column, or an
 * extra column inside the bounds a store may have (whether this store has it is `hasColumn`'s call).
 */
export function isColumnId(value: unknown): value is ColumnId {
  if (isRecordColumnId(value)) return true;
  const match = typeof value === 'string' ? EXTRA_ID.exec(value) : null;
  return match !== null && Number(match[1]) < MAX_EXTRA_COLUMNS;
}

/** An extra column's width until someone resizes it: room for a company or a note. */
const EXTRA_COLUMN_WIDTH = 160;

/** The width a column starts at, in CSS pixels. */
export function defaultWidth(id: ColumnId): number {
  return extraIndex(id) >= 0 ? EXTRA_COLUMN_WIDTH : COLUMN_DEFS[id as FlatColumn].width;
}

/**
 * Columns shown by default: the leading ones (who the row is about) first, then the rest in table
 * order; a column only some batches have (`name`) only when this batch has it.
 */
export function defaultColumns(hasName: boolean): FlatColumn[] {
  const shown = RECORD_COLUMNS.filter((column) => hasName || !COLUMN_DEFS[column.id].onlyWhenPresent);
  const leading = shown.filter((column) => COLUMN_DEFS[column.id].leading);
  const rest = shown.filter((column) => !COLUMN_DEFS[column.id].leading);
  return [...leading, ...rest].map((column) => column.id);
}
