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
}

/** Looks up a column of any kind by its flat id. */
export function columnOf(store: ResultsStore, id: FlatColumn): Column {
  return (store[COLUMN_DEFS[id].kind] as Record<string, Column>)[id];
}

const decoder = new TextDecoder();

/** Decodes one text cell; '' when missing. */
export function textAt(column: TextColumn, row: number): string {
  const start = column.offsets[row];
  const end = column.offsets[row + 1];
  return end > start ? decoder.decode(column.bytes.subarray(start, end)) : '';
}

/** The display text of a cell; missing fields read as ''. */
export function cellText(store: ResultsStore, id: FlatColumn, row: number): string {
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
