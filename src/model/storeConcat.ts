import type { Codes, Column, DictColumn, NumColumn, ResultsStore, TextColumn } from './store';

/**
 * Joins the parts of one download, in row order, into one store: the first rows the table showed
 * and the parts of the rest (`StoreBuilder.finish(from)` cuts them). One builder wrote them all, so a
 * dictionary code means the same in every part and each part's dictionary starts with the earlier
 * parts' values; a part that breaks this, or has columns the others lack, is not of the same download
 * and gives undefined. The parts are expected to have passed `parseStore` each.
 */
export function concatStores(parts: readonly ResultsStore[]): ResultsStore | undefined {
  if (parts.length === 0 || parts.some((part) => part.extra !== undefined)) return undefined;
  const [first] = parts;
  const rowCount = parts.reduce((sum, part) => sum + part.rowCount, 0);
  const joined: ResultsStore = {
    rowCount,
    hasName: parts.some((part) => part.hasName),
    text: {} as ResultsStore['text'],
    dict: {} as ResultsStore['dict'],
    num: {} as ResultsStore['num'],
  };
  for (const kind of ['text', 'dict', 'num'] as const) {
    const ids = Object.keys(first[kind]);
    if (parts.some((part) => Object.keys(part[kind]).length !== ids.length)) return undefined;
    for (const id of ids) {
      const columns = parts.map((part) => (part[kind] as Record<string, Column | undefined>)[id]);
      if (columns.some((column) => column?.kind !== columns[0]?.kind)) return undefined;
      const column = concatColumns(columns as Column[], parts, rowCount);
      if (!column) return undefined;
      (joined[kind] as Record<string, Column>)[id] = column;
    }
  }
  return joined;
}

function concatColumns(columns: Column[], parts: readonly ResultsStore[], rows: number): Column | undefined {
  switch (columns[0].kind) {
    case 'text':
      return concatText(columns as TextColumn[], parts);
    case 'dict':
      return concatDict(columns as DictColumn[], rows);
    case 'num':
      return concatNum(columns as NumColumn[], parts, rows);
  }
}

function concatText(columns: TextColumn[], parts: readonly ResultsStore[]): TextColumn {
  const byteCount = columns.reduce((sum, column) => sum + column.bytes.length, 0);
  const rows = parts.reduce((sum, part) => sum + part.rowCount, 0);
  const bytes = new Uint8Array(byteCount);
  const offsets = new Uint32Array(rows + 1);
  const anyPresent = columns.some((column) => column.present !== undefined);
  const present = anyPresent ? new Uint8Array(rows) : undefined;
  let row = 0;
  let base = 0;
  columns.forEach((column, k) => {
    const count = parts[k].rowCount;
    bytes.set(column.bytes, base);
    for (let i = 1; i <= count; i++) offsets[row + i] = base + column.offsets[i] - column.offsets[0];
    // A part without a mask has the field in every row.
    if (present) present.set(column.present ?? new Uint8Array(count).fill(1), row);
    row += count;
    base += column.bytes.length;
  });
  const text: TextColumn = { kind: 'text', bytes, offsets };
  if (present) text.present = present;
  return text;
}

/** Codes into the widest type any part needed; the values of the part that knows the most. */
function concatDict(columns: DictColumn[], rows: number): DictColumn | undefined {
  const values = columns.reduce(
    (longest, column) => (column.values.length > longest.length ? column.values : longest),
    [''],
  );
  for (const column of columns) {
    for (let k = 0; k < column.values.length; k++) if (column.values[k] !== values[k]) return undefined;
  }
  const codes: Codes =
    values.length <= 256
      ? new Uint8Array(rows)
      : values.length <= 65536
        ? new Uint16Array(rows)
        : new Uint32Array(rows);
  let row = 0;
  for (const column of columns) {
    codes.set(column.codes, row);
    row += column.codes.length;
  }
  return { kind: 'dict', codes, values: values.slice() };
}

function concatNum(columns: NumColumn[], parts: readonly ResultsStore[], rows: number): NumColumn | undefined {
  const values = new Float64Array(rows);
  let row = 0;
  for (const column of columns) {
    values.set(column.values, row);
    row += column.values.length;
  }
  const joined: NumColumn = { kind: 'num', values };
  // Text sent instead of a number may first appear in a later part; earlier rows had none (code 0).
  if (columns.some((column) => column.given)) {
    const givens = columns.map(
      (column, k): DictColumn =>
        column.given ?? { kind: 'dict', codes: new Uint8Array(parts[k].rowCount), values: [''] },
    );
    const given = concatDict(givens, rows);
    if (!given) return undefined;
    joined.given = given;
  }
  return joined;
}
