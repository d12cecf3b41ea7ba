/**
 * The address of a results document (`bouncer-results:`), as plain parts the host turns into a
 * `vscode.Uri`. It names everything the document is made from and nothing secret:
 *
 *   bouncer-results://<originKey>/<batchId> · <filter>.<format>
 *
 * The authority is the origin's cache key (see `resultsKey.originKey`), so results of two API
 * servers never share an address, and the URL itself (which a user could mistype into holding a
 * password) never appears. The path's one segment is what the tab shows: `demo-small · risky.json`.
 * Every part is checked on the way in and on the way out: an address edited by hand, or restored
 * from an older version, parses to a clear error instead of a cache path.
 */
import { invalidBatchIdError, validateBatchId } from './batchId';
import { BouncerError, type BouncerErrorReason } from './errors';
import { DOWNLOAD_FILTERS, isDownloadFilter, type DownloadFilter } from './records';
import { isResultsFormat, RESULTS_FORMATS, type ResultsFormat } from './resultsKey';

export const RESULTS_SCHEME = 'bouncer-results';

/** Between the batch ID and the filter in the tab title. */
const SEPARATOR = ' · ';
const ORIGIN_KEY_PATTERN = /^[0-9a-f]{16}$/;
/** The path's form, for the message about one that has another. */
const PATH_SHAPE = `/<batch>${SEPARATOR}<filter>.<format>`;

/** What a results document shows: the results of one origin, batch and filter, in one format. */
export interface ResultsDocumentKey {
  originKey: string;
  batchId: string;
  filter: DownloadFilter;
  format: ResultsFormat;
}

/** The parts of a URI, as `vscode.Uri.from` takes them and a `vscode.Uri` holds them (path decoded). */
export interface ResultsUriParts {
  scheme: string;
  authority: string;
  path: string;
  query: string;
  fragment: string;
}

/** The document's file name, which is also its tab title: `<batchId> · <filter>.<format>`. */
export function resultsDocumentName(key: Pick<ResultsDocumentKey, 'batchId' | 'filter' | 'format'>): string {
  return `${key.batchId}${SEPARATOR}${key.filter}.${key.format}`;
}

/**
 * The URI parts of a results document. Throws `BouncerError('invalidArgument')` or
 * `('invalidBatchId')` for a part that is not one of ours, so nothing unchecked reaches an address.
 */
export function resultsUriParts(key: ResultsDocumentKey): ResultsUriParts {
  checkKey(key);
  return {
    scheme: RESULTS_SCHEME,
    authority: key.originKey,
    path: `/${resultsDocumentName(key)}`,
    query: '',
    fragment: '',
  };
}

/**
 * Reads a results document's URI parts back. Throws `BouncerError('invalidArgument')` naming what
 * is wrong for anything {@link resultsUriParts} would not have written.
 */
export function parseResultsUri(parts: ResultsUriParts): ResultsDocumentKey {
  const bad = (what: string, reason: BouncerErrorReason) =>
    new BouncerError('invalidArgument', `Not a Bouncer results address: ${what}.`, { reason });
  if (parts.scheme !== RESULTS_SCHEME) {
    throw bad(`the scheme is not ${RESULTS_SCHEME}`, { code: 'resultsUriScheme', scheme: RESULTS_SCHEME });
  }
  if (parts.query !== '' || parts.fragment !== '') throw bad('it has a query or fragment', { code: 'resultsUriExtra' });
  const name = parts.path.startsWith('/') ? parts.path.slice(1) : '';
  const dot = name.lastIndexOf('.');
  const separator = name.lastIndexOf(SEPARATOR);
  if (name.includes('/') || dot < 0 || separator < 0 || separator > dot) {
    throw bad(`the path is not "${PATH_SHAPE}"`, { code: 'resultsUriPath', shape: PATH_SHAPE });
  }
  const key = {
    originKey: parts.authority,
    batchId: name.slice(0, separator),
    filter: name.slice(separator + SEPARATOR.length, dot),
    format: name.slice(dot + 1),
  };
  checkKey(key);
  return key as ResultsDocumentKey;
}

function checkKey(key: { originKey: unknown; batchId: unknown; filter: unknown; format: unknown }): void {
  if (typeof key.originKey !== 'string' || !ORIGIN_KEY_PATTERN.test(key.originKey)) {
    throw new BouncerError('invalidArgument', 'Not a Bouncer results address: the origin key is not valid.', {
      reason: { code: 'resultsUriOriginKey' },
    });
  }
  const id = validateBatchId(typeof key.batchId === 'string' ? key.batchId : '');
  // Trimming is for typed input: an address holds the exact ID or is not ours.
  if (!id.ok || id.id !== key.batchId) {
    throw id.ok
      ? new BouncerError('invalidBatchId', 'The batch ID has surrounding spaces.', {
          reason: { code: 'badChar', found: { kind: 'whitespace' } },
        })
      : invalidBatchIdError(id.problem);
  }
  // The filter and format are not echoed: a hand-made address may hold anything, even the key.
  if (!isDownloadFilter(key.filter)) {
    throw new BouncerError(
      'invalidArgument',
      `Not a Bouncer results address: the filter is not one of ${DOWNLOAD_FILTERS.join(', ')}.`,
      { reason: { code: 'resultsUriNotOneOf', part: 'filter', allowed: DOWNLOAD_FILTERS } },
    );
  }
  if (!isResultsFormat(key.format)) {
    throw new BouncerError(
      'invalidArgument',
      `Not a Bouncer results address: the format is not ${RESULTS_FORMATS.join(' or ')}.`,
      {
        reason: { code: 'resultsUriNotOneOf', part: 'format', allowed: RESULTS_FORMATS },
      },
    );
  }
}
