/**
 * Reading the batch history back from `globalState`, where it may be an older shape, another
 * window's newer one, or garbage (see `batchHistory.ts` for the model itself).
 */
import { parseProgress } from './batchProgress';
import {
  cleanName,
  emptyHistory,
  finiteNumber,
  HISTORY_VERSION,
  MAX_ENTRIES_PER_ORIGIN,
  nonNegativeInt,
  sanitizeCounts,
  type BatchEntry,
  type DownloadInfo,
  type HistoryState,
} from './batchHistory';
import { isObject } from './guards';
import { DOWNLOAD_FILTERS, type DownloadFilter } from './records';
import { isResultsFormat } from './resultsKey';
import { StatusCounts } from './statusCounts';

/**
 * Reads a stored history defensively: global state may hold an older shape, another window's
 * newer shape, or garbage. Whatever cannot be read is dropped; this never throws.
 */
export function parseHistory(raw: unknown): HistoryState {
  if (!isObject(raw) || raw.version !== HISTORY_VERSION || !isObject(raw.origins)) return emptyHistory();
  const origins: Record<string, BatchEntry[]> = {};
  for (const [originKey, list] of Object.entries(raw.origins)) {
    if (!Array.isArray(list)) continue;
    const seen = new Set<string>();
    const entries: BatchEntry[] = [];
    for (const item of list) {
      const entry = parseEntry(item);
      if (!entry || seen.has(entry.batchId)) continue;
      seen.add(entry.batchId);
      entries.push(entry);
    }
    entries.sort((a, b) => b.lastUsedAt - a.lastUsedAt);
    if (entries.length > 0) origins[originKey] = entries.slice(0, MAX_ENTRIES_PER_ORIGIN);
  }
  return { version: HISTORY_VERSION, origins };
}

function parseEntry(raw: unknown): BatchEntry | undefined {
  if (!isObject(raw) || typeof raw.batchId !== 'string' || raw.batchId.length === 0) return undefined;
  const lastUsedAt = finiteNumber(raw.lastUsedAt);
  if (lastUsedAt === undefined) return undefined;
  const entry: {
    -readonly [K in keyof BatchEntry]: BatchEntry[K];
  } = {
    batchId: raw.batchId,
    lastUsedAt,
    counts: isObject(raw.counts) ? sanitizeCounts(raw.counts) : new StatusCounts().toObject(),
    pending: raw.pending === true,
    downloads: Array.isArray(raw.downloads) ? raw.downloads.flatMap((d) => parseDownload(d) ?? []) : [],
  };
  const name = typeof raw.name === 'string' ? cleanName(raw.name) : undefined;
  if (name !== undefined) entry.name = name;
  const fetchedAt = finiteNumber(raw.fetchedAt);
  if (fetchedAt !== undefined) entry.fetchedAt = fetchedAt;
  const total = nonNegativeInt(raw.total);
  if (total !== undefined) entry.total = total;
  if (raw.following === true) entry.following = true;
  const progress = parseProgress(raw.progress);
  if (progress) entry.progress = progress;
  if (typeof raw.source === 'string' && raw.source.length > 0 && raw.source.length < 4096) entry.source = raw.source;
  if (typeof raw.verifiedAgainFrom === 'string' && raw.verifiedAgainFrom.length > 0) {
    entry.verifiedAgainFrom = raw.verifiedAgainFrom.slice(0, 200);
  }
  return entry;
}

function parseDownload(raw: unknown): DownloadInfo | undefined {
  if (!isObject(raw)) return undefined;
  const { filter, format } = raw;
  const fetchedAt = finiteNumber(raw.fetchedAt);
  const records = nonNegativeInt(raw.records);
  const bytes = nonNegativeInt(raw.bytes);
  if (typeof filter !== 'string' || !(DOWNLOAD_FILTERS as readonly string[]).includes(filter)) return undefined;
  if (!isResultsFormat(format)) return undefined;
  if (fetchedAt === undefined || records === undefined || bytes === undefined) return undefined;
  return { filter: filter as DownloadFilter, format, fetchedAt, records, bytes };
}
