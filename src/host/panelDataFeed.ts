import type * as vscode from 'vscode';
import type { OpenTrace } from '../core/openTrace';
import type { TableDataServer } from '../core/tableDataServer';
import { storePrefix, type ResultsStore } from '../model/store';
import { decodeStore, encodeStore } from '../model/storeFile';
import type { StorePart } from '../model/streamingStore';
import type { DataMessage, DataUrlMessage, HostMessage, RowsUrlMessage } from '../shared/protocol';
import { PARTIAL_ROWS } from './panelLoader';

/**
 * A store at least this big goes to the webview by the loopback table server; a smaller one (the
 * first rows of a download) is posted, which costs no extra round trip.
 */
const HANDOFF_MIN_BYTES = 1 << 20;

/** The first `rows` rows (at most 10,000) of an encoded store, as copies; undefined when the bytes are not a store. */
function openingRows(bytes: Uint8Array, rows: number): ResultsStore | undefined {
  try {
    const decoded = decodeStore(bytes, { copy: false });
    return decoded && storePrefix(decoded.store, Math.min(rows, OPENING_ROWS));
  } catch {
    return undefined; // Not a store after all: the whole fails its check in the page, and is read again.
  }
}

/** Opening rows posted ahead of kept columns: 0.7 MB, many screens, and quick through VS Code's channel. */
const OPENING_ROWS = 10_000;
/**
 * Kept columns of fewer rows than this many openings (200,000 rows, about 15 MB) go without opening
 * rows: they arrive whole about as fast, and painting the opening first delayed the sortable table
 * (100k rows from the cache in a real VS Code: 680 ms with an opening, 474 without).
 */
const OPENING_MIN_FACTOR = 10;

/** One `data` message as posted: its rows and whether they were the whole batch. */
export interface DataPost {
  rows: number;
  complete: boolean;
}

/** Rows posted ahead of a complete store that the webview has nothing of yet; tests lower it. */
let prefixRows = PARTIAL_ROWS;

/** For the integration tests: a prefix of a few rows shows the order of posts on a small batch. */
export function setPrefixRowsForTests(rows: number | undefined): void {
  prefixRows = rows ?? PARTIAL_ROWS;
}

/**
 * What one panel's webview has been sent and has reported on screen. Messages wait for the ready
 * handshake (earlier ones would be lost), and a complete store the page has nothing of goes in two
 * steps: its first rows, then, once those are painted, the whole. Taking in a million rows at once
 * kept the webview busy for many seconds before its first cell.
 */
export class PanelDataFeed {
  private ready = false;
  /** `data` messages posted to the current page, and how many of them it reported on screen. */
  private posted: DataPost[] = [];
  /** What the page reported on screen for each of them: its rows shown, and whether they were the whole batch. */
  private reports: DataPost[] = [];
  /** The whole store waiting for its first rows to be painted. */
  private pendingWhole: ResultsStore | undefined;
  renderedRows: number | undefined;
  renderedComplete: boolean | undefined;
  /**
   * The newest store handed over by address, with how to post it instead if the webview cannot
   * fetch it (undefined when it cannot be posted either: its bytes did not decode).
   */
  private offered: { url: string; message: () => DataMessage | undefined; joined?: boolean } | undefined;
  /** Cleared for good once this panel's webview could not fetch from the table server. */
  private handoffWorks = true;
  /** Stores offered by address to this panel's webviews, and how many of them it could not fetch. */
  readonly handoffs = { offered: 0, failed: 0 };
  /**
   * While a download streams: the rows the page holds from row 0 on, shown or kept as parts, so the
   * next part or the last rows continue them; -1 once they cannot (nothing more is added to them).
   */
  private pageRows = -1;

  constructor(
    private readonly webview: vscode.Webview,
    private readonly trace: () => OpenTrace | undefined,
    private readonly tableServer: () => TableDataServer | undefined = () => undefined,
  ) {}

  /** The loopback table server, when it is on and listening. */
  private get tableData(): TableDataServer | undefined {
    const server = this.tableServer();
    return server?.origin ? server : undefined;
  }

  get isReady(): boolean {
    return this.ready;
  }

  /** Every `data` message posted to the current page has been reported on screen. */
  get onScreen(): boolean {
    return this.reports.length >= this.posted.length && !this.pendingWhole;
  }

  /** The `data` messages posted to the current page, in order. */
  get posts(): DataPost[] {
    return this.posted.slice();
  }

  /** The page's reports of rows on screen, one per `data` message painted, in order. */
  get renders(): DataPost[] {
    return this.reports.slice();
  }

  /** A new page said ready: what went to the page before it (hidden, then dropped) is not pending. */
  newPage(): void {
    this.ready = true;
    this.posted = [];
    this.reports = [];
    this.pendingWhole = undefined;
    this.pageRows = -1;
    this.revokeOffer();
  }

  /** Posts to the webview once it has said ready. */
  post(message: HostMessage): void {
    if (!this.ready) return;
    if (message.type === 'data') {
      this.pageRows = message.complete ? -1 : message.store.rowCount;
      this.posted.push({ rows: message.store.rowCount, complete: message.complete });
      this.trace()?.mark('firstDataPosted');
      if (message.complete) this.trace()?.mark('completePosted');
      this.revokeOffer();
      const url = this.handOff(message.store);
      if (url) {
        const { rowCount: rows } = message.store;
        this.postUrl({ type: 'dataUrl', url, rows, complete: message.complete }, () => message);
        return;
      }
    }
    void this.webview.postMessage(message);
  }

  /** Whether a store would go by the loopback table server now. */
  get canHandOff(): boolean {
    return this.tableData !== undefined && this.handoffWorks;
  }

  /**
   * Hands the webview a whole store as the sidecar bytes read from disk, which it decodes and checks
   * itself: the host neither decodes nor copies them first. `decode` is the fallback's store, for a
   * webview that cannot fetch them. False when they cannot go by address now (post a store instead).
   */
  postKept(bytes: Uint8Array, rows: number, decode: () => ResultsStore | undefined): boolean {
    this.pendingWhole = undefined;
    if (!this.canHandOff) return false;
    if (!this.ready) return true;
    this.pageRows = -1;
    this.revokeOffer();
    // A page with nothing yet gets a screenful of opening rows at once, posted (they are small),
    // while it fetches the whole: cut from views of the bytes, not a decode of them all.
    const opening =
      this.posted.length === 0 && rows >= OPENING_MIN_FACTOR * prefixRows ? openingRows(bytes, prefixRows) : undefined;
    if (opening) {
      this.posted.push({ rows: opening.rowCount, complete: false });
      this.trace()?.mark('firstDataPosted');
      void this.webview.postMessage({ type: 'data', store: opening, complete: false });
    }
    this.posted.push({ rows, complete: true });
    this.trace()?.mark('firstDataPosted');
    this.trace()?.mark('completePosted');
    const url = (this.tableData as TableDataServer).offer([bytes]);
    this.postUrl({ type: 'dataUrl', url, rows, complete: true }, () => {
      const store = decode();
      return store && { type: 'data', store, complete: true };
    });
    return true;
  }

  /**
   * Rows after those the page holds, while the download streams: the page keeps them for the end.
   * Skipped (and every later part with it) when they would not continue the page's rows.
   */
  postPart(part: StorePart): void {
    const server = this.tableData;
    if (!this.ready || !server || !this.handoffWorks || part.firstRow !== this.pageRows) {
      this.pageRows = -1;
      return;
    }
    const rows = part.store.rowCount;
    this.pageRows += rows;
    this.handoffs.offered++;
    const url = server.offer(encodeStore(part.store, null));
    void this.webview.postMessage({ type: 'rowsUrl', url, firstRow: part.firstRow, rows, complete: false });
  }

  /**
   * The whole batch at the end of a download. A page holding its rows up to `tail` gets only
   * `tail`, and joins them itself; any other gets the whole store.
   */
  postWhole(store: ResultsStore, tail: StorePart | undefined): void {
    this.pendingWhole = undefined;
    if (!this.ready) return;
    const server = this.tableData;
    if (!tail || !server || !this.handoffWorks || tail.firstRow !== this.pageRows || this.pageRows <= 0) {
      this.postStore(store, true);
      return;
    }
    this.pageRows = -1;
    this.posted.push({ rows: store.rowCount, complete: true });
    this.trace()?.mark('completePosted');
    // Not revoked: an offer still pending holds the rows shown, which the page joins to the parts and
    // `tail` (it asked for them when they came, but the request may not be served yet). Like a part
    // nobody fetches, it goes at the server's expiry.
    this.offered = undefined;
    const url = server.offer(encodeStore(tail.store, null));
    const message: RowsUrlMessage = {
      type: 'rowsUrl',
      url,
      firstRow: tail.firstRow,
      rows: tail.store.rowCount,
      complete: true,
    };
    this.postUrl(message, () => ({ type: 'data', store, complete: true }), true);
  }

  private postUrl(
    message: DataUrlMessage | RowsUrlMessage,
    fallback: () => DataMessage | undefined,
    joined = false,
  ): void {
    this.offered = { url: message.url, message: fallback, joined };
    this.handoffs.offered++;
    void this.webview.postMessage(message);
  }

  /**
   * The webview could not fetch (or check) the store at `url`: post it instead, and from now on post
   * every store, since the server is out of this webview's reach (a remote window, say).
   */
  handOffFailed(url: string): void {
    const offered = this.offered;
    // A refusal of an address already replaced (revoked, so its late fetch failed) says nothing
    // about whether this webview can reach the server: only the current one counts.
    if (!this.ready || offered?.url !== url) return;
    this.handoffs.failed++;
    this.offered = undefined;
    if (offered.joined) {
      // The page could not join a download's end to its parts (one was lost): the server itself
      // worked, so the whole store goes by address; only if that fails too does the channel take it.
      const whole = offered.message();
      const again = whole && this.handOff(whole.store);
      if (whole && again) {
        this.postUrl({ type: 'dataUrl', url: again, rows: whole.store.rowCount, complete: true }, () => whole);
        return;
      }
    }
    this.handoffWorks = false;
    const message = offered.message();
    if (message) void this.webview.postMessage(message);
    else this.onUnusable?.();
  }

  /** Called when a store handed over by address could not be posted instead (its bytes did not decode). */
  onUnusable: (() => void) | undefined;

  /** The address the webview fetches `store` from, or undefined to post it. */
  private handOff(store: ResultsStore): string | undefined {
    const server = this.tableData;
    if (!server || !this.canHandOff) return undefined;
    const parts = encodeStore(store, null);
    if (parts.reduce((sum, part) => sum + part.byteLength, 0) < HANDOFF_MIN_BYTES) return undefined;
    return server.offer(parts);
  }

  private revokeOffer(): void {
    if (this.offered) this.tableData?.revoke(this.offered.url);
    this.offered = undefined;
  }

  /**
   * Posts rows; a complete store bigger than the prefix, to a page that shows none yet, goes first as
   * its opening rows (marked incomplete), and whole once those are painted.
   */
  postStore(store: ResultsStore, complete: boolean): void {
    this.pendingWhole = undefined;
    if (!this.ready) return;
    if (complete && this.posted.length === 0 && store.rowCount > prefixRows) {
      this.post({ type: 'data', store: storePrefix(store, prefixRows), complete: false });
      this.pendingWhole = store;
      return;
    }
    this.post({ type: 'data', store, complete });
  }

  /** The page painted a `data` message; the whole store follows its first rows now. */
  onRendered(rows: number, complete: boolean): void {
    this.reports.push({ rows, complete });
    this.renderedRows = rows;
    this.renderedComplete = complete;
    const whole = this.pendingWhole;
    if (!whole || this.reports.length < this.posted.length) return;
    this.pendingWhole = undefined;
    this.post({ type: 'data', store: whole, complete: true });
  }

  /** Rows posted but not complete stay unfinished: nothing more follows them. */
  dropPending(): void {
    this.pendingWhole = undefined;
  }
}
