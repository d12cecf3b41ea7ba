/**
 * Rows while the download streams, in the webview bundle in Chromium: the shim posts what the host
 * posts while a download runs (progress, growing snapshots of the rows so far, then the whole
 * batch or a failure), and the test reads what the page shows after each. Expected values come from
 * the emulator's generator, computed here in Node.
 */
import * as assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { statusCounts } from '../../emulator/generateRecords';
import type { UiState } from '../../src/shared/protocol';
import type { Harness, HarnessConfig } from './pageShim';
import { buildBundles, launchChromium, startPageServer, type PageDocument } from './tablePage';

declare const document: PageDocument;

const ROWS = 5000;
const SEED = 3;

interface PageHarness {
  __harness: Harness;
}

async function openManual(browser: Browser, url: string, shim: string, config: HarnessConfig): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  await page.addInitScript((cfg) => {
    (globalThis as unknown as { __harnessConfig: unknown }).__harnessConfig = cfg;
  }, config);
  await page.addInitScript({ content: shim });
  await page.goto(url);
  await page.waitForFunction(() => (globalThis as unknown as PageHarness).__harness?.inbox.length > 0);
  return page;
}

/** Rendered messages the page posted so far. */
async function rendered(page: Page): Promise<{ rows: number; complete: boolean }[]> {
  return page.evaluate(() =>
    (globalThis as unknown as PageHarness).__harness.inbox
      .filter((m) => (m as { type: string }).type === 'rendered')
      .map((m) => ({ rows: (m as { rows: number }).rows, complete: (m as { complete: boolean }).complete })),
  );
}

/** Posts rows as the host does and waits for the page to say they are painted. */
async function postRows(page: Page, rows: number, complete: boolean): Promise<void> {
  const before = (await rendered(page)).length;
  await page.evaluate(([n, whole]) => (globalThis as unknown as PageHarness).__harness.postRows(n, whole), [
    rows,
    complete,
  ] as const);
  await page.waitForFunction(
    (count) =>
      (globalThis as unknown as PageHarness).__harness.inbox.filter((m) => (m as { type: string }).type === 'rendered')
        .length > count,
    before,
  );
}

async function postHost(page: Page, message: unknown): Promise<void> {
  await page.evaluate((m) => (globalThis as unknown as PageHarness).__harness.postHost(m), message);
}

const text = (page: Page, selector: string): Promise<string> =>
  page.evaluate((s) => document.querySelector(s)?.textContent ?? '', selector);

describe('results table while the download streams (webview bundle in Chromium)', function () {
  this.timeout(120_000);
  let browser: Browser;
  let server: Awaited<ReturnType<typeof startPageServer>>;
  let shim: string;

  before(async () => {
    shim = await buildBundles();
    server = await startPageServer();
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows a skeleton with the batch name and the download progress before any row', async () => {
    const page = await openManual(browser, server.url, shim, { rows: ROWS, seed: SEED, extra: [], manual: true });
    try {
      await page.waitForSelector('.overlay.skeleton .skeleton-title:has-text("Bouncer: harness (all)")');
      assert.equal(await text(page, '.skeleton-progress'), 'Opening results…');
      assert.ok((await page.$$('.skeleton-bar')).length > 0, 'placeholder rows');
      await postHost(page, { type: 'download', bytes: 1536 * 1024, records: 1234, waiting: false });
      await page.waitForSelector('.skeleton-progress:has-text("1.5 MB")');
      assert.equal(await text(page, '.skeleton-progress'), 'Downloading… 1.5 MB · 1,234 records received');
      assert.deepEqual(await rendered(page), [], 'no rows before the first data');
    } finally {
      await page.close();
    }
  });

  it('shows rows growing as they arrive, filtered as they come, and marked as still arriving until the end', async () => {
    // A restored status filter: it applies to every snapshot as it arrives, as a chip click would.
    const state: UiState = {
      source: { batchId: 'harness', filter: 'all', originKey: 'http://127.0.0.1' },
      columns: [],
      sort: [],
      filter: { statuses: ['risky'], reasons: [], flags: {}, search: '' },
      scrollRow: 0,
    };
    const page = await openManual(browser, server.url, shim, {
      rows: ROWS,
      seed: SEED,
      extra: [],
      manual: true,
      state,
    });
    const risky = (n: number) => statusCounts(n, SEED).risky.toLocaleString('en-US');
    try {
      await postHost(page, { type: 'download', bytes: 100_000, records: 500, waiting: false });
      await postRows(page, 500, false);
      assert.equal(
        await page.evaluate(() => document.querySelector('.overlay')?.hidden),
        true,
        'the skeleton gave way',
      );
      let status = await text(page, '.status-line');
      assert.match(status, new RegExp(`^${risky(500)} of 500 rows so far`));
      assert.match(status, /still arriving/);
      assert.equal(await page.evaluate(() => document.querySelector('body')?.dataset.complete), 'false');

      await postHost(page, { type: 'download', bytes: 400_000, records: 2000, waiting: false });
      await postRows(page, 2000, false);
      status = await text(page, '.status-line');
      assert.match(status, new RegExp(`^${risky(2000)} of 2,000 rows so far`), 'the filter re-applied to more rows');

      await postRows(page, ROWS, true);
      status = await text(page, '.status-line');
      assert.match(status, new RegExp(`^${risky(ROWS)} of 5,000 rows$`), 'complete: no "so far", no progress');
      assert.equal(await page.evaluate(() => document.querySelector('body')?.dataset.complete), 'true');
      assert.deepEqual(await rendered(page), [
        { rows: statusCounts(500, SEED).risky, complete: false },
        { rows: statusCounts(2000, SEED).risky, complete: false },
        { rows: statusCounts(ROWS, SEED).risky, complete: true },
      ]);
    } finally {
      await page.close();
    }
  });

  it('drops rows that were still arriving when the load fails, and says so', async () => {
    const page = await openManual(browser, server.url, shim, { rows: ROWS, seed: SEED, extra: [], manual: true });
    try {
      await postRows(page, 800, false);
      assert.ok((await page.$$('.grid-row:not([hidden])')).length > 0);
      await postHost(page, { type: 'loadError', message: 'The download did not finish.', canRetry: true });
      await page.waitForSelector('.overlay .error');
      assert.equal(await text(page, '.overlay .error'), 'The download did not finish.');
      assert.equal((await page.$$('.grid-row:not([hidden])')).length, 0, 'no row of the broken download is left');
      assert.equal(await text(page, '.status-line'), '', 'no row count that could pass for the batch');
    } finally {
      await page.close();
    }
  });
});
