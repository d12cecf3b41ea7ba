/**
 * The two halves of a streamed download's handoff, host and page, run together in Node: the host's
 * `PanelDataFeed` offering on a real `TableDataServer`, and the page's `RowsInbox` fetching over
 * loopback HTTP. In this ring rather than test/unit because it needs src/host; the page's half in
 * Chromium is handoff.test.ts.
 */
import * as assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import { generateRecords } from '../../emulator/generateRecords';
import { TableDataServer } from '../../src/core/tableDataServer';
import { PanelDataFeed } from '../../src/host/panelDataFeed';
import type { ResultsStore } from '../../src/model/store';
import { DEFAULT_PACING, StreamingStore } from '../../src/model/streamingStore';
import { parseHostMessage, parseStore, type DataMessage, type HostMessage } from '../../src/shared/protocol';
import { RowsInbox } from '../../src/webview/rowsInbox';
import { decodeStore } from '../../src/model/storeFile';

// Past 16,000 rows (1.2 MB of columns: the last rows shown go by address) the rest goes in parts of
// 10,000 rows (at least), and the download ends at 41,000.
const PACING = { ...DEFAULT_PACING, maxRows: 16_000, partRows: 10_000, minIntervalMs: 0 };
const ROWS = 41_000;
const records = [...generateRecords(ROWS, 11)];

/**
 * The page's `fetchStore` (src/webview/storeFetch.ts) but for its browser-only request options: a
 * real fetch over loopback, decoded and checked as the page does. The page's own, in Chromium under
 * the panel's CSP, is covered by test/ui/handoff.test.ts.
 */
async function fetchStore({ url, rows }: { url: string; rows: number }): Promise<ResultsStore | undefined> {
  try {
    const response = await fetch(url);
    if (!response.ok) return undefined;
    const decoded = decodeStore(new Uint8Array(await response.arrayBuffer()), { copy: false });
    const store = decoded ? parseStore(decoded.store) : undefined;
    return store?.rowCount === rows ? store : undefined;
  } catch {
    return undefined;
  }
}

function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 5));
}

/**
 * The host half for real (`PanelDataFeed` offering on a real `TableDataServer`, fed as `DownloadFeed`
 * feeds it), and the page's half for real in Node (`RowsInbox` with the page's own `fetchStore` over
 * loopback HTTP), joined by a message queue standing in for VS Code's message channel.
 */
class Panel {
  readonly posted: HostMessage[] = [];
  private readonly queue: unknown[] = [];
  readonly shown: DataMessage[] = [];
  readonly feed: PanelDataFeed;
  private readonly page: RowsInbox;

  constructor(
    server: TableDataServer,
    /** Called on each message as it reaches the page, before the page takes it. */
    private readonly arriving: (message: HostMessage) => void = () => undefined,
  ) {
    const webview = {
      postMessage: (message: unknown) => {
        this.queue.push(message);
        return Promise.resolve(true);
      },
    } as unknown as vscode.Webview;
    this.feed = new PanelDataFeed(
      webview,
      () => undefined,
      () => server,
    );
    this.feed.newPage();
    this.page = new RowsInbox(
      fetchStore,
      (message) => this.shown.push(message),
      (url) => this.feed.handOffFailed(url),
    );
  }

  /** The page handles the messages that reached it, as main.ts does. */
  handle(): void {
    for (const raw of this.queue.splice(0)) {
      const message = parseHostMessage(raw);
      assert.ok(message, `a well-formed message: ${JSON.stringify(raw).slice(0, 80)}`);
      this.posted.push(message);
      this.arriving(message);
      if (!this.page.take(message) && message.type === 'data') this.shown.push(message);
    }
  }

  /** Streams the download; `busy`: the page handles nothing until the host has posted the end. */
  async download(busy: boolean, rows = ROWS): Promise<ResultsStore> {
    const stream = new StreamingStore(PACING);
    let now = 0;
    for (let at = 0; at < rows;) {
      const run = records.slice(at, Math.min(rows, at + (at === 0 ? PACING.maxRows : 3_000)));
      stream.add(run, at);
      at += run.length;
      const snapshot = stream.snapshotIfDue((now += 100));
      if (snapshot) this.feed.postStore(snapshot, false);
      const part = snapshot ? undefined : stream.partIfDue();
      if (part) this.feed.postPart(part);
      if (!busy) this.handle();
      await settle();
    }
    const whole = stream.complete(rows);
    assert.ok(whole);
    this.feed.postWhole(whole, stream.tail());
    for (let k = 0; k < 400 && !this.shown.some((message) => message.complete); k++) {
      this.handle();
      await settle();
    }
    return whole;
  }
}

describe('host: a download posted to the page in parts, and joined there', function () {
  this.timeout(60_000);
  let server: TableDataServer;

  before(async () => {
    server = new TableDataServer();
    await server.start();
  });

  after(() => server?.dispose());

  for (const busy of [false, true]) {
    it(`ends with the page joining what it holds, not the host posting the batch${busy ? ' (a busy page)' : ''}`, async () => {
      const panel = new Panel(server);
      const whole = await panel.download(busy);
      const kinds = panel.posted.map((m) =>
        m.type === 'rowsUrl' ? `rowsUrl ${m.firstRow}+${m.rows}${m.complete ? ' complete' : ''}` : m.type,
      );
      // The rows shown, by address; parts of 12,000 rows (four runs of 3,000 each); the last 1,000.
      assert.deepEqual(kinds, ['dataUrl', 'rowsUrl 16000+12000', 'rowsUrl 28000+12000', 'rowsUrl 40000+1000 complete']);
      const last = panel.shown[panel.shown.length - 1];
      assert.equal(last?.complete, true, 'the whole batch is shown');
      assert.deepStrictEqual(last.store, whole);
      assert.deepEqual(panel.feed.handoffs.failed, 0, 'no address failed');
      assert.equal(panel.posted.filter((m) => m.type === 'data').length, 0, 'nothing posted instead');
    });
  }
  it('hands over the whole batch by address when the page could not fetch a part, and the page shows it', async () => {
    let lost = '';
    const panel = new Panel(server, (message) => {
      // The first part's address is gone before the page asks (the server restarted, say).
      if (message.type === 'rowsUrl' && !lost) server.revoke((lost = message.url));
    });
    const whole = await panel.download(false);
    const tail = panel.posted.find((m) => m.type === 'rowsUrl' && m.complete);
    assert.ok(lost && tail?.type === 'rowsUrl');
    assert.deepEqual(
      panel.posted.slice(-1).map((m) => [m.type, m.type === 'dataUrl' && m.complete && m.rows]),
      [['dataUrl', ROWS]],
      'after the page refused the last rows, the host offered the whole batch by address',
    );
    assert.equal(panel.feed.handoffs.failed, 1);
    assert.equal(panel.feed.canHandOff, true, 'the server worked: later tables still go by address');
    assert.equal(panel.posted.filter((m) => m.type === 'data').length, 0, 'nothing through the slow channel');
    const last = panel.shown[panel.shown.length - 1];
    assert.equal(last?.complete, true);
    assert.deepStrictEqual(last.store, whole);
    assert.equal(panel.shown.filter((m) => m.complete).length, 1, 'shown whole once');
  });
  it('ends with no rows left after the last part: the page joins an empty end', async () => {
    const panel = new Panel(server);
    const whole = await panel.download(true, 40_000);
    const end = panel.posted[panel.posted.length - 1];
    assert.deepEqual(end.type === 'rowsUrl' && [end.firstRow, end.rows, end.complete], [40_000, 0, true]);
    const last = panel.shown[panel.shown.length - 1];
    assert.equal(last?.complete, true);
    assert.deepStrictEqual(last.store, whole);
    assert.equal(panel.feed.handoffs.failed, 0);
  });

  it('keeps handing over by address when the page refuses an address the host had already replaced', async () => {
    const sent: unknown[] = [];
    const webview = { postMessage: (m: unknown) => (sent.push(m), Promise.resolve(true)) } as unknown as vscode.Webview;
    const feed = new PanelDataFeed(
      webview,
      () => undefined,
      () => server,
    );
    feed.newPage();
    const stream = new StreamingStore(PACING);
    stream.add(records.slice(0, 16_000), 0);
    feed.postStore(stream.complete(16_000) as ResultsStore, false);
    stream.add(records.slice(16_000, 32_000), 16_000);
    feed.postStore(stream.complete(32_000) as ResultsStore, false);
    const [older, newer] = sent.map((m) => parseHostMessage(m));
    assert.ok(older?.type === 'dataUrl' && newer?.type === 'dataUrl', 'both went by address');
    // The page's fetch of the older one failed (it was revoked) before the newer one reached it.
    feed.handOffFailed(older.url);
    assert.equal(feed.canHandOff, true, 'still by address');
    assert.equal(feed.handoffs.failed, 0);
    assert.equal(sent.length, 2, 'nothing posted instead of a table already replaced');
    // The current one refused: now the host posts it, and posts from then on.
    feed.handOffFailed(newer.url);
    assert.equal(feed.canHandOff, false);
    assert.equal(parseHostMessage(sent[2])?.type, 'data');
  });
});
