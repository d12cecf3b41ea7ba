import type { OpenTrace } from '../core/openTrace';
import type { CachedResults, EnsureProgress } from '../core/resultsRepository';
import type { ResultsStore } from '../model/store';
import { StreamingStore, type StorePart } from '../model/streamingStore';
import type { DownloadWatcher } from './downloadService';

/** Download progress reaches the webview at most this often. */
const PROGRESS_INTERVAL_MS = 100;

/**
 * A download shown in a panel while it runs: hand `watcher` to the download, then tell the panel how
 * it ended. Only `done` makes the rows complete.
 */
export interface PanelDownload {
  readonly watcher: DownloadWatcher;
  /** The download (or the cache) delivered these results: the panel shows them whole. */
  done(cached: Pick<CachedResults, 'path' | 'summary'>): Promise<void>;
  /** The download failed or was cancelled: rows shown so far are dropped, never left looking complete. */
  failed(error: unknown): void;
}

/** What the panel does with a download shown in it. */
export interface DownloadPanel {
  /** False once the panel closed or a newer load took over from this download. */
  isCurrent(feed: DownloadFeed): boolean;
  /** The latest progress; `post` false when the last one went out too recently to send this one. */
  showProgress(progress: EnsureProgress, post: boolean): void;
  /** Rows so far, not the batch. */
  showRows(snapshot: ResultsStore): void;
  /** Rows after those shown, for the webview to keep until the download ends. */
  showPart(part: StorePart): void;
  /** The whole batch, built from the download, in the file at `path`; `tail` is its rows not sent yet. */
  showWhole(store: ResultsStore, path: string, tail: StorePart | undefined): void;
  /** The download ended without the rows it streamed (from the cache, or someone else's): read the file. */
  readFile(path: string): Promise<void>;
  /** The download failed or was cancelled; the panel decides what stays. */
  showFailure(error: unknown): void;
}

/**
 * Feeds a download's records to a panel: a store built as they arrive, paced snapshots of it, and
 * progress at most every {@link PROGRESS_INTERVAL_MS}. The store is built from the records ingest
 * already parsed, so the file is not parsed a second time.
 */
export class DownloadFeed {
  private readonly stream = new StreamingStore();
  private progressPostedAt = 0;
  private ended = false;
  /** Settles when the download has ended and its rows (or failure) are posted. */
  readonly settled: Promise<void>;
  private settle: () => void = () => undefined;

  constructor(
    private readonly panel: DownloadPanel,
    private readonly trace: OpenTrace,
  ) {
    this.settled = new Promise<void>((resolve) => (this.settle = resolve));
  }

  /** Still feeding the panel: not ended, not replaced, panel open. */
  get active(): boolean {
    return !this.ended && this.panel.isCurrent(this);
  }

  handle(): PanelDownload {
    const { trace, panel, stream } = this;
    const watcher: DownloadWatcher = {
      requesting: () => this.active && trace.mark('requestSent'),
      progress: (progress) => {
        if (!this.active) return;
        if (progress.kind === 'downloading' && progress.bytes > 0) trace.mark('firstByte');
        const now = Date.now();
        const post = now - this.progressPostedAt >= PROGRESS_INTERVAL_MS;
        if (post) this.progressPostedAt = now;
        panel.showProgress(progress, post);
      },
      records: (records, firstIndex) => {
        if (!this.active) return;
        stream.add(records, firstIndex);
        const snapshot = stream.snapshotIfDue(Date.now());
        if (snapshot) panel.showRows(snapshot);
        const part = snapshot ? undefined : stream.partIfDue();
        if (part) panel.showPart(part);
      },
    };
    return {
      watcher,
      done: async (cached) => {
        if (!this.active) return this.settle();
        trace.mark('downloadDone');
        this.ended = true;
        const store = cached.summary ? stream.complete(cached.summary.records) : undefined;
        if (store) {
          panel.showWhole(store, cached.path, stream.tail());
          this.settle();
        } else {
          this.settle();
          await panel.readFile(cached.path);
        }
      },
      failed: (error) => {
        if (!this.active) return this.settle();
        this.ended = true;
        this.settle();
        panel.showFailure(error);
      },
    };
  }
}
