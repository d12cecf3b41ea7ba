/**
 * A big table handed to the page by address, in the webview bundle in Chromium: a real
 * `TableDataServer` runs in this test process, the page is served under the real CSP with that
 * server's origin (as `setUpPanelWebview` does), and the shim posts the host's `dataUrl` message.
 * The page is on one loopback port and the data on another, so the fetch is cross-origin exactly as
 * from a VS Code webview, and needs both the CSP's connect-src and the server's CORS header.
 */
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { generateRecords } from '../../emulator/generateRecords';
import { TableDataServer } from '../../src/core/tableDataServer';
import { StoreBuilder } from '../../src/model/builder';
import type { ResultsStore } from '../../src/model/store';
import { encodeStore } from '../../src/model/storeFile';
import type { Harness, HarnessConfig } from './pageShim';
import { buildBundles, launchChromium, startPageServer, TABLE, type PageDocument } from './tablePage';

declare const document: PageDocument & {
  addEventListener(type: string, listener: (event: { violatedDirective: string; blockedURI: string }) => void): void;
};

// About 1.5 MB encoded: over the host's 1 MB handoff threshold, many socket writes, still quick.
const ROWS = 20_000;
const SEED = 5;
const records = [...generateRecords(ROWS, SEED)];
// Manual: `ready` is answered with `init` only, and the rows come from the test.
const config: HarnessConfig = { rows: ROWS, seed: SEED, extra: [], manual: true };

interface PageGlobals {
  __harness: Harness;
  __cspViolations: string[];
}

function buildStore(): ResultsStore {
  const builder = new StoreBuilder();
  for (const record of records) builder.add(record);
  return builder.finish();
}

async function openManual(browser: Browser, url: string, shim: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  await page.addInitScript((cfg) => {
    (globalThis as unknown as { __harnessConfig: unknown }).__harnessConfig = cfg;
  }, config);
  await page.addInitScript({ content: shim });
  // Record what the CSP blocks, so a failed fetch can be told apart from one the server refused.
  await page.addInitScript(() => {
    const page = globalThis as unknown as PageGlobals;
    page.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (event) =>
      page.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`),
    );
  });
  await page.goto(url);
  await page.waitForFunction(() => (globalThis as unknown as PageGlobals).__harness?.inbox.length > 0);
  return page;
}

function inbox(page: Page): Promise<{ type: string; [key: string]: unknown }[]> {
  return page.evaluate(
    () => (globalThis as unknown as PageGlobals).__harness.inbox as { type: string; [key: string]: unknown }[],
  );
}

/** Posts the first `rows` rows as a `data` message, built in the page from the same records. */
async function postRows(page: Page, rows: number, complete: boolean): Promise<void> {
  await page.evaluate(([n, whole]) => (globalThis as unknown as PageGlobals).__harness.postRows(n, whole), [
    rows,
    complete,
  ] as const);
}

async function postHost(page: Page, message: unknown): Promise<void> {
  await page.evaluate((m) => (globalThis as unknown as PageGlobals).__harness.postHost(m), message);
}

/** Waits until the page posts a message of `type`, and returns it. */
async function nextMessage(page: Page, type: string): Promise<Record<string, unknown>> {
  const handle = await page.waitForFunction(
    (t) => (globalThis as unknown as PageGlobals).__harness.inbox.find((m) => (m as { type: string }).type === t),
    type,
  );
  return (await handle.jsonValue()) as Record<string, unknown>;
}

/** Waits until the page says it rendered the whole batch (`complete`), and returns that message. */
async function renderedComplete(page: Page): Promise<Record<string, unknown>> {
  const handle = await page.waitForFunction(() =>
    (globalThis as unknown as PageGlobals).__harness.inbox.find(
      (m) => (m as { type: string; complete?: boolean }).type === 'rendered' && (m as { complete?: boolean }).complete,
    ),
  );
  return (await handle.jsonValue()) as Record<string, unknown>;
}

/**
 * A download of the records as the host streams it past its snapshots: the rows after the first
 * `shown` as parts ending at each of `ends`, then the last rows, each cut by `finish(from)` from one
 * builder that went on adding rows, and encoded as the host offers them.
 */
function downloadParts(
  shown: number,
  ends: readonly number[],
): { firstRow: number; rows: number; bytes: Uint8Array[] }[] {
  const builder = new StoreBuilder();
  const out: { firstRow: number; rows: number; bytes: Uint8Array[] }[] = [];
  let from = shown;
  for (const end of [...ends, ROWS]) {
    while (builder.rowCount < end) builder.add(records[builder.rowCount]);
    const store = builder.finish(from);
    out.push({ firstRow: from, rows: store.rowCount, bytes: encodeStore(store, null) });
    from = end;
  }
  return out;
}

/** Text of the visible rows' email cells, top first. */
function emails(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const headers = [...document.querySelectorAll('[role=columnheader]')].map((h) => h.textContent ?? '');
    const index = headers.findIndex((h) => h.startsWith('Email'));
    return [...document.querySelectorAll('.grid-row')]
      .filter((row) => !row.hidden)
      .sort((a, b) => Number(a.dataset.position) - Number(b.dataset.position))
      .map((row) => row.children[index]?.textContent ?? '');
  });
}

/** Nothing of the batch is on screen, and nothing said the batch is there. */
async function assertNoRows(page: Page): Promise<void> {
  const messages = await inbox(page);
  assert.deepEqual(
    messages.filter((m) => m.type === 'rendered'),
    [],
    'no rows rendered',
  );
  assert.notEqual(await page.evaluate(() => document.querySelector('body')?.dataset.complete), 'true');
  assert.equal((await page.$$('.grid-row:not([hidden])')).length, 0, 'no row on screen');
}

/** The page shows all 20,000 rows as the whole batch, the first ones as generated. */
async function assertWholeBatchShown(page: Page): Promise<void> {
  assert.equal(await page.evaluate(() => document.querySelector('body')?.dataset.complete), 'true');
  assert.match((await page.textContent(TABLE.statusLine)) ?? '', /^20,000 of 20,000 rows$/);
  const shown = await emails(page);
  assert.ok(shown.length > 10, `visible rows: ${shown.length}`);
  assert.deepEqual(
    shown.slice(0, 5),
    records.slice(0, 5).map((r) => r.email),
  );
}

describe('big tables handed to the page by loopback address (webview bundle in Chromium)', function () {
  this.timeout(120_000);
  let browser: Browser;
  let data: TableDataServer;
  let withData: Awaited<ReturnType<typeof startPageServer>>;
  let withoutData: Awaited<ReturnType<typeof startPageServer>>;
  let shim: string;
  let parts: Uint8Array[];

  before(async () => {
    shim = await buildBundles();
    data = new TableDataServer();
    await data.start();
    withData = await startPageServer({ dataOrigin: data.origin });
    withoutData = await startPageServer();
    browser = await launchChromium();
    parts = encodeStore(buildStore(), null);
  });

  after(async () => {
    await browser?.close();
    await withData?.close();
    await withoutData?.close();
    data?.dispose();
  });

  it('fetches the table from the address, checks it, and shows every row as the whole batch', async () => {
    const page = await openManual(browser, withData.url, shim);
    try {
      const url = data.offer(parts);
      await postHost(page, { type: 'dataUrl', url, rows: ROWS, complete: true });
      const rendered = await nextMessage(page, 'rendered');
      assert.equal(rendered.rows, ROWS);
      assert.equal(rendered.complete, true);
      await assertWholeBatchShown(page);
      assert.equal((await inbox(page)).filter((m) => m.type === 'dataUrlFailed').length, 0);
      // The page took the one answer the address gives: nobody can fetch the table after it.
      assert.equal((await fetch(url)).status, 404);
    } finally {
      await page.close();
    }
  });

  it('shows the rows as still arriving when the address holds the opening rows of a download', async () => {
    const page = await openManual(browser, withData.url, shim);
    try {
      await postHost(page, { type: 'dataUrl', url: data.offer(parts), rows: ROWS, complete: false });
      const rendered = await nextMessage(page, 'rendered');
      assert.equal(rendered.complete, false);
      assert.equal(await page.evaluate(() => document.querySelector('body')?.dataset.complete), 'false');
      assert.match((await page.textContent(TABLE.statusLine)) ?? '', /rows so far/);
    } finally {
      await page.close();
    }
  });

  it('asks the host to post the table when the address was revoked or never offered, and shows no rows', async () => {
    const revoked = data.offer(parts);
    data.revoke(revoked);
    const unknown = `${data.origin}/${randomBytes(16).toString('hex')}`;
    for (const url of [revoked, unknown]) {
      const page = await openManual(browser, withData.url, shim);
      try {
        await postHost(page, { type: 'dataUrl', url, rows: ROWS, complete: true });
        assert.deepEqual(await nextMessage(page, 'dataUrlFailed'), { type: 'dataUrlFailed', url });
        await assertNoRows(page);
        // The CSP let it through: it was the server that had nothing to give.
        assert.deepEqual(await page.evaluate(() => (globalThis as unknown as PageGlobals).__cspViolations), []);
      } finally {
        await page.close();
      }
    }
  });

  /** Offers `body` as a table of `rows` rows: the page fetches it, refuses it and shows nothing. */
  async function expectRefused(body: readonly Uint8Array[], rows: number): Promise<void> {
    const page = await openManual(browser, withData.url, shim);
    try {
      const url = data.offer(body);
      await postHost(page, { type: 'dataUrl', url, rows, complete: true });
      assert.deepEqual(await nextMessage(page, 'dataUrlFailed'), { type: 'dataUrlFailed', url });
      await assertNoRows(page);
      // It did fetch (the one answer is gone): the page refused what it got, not the network.
      assert.equal((await fetch(url)).status, 404);
    } finally {
      await page.close();
    }
  }

  it('refuses a table whose row count is not the one the host announced', async () => {
    await expectRefused(parts, ROWS + 1);
  });

  it('refuses bytes that are not a table, even from the right address', async () => {
    // The encoded table with its header's row count changed: the columns no longer add up.
    const file = Buffer.concat(parts);
    const damaged = Buffer.from(
      file.toString('latin1').replace(`"rowCount":${ROWS}`, `"rowCount":${ROWS + 1}`),
      'latin1',
    );
    assert.notDeepEqual(damaged, file);
    await expectRefused([damaged], ROWS + 1);
  });

  it('cannot fetch at all from a page whose CSP does not name the server, and says so', async () => {
    const page = await openManual(browser, withoutData.url, shim);
    try {
      const url = data.offer(parts);
      await postHost(page, { type: 'dataUrl', url, rows: ROWS, complete: true });
      assert.deepEqual(await nextMessage(page, 'dataUrlFailed'), { type: 'dataUrlFailed', url });
      await assertNoRows(page);
      const violations = await page.evaluate(() => (globalThis as unknown as PageGlobals).__cspViolations);
      assert.equal(violations.length, 1, violations.join('\n'));
      assert.match(violations[0], /^connect-src http:\/\/127\.0\.0\.1:\d+\//);
      // The request never left the page: the offer is still there, whole, for a fetch the CSP allows.
      const response = await fetch(url);
      assert.equal(response.status, 200);
      assert.equal(Number(response.headers.get('content-length')), Buffer.concat(parts).length);
      await response.arrayBuffer();
    } finally {
      await page.close();
    }
  });
  describe('a download sent in parts the page keeps, then its last rows', () => {
    const SHOWN = 2_000;
    const pieces = downloadParts(SHOWN, [8_000, 14_000]);

    /** Offers each piece and posts it as a `rowsUrl` message (the last one complete); returns the addresses. */
    async function postPieces(page: Page, revoke?: number): Promise<string[]> {
      const urls: string[] = [];
      for (const [k, { firstRow, rows, bytes }] of pieces.entries()) {
        const url = data.offer(bytes);
        if (k === revoke) data.revoke(url);
        await postHost(page, { type: 'rowsUrl', url, firstRow, rows, complete: k === pieces.length - 1 });
        urls.push(url);
      }
      return urls;
    }

    it('joins the rows shown, the parts and the last rows, and shows every row as the whole batch', async () => {
      const page = await openManual(browser, withData.url, shim);
      try {
        await postRows(page, SHOWN, false);
        const first = await nextMessage(page, 'rendered');
        assert.deepEqual([first.rows, first.complete], [SHOWN, false]);
        const urls = await postPieces(page);
        const rendered = await renderedComplete(page);
        assert.equal(rendered.rows, ROWS);
        await assertWholeBatchShown(page);
        // Rows where each piece begins, and the very last one, are there and read as sent.
        for (const row of [SHOWN, 8_000, 14_000, ROWS - 1]) {
          const email = records[row].email;
          await page.fill(TABLE.search, email);
          await page.waitForFunction(
            ([selector, n]) => document.querySelector(selector)?.textContent?.startsWith(`${n} of 20,000`),
            [TABLE.statusLine, String(records.filter((r) => r.email.includes(email)).length)] as const,
          );
          assert.ok((await emails(page)).includes(email), `row ${row}: ${email}`);
        }
        await page.fill(TABLE.search, '');
        assert.equal((await inbox(page)).filter((m) => m.type === 'dataUrlFailed').length, 0);
        for (const url of urls) assert.equal((await fetch(url)).status, 404, 'every piece was fetched');
      } finally {
        await page.close();
      }
    });

    it("asks the host for the whole batch, by the last rows' address, when a part was revoked", async () => {
      const page = await openManual(browser, withData.url, shim);
      try {
        await postRows(page, SHOWN, false);
        await nextMessage(page, 'rendered');
        const urls = await postPieces(page, 0);
        assert.deepEqual(await nextMessage(page, 'dataUrlFailed'), { type: 'dataUrlFailed', url: urls[2] });
        // The other pieces were fetched all the same: the page failed on the missing one.
        for (const url of urls.slice(1)) assert.equal((await fetch(url)).status, 404);
        const messages = await inbox(page);
        assert.equal(messages.filter((m) => m.type === 'dataUrlFailed').length, 1, 'refused once');
        assert.deepEqual(
          messages.filter((m) => m.type === 'rendered').map((m) => [m.rows, m.complete]),
          [[SHOWN, false]],
          'still the opening rows only',
        );
        assert.equal(await page.evaluate(() => document.querySelector('body')?.dataset.complete), 'false');
        assert.match((await page.textContent(TABLE.statusLine)) ?? '', /rows so far/);
      } finally {
        await page.close();
      }
    });
  });
});
