import {
  COLUMN_DEFS,
  DICT_COLUMN_IDS,
  NUM_COLUMN_IDS,
  TEXT_COLUMN_IDS,
  type DictColumnId,
  type FlatColumn,
  type NumColumnId,
  type RecordColumn,
  type TextColumnId,
} from '../core/recordColumns';
import type { EmailRecord } from '../core/records';
import {
  MAX_EXTRA_COLUMNS,
  MAX_EXTRA_LABEL,
  type Codes,
  type DictColumn,
  type NumColumn,
  type ResultsStore,
  type TextColumn,
} from './store';

const encoder = new TextEncoder();

/** Growable UTF-8 text column. */
class TextBuilder {
  private bytes = new Uint8Array(1 << 16);
  private offsets = new Uint32Array(1024);
  private present: Uint8Array | undefined;
  /** True once some row had the field. */
  anyPresent = false;
  private length = 0;
  private rows = 0;

  constructor(private readonly optional: boolean) {
    if (optional) this.present = new Uint8Array(1024);
  }

  add(value: string | undefined): void {
    if (this.rows + 2 > this.offsets.length) {
      this.offsets = grow(this.offsets, this.offsets.length * 2);
      if (this.present) this.present = grow(this.present, this.offsets.length);
    }
    if (value !== undefined && value.length > 0) {
      // UTF-8 takes at most 3 bytes per UTF-16 code unit.
      const need = this.length + value.length * 3;
      if (need > this.bytes.length) this.bytes = grow(this.bytes, Math.max(need, this.bytes.length * 2));
      this.length += encoder.encodeInto(value, this.bytes.subarray(this.length)).written;
    }
    if (value !== undefined) {
      this.anyPresent = true;
      if (this.present) this.present[this.rows] = 1;
    }
    this.rows++;
    this.offsets[this.rows] = this.length;
  }

  /** Rows `from` on, as copies; their offsets start at 0. */
  finish(from = 0): TextColumn {
    const start = this.offsets[from];
    const offsets = this.offsets.slice(from, this.rows + 1);
    if (start > 0) for (let k = 0; k < offsets.length; k++) offsets[k] -= start;
    const column: TextColumn = { kind: 'text', bytes: this.bytes.slice(start, this.length), offsets };
    if (this.optional && this.present) column.present = this.present.slice(from, this.rows);
    return column;
  }
}

/** Growable dictionary column; codes widen from 8 to 16 to 32 bits as values appear. */
/**
 * `value` as a string of its own. V8 keeps a substring of 13 characters or more as a view into the
 * string it was cut from, so a dictionary value read from a 1 MB chunk of a CSV file kept that whole
 * chunk alive: 128 MB of chunks behind 70 MB of columns at 1M rows. A JSON round trip copies the
 * characters exactly (a lone surrogate too, which a UTF-8 round trip would replace); it runs once
 * per distinct value, never per row.
 */
function detached(value: string): string {
  return value.length < 13 ? value : (JSON.parse(JSON.stringify(value)) as string);
}

class DictBuilder {
  private codes: Codes = new Uint8Array(1024);
  private readonly values: string[] = [''];
  private readonly index = new Map<string, number>();
  private rows = 0;

  add(value: string | undefined): void {
    if (this.rows >= this.codes.length) this.codes = grow(this.codes, this.codes.length * 2);
    let code = 0;
    if (value !== undefined) {
      const known = this.index.get(value);
      if (known !== undefined) {
        code = known;
      } else {
        code = this.values.length;
        const own = detached(value);
        this.values.push(own);
        this.index.set(own, code);
        if (code === 256 || code === 65536) this.codes = widen(this.codes);
      }
    }
    this.codes[this.rows++] = code;
  }

  /** Rows `from` on, as copies, with every value so far: codes mean the same in every part. */
  finish(from = 0): DictColumn {
    return { kind: 'dict', codes: this.codes.slice(from, this.rows), values: this.values.slice() };
  }
}

/** A number written as JSON would write it, optionally with spaces around: `"100"`, `" 4.5 "`, `"-1e3"`. */
const NUMERIC_TEXT = /^\s*-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*$/;

/** Numbers, and the text of whatever the server sent instead of a number (see `NumColumn.given`). */
class NumBuilder {
  private values = new Float64Array(1024);
  /** Created at the first value that is not a plain number: most batches never need it. */
  private given: DictBuilder | undefined;
  private rows = 0;

  add(value: unknown): void {
    if (this.rows >= this.values.length) this.values = grow(this.values, this.values.length * 2);
    let number = NaN;
    let text: string | undefined;
    if (typeof value === 'number') {
      number = value;
    } else if (value !== undefined && value !== null) {
      text = str(value);
      if (typeof value === 'string' && NUMERIC_TEXT.test(value)) number = Number(value);
    }
    if (text !== undefined && this.given === undefined) {
      this.given = new DictBuilder();
      for (let row = 0; row < this.rows; row++) this.given.add(undefined);
    }
    this.given?.add(text);
    this.values[this.rows++] = number;
  }

  finish(from = 0): NumColumn {
    const column: NumColumn = { kind: 'num', values: this.values.slice(from, this.rows) };
    if (this.given) column.given = this.given.finish(from);
    return column;
  }
}

type Growable = Uint8Array | Uint16Array | Uint32Array | Float64Array;

function grow<T extends Growable>(array: T, size: number): T {
  const next = new (array.constructor as new (n: number) => T)(size);
  next.set(array);
  return next;
}

function widen(codes: Codes): Codes {
  const next = codes instanceof Uint8Array ? new Uint16Array(codes.length) : new Uint32Array(codes.length);
  next.set(codes);
  return next;
}

/** A field as text: `null` is missing; a value of another type than documented shows as sent (objects as JSON). */
function str(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

type Read = RecordColumn['read'];

/** One builder per column of a kind, keyed by id, and the same builders beside their readers for the loop. */
function buildersOf<Id extends FlatColumn, B>(ids: readonly Id[], make: (id: Id) => B) {
  const byId = Object.fromEntries(ids.map((id) => [id, make(id)])) as Record<Id, B>;
  return { byId, list: ids.map((id) => byId[id]), reads: ids.map((id): Read => COLUMN_DEFS[id].read) };
}

/**
 * Accumulates records into a columnar {@link ResultsStore}, one builder per column of the column table.
 * Enum values the schema does not list are kept as new dictionary entries, so they show as they are;
 * missing optional fields (and `null`s) stay missing; a value of another type than documented shows as its text.
 */
export class StoreBuilder {
  // A field that is not always there keeps a "present" mask, so '' and missing stay apart.
  private readonly text = buildersOf<TextColumnId, TextBuilder>(
    TEXT_COLUMN_IDS,
    (id) => new TextBuilder(COLUMN_DEFS[id].required !== true),
  );
  private readonly dict = buildersOf<DictColumnId, DictBuilder>(DICT_COLUMN_IDS, () => new DictBuilder());
  private readonly num = buildersOf<NumColumnId, NumBuilder>(NUM_COLUMN_IDS, () => new NumBuilder());
  private rows = 0;
  private extraLabels: string[] = [];
  private extra: TextBuilder[] = [];

  /**
   * Declares extra text columns (a CSV file's own columns) before the first row; beyond
   * `MAX_EXTRA_COLUMNS` they are left out, and a label is cut at `MAX_EXTRA_LABEL` characters.
   */
  setExtraColumns(labels: readonly string[]): void {
    if (this.rows > 0) throw new Error('Extra columns are declared before the first row.');
    this.extraLabels = labels.slice(0, MAX_EXTRA_COLUMNS).map((label) => detached(label.slice(0, MAX_EXTRA_LABEL)));
    this.extra = this.extraLabels.map(() => new TextBuilder(false));
  }

  /** Number of records added so far. */
  get rowCount(): number {
    return this.rows;
  }

  /** Appends one record, with its extra columns' cells in declared order (missing ones read as ''). */
  add(record: EmailRecord, extraCells?: readonly string[]): void {
    const extra = this.extra;
    for (let k = 0; k < extra.length; k++) extra[k].add(extraCells?.[k] ?? '');
    // One loop per kind, so each calls one builder class: this runs for every field of a million records.
    const text = this.text.list;
    const textReads = this.text.reads;
    for (let k = 0; k < text.length; k++) text[k].add(str(textReads[k](record)));
    const dict = this.dict.list;
    const dictReads = this.dict.reads;
    for (let k = 0; k < dict.length; k++) dict[k].add(str(dictReads[k](record)));
    const num = this.num.list;
    const numReads = this.num.reads;
    for (let k = 0; k < num.length; k++) num[k].add(numReads[k](record));
    this.rows++;
  }

  /**
   * The columns so far, as copies: the builder may go on adding rows afterwards. With `from`, only
   * rows `from` on, as a store of their own (a part of a download; `concatStores` joins the parts).
   */
  finish(from = 0): ResultsStore {
    if (from < 0 || from > this.rows) throw new RangeError(`rows ${from}… of ${this.rows}`);
    const store: ResultsStore = {
      rowCount: this.rows - from,
      hasName: this.text.byId.name.anyPresent,
      text: finishAll(this.text.byId, from),
      dict: finishAll(this.dict.byId, from),
      num: finishAll(this.num.byId, from),
    };
    if (this.extra.length > 0) {
      store.extra = this.extra.map((builder, k) => ({ label: this.extraLabels[k], column: builder.finish(from) }));
    }
    return store;
  }
}

function finishAll<Id extends string, C>(
  builders: Record<Id, { finish(from: number): C }>,
  from: number,
): Record<Id, C> {
  return Object.fromEntries(
    Object.entries<{ finish(from: number): C }>(builders).map(([id, b]) => [id, b.finish(from)]),
  ) as Record<Id, C>;
}

export interface BuildOptions {
  /** Called every 65,536 rows with the count so far. */
  onProgress?: (rows: number) => void;
  /**
   * Called once with the first `partialAfter` rows as a store of their own, while reading goes on,
   * so a big batch can show its first rows long before the last one is parsed.
   */
  onPartial?: (store: ResultsStore) => void;
  partialAfter?: number;
  /** Text columns beside the record's own (a CSV file's unknown columns). */
  extra?: ExtraCells;
}

/** Where extra columns come from while records are read (see `readResultsFile`'s `onExtraCells`). */
export interface ExtraCells {
  /** The labels; asked once, when the first record has arrived (a file's header comes before it). */
  labels(): readonly string[];
  /** The cells of the record just handed out. */
  cells(): readonly string[] | undefined;
}

/** Builds a store from any iterable of records (sync or async). */
export async function buildStore(
  records: Iterable<EmailRecord> | AsyncIterable<EmailRecord>,
  options: BuildOptions = {},
): Promise<ResultsStore> {
  const { onProgress, onPartial, partialAfter = Infinity, extra } = options;
  const builder = new StoreBuilder();
  const step = (record: EmailRecord): void => {
    if (extra && builder.rowCount === 0) builder.setExtraColumns(extra.labels());
    builder.add(record, extra?.cells());
    const rows = builder.rowCount;
    if (onProgress && (rows & 0xffff) === 0) onProgress(rows);
    if (onPartial && rows === partialAfter) onPartial(builder.finish());
  };
  // A sync iterable is walked without an await per record (a microtask each adds up at 1M rows).
  if (Symbol.iterator in records) {
    for (const record of records) step(record);
  } else {
    for await (const record of records) step(record);
  }
  return builder.finish();
}
