import { BouncerError } from './errors';
import { isObject } from './guards';
import { DOWNLOAD_FILTERS, isDownloadFilter, type DownloadFilter } from './records';

export type ResultsView = 'table' | 'json' | 'csv';
const RESULTS_VIEWS: readonly ResultsView[] = ['table', 'json', 'csv'];

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
 * throws `BouncerError('invalidArgument')` when there is one but it is malformed, so nothing is
 * guessed. The batch ID's own rules are checked later, by the ID validator.
 */
export function parseOpenArgs(value: unknown): OpenArgs | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) {
    throw new BouncerError('invalidArgument', 'The command argument must be an object like { batchId, filter }.', {
      reason: { code: 'argNotObject' },
    });
  }
  // Each field is read exactly once, into a plain object that is then checked and returned: a
  // getter or Proxy could pass a check and then answer `../../x` when read again.
  const v = { batchId: value.batchId, filter: value.filter, view: value.view, refresh: value.refresh };
  if (typeof v.batchId !== 'string') {
    throw new BouncerError('invalidArgument', 'The command argument needs a string "batchId".', {
      reason: { code: 'argNoBatchId' },
    });
  }
  if (v.filter !== undefined && !isDownloadFilter(v.filter)) {
    throw new BouncerError('invalidArgument', `The "filter" must be ${oneOf(DOWNLOAD_FILTERS)}.`, {
      reason: { code: 'argNotOneOf', field: 'filter', allowed: DOWNLOAD_FILTERS },
    });
  }
  if (v.view !== undefined && !RESULTS_VIEWS.includes(v.view as ResultsView)) {
    throw new BouncerError('invalidArgument', `The "view" must be ${oneOf(RESULTS_VIEWS)}.`, {
      reason: { code: 'argNotOneOf', field: 'view', allowed: RESULTS_VIEWS },
    });
  }
  return {
    batchId: v.batchId,
    filter: v.filter as DownloadFilter | undefined,
    view: v.view as ResultsView | undefined,
    refresh: v.refresh === true,
  };
}

/** `a, b or c` */
function oneOf(values: readonly string[]): string {
  return values.length < 2 ? values.join('') : `${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}`;
}
