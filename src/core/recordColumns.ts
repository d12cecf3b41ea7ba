/**
 * The one table of the record's fields. Everything that lists them derives from it: the CSV header and
 * its column order, the columnar store and its builder, the row details rebuilt from the store, the
 * table's labels, widths and flag filters, and the EmailRecord JSON schemas. Adding a field is one row
 * here (plus the field in the `EmailRecord` type and in the hand-unrolled `CsvRowEncoder`, which a unit
 * test holds to this table).
 *
 * Free of Node and VS Code imports: the webview bundle reads it too.
 */
import { REASONS, STATUSES, YES_NO_UNKNOWN, type EmailRecord } from './records';

/**
 * How a column is stored:
 * - `text`: free text, one UTF-8 buffer plus offsets (email, name);
 * - `dict`: dictionary codes in the narrowest typed array that fits, code 0 meaning "missing";
 * - `num`: a Float64Array with NaN meaning "missing".
 */
export type ColumnKind = 'text' | 'dict' | 'num';

/** One field of the record, and everything the extension needs to know to show, store and write it. */
export interface RecordColumn {
  /**
   * The field's dotted path in the record (`domain.acceptAll`: at most one group, then the field). It is
   * also the CSV header cell, the column's key in the store and its id in messages and saved UI state.
   */
  readonly id: string;
  /** Header label shown to the user. */
  readonly label: string;
  readonly kind: ColumnKind;
  /** Default width in the table, in CSS pixels. */
  readonly width: number;
  /**
   * Reads the field from a record; `undefined` when it or its group is missing. The record is as the
   * server sent it, so this may return `null` or any JSON value whatever the type says.
   */
  readonly read: (record: EmailRecord) => string | number | undefined;
  /** Documented as always present in its object: rebuilt as '' when missing while its object is there. */
  readonly required?: true;
  /** A yes/no/unknown field: the table offers a filter on it. */
  readonly flag?: true;
  /** Shown first in the table by default, before the others, as it says who the row is about. */
  readonly leading?: true;
  /**
   * Only some batches have it: the CSV has the column (last, so the others keep their positions) and
   * the table shows it only when some record of the batch carries it.
   */
  readonly onlyWhenPresent?: true;
  /** The field's JSON schema as the spec's OpenAPI document states it. */
  readonly schema: object;
  /** What the client expects instead, where that differs from the spec. */
  readonly expected?: object;
  /** Sent by the API but missing from the spec's schema. */
  readonly undocumented?: true;
  /**
   * Other CSV header names a file may use for this column (Bouncer's web app, spreadsheets). The id and
   * the label are accepted anyway; names are compared without case, spaces or punctuation.
   */
  readonly aliases?: readonly string[];
}

const STRING = { type: 'string' } as const;
const YES_NO_UNKNOWN_SCHEMA = { enum: [...YES_NO_UNKNOWN] };
/** Yes/no/unknown fields: documented in every `domain` and `account`, filterable, narrow. */
const FLAG = { kind: 'dict', width: 90, required: true, flag: true, schema: YES_NO_UNKNOWN_SCHEMA } as const;

/** In record order: the key order of the spec's example, with `name` where the API puts it. */
export const RECORD_COLUMNS = [
  {
    id: 'email',
    label: 'Email',
    kind: 'text',
    width: 260,
    read: (r) => r.email,
    required: true,
    leading: true,
    schema: STRING,
    aliases: ['email address', 'e-mail'],
  },
  {
    id: 'status',
    label: 'Status',
    kind: 'dict',
    width: 135,
    read: (r) => r.status,
    required: true,
    schema: { enum: [...STATUSES] },
  },
  {
    id: 'reason',
    label: 'Reason',
    kind: 'dict',
    width: 140,
    read: (r) => r.reason,
    required: true,
    schema: { enum: [...REASONS] },
  },
  {
    id: 'name',
    label: 'Name',
    kind: 'text',
    width: 170,
    read: (r) => r.name,
    leading: true,
    onlyWhenPresent: true,
    schema: STRING,
    undocumented: true,
  },
  {
    id: 'domain.name',
    label: 'Domain',
    kind: 'dict',
    width: 170,
    read: (r) => r.domain?.name,
    required: true,
    schema: STRING,
    aliases: ['domain_name'],
  },
  { id: 'domain.acceptAll', label: 'Accept-all', ...FLAG, read: (r) => r.domain?.acceptAll },
  { id: 'domain.disposable', label: 'Disposable', ...FLAG, read: (r) => r.domain?.disposable },
  { id: 'domain.free', label: 'Free', ...FLAG, read: (r) => r.domain?.free },
  { id: 'account.role', label: 'Role', ...FLAG, read: (r) => r.account?.role },
  { id: 'account.disabled', label: 'Disabled', ...FLAG, read: (r) => r.account?.disabled },
  { id: 'account.fullMailbox', label: 'Full mailbox', ...FLAG, read: (r) => r.account?.fullMailbox },
  {
    id: 'dns.type',
    label: 'DNS type',
    kind: 'dict',
    width: 90,
    read: (r) => r.dns?.type,
    required: true,
    schema: STRING,
  },
  { id: 'dns.record', label: 'DNS record', kind: 'dict', width: 170, read: (r) => r.dns?.record, schema: STRING },
  { id: 'provider', label: 'Provider', kind: 'dict', width: 170, read: (r) => r.provider, schema: STRING },
  {
    id: 'score',
    label: 'Score',
    kind: 'num',
    width: 90,
    read: (r) => r.score,
    schema: { type: 'integer', minimum: 0, maximum: 100 },
  },
  { id: 'toxic', label: 'Toxic', kind: 'dict', width: 90, read: (r) => r.toxic, schema: STRING },
  {
    id: 'toxicity',
    label: 'Toxicity',
    kind: 'num',
    width: 90,
    read: (r) => r.toxicity,
    schema: { type: 'integer', minimum: 0, maximum: 5 },
    // One page of the docs says 0–5, another 0–100: any integer from 0 is accepted.
    expected: { type: 'integer', minimum: 0 },
  },
  { id: 'retryAfter', label: 'Retry after', kind: 'dict', width: 130, read: (r) => r.retryAfter, schema: STRING },
] as const satisfies readonly RecordColumn[];

type Row = (typeof RECORD_COLUMNS)[number];

/** A column id: a field's dotted path. */
export type FlatColumn = Row['id'];
/** Column ids by storage kind, so the store's shape is checked by the compiler. */
export type TextColumnId = Extract<Row, { kind: 'text' }>['id'];
export type DictColumnId = Extract<Row, { kind: 'dict' }>['id'];
export type NumColumnId = Extract<Row, { kind: 'num' }>['id'];
/** The yes/no/unknown columns. */
export type FlagColumn = Extract<Row, { flag: true }>['id'];

/** A row of the table with its id typed. */
export type ColumnDef = RecordColumn & { readonly id: FlatColumn };

/** Column definitions by id. */
export const COLUMN_DEFS: Readonly<Record<FlatColumn, ColumnDef>> = Object.fromEntries(
  RECORD_COLUMNS.map((column) => [column.id, column]),
) as Record<FlatColumn, ColumnDef>;

function idsWhere<T extends FlatColumn>(test: (column: RecordColumn) => boolean): readonly T[] {
  return RECORD_COLUMNS.filter(test).map((column) => column.id as T);
}

export const TEXT_COLUMN_IDS = idsWhere<TextColumnId>((column) => column.kind === 'text');
export const DICT_COLUMN_IDS = idsWhere<DictColumnId>((column) => column.kind === 'dict');
export const NUM_COLUMN_IDS = idsWhere<NumColumnId>((column) => column.kind === 'num');
export const FLAG_COLUMNS = idsWhere<FlagColumn>((column) => column.flag === true);

const ALWAYS = RECORD_COLUMNS.filter((column: RecordColumn) => !column.onlyWhenPresent);
const WITH_OPTIONAL: readonly ColumnDef[] = [
  ...ALWAYS,
  ...RECORD_COLUMNS.filter((column: RecordColumn) => column.onlyWhenPresent),
];

/**
 * The CSV's columns in order: the table's, with the columns only some batches have (`name`) last, and
 * only when `hasName` says the batch has them.
 */
export function csvColumns(hasName: boolean): readonly ColumnDef[] {
  return hasName ? WITH_OPTIONAL : ALWAYS;
}

/** Reads one column of a record; missing optional fields read as `undefined`. */
export function flatValue(record: EmailRecord, column: FlatColumn): string | number | undefined {
  return COLUMN_DEFS[column].read(record);
}
