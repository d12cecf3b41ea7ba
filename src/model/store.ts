import {
  COLUMN_DEFS,
  type DictColumnId,
  type FlatColumn,
  type NumColumnId,
  type TextColumnId,
} from '../core/recordColumns';

/** Dictionary codes: the builder widens the array as the dictionary grows. */
export type Codes = Uint8Array | Uint16Array | Uint32Array;

/** Free text as one UTF-8 buffer; row i is `bytes[offsets[i] .. offsets[i + 1])`. */
export interface TextColumn {
  kind: 'text';
  bytes: Uint8Array;
  /** rowCount + 1 entries, non-decreasing. */
  offsets: Uint32Array;
  /** 1 where the field was present; absent means "present in every row". */
  present?: Uint8Array;
}

/** Enum-like or repetitive strings: `values[codes[i]]`; code 0 is "missing" and `values[0]` is ''. */
export interface DictColumn {
  kind: 'dict';
  codes: Codes;
  values: string[];
}

/**
 * Numbers; NaN marks a missing field. The server may send something else where a number is
 * documented (`"100"`, `"n/a"`, `true`): `given` then holds that value's text, shown as sent, while
 * `values` holds the number it reads as (`"100"` → 100, so it sorts and filters as one) or NaN.
 * `given` is absent while every value is a plain number; its code 0 means "a plain number or missing".
 */
export interface NumColumn {
  kind: 'num';
  values: Float64Array;
  given?: DictColumn;
}

export type Column = TextColumn | DictColumn | NumColumn;

/** A column the record has no field for (a CSV file's own column), shown as text after the known ones. */
export interface ExtraColumn {
  /** As the file's header names it. */
  label: string;
  column: TextColumn;
}

/** The id of extra column `i`: a prefix no record column id has, so the two never collide. */
export type ExtraColumnId = `extra:${number}`;
/** Any column of a store: a record column, or an extra one. */
export type ColumnId = FlatColumn | ExtraColumnId;

/** Bounds on extra columns, so a hostile or odd file cannot flood the grid or the saved state. */
export const MAX_EXTRA_COLUMNS = 64;
export const MAX_EXTRA_LABEL = 200;

export function extraColumnId(index: number): ExtraColumnId {
  return `extra:${index}`;
}

/** The extra column's index, or -1 for a record column id. */
export function extraIndex(id: ColumnId): number {
  return id.startsWith('extra:') ? Number(id.slice(6)) : -1;
}

/**
 * The whole batch as columns: about a third of the memory of record objects, and every buffer can be
 * handed to the webview by `postMessage` without per-row serialisation.
 */
export interface ResultsStore {
  rowCount: number;
  /** True when at least one record carried a `name`. */
  hasName: boolean;
  text: Record<TextColumnId, TextColumn>;
  dict: Record<DictColumnId, DictColumn>;
  num: Record<NumColumnId, NumColumn>;
  /** Columns beyond the record's, in file order; absent when there are none. */
  extra?: ExtraColumn[];
}

/** Whether the store has this column (a saved state may name an extra column this file lacks). */
export function hasColumn(store: ResultsStore, id: ColumnId): boolean {
  const extra = extraIndex(id);
  return extra < 0 ? Object.hasOwn(COLUMN_DEFS, id) : extra < (store.extra?.length ?? 0);
}

/** The extra columns' ids, in file order. */
export function extraColumnIds(store: ResultsStore): ExtraColumnId[] {
  return (store.extra ?? []).map((_, index) => extraColumnId(index));
}

/** Looks up a column of any kind by its id; an extra column the store lacks reads as empty text. */
export function columnOf(store: ResultsStore, id: ColumnId): Column {
  const extra = extraIndex(id);
  if (extra >= 0) return store.extra?.[extra]?.column ?? emptyText(store.rowCount);
  return (store[COLUMN_DEFS[id as FlatColumn].kind] as Record<string, Column>)[id];
}

function emptyText(rows: number): TextColumn {
  return { kind: 'text', bytes: new Uint8Array(0), offsets: new Uint32Array(rows + 1) };
}

const decoder = new TextDecoder();

/** Decodes one text cell; '' when missing. */
export function textAt(column: TextColumn, row: number): string {
  const start = column.offsets[row];
  const end = column.offsets[row + 1];
  return end > start ? decoder.decode(column.bytes.subarray(start, end)) : '';
}

/** The display text of a cell; missing fields read as ''. */
export function cellText(store: ResultsStore, id: ColumnId, row: number): string {
  const column = columnOf(store, id);
  switch (column.kind) {
    case 'text':
      return textAt(column, row);
    case 'dict':
      return column.values[column.codes[row]];
    case 'num': {
      const given = column.given?.codes[row] ?? 0;
      if (given !== 0) return (column.given as DictColumn).values[given];
      const value = column.values[row];
      return Number.isNaN(value) ? '' : String(value);
    }
  }
}

/** The first `rows` rows of one column, as copies. */
export function columnPrefix<C extends Column>(column: C, rows: number): C {
  switch (column.kind) {
    case 'text': {
      const offsets = column.offsets.slice(0, rows + 1);
      const prefix: TextColumn = { kind: 'text', bytes: column.bytes.slice(0, offsets[rows]), offsets };
      if (column.present) prefix.present = column.present.slice(0, rows);
      return prefix as C;
    }
    case 'dict':
      return { kind: 'dict', codes: column.codes.slice(0, rows), values: column.values.slice() } as C;
    case 'num': {
      const prefix: NumColumn = { kind: 'num', values: column.values.slice(0, rows) };
      if (column.given) prefix.given = columnPrefix(column.given, rows);
      return prefix as C;
    }
  }
}

function prefixAll<K extends string, C extends Column>(columns: Record<K, C>, rows: number): Record<K, C> {
  const out = {} as Record<K, C>;
  for (const id of Object.keys(columns) as K[]) out[id] = columnPrefix(columns[id], rows);
  return out;
}

/**
 * The first `rows` rows of `store` (all of them when it has fewer) as a store of their own. It
 * copies rather than views the buffers: `postMessage` clones a view's whole underlying buffer, so a
 * view of a million-row column would cross to the webview whole and gain nothing.
 */
export function storePrefix(store: ResultsStore, rows: number): ResultsStore {
  const count = Math.max(0, Math.min(rows, store.rowCount));
  const prefix: ResultsStore = {
    ...store,
    rowCount: count,
    text: prefixAll(store.text, count),
    dict: prefixAll(store.dict, count),
    num: prefixAll(store.num, count),
  };
  if (store.extra) {
    prefix.extra = store.extra.map(({ label, column }) => ({ label, column: columnPrefix(column, count) }));
  }
  return prefix;
}
