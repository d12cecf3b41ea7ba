/**
 * Where a set of results comes from: one API origin, one batch, one status filter, one format. The
 * cache names its files by it, the history its downloads, and a download is asked for by it.
 */
import { createHash } from 'node:crypto';
import type { DownloadFilter } from './records';

/** The formats the API sends results in, and the cache keeps them in. */
export const RESULTS_FORMATS = ['json', 'csv'] as const;
export type ResultsFormat = (typeof RESULTS_FORMATS)[number];

export function isResultsFormat(value: unknown): value is ResultsFormat {
  return typeof value === 'string' && (RESULTS_FORMATS as readonly string[]).includes(value);
}

export interface ResultsKey {
  /** Short key of the API origin (see {@link originKey}); keeps each server's results apart. */
  originKey: string;
  batchId: string;
  filter: DownloadFilter;
  format: ResultsFormat;
}

/**
 * Stable short key of an API origin (the first 16 hex characters of its SHA-256); keeps each
 * origin's results and history apart without putting a URL in a path.
 */
export function originKey(origin: string): string {
  return createHash('sha256').update(origin).digest('hex').slice(0, 16);
}

/** `<batch> (<filter>, <format>)`, for log lines. */
export function describeKey(key: ResultsKey): string {
  return `${key.batchId} (${key.filter}, ${key.format})`;
}
