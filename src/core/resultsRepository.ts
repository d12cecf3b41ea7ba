/**
 * The one owner of cached results, from download to eviction, so every view of a batch reopens
 * instantly and offline. It names the files (`cacheLayout.ts`), judges them (`cacheSeal.ts`), lets
 * one process at a time download a file (`fileLock.ts`: VS Code windows are separate processes
 * sharing the cache folder), seals what it downloaded, evicts and sweeps (`cacheEviction.ts`), and
 * tells the history what happened. The host only shows progress and asks for the API key.
 */
import { promises as fs } from 'node:fs';
import type { HistoryRecorder } from './batchHistory';
import { deleteUnder, evictToLimit, sweepLeftovers, totalSize, type LockTiming } from './cacheEviction';
import { CacheLayout, LOCK_SUFFIX } from './cacheLayout';
import { inspectFile, sealFile, type CacheState } from './cacheSeal';
import { downloadToCache, type ResultsDownloader } from './download';
import { acquireFileLock } from './fileLock';
import { formatBytes } from './format';
import type { DownloadSummary } from './ingest';
import { describeKey, type ResultsKey } from './resultsKey';

export type { CacheState } from './cacheSeal';

/** A temporary file or lock untouched this long belongs to no running download. */
export const LEFTOVER_AGE_MS = 24 * 60 * 60 * 1000;

export interface ResultsRepositoryOptions {
  /** The cache directory, `<globalStorage>/results`; created on first write. */
  root: string;
  /** Told of every download and every open from the cache. */
  history: HistoryRecorder;
  /** Largest total size of the cache in bytes, read before each eviction; 0 or less: no limit. */
  maxBytes?: () => number;
  /** One line per thing done to the cache, for the output channel. */
  log?: (message: string) => void;
  /**
   * How long a silent lock holder counts as alive, and how often locks are refreshed and polled
   * (see `fileLock.ts`); the defaults suit real use.
   */
  lockTiming?: LockTiming;
  /** How long Delete and Clear wait for a file being downloaded before leaving it. Default 5 s. */
  busyWaitMs?: number;
}

/** What {@link ResultsRepository.ensure} reports while it waits or downloads. */
export type EnsureProgress = { kind: 'waiting' } | { kind: 'downloading'; bytes: number; records: number };

export interface EnsureOptions {
  /** Download even when cached, unless another process finishes a download of it while we wait. */
  refresh?: boolean;
  /**
   * The API client, asked for only when the file must be downloaded (this is where the host may ask
   * for a key). Throw `BouncerError('cancelled')` to give up.
   */
  connect(): Promise<ResultsDownloader>;
  /**
   * Runs the slow part: waiting for another window's download of the same file, then downloading.
   * The host wraps it in a progress notification whose Cancel aborts `signal`. By default it runs
   * as is, uncancellable.
   */
  /**
   * JSON: the downloaded records as ingest checks them (see `IngestOptions.onRecords`), when this call
   * downloads the file itself; not called for a file from the cache, another window, or a download
   * this process already had running. Compare the count with `summary.records` to know which.
   */
  onRecords?: (records: readonly unknown[], firstIndex: number) => void;
  track?(
    work: (signal: AbortSignal, report: (progress: EnsureProgress) => void) => Promise<DownloadSummary>,
  ): Promise<DownloadSummary>;
}

/** Results in the cache, and where they came from. */
export interface CachedResults extends ResultsKey {
  path: string;
  /**
   * Present when the file was downloaded for this call (here, or by another window while this one
   * waited: then only bytes and records); absent when it came from the cache.
   */
  summary?: DownloadSummary;
}

export class ResultsRepository {
  private readonly layout: CacheLayout;
  /** Downloads running in this process, by file: two requests for one file share one download. */
  private readonly inFlight = new Map<string, Promise<DownloadSummary>>();

  constructor(private readonly options: ResultsRepositoryOptions) {
    this.layout = new CacheLayout(options.root);
  }

  get root(): string {
    return this.layout.root;
  }

  /**
   * Path of a finished download: `<root>/<originKey>/<batchDir>/<filter>.<format>`. Throws for a
   * filter, format or batch ID that is not one of ours.
   */
  path(key: ResultsKey): string {
    return this.layout.path(key);
  }

  /** Directory that holds every cached file of one batch. Throws `BouncerError('invalidBatchId')`. */
  batchDir(originKey: string, batchId: string): string {
    return this.layout.batchDir(originKey, batchId);
  }

  /** What is at the key's path: missing, ok, stale or damaged (see {@link CacheState}); a bad file never throws. */
  inspect(key: ResultsKey): Promise<CacheState> {
    return inspectFile(this.path(key), key);
  }

  /** The finished downloads of one batch that exist on disk (usable or not), in no particular order. */
  async keysOf(originKey: string, batchId: string): Promise<ResultsKey[]> {
    const dir = this.batchDir(originKey, batchId);
    let names: string[];
    try {
      names = await fs.readdir(dir);
    } catch {
      return [];
    }
    return this.layout.keysIn(originKey, batchId, names);
  }

  /**
   * Returns the cached file for `key`, downloading it first when it is not cached (or when
   * `refresh`), and tells the history: "opened", or "downloaded" with what the download found.
   *
   * Only one process at a time downloads a given file: the others wait for its lock, then use what
   * it downloaded, or download it themselves if it failed. The file is sealed before the lock goes.
   * After a download, the cache is evicted down to its limit, sparing this file.
   *
   * @throws BouncerError from `connect` and the download (`cancelled` also while waiting); the
   *   previous file, if any, stays in place.
   */
  async ensure(key: ResultsKey, options: EnsureOptions): Promise<CachedResults> {
    const file = this.path(key);
    const before = await this.inspect(key);
    if (before.state === 'ok' && !options.refresh) {
      this.log(`Using cached results for ${describeKey(key)}: ${file}`);
      await this.options.history.recordOpened(key);
      return { ...key, path: file };
    }
    let download = this.inFlight.get(file);
    if (!download) {
      download = this.download(key, before, options).finally(() => this.inFlight.delete(file));
      this.inFlight.set(file, download);
    }
    const summary = await download;
    await this.evictOverLimit([key]);
    await this.options.history.recordDownload(key, summary);
    return { ...key, path: file, summary };
  }

  /**
   * Deletes every cached file of one batch, each under its lock: a file another window is
   * downloading right now is left to it, with its sidecars (counted in `busy`).
   */
  async deleteBatch(originKey: string, batchId: string): Promise<{ busy: number }> {
    const dir = this.batchDir(originKey, batchId);
    return deleteUnder(dir, this.options.lockTiming ?? {}, this.options.busyWaitMs);
  }

  /** Deletes the whole cache, as {@link deleteBatch} deletes a batch. */
  clear(): Promise<{ busy: number }> {
    return deleteUnder(this.root, this.options.lockTiming ?? {}, this.options.busyWaitMs);
  }

  /** Bytes of everything in the cache, including sidecars and downloads in progress. */
  totalSize(): Promise<number> {
    return totalSize(this.root);
  }

  /**
   * Deletes the oldest finished downloads until the cache fits its limit (`maxBytes`), sparing the
   * keys in `keep` and files another window is writing. Returns the evicted keys, oldest first.
   */
  async evictOverLimit(keep: readonly ResultsKey[] = []): Promise<ResultsKey[]> {
    const maxBytes = this.options.maxBytes?.() ?? 0;
    if (!(maxBytes > 0)) return [];
    const evicted = await evictToLimit(this.layout, maxBytes, keep, this.options.lockTiming ?? {});
    for (const key of evicted) this.log(`Cache over its limit: evicted ${describeKey(key)}`);
    return evicted;
  }

  /**
   * Deletes what interrupted downloads left (temporary files, locks, files never sealed) once it is
   * older than `olderThanMs`, so nothing a running download needs goes. Returns the bytes freed.
   */
  async sweepLeftovers(olderThanMs: number = LEFTOVER_AGE_MS, now: number = Date.now()): Promise<number> {
    const freed = await sweepLeftovers(this.layout, olderThanMs, now);
    if (freed > 0) this.log(`Deleted ${formatBytes(freed)} left in the cache by interrupted downloads.`);
    return freed;
  }

  /**
   * Downloads into the cache under the file's lock, unless another process cached it while this
   * one waited: then its file is used, summarised from its seal (no status counts).
   */
  private async download(key: ResultsKey, before: CacheState, options: EnsureOptions): Promise<DownloadSummary> {
    const client = await options.connect();
    const what = describeKey(key);
    const track = options.track ?? ((work) => work(new AbortController().signal, () => undefined));
    return track(async (signal, report) => {
      const file = this.path(key);
      const lock = await acquireFileLock(file + LOCK_SUFFIX, {
        ...this.options.lockTiming,
        signal,
        onWait: () => {
          this.log(`Waiting for another window's download of ${what}`);
          report({ kind: 'waiting' });
        },
      });
      try {
        const now = await this.inspect(key);
        // Another process downloaded it while we waited (for a refresh: a file newer than we had).
        const fresh = before.state !== 'ok' || (now.state === 'ok' && now.mtimeMs !== before.mtimeMs);
        if (now.state === 'ok' && fresh) {
          this.log(`Using results of ${what} that another window cached meanwhile: ${file}`);
          return { bytes: now.size, records: now.records };
        }
        this.log(`Downloading ${what}`);
        const started = Date.now();
        const summary = await downloadToCache(client, key, file, {
          signal,
          onProgress: (progress) => report({ kind: 'downloading', ...progress }),
          onRecords: options.onRecords,
          tempPath: this.layout.downloadPath(file),
        });
        await sealFile(file, key, summary);
        const seconds = ((Date.now() - started) / 1000).toFixed(1);
        this.log(
          `Downloaded ${what}: ${summary.records} records, ${formatBytes(summary.bytes)} in ${seconds} s → ${file}`,
        );
        return summary;
      } finally {
        await lock.release();
      }
    });
  }

  private log(message: string): void {
    this.options.log?.(message);
  }
}
