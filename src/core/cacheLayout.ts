/**
 * Where the results cache keeps what: `<root>/<originKey>/<batchDir>/<filter>.<format>`, and beside
 * each file its seal (`.meta`), its lock (`.lock`) while it is written, and the downloads into it
 * that are still running (`.part`). Every name in the cache folder is made here.
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { PART_SUFFIX, tempPathFor } from './atomicFile';
import { invalidBatchIdError, validateBatchId } from './batchId';
import { BouncerError } from './errors';
import { DOWNLOAD_FILTERS, isDownloadFilter, type DownloadFilter } from './records';
import { isResultsFormat, RESULTS_FORMATS, type ResultsFormat, type ResultsKey } from './resultsKey';

/** Suffix of the small sidecar that seals a finished file: which file it is, its size and records. */
export const META_SUFFIX = '.meta';
/** Suffix of the lock file held while a file is downloaded, sealed or evicted. */
export const LOCK_SUFFIX = '.lock';
/**
 * Suffix of the table's columnar copy of a finished JSON download (see `host/storeSidecar.ts`): a
 * cache of the cache, so reopening needs no parse. It names the file it was built from; evicted with it.
 */
export const STORE_SUFFIX = '.store';

/** Characters of the readable part of a batch folder's name; the hash that follows keeps it unique. */
const READABLE_ID_CHARS = 48;
const DATA_FILE = new RegExp(`^(${DOWNLOAD_FILTERS.join('|')})\\.(${RESULTS_FORMATS.join('|')})$`);

/** What a path inside the cache says by its place alone; the exact batch ID is only in its seal. */
export interface DataFileName {
  originKey: string;
  filter: DownloadFilter;
  format: ResultsFormat;
}

export class CacheLayout {
  /** @param root The cache directory, `<globalStorage>/results`. */
  constructor(readonly root: string) {}

  /**
   * Path of a finished download. Throws for a filter, format or batch ID that is not one of ours,
   * whatever checks came before: an argument that slipped past them must never name a file.
   */
  path(key: ResultsKey): string {
    if (!isDownloadFilter(key.filter)) {
      const expected = DOWNLOAD_FILTERS.join(', ');
      throw new Error(`Unknown results filter ${JSON.stringify(key.filter)}: expected one of ${expected}.`);
    }
    if (!isResultsFormat(key.format)) {
      throw new Error(`Unknown results format ${JSON.stringify(key.format)}: expected json or csv.`);
    }
    return path.join(this.batchDir(key.originKey, key.batchId), `${key.filter}.${key.format}`);
  }

  /** Directory that holds every cached file of one batch. Throws `BouncerError('invalidBatchId')`. */
  batchDir(originKey: string, batchId: string): string {
    const checked = validateBatchId(batchId);
    // Exactly valid, not valid once trimmed: ` abc` must not name the folder of `abc`.
    if (!checked.ok || checked.id !== batchId) {
      throw checked.ok
        ? new BouncerError('invalidBatchId', 'A batch ID has no surrounding spaces.')
        : invalidBatchIdError(checked.problem);
    }
    return path.join(this.root, safeSegment(originKey), batchDirName(batchId));
  }

  /**
   * A fresh name for one download into `file`: unique, so two windows downloading the same results
   * never write into one temporary file.
   */
  downloadPath(file: string): string {
    return tempPathFor(file, PART_SUFFIX);
  }

  /** What a file's place says when it is where a finished download goes; `undefined` for anything else. */
  parse(file: string): DataFileName | undefined {
    const relative = path.relative(this.root, file).split(path.sep);
    if (relative.length !== 3) return undefined;
    const name = parseName(relative[2]);
    if (!name) return undefined;
    try {
      return { originKey: decodeURIComponent(relative[0]), ...name };
    } catch {
      return undefined; // A folder name we did not encode.
    }
  }

  /** The finished downloads that a listing of one batch's folder names. */
  keysIn(originKey: string, batchId: string, names: readonly string[]): ResultsKey[] {
    return names.flatMap((file) => {
      const name = parseName(file);
      return name ? [{ originKey, batchId, ...name }] : [];
    });
  }
}

function parseName(name: string): Pick<ResultsKey, 'filter' | 'format'> | undefined {
  const match = DATA_FILE.exec(name);
  return match ? { filter: match[1] as DownloadFilter, format: match[2] as ResultsFormat } : undefined;
}

/**
 * Name of a batch's folder: the ID lowercased (at most {@link READABLE_ID_CHARS} characters, so a
 * person can find it) and 16 hex characters of the SHA-256 of the exact ID. Batch IDs are case
 * sensitive (`ABC` and `abc` are two batches) but file systems on Windows and macOS are not, and
 * an ID such as `CON` or `nul` is a device name on Windows; the hash suffix settles both.
 */
export function batchDirName(batchId: string): string {
  const hash = createHash('sha256').update(batchId).digest('hex').slice(0, 16);
  return `${batchId.toLowerCase().slice(0, READABLE_ID_CHARS)}-${hash}`;
}

/**
 * Encodes one path segment. Origin keys are made by `originKey`, but the cache must never be
 * steered outside its root whatever it is handed.
 */
function safeSegment(value: string): string {
  const encoded = encodeURIComponent(value);
  if (encoded.length === 0 || encoded === '.' || encoded === '..') {
    throw new Error(`Unusable cache path segment: ${JSON.stringify(value)}`);
  }
  return encoded;
}
