import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { StoreBuilder } from '../../src/model/builder';
import type { ResultsStore } from '../../src/model/store';
import type { DataMessage, HostMessage } from '../../src/shared/protocol';
import { RowsInbox, type StoreFetcher } from '../../src/webview/rowsInbox';
import { oddDownload } from './fixtures';

/**
 * Stands in for the loopback table server and the page's fetch: each address answers when the test
 * says so, in whatever order it says, with the store offered there or with nothing (revoked, or not
 * the rows announced, as the real `fetchStore` checks). The real fetch from the real server, in
 * Chromium, is covered by test/ui/handoff.test.ts.
 */
class Offers {
  private readonly stores = new Map<string, ResultsStore | undefined>();
  private readonly waiting = new Map<string, () => void>();
  /** Addresses fetched, in order. */
  readonly fetched: string[] = [];

  offer(store: ResultsStore | undefined): string {
    const url = `http://127.0.0.1:4000/${randomBytes(16).toString('hex')}`;
    this.stores.set(url, store);
    return url;
  }

  readonly fetch: StoreFetcher = ({ url, rows }) => {
    this.fetched.push(url);
    return new Promise((resolve) => {
      this.waiting.set(url, () => {
        const store = this.stores.get(url);
        resolve(store?.rowCount === rows ? store : undefined);
      });
    });
  };

  /** Lets the fetch of `url` answer, and waits until what follows from it has run. */
  async answer(...urls: string[]): Promise<void> {
    for (const url of urls) {
      const answer = this.waiting.get(url);
      assert.ok(answer, `${url} was fetched`);
      this.waiting.delete(url);
      answer();
      await settle();
    }
  }

  /** Answers every fetch still waiting, last asked first. */
  async answerAll(): Promise<void> {
    await this.answer(...[...this.waiting.keys()].reverse());
  }
}

function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

// One download: the first 20 rows shown, parts of rows 20… and 150…, and its last rows from 400.
const records = oddDownload(700);
const builder = new StoreBuilder();
const cuts: ResultsStore[] = [];
for (const end of [20, 150, 400, 700]) {
  const from = builder.rowCount;
  while (builder.rowCount < end) builder.add(records[builder.rowCount]);
  cuts.push(builder.finish(from));
}
const whole = builder.finish();
const [snapshot, part1, part2, tail] = cuts;

describe('webview: RowsInbox', () => {
  let offers: Offers;
  let delivered: DataMessage[];
  let refused: string[];
  let inbox: RowsInbox;

  beforeEach(() => {
    offers = new Offers();
    delivered = [];
    refused = [];
    inbox = new RowsInbox(
      offers.fetch,
      (message) => delivered.push(message),
      (url) => refused.push(url),
    );
  });

  function take(message: HostMessage): boolean {
    return inbox.take(message);
  }

  interface Piece {
    firstRow: number;
    store: ResultsStore | undefined;
    rows?: number;
  }

  /** Offers the parts and the last rows, and posts their messages; returns their addresses. */
  function postRest(stores: Piece[]): string[] {
    return stores.map(({ firstRow, store, rows }) => {
      const url = offers.offer(store);
      // The last rows (rows 400…) end the download.
      const complete = firstRow >= 400;
      assert.equal(take({ type: 'rowsUrl', url, firstRow, rows: rows ?? store?.rowCount ?? 0, complete }), true);
      return url;
    });
  }

  const rest = (): Piece[] => [
    { firstRow: 20, store: part1 },
    { firstRow: 150, store: part2 },
    { firstRow: 400, store: tail },
  ];

  function assertWhole(message: DataMessage | undefined): void {
    assert.ok(message, 'a store was delivered');
    assert.equal(message.complete, true);
    assert.deepStrictEqual(message.store, whole);
  }

  it('joins the rows shown, the parts and the last rows into the whole batch', async () => {
    assert.equal(take({ type: 'data', store: snapshot, complete: false }), true);
    assert.deepEqual(delivered, [{ type: 'data', store: snapshot, complete: false }], 'shown at once');
    const urls = postRest(rest());
    assert.deepEqual(offers.fetched, urls, 'each fetched as it comes');
    await offers.answer(...urls);
    assert.equal(delivered.length, 2);
    assertWhole(delivered[1]);
    assert.deepEqual(refused, []);
  });

  it('joins in row order whatever order the fetches answer in', async () => {
    take({ type: 'data', store: snapshot, complete: false });
    const [a, b, c] = postRest(rest());
    await offers.answer(c, a);
    assert.equal(delivered.length, 1, 'nothing until every part is there');
    await offers.answer(b);
    assertWhole(delivered[1]);
    assert.deepEqual(refused, []);
  });

  it('refuses the last rows when a part cannot be fetched, and shows nothing more', async () => {
    for (const broken of [0, 1]) {
      const stores = rest();
      stores[broken] = { ...stores[broken], store: undefined, rows: stores[broken].store?.rowCount };
      take({ type: 'data', store: snapshot, complete: false });
      delivered = [];
      const urls = postRest(stores);
      await offers.answerAll();
      assert.deepEqual(delivered, [], `part ${broken} missing: nothing delivered`);
      assert.deepEqual(refused, [urls[2]], 'the host is asked for the whole batch by the last rows’ address');
      refused = [];
    }
  });

  it('refuses the last rows when they are not the rows announced', async () => {
    take({ type: 'data', store: snapshot, complete: false });
    // Announced as 299 rows: the fetch gets 300, and says it cannot.
    const urls = postRest([...rest().slice(0, 2), { firstRow: 400, store: tail, rows: 299 }]);
    await offers.answerAll();
    assert.deepEqual(delivered.length, 1);
    assert.deepEqual(refused, [urls[2]]);
  });

  it('refuses the last rows when a part does not continue the rows held', async () => {
    const gaps: Record<string, Piece[]> = {
      'a part skipped': [rest()[1], rest()[2]],
      'a part overlapping': [{ firstRow: 19, store: part1 }, rest()[1], rest()[2]],
      'the last rows after a gap': [rest()[0], { firstRow: 401, store: tail }],
    };
    for (const [name, stores] of Object.entries(gaps)) {
      take({ type: 'data', store: snapshot, complete: false });
      delivered = [];
      const urls = postRest(stores);
      assert.deepEqual(refused, [urls[urls.length - 1]], `${name}: refused at once`);
      await offers.answerAll();
      assert.deepEqual(delivered, [], name);
      assert.deepEqual(refused, [urls[urls.length - 1]], `${name}: refused once`);
      refused = [];
    }
  });

  it('refuses last rows that follow nothing it holds: a complete table, or no table yet', async () => {
    const [url] = postRest([{ firstRow: 400, store: tail }]);
    assert.deepEqual(refused, [url], 'a page that reloaded mid-download holds no rows');
    take({ type: 'data', store: whole, complete: true });
    const urls = postRest([{ firstRow: 700, store: tail }]);
    assert.deepEqual(refused, [url, urls[0]], 'a complete table is not continued');
    take({ type: 'data', store: snapshot, complete: false });
    postRest(rest());
    await offers.answerAll();
    assertWhole(delivered[delivered.length - 1]);
    postRest([{ firstRow: 700, store: tail }]);
    assert.equal(refused.length, 3, 'nor is a table just joined');
  });

  for (const newer of ['data', 'loadError'] as const) {
    it(`drops the join when ${newer === 'data' ? 'another table' : 'a load error'} came while the parts were fetched`, async () => {
      take({ type: 'data', store: snapshot, complete: false });
      postRest(rest());
      await offers.answer(offers.fetched[0]);
      if (newer === 'data') {
        assert.equal(take({ type: 'data', store: part1, complete: true }), true);
      } else {
        assert.equal(take({ type: 'loadError', message: 'gone', canRetry: true }), false, 'the table shows it too');
      }
      await offers.answerAll();
      assert.deepEqual(
        delivered.map((message) => message.store),
        newer === 'data' ? [snapshot, part1] : [snapshot],
      );
      assert.deepEqual(refused, [], 'nothing the host need post');
    });
  }

  it('drops the parts kept when a newer table came before the last rows', async () => {
    take({ type: 'data', store: snapshot, complete: false });
    postRest(rest().slice(0, 2));
    take({ type: 'data', store: whole, complete: true });
    await offers.answerAll();
    assert.deepEqual(
      delivered.map((message) => message.complete),
      [false, true],
    );
    const [late] = postRest(rest().slice(2));
    assert.deepEqual(refused, [late], 'last rows of the old download continue nothing held');
    await offers.answerAll();
    assert.equal(delivered.length, 2);
  });

  it('joins to rows shown by address that are still being fetched when the parts come', async () => {
    const shown = offers.offer(snapshot);
    assert.equal(take({ type: 'dataUrl', url: shown, rows: snapshot.rowCount, complete: false }), true);
    const urls = postRest(rest());
    await offers.answer(...urls);
    assert.deepEqual(delivered, [], 'the rows shown are not there yet');
    await offers.answer(shown);
    assert.equal(delivered.length, 1, 'the opening rows, older than the whole, are not shown after it');
    assertWhole(delivered[0]);
    assert.deepEqual(refused, []);
  });

  it('shows rows fetched by address before the parts end, then the whole batch', async () => {
    const shown = offers.offer(snapshot);
    take({ type: 'dataUrl', url: shown, rows: snapshot.rowCount, complete: false });
    const [a, b] = postRest(rest().slice(0, 2));
    await offers.answer(shown, b);
    assert.deepEqual(delivered, [{ type: 'data', store: snapshot, complete: false }]);
    const [c] = postRest([rest()[2]]);
    await offers.answer(c, a);
    assertWhole(delivered[1]);
    assert.deepEqual(refused, []);
  });

  it('refuses the last rows when the rows shown by address could not be fetched', async () => {
    // Fetched before the last rows came: that address is refused too (the host posts those rows).
    let shown = offers.offer(undefined);
    take({ type: 'dataUrl', url: shown, rows: snapshot.rowCount, complete: false });
    let urls = postRest(rest().slice(0, 2));
    await offers.answer(shown);
    assert.deepEqual(refused, [shown]);
    urls = [...urls, ...postRest(rest().slice(2))];
    await offers.answer(...urls);
    assert.deepEqual(delivered, []);
    assert.deepEqual(refused, [shown, urls[2]]);
    // Fetched after: only the last rows' address, which the host answers with the whole batch.
    refused = [];
    shown = offers.offer(undefined);
    take({ type: 'dataUrl', url: shown, rows: snapshot.rowCount, complete: false });
    urls = postRest(rest());
    await offers.answer(shown, ...urls);
    assert.deepEqual(delivered, []);
    assert.deepEqual(refused, [urls[2]]);
  });
});
