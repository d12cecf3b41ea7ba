/**
 * The batch history: Bouncer has no call that lists a user's batches, so the extension remembers
 * every batch it has opened, per API origin, newest first. This module is the pure model: plain
 * immutable data plus functions that return a new state. The host keeps it in `globalState`, and
 * `batchHistoryRead.ts` reads it back from there.
 */
import { isCompleted, type BatchProgress } from './batchProgress';
import type { BatchStatus } from './batchStatus';
import type { DownloadSummary } from './ingest';
import { STATUSES, type DownloadFilter } from './records';
import type { ResultsFormat, ResultsKey } from './resultsKey';
import { countOf, StatusCounts } from './statusCounts';

/** Bumped when the stored shape changes incompatibly; older shapes are dropped, not misread. */
export const HISTORY_VERSION = 1;
/** Oldest entries beyond this many per origin are forgotten, so global state stays small. */
export const MAX_ENTRIES_PER_ORIGIN = 200;
/** Longest name a user can give a batch; longer input is cut. */
export const MAX_NAME_LENGTH = 120;

/** One completed download of a batch (one filter, one format). */
export interface DownloadInfo {
  readonly filter: DownloadFilter;
  readonly format: ResultsFormat;
  /** When the download completed (ms since epoch). */
  readonly fetchedAt: number;
  readonly records: number;
  readonly bytes: number;
}

/** What the extension remembers about one batch. */
export interface BatchEntry {
  readonly batchId: string;
  /** A name the user gave it; the tree shows the ID when absent. */
  readonly name?: string;
  /** Last time the user opened or downloaded it; the list is ordered by this, newest first. */
  readonly lastUsedAt: number;
  /** Last successful download of any filter. */
  readonly fetchedAt?: number;
  /** Records in the batch, known once the unfiltered (`all`) download completed. */
  readonly total?: number;
  /**
   * Records per status, from the `all` download or from single-status downloads. Keys are the
   * server's strings, bounded as `StatusCounts` does; read them with `countOf`, never `counts[key]`.
   */
  readonly counts: Readonly<Record<string, number>>;
  /** True while the server answers 405 (batch not completed). */
  readonly pending: boolean;
  /** The newest download per filter and format. */
  readonly downloads: readonly DownloadInfo[];
  /** True while the shared poller follows the batch to completion; survives a reload. */
  readonly following?: boolean;
  /** The last status poll of a followed batch; gone once it completed. */
  readonly progress?: BatchProgress;
  /** The file the batch's addresses came from (a URI string), where Write Results Back writes beside. */
  readonly source?: string;
  /** The batch whose addresses this one verified again ("Verify Again"). */
  readonly verifiedAgainFrom?: string;
}

/** What the creator of a batch tells the history when it starts following it. */
export interface FollowInfo {
  readonly name?: string;
  readonly source?: string;
  readonly verifiedAgainFrom?: string;
}

export interface HistoryState {
  readonly version: typeof HISTORY_VERSION;
  /** Entries per origin key, newest first. */
  readonly origins: Readonly<Record<string, readonly BatchEntry[]>>;
}

/**
 * What the results repository tells the history about cached results (the host's
 * `BatchHistoryStore` keeps them), so no caller of the cache has to remember to.
 */
export interface HistoryRecorder {
  /** The results were downloaded (here, or by another window this one waited for). */
  recordDownload(key: ResultsKey, summary: DownloadSummary): Promise<void>;
  /** The results were opened from the cache. */
  recordOpened(key: ResultsKey): Promise<void>;
}

/** A status group of a batch, for the tree's children. */
export interface StatusGroup {
  readonly status: string;
  readonly count: number;
}

/** The empty history. */
export function emptyHistory(): HistoryState {
  return { version: HISTORY_VERSION, origins: {} };
}

/** Entries of one origin, newest first (empty when the origin has none). */
export function entriesOf(state: HistoryState, originKey: string): readonly BatchEntry[] {
  return Object.prototype.hasOwnProperty.call(state.origins, originKey) ? state.origins[originKey] : [];
}

/** The entry of one batch, if remembered. */
export function findEntry(state: HistoryState, originKey: string, batchId: string): BatchEntry | undefined {
  return entriesOf(state, originKey).find((entry) => entry.batchId === batchId);
}

/** Remembers that the user opened a batch (any view): it moves to the top, created if new. */
export function recordOpened(state: HistoryState, originKey: string, batchId: string, now: number): HistoryState {
  const existing = findEntry(state, originKey, batchId) ?? newEntry(batchId, now);
  return putFirst(state, originKey, { ...existing, lastUsedAt: now });
}

/**
 * Remembers a completed download: the batch moves to the top, is no longer pending, and its
 * counts are updated. An `all` download sets the total and (when given) replaces every count;
 * a single-status download is the exact count of that status.
 */
export function recordDownload(
  state: HistoryState,
  originKey: string,
  batchId: string,
  filter: DownloadFilter,
  format: ResultsFormat,
  summary: DownloadSummary,
  now: number,
): HistoryState {
  const existing = findEntry(state, originKey, batchId) ?? newEntry(batchId, now);
  const records = nonNegativeInt(summary.records) ?? 0;
  const bytes = nonNegativeInt(summary.bytes) ?? 0;
  let counts = existing.counts;
  let total = existing.total;
  if (filter === 'all') {
    total = records;
    if (summary.counts) counts = sanitizeCounts(summary.counts);
  } else {
    const updated = countsFrom(existing.counts);
    updated.set(filter, records);
    counts = updated.toObject();
  }
  const download: DownloadInfo = { filter, format, fetchedAt: now, records, bytes };
  const downloads = [download, ...existing.downloads.filter((d) => !(d.filter === filter && d.format === format))];
  return putFirst(state, originKey, {
    ...existing,
    lastUsedAt: now,
    fetchedAt: now,
    total,
    counts,
    pending: false,
    downloads,
  });
}

/**
 * Sets or clears the "not completed yet" flag. A batch first seen as pending is remembered at the
 * top (the user did open it); an existing entry keeps its place.
 */
export function markPending(
  state: HistoryState,
  originKey: string,
  batchId: string,
  pending: boolean,
  now: number,
): HistoryState {
  const existing = findEntry(state, originKey, batchId);
  if (!existing) return pending ? putFirst(state, originKey, { ...newEntry(batchId, now), pending }) : state;
  if (existing.pending === pending) return state;
  return replaceInPlace(state, originKey, { ...existing, pending });
}

/**
 * Remembers a batch this extension just created: at the top, named, and pending (not completed)
 * until its status or a download says otherwise.
 */
export function recordCreated(
  state: HistoryState,
  originKey: string,
  batchId: string,
  name: string | undefined,
  now: number,
): HistoryState {
  const existing = findEntry(state, originKey, batchId) ?? newEntry(batchId, now);
  const clean = cleanName(name);
  const { name: _old, ...rest } = existing;
  return putFirst(state, originKey, {
    ...(clean === undefined ? rest : { ...rest, name: clean }),
    lastUsedAt: now,
    pending: true,
  });
}

/**
 * Remembers that a batch is followed until it completes (a new batch, or Wait for Completion): it
 * moves to the top as pending; what `info` says is kept, what it leaves out stays as it was.
 */
export function recordFollowing(
  state: HistoryState,
  originKey: string,
  batchId: string,
  info: FollowInfo,
  now: number,
): HistoryState {
  const existing = findEntry(state, originKey, batchId) ?? newEntry(batchId, now);
  const name = cleanName(info.name) ?? existing.name;
  return putFirst(state, originKey, {
    ...existing,
    ...(name === undefined ? {} : { name }),
    ...(info.source === undefined ? {} : { source: info.source }),
    ...(info.verifiedAgainFrom === undefined ? {} : { verifiedAgainFrom: info.verifiedAgainFrom }),
    lastUsedAt: now,
    following: true,
    pending: true,
  });
}

/**
 * Records a status poll of a followed batch. Once completed the batch is no longer followed nor
 * pending, and its counts come from the poll's stats until a download gives exact ones.
 */
export function recordProgress(
  state: HistoryState,
  originKey: string,
  batchId: string,
  status: BatchStatus,
  progress: BatchProgress,
): HistoryState {
  const existing = findEntry(state, originKey, batchId);
  if (!existing) return state;
  if (!isCompleted(status.status)) return replaceInPlace(state, originKey, { ...existing, progress, pending: true });
  const { progress: _old, following: _following, ...rest } = existing;
  const hasCounts = Object.keys(existing.counts).length > 0;
  const counts = !hasCounts && status.stats ? sanitizeCounts(status.stats) : existing.counts;
  return replaceInPlace(state, originKey, { ...rest, counts, pending: false });
}

/** Stops following a batch (it no longer exists, or the user cancelled), leaving the rest. */
export function stopFollowing(state: HistoryState, originKey: string, batchId: string): HistoryState {
  const existing = findEntry(state, originKey, batchId);
  if (!existing?.following) return state;
  const { following: _following, progress: _progress, ...rest } = existing;
  return replaceInPlace(state, originKey, rest);
}

/** IDs of the batches of one origin being followed. */
export function followedBatchIds(state: HistoryState, originKey: string): string[] {
  return entriesOf(state, originKey)
    .filter((entry) => entry.following)
    .map((entry) => entry.batchId);
}

/** Gives a batch a display name; a blank name clears it. Unknown batches are left alone. */
export function renameEntry(
  state: HistoryState,
  originKey: string,
  batchId: string,
  name: string | undefined,
): HistoryState {
  const existing = findEntry(state, originKey, batchId);
  if (!existing) return state;
  const clean = cleanName(name);
  const { name: _old, ...rest } = existing;
  return replaceInPlace(state, originKey, clean === undefined ? rest : { ...rest, name: clean });
}

/** Forgets a batch. */
export function removeEntry(state: HistoryState, originKey: string, batchId: string): HistoryState {
  const entries = entriesOf(state, originKey);
  if (!entries.some((entry) => entry.batchId === batchId)) return state;
  return withEntries(
    state,
    originKey,
    entries.filter((entry) => entry.batchId !== batchId),
  );
}

/**
 * Forgets downloads whose cache files are gone (deleted by the user or evicted), keeping what is
 * known about the batch itself (name, counts). With no filter/format, forgets all of the batch's.
 */
export function forgetDownloads(
  state: HistoryState,
  originKey: string,
  batchId: string,
  which?: { filter: DownloadFilter; format: ResultsFormat },
): HistoryState {
  const existing = findEntry(state, originKey, batchId);
  if (!existing) return state;
  const downloads = which
    ? existing.downloads.filter((d) => !(d.filter === which.filter && d.format === which.format))
    : [];
  if (downloads.length === existing.downloads.length) return state;
  return replaceInPlace(state, originKey, { ...existing, downloads });
}

/** Status groups with records, in the documented order, then any undocumented statuses by name. */
export function statusGroups(entry: BatchEntry): StatusGroup[] {
  const known = STATUSES as readonly string[];
  const extra = Object.keys(entry.counts)
    .filter((status) => !known.includes(status))
    .sort();
  return [...known, ...extra]
    .map((status) => ({ status, count: countOf(entry.counts, status) }))
    .filter((group) => group.count > 0);
}

/** Bytes of the downloads recorded for one batch (what the history believes is cached). */
export function recordedBytes(entry: BatchEntry): number {
  return entry.downloads.reduce((sum, d) => sum + d.bytes, 0);
}

/** Bytes recorded across all batches of all origins. */
export function totalRecordedBytes(state: HistoryState): number {
  let sum = 0;
  for (const entries of Object.values(state.origins)) {
    for (const entry of entries) sum += recordedBytes(entry);
  }
  return sum;
}

function newEntry(batchId: string, now: number): BatchEntry {
  return { batchId, lastUsedAt: now, counts: new StatusCounts().toObject(), pending: false, downloads: [] };
}

function putFirst(state: HistoryState, originKey: string, entry: BatchEntry): HistoryState {
  const rest = entriesOf(state, originKey).filter((e) => e.batchId !== entry.batchId);
  return withEntries(state, originKey, [entry, ...rest].slice(0, MAX_ENTRIES_PER_ORIGIN));
}

function replaceInPlace(state: HistoryState, originKey: string, entry: BatchEntry): HistoryState {
  return withEntries(
    state,
    originKey,
    entriesOf(state, originKey).map((e) => (e.batchId === entry.batchId ? entry : e)),
  );
}

function withEntries(state: HistoryState, originKey: string, entries: readonly BatchEntry[]): HistoryState {
  const origins: Record<string, readonly BatchEntry[]> = { ...state.origins };
  if (entries.length === 0) delete origins[originKey];
  else origins[originKey] = entries;
  return { version: HISTORY_VERSION, origins };
}

/** A batch name fit for a one-line label, or undefined when nothing is left of it. */
export function cleanName(name: string | undefined): string | undefined {
  // Control characters would break the one-line tree label; collapse them like whitespace.
  // eslint-disable-next-line no-control-regex
  const clean = (name ?? '').replace(/[\u0000-\u001f\u007f\s]+/g, ' ').trim();
  return clean.length === 0 ? undefined : clean.slice(0, MAX_NAME_LENGTH);
}

/** Counts from a download summary or stored state: bad counts dropped, keys bounded (see `StatusCounts`). */
export function sanitizeCounts(raw: Readonly<Record<string, unknown>>): Record<string, number> {
  return countsFrom(raw).toObject();
}

function countsFrom(raw: Readonly<Record<string, unknown>>): StatusCounts {
  const counts = new StatusCounts();
  // Object.entries lists own keys only: an inherited `constructor` never reads as a status.
  for (const [status, value] of Object.entries(raw)) {
    const count = nonNegativeInt(value);
    if (count !== undefined && status.length > 0) counts.add(status, count);
  }
  return counts;
}

/** A finite number, or undefined (for values read from storage or a server). */
export function finiteNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** A non-negative integer, or undefined (for values read from storage or a server). */
export function nonNegativeInt(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}
