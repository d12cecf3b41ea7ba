import { RECORD_COLUMNS, type ColumnDef } from '../core/recordColumns';
import type { EmailRecord } from '../core/records';
import { columnOf, textAt, type Column, type ResultsStore } from './store';

/** Reads one row of one stored column as the record held it; `undefined` when missing. */
type CellReader = (row: number) => string | number | undefined;

/** A top-level field, or a group (`domain`) with its fields; `required` fields come back as '' when missing. */
interface Field {
  key: string;
  required: boolean;
  read: CellReader;
}
type Slot = Field | { key: string; fields: Field[] };

/**
 * The record's shape for one store: the column ids' dotted paths in table order (the record's key
 * order), each with a reader bound to its stored column, so a row is rebuilt without a lookup per field.
 */
function shapeOf(store: ResultsStore): Slot[] {
  const slots: Slot[] = [];
  const groups = new Map<string, Field[]>();
  for (const column of RECORD_COLUMNS as readonly ColumnDef[]) {
    const [key, field] = column.id.split('.');
    const read = readerOf(columnOf(store, column.id));
    const required = column.required === true;
    if (field === undefined) {
      slots.push({ key, required, read });
      continue;
    }
    let fields = groups.get(key);
    if (!fields) {
      fields = [];
      groups.set(key, fields);
      slots.push({ key, fields });
    }
    fields.push({ key: field, required, read });
  }
  return slots;
}

function readerOf(column: Column): CellReader {
  switch (column.kind) {
    case 'text': {
      const { present } = column;
      return present === undefined
        ? (row) => textAt(column, row)
        : (row) => (present[row] === 1 ? textAt(column, row) : undefined);
    }
    case 'dict': {
      const { codes, values } = column;
      return (row) => {
        const code = codes[row];
        return code === 0 ? undefined : values[code];
      };
    }
    case 'num': {
      // The number, or the text the server sent instead (`"100"` stays a string, as it came).
      const { values, given } = column;
      return (row) => {
        const code = given === undefined ? 0 : given.codes[row];
        if (code !== 0) return (given as NonNullable<typeof given>).values[code];
        const value = values[row];
        return Number.isNaN(value) ? undefined : value;
      };
    }
  }
}

// The shape of the store read last: export and copy read many rows of one store in a row.
let lastStore: ResultsStore | undefined;
let lastSlots: Slot[] = [];

/**
 * Rebuilds the EmailRecord of one row from the columns, for copy, export and row details, with its keys
 * in table order. A missing field is left out, or is '' where the spec says it is always there; a group
 * (`domain`, `account`, `dns`) comes back only when some field of it was present.
 */
export function recordAt(store: ResultsStore, row: number): EmailRecord {
  if (store !== lastStore) {
    lastSlots = shapeOf(store);
    lastStore = store;
  }
  const slots = lastSlots;
  const record: Record<string, unknown> = {};
  for (let s = 0; s < slots.length; s++) {
    const slot = slots[s];
    if (!('fields' in slot)) {
      const value = slot.read(row);
      if (value !== undefined) record[slot.key] = value;
      else if (slot.required) record[slot.key] = '';
      continue;
    }
    const { fields } = slot;
    let group: Record<string, unknown> | undefined;
    for (let f = 0; f < fields.length; f++) {
      const value = fields[f].read(row);
      if (value === undefined && group === undefined) continue;
      if (group === undefined) {
        // The first field present: the group exists, so the fields before it that the spec always has are ''.
        group = {};
        for (let e = 0; e < f; e++) if (fields[e].required) group[fields[e].key] = '';
      }
      if (value !== undefined) group[fields[f].key] = value;
      else if (fields[f].required) group[fields[f].key] = '';
    }
    if (group !== undefined) record[slot.key] = group;
  }
  return record as unknown as EmailRecord;
}

/** Yields the records of the given rows, in the given order. */
export function* recordsAt(store: ResultsStore, rows: ArrayLike<number>): Generator<EmailRecord> {
  for (let i = 0; i < rows.length; i++) yield recordAt(store, rows[i]);
}
