/**
 * The columns as the results table offers them, derived from the record's column table.
 */
import { COLUMN_DEFS, csvColumns, RECORD_COLUMNS, type FlatColumn } from '../core/recordColumns';

/** Every column the store holds, in the order CSV output uses, `name` last. */
export const ALL_COLUMNS: readonly FlatColumn[] = csvColumns(true).map((column) => column.id);

/** Type guard for column ids arriving from persisted state or messages. */
export function isColumnId(value: unknown): value is FlatColumn {
  return typeof value === 'string' && Object.hasOwn(COLUMN_DEFS, value);
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
