/**
 * The one protocol between the extension host and the results-table webview. Every message in
 * either direction is typed here, and every message that arrives is parsed by the validators below
 * before anything acts on it: the webview trusts nothing the page receives, the host trusts nothing
 * the webview sends.
 *
 * Order: the webview posts `ready`; only then does the host post `init`, then `download`*,
 * `progress`* and `data` (or `loadError`). The webview posts `rendered` once rows are on screen.
 */
import { isObject } from '../core/guards';
import { DICT_COLUMN_IDS, FLAG_COLUMNS, NUM_COLUMN_IDS, TEXT_COLUMN_IDS, type FlagColumn } from '../core/recordColumns';
import { DOWNLOAD_FILTERS, type DownloadFilter } from '../core/records';
import { isColumnId } from '../model/columns';
import type { ColumnFilter, FilterState } from '../model/filter';
import type { SortKey } from '../model/sort';
import {
  MAX_EXTRA_COLUMNS,
  MAX_EXTRA_LABEL,
  type Codes,
  type ColumnId,
  type DictColumn,
  type NumColumn,
  type ResultsStore,
  type TextColumn,
} from '../model/store';

/** Which batch download a panel shows; enough for the host to find the cache again after a reload. */
export interface PanelSource {
  batchId: string;
  filter: DownloadFilter;
  originKey: string;
}

/** Everything the webview persists with `setState` (and VS Code hands back to the serializer). */
export interface UiState {
  source: PanelSource;
  columns: ColumnId[];
  sort: SortKey[];
  filter: FilterState;
  /** View position of the first visible row. */
  scrollRow: number;
  /** Column widths the user set by dragging or fitting, in CSS pixels; others use their default. */
  widths?: Partial<Record<ColumnId, number>>;
}

/** What the grid's context menu acted on: VS Code passes the `data-vscode-context` of the clicked cell. */
export const TABLE_CONTEXT_ACTIONS = [
  'copyCell',
  'copyRowsCsv',
  'copyEmails',
  'filterToValue',
  'excludeValue',
  'showRowDetails',
  'verifyAgain',
] as const;
export type TableContextAction = (typeof TABLE_CONTEXT_ACTIONS)[number];

// ---- host → webview -------------------------------------------------------------------------

/** Answer to `ready`: what the panel shows, and the UI state to restore if the webview has none. */
export interface InitMessage {
  type: 'init';
  source: PanelSource;
  title: string;
  ui?: UiState;
  /** `vscode.l10n.bundle`: translations of the webview's English strings; absent in English. */
  l10n?: Record<string, string>;
  /** `vscode.env.language`, for numbers and dates. */
  language?: string;
}

/** A context-menu entry picked on a cell: the webview acts on its own view of the rows. */
export interface ContextActionMessage {
  type: 'contextAction';
  action: TableContextAction;
  /** Store row index of the clicked cell. */
  row: number;
  column: ColumnId;
}

/** Rows read from the cache so far, while loading. */
export interface ProgressMessage {
  type: 'progress';
  rows: number;
}

/**
 * The download behind the panel, while it runs: what has arrived so far, or that another VS Code
 * window is downloading the same results and this one waits for it.
 */
export interface DownloadProgressMessage {
  type: 'download';
  bytes: number;
  records: number;
  waiting: boolean;
}

/**
 * The batch as columns; typed arrays travel as binary, not JSON. While a download streams (or a big
 * cache file is read) the rows so far come as `complete: false`, each message holding every row of
 * the one before and more; then the whole batch (`complete: true`) replaces them. Rows keep their
 * indices, so selection and scroll carry over. Rows that are not complete must never look it.
 */
export interface DataMessage {
  type: 'data';
  store: ResultsStore;
  complete: boolean;
}

/**
 * A `data` message whose store the webview fetches from `url`: the host's loopback table server
 * (`core/tableDataServer.ts`), the columns encoded as `model/storeFile.ts` writes them. VS Code's
 * message channel is many times slower for a big table. The store fetched must hold `rows` rows; when
 * the fetch or its check fails, the webview says `dataUrlFailed` and the host posts the store itself.
 */
export interface DataUrlMessage {
  type: 'dataUrl';
  url: string;
  rows: number;
  complete: boolean;
}

/**
 * Rows `firstRow` … `firstRow + rows - 1` of the download being shown, fetched from `url` as a
 * `dataUrl` store is. Not shown on their own: the page keeps them after the rows it shows. With
 * `complete`, the download has ended and these are its last rows: the page joins the rows it shows,
 * the parts it kept and these into the whole batch (`model/storeConcat.ts`); if it cannot (a part
 * missing or refused), it says `dataUrlFailed` with this `url` and the host posts the whole batch.
 */
export interface RowsUrlMessage {
  type: 'rowsUrl';
  url: string;
  firstRow: number;
  rows: number;
  complete: boolean;
}

/** The only addresses a `dataUrl` may name: the loopback table server, one random token per table. */
export const TABLE_DATA_URL = /^http:\/\/127\.0\.0\.1:\d{1,5}\/[0-9a-f]{32}$/;

/** Loading failed; `message` is one sentence with the next step; `canRetry` offers a button. */
export interface LoadErrorMessage {
  type: 'loadError';
  message: string;
  canRetry: boolean;
}

export type HostMessage =
  | InitMessage
  | ProgressMessage
  | DownloadProgressMessage
  | DataMessage
  | DataUrlMessage
  | RowsUrlMessage
  | LoadErrorMessage
  | ContextActionMessage;

// ---- webview → host -------------------------------------------------------------------------

/** The page is loaded and listening. */
export interface ReadyMessage {
  type: 'ready';
  /** Milliseconds from the start of the page's script to this message, for the open trace. */
  scriptMs?: number;
}

/** Rows of a data message are visible (the first one resolves `ResultsPanelManager.show`). */
export interface RenderedMessage {
  type: 'rendered';
  /** Rows in the current view. */
  rows: number;
  /** Whether the rendered data was the whole batch. */
  complete: boolean;
  /** The header's labels, in screen order: what a person sees, for the integration tests. */
  columns?: string[];
}

/** Bounds on `rendered.columns`: every record column and every extra one, each label at most this long. */
const MAX_RENDERED_COLUMNS = 100;

/** Copy rows to the clipboard as CSV (with header) or as emails, one per line. */
export interface CopyMessage {
  type: 'copy';
  what: 'csv' | 'emails';
  /** Store row indices, in view order. */
  rows: Uint32Array;
}

/** Export rows (the current view or the selection) to a file or a new editor tab. */
export interface ExportMessage {
  type: 'export';
  format: 'csv' | 'json';
  target: 'file' | 'tab';
  rows: Uint32Array;
}

/** Put one cell's text on the clipboard (Copy Cell, Ctrl+C on a single cell). */
export interface CopyTextMessage {
  type: 'copyText';
  text: string;
}

/** The store of a `dataUrl` message could not be fetched or did not check out: post it instead. */
export interface DataUrlFailedMessage {
  type: 'dataUrlFailed';
  url: string;
}

/** Retry loading after a `loadError`. */
export interface RetryMessage {
  type: 'retry';
}

/**
 * Verify Selected Rows Again: the emails of the selected rows (or the right-clicked one), in view
 * order. The host confirms and creates a new batch linked to the table's batch.
 */
export interface VerifyAgainMessage {
  type: 'verifyAgain';
  emails: string[];
}

export type WebviewMessage =
  | ReadyMessage
  | RenderedMessage
  | CopyMessage
  | CopyTextMessage
  | ExportMessage
  | RetryMessage
  | VerifyAgainMessage
  | DataUrlFailedMessage;

/** A single cell copied is at most this long; a cell is never near it, a hostile page might try. */
export const MAX_COPY_TEXT = 1 << 20;

/** One Verify Again from the table is at most one Bouncer batch; the page sends no more. */
export const MAX_VERIFY_AGAIN_EMAILS = 100_000;
/** Longer than any address (64 + @ + 255); a longer cell is not one and the page leaves it out. */
export const MAX_EMAIL_LENGTH = 320;

// ---- validation -----------------------------------------------------------------------------

function isStringArray(value: unknown, max = Infinity): value is string[] {
  return Array.isArray(value) && value.length <= max && value.every((v) => typeof v === 'string');
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

/** Row lists may arrive as Uint32Array or, from a JSON-only transport, as a number array. */
function parseRows(value: unknown): Uint32Array | undefined {
  if (value instanceof Uint32Array) return value;
  if (Array.isArray(value) && value.every(isCount)) return Uint32Array.from(value as number[]);
  return undefined;
}

function parseSource(value: unknown): PanelSource | undefined {
  if (!isObject(value)) return undefined;
  const { batchId, filter, originKey } = value;
  if (typeof batchId !== 'string' || typeof originKey !== 'string') return undefined;
  if (typeof filter !== 'string' || !(DOWNLOAD_FILTERS as readonly string[]).includes(filter)) return undefined;
  return { batchId, filter: filter as DownloadFilter, originKey };
}

function parseSort(value: unknown): SortKey[] | undefined {
  if (!Array.isArray(value) || value.length > 8) return undefined;
  const keys: SortKey[] = [];
  for (const key of value) {
    if (!isObject(key) || !isColumnId(key.column) || typeof key.descending !== 'boolean') return undefined;
    keys.push({ column: key.column, descending: key.descending });
  }
  return keys;
}

function optionalNumber(value: unknown): number | undefined | false {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'number' && Number.isFinite(value) ? value : false;
}

function parseFilter(value: unknown): FilterState | undefined {
  if (!isObject(value)) return undefined;
  const { statuses, reasons, flags, search } = value;
  if (!isStringArray(statuses, 1000) || !isStringArray(reasons, 1000) || typeof search !== 'string') return undefined;
  if (!isObject(flags)) return undefined;
  const parsedFlags: Partial<Record<FlagColumn, string>> = {};
  for (const [key, flag] of Object.entries(flags)) {
    if (!(FLAG_COLUMNS as readonly string[]).includes(key) || typeof flag !== 'string') return undefined;
    parsedFlags[key as FlagColumn] = flag;
  }
  const scoreMin = optionalNumber(value.scoreMin);
  const scoreMax = optionalNumber(value.scoreMax);
  if (scoreMin === false || scoreMax === false) return undefined;
  const filter: FilterState = { statuses: [...statuses], reasons: [...reasons], flags: parsedFlags, search };
  if (scoreMin !== undefined) filter.scoreMin = scoreMin;
  if (scoreMax !== undefined) filter.scoreMax = scoreMax;
  if (value.columns !== undefined) {
    const columns = parseColumnFilters(value.columns);
    if (!columns) return undefined;
    if (columns.length > 0) filter.columns = columns;
  }
  return filter;
}

function parseColumnFilters(value: unknown): ColumnFilter[] | undefined {
  if (!Array.isArray(value) || value.length > 64) return undefined;
  const filters: ColumnFilter[] = [];
  for (const item of value) {
    if (!isObject(item) || !isColumnId(item.column) || typeof item.text !== 'string') return undefined;
    if (typeof item.exclude !== 'boolean' && item.exclude !== undefined) return undefined;
    filters.push(
      item.exclude ? { column: item.column, text: item.text, exclude: true } : { column: item.column, text: item.text },
    );
  }
  return filters;
}

function parseWidths(value: unknown): Partial<Record<ColumnId, number>> | undefined {
  if (!isObject(value)) return undefined;
  const widths: Partial<Record<ColumnId, number>> = {};
  for (const [id, width] of Object.entries(value)) {
    if (!isColumnId(id) || typeof width !== 'number' || !Number.isFinite(width) || width < 0 || width > 10_000) {
      return undefined;
    }
    widths[id] = width;
  }
  return widths;
}

/** Parses persisted UI state; anything malformed (an older version, a damaged file) reads as undefined. */
export function parseUiState(value: unknown): UiState | undefined {
  if (!isObject(value)) return undefined;
  const source = parseSource(value.source);
  const sort = parseSort(value.sort);
  const filter = parseFilter(value.filter);
  const { columns, scrollRow } = value;
  if (!source || !sort || !filter || !isCount(scrollRow)) return undefined;
  if (!Array.isArray(columns) || !columns.every(isColumnId) || new Set(columns).size !== columns.length) {
    return undefined;
  }
  const ui: UiState = { source, columns: [...columns], sort, filter, scrollRow };
  if (value.widths !== undefined) {
    const widths = parseWidths(value.widths);
    if (!widths) return undefined;
    ui.widths = widths;
  }
  return ui;
}

function isCodes(value: unknown): value is Codes {
  return value instanceof Uint8Array || value instanceof Uint16Array || value instanceof Uint32Array;
}

function validText(value: unknown, rows: number): value is TextColumn {
  if (!isObject(value) || value.kind !== 'text') return false;
  const { bytes, offsets, present } = value;
  if (!(bytes instanceof Uint8Array) || !(offsets instanceof Uint32Array) || offsets.length !== rows + 1) return false;
  if (present !== undefined && !(present instanceof Uint8Array && present.length === rows)) return false;
  if (offsets[0] !== 0 || offsets[rows] > bytes.length) return false;
  for (let i = 0; i < rows; i++) if (offsets[i] > offsets[i + 1]) return false;
  return true;
}

function validDict(value: unknown, rows: number): value is DictColumn {
  if (!isObject(value) || value.kind !== 'dict') return false;
  const { codes, values } = value;
  if (!isCodes(codes) || codes.length !== rows || !isStringArray(values) || values.length === 0) return false;
  const limit = values.length;
  for (let i = 0; i < rows; i++) if (codes[i] >= limit) return false;
  return true;
}

function validNum(value: unknown, rows: number): value is NumColumn {
  if (!isObject(value) || value.kind !== 'num' || !(value.values instanceof Float64Array)) return false;
  return value.values.length === rows && (value.given === undefined || validDict(value.given, rows));
}

function validExtra(value: unknown, rows: number): boolean {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_EXTRA_COLUMNS) return false;
  return value.every(
    (extra: unknown) =>
      isObject(extra) &&
      typeof extra.label === 'string' &&
      extra.label.length <= MAX_EXTRA_LABEL &&
      validText(extra.column, rows),
  );
}

/** Checks a posted store end to end: shapes, lengths, offsets in bounds, codes inside their dictionaries. */
export function parseStore(value: unknown): ResultsStore | undefined {
  if (!isObject(value) || !isCount(value.rowCount) || typeof value.hasName !== 'boolean') return undefined;
  const rows = value.rowCount;
  const { text, dict, num } = value;
  if (!isObject(text) || !isObject(dict) || !isObject(num)) return undefined;
  if (!TEXT_COLUMN_IDS.every((id) => validText(text[id], rows))) return undefined;
  if (!DICT_COLUMN_IDS.every((id) => validDict(dict[id], rows))) return undefined;
  if (!NUM_COLUMN_IDS.every((id) => validNum(num[id], rows))) return undefined;
  if (value.extra !== undefined && !validExtra(value.extra, rows)) return undefined;
  return value as unknown as ResultsStore;
}

/** Parses a message the webview received; undefined for anything that is not a well-formed host message. */
export function parseHostMessage(value: unknown): HostMessage | undefined {
  if (!isObject(value)) return undefined;
  switch (value.type) {
    case 'init': {
      const source = parseSource(value.source);
      if (!source || typeof value.title !== 'string') return undefined;
      const message: InitMessage = { type: 'init', source, title: value.title };
      if (value.ui !== undefined) {
        const ui = parseUiState(value.ui);
        if (!ui) return undefined;
        message.ui = ui;
      }
      if (value.l10n !== undefined && value.l10n !== null) {
        if (!isObject(value.l10n) || !Object.values(value.l10n).every((v) => typeof v === 'string')) return undefined;
        message.l10n = { ...(value.l10n as Record<string, string>) };
      }
      if (value.language !== undefined) {
        if (typeof value.language !== 'string') return undefined;
        message.language = value.language;
      }
      return message;
    }
    case 'contextAction': {
      const { action, row, column } = value;
      if (!(TABLE_CONTEXT_ACTIONS as readonly unknown[]).includes(action) || !isCount(row) || !isColumnId(column)) {
        return undefined;
      }
      return { type: 'contextAction', action: action as TableContextAction, row, column };
    }
    case 'progress':
      return isCount(value.rows) ? { type: 'progress', rows: value.rows } : undefined;
    case 'download':
      return isCount(value.bytes) && isCount(value.records) && typeof value.waiting === 'boolean'
        ? { type: 'download', bytes: value.bytes, records: value.records, waiting: value.waiting }
        : undefined;
    case 'data': {
      const store = parseStore(value.store);
      return store && typeof value.complete === 'boolean'
        ? { type: 'data', store, complete: value.complete }
        : undefined;
    }
    case 'dataUrl':
      return typeof value.url === 'string' &&
        TABLE_DATA_URL.test(value.url) &&
        isCount(value.rows) &&
        typeof value.complete === 'boolean'
        ? { type: 'dataUrl', url: value.url, rows: value.rows, complete: value.complete }
        : undefined;
    case 'rowsUrl':
      return typeof value.url === 'string' &&
        TABLE_DATA_URL.test(value.url) &&
        isCount(value.firstRow) &&
        isCount(value.rows) &&
        typeof value.complete === 'boolean'
        ? { type: 'rowsUrl', url: value.url, firstRow: value.firstRow, rows: value.rows, complete: value.complete }
        : undefined;
    case 'loadError':
      return typeof value.message === 'string' && typeof value.canRetry === 'boolean'
        ? { type: 'loadError', message: value.message, canRetry: value.canRetry }
        : undefined;
    default:
      return undefined;
  }
}

/** Parses a message the host received from the webview; undefined for anything malformed. */
export function parseWebviewMessage(value: unknown): WebviewMessage | undefined {
  if (!isObject(value)) return undefined;
  switch (value.type) {
    case 'ready': {
      const scriptMs = value.scriptMs;
      return typeof scriptMs === 'number' && Number.isFinite(scriptMs) && scriptMs >= 0
        ? { type: 'ready', scriptMs }
        : { type: 'ready' };
    }
    case 'retry':
      return { type: 'retry' };
    case 'dataUrlFailed':
      return typeof value.url === 'string' && TABLE_DATA_URL.test(value.url)
        ? { type: 'dataUrlFailed', url: value.url }
        : undefined;
    case 'copyText':
      return typeof value.text === 'string' && value.text.length <= MAX_COPY_TEXT
        ? { type: 'copyText', text: value.text }
        : undefined;
    case 'verifyAgain': {
      const { emails } = value;
      return isStringArray(emails, MAX_VERIFY_AGAIN_EMAILS) &&
        emails.length > 0 &&
        emails.every((e) => e.length <= MAX_EMAIL_LENGTH)
        ? { type: 'verifyAgain', emails: [...emails] }
        : undefined;
    }
    case 'rendered': {
      if (!isCount(value.rows) || typeof value.complete !== 'boolean') return undefined;
      const message: RenderedMessage = { type: 'rendered', rows: value.rows, complete: value.complete };
      const { columns } = value;
      if (columns === undefined) return message;
      const fits = (label: unknown) => typeof label === 'string' && label.length <= MAX_EXTRA_LABEL;
      if (!Array.isArray(columns) || columns.length > MAX_RENDERED_COLUMNS || !columns.every(fits)) return undefined;
      return { ...message, columns: [...(columns as string[])] };
    }
    case 'copy': {
      const rows = parseRows(value.rows);
      if (!rows || (value.what !== 'csv' && value.what !== 'emails')) return undefined;
      return { type: 'copy', what: value.what, rows };
    }
    case 'export': {
      const rows = parseRows(value.rows);
      if (!rows || (value.format !== 'csv' && value.format !== 'json')) return undefined;
      if (value.target !== 'file' && value.target !== 'tab') return undefined;
      return { type: 'export', format: value.format, target: value.target, rows };
    }
    default:
      return undefined;
  }
}

/** True when every row index is inside the store (the host checks before touching records). */
export function rowsInRange(rows: Uint32Array, rowCount: number): boolean {
  for (let i = 0; i < rows.length; i++) if (rows[i] >= rowCount) return false;
  return true;
}
