import { BouncerError } from './errors';
import { isDownloadFilter, type DownloadFilter } from './records';

export type ResultsView = 'table' | 'json' | 'csv';
export const RESULTS_VIEWS: readonly ResultsView[] = ['table', 'json', 'csv'];

/** The optional argument of the `bouncer.open*` commands, for automation and the sidebar. */
export interface OpenArgs {
  batchId: string;
  filter?: DownloadFilter;
  view?: ResultsView;
  /** Download again even when the results are cached. */
  refresh?: boolean;
}

/**
 * Checks a command argument that may come from anywhere (another extension, a keybinding,
 * a `command:` link). Returns undefined when there is no argument, so the command asks;
 * throws when there is one but it is malformed, so nothing is guessed.
 */
export function parseOpenArgs(value: unknown): OpenArgs | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new BouncerError('invalidBatchId', 'The command argument must be an object like { batchId, filter }.');
  }
  // Each field is read exactly once, into a plain object that is then checked and returned: a
  // getter or Proxy could pass a check and then answer `../../x` when read again.
  const source = value as Record<string, unknown>;
  const v = { batchId: source.batchId, filter: source.filter, view: source.view, refresh: source.refresh };
  if (typeof v.batchId !== 'string') {
    throw new BouncerError('invalidBatchId', 'The command argument needs a string "batchId".');
  }
  if (v.filter !== undefined && !isDownloadFilter(v.filter)) {
    throw new BouncerError('invalidBatchId', 'The "filter" must be all, deliverable, risky, undeliverable or unknown.');
  }
  if (v.view !== undefined && !RESULTS_VIEWS.includes(v.view as ResultsView)) {
    throw new BouncerError('invalidBatchId', 'The "view" must be table, json or csv.');
  }
  return {
    batchId: v.batchId,
    filter: v.filter as DownloadFilter | undefined,
    view: v.view as ResultsView | undefined,
    refresh: v.refresh === true,
  };
}
