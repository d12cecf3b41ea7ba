/**
 * A file's own CSV columns (`Company`, a note) in the real webview bundle: shown as text columns
 * after the record's, sortable, in the column chooser, and never markup.
 */
import * as assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import type { HarnessConfig } from './pageShim';
import {
  buildBundles,
  launchChromium,
  openTable,
  startPageServer,
  TABLE,
  type PageDocument,
  type PageElement,
} from './tablePage';

declare const document: PageDocument;

const ROWS = 40;
const HOSTILE_LABEL = '<img src=x onerror=alert(1)>';
const CELLS = [
  ['Zeta Ltd', '<b>bold</b>'],
  ['Acme', ''],
  ['Big, Inc', '=1+1'],
];
const config: HarnessConfig = {
  rows: ROWS,
  seed: 5,
  extra: [],
  extraColumns: { labels: ['Company', HOSTILE_LABEL], cells: CELLS },
};

function headers(page: Page): Promise<{ id: string; label: string }[]> {
  return page.$$eval('[role=columnheader]', (hs) =>
    hs.map((h) => ({ id: h.getAttribute('data-column') ?? '', label: h.textContent ?? '' })),
  );
}

/** Text of the visible rows' cells in one column (by its id), in view order. */
function cells(page: Page, id: string): Promise<string[]> {
  return page.evaluate((wanted) => {
    const ids = [...document.querySelectorAll('[role=columnheader]')].map((h) => h.getAttribute('data-column'));
    const index = ids.indexOf(wanted);
    const rows = [...document.querySelectorAll('.grid-row')]
      .filter((row) => !row.hidden)
      .sort((a, b) => Number(a.dataset.position) - Number(b.dataset.position));
    return rows.map((row) => row.children[index]?.textContent ?? '');
  }, id);
}

describe('results table in Chromium: a file’s extra columns', function () {
  this.timeout(180_000);
  let browser: Browser;
  let server: Awaited<ReturnType<typeof startPageServer>>;
  let page: Page;
  const dialogs: string[] = [];

  before(async () => {
    const shim = await buildBundles();
    server = await startPageServer();
    browser = await launchChromium();
    page = await openTable(browser, server.url, shim, config);
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows them after the known columns, with the file’s labels and cells as text', async () => {
    const shown = await headers(page);
    assert.deepEqual(
      shown.slice(-2).map((h) => h.id),
      ['extra:0', 'extra:1'],
    );
    assert.ok(shown.length > 2 && shown.slice(0, -2).every((h) => !h.id.startsWith('extra:')));
    assert.deepEqual(
      shown.slice(-2).map((h) => h.label),
      ['Company', HOSTILE_LABEL],
    );
    const company = await cells(page, 'extra:0');
    assert.ok(company.length >= 6, `visible rows: ${company.length}`);
    assert.deepEqual(
      company.slice(0, 6),
      Array.from({ length: 6 }, (_, row) => CELLS[row % CELLS.length][0]),
    );
    assert.equal((await cells(page, 'extra:1'))[0], '<b>bold</b>');
    // Text, never markup: no element came from a label or a cell.
    const injected = await page.evaluate(
      () => document.querySelectorAll('.grid img, .grid b, .grid-header img').length,
    );
    assert.equal(injected, 0);
    assert.deepEqual(dialogs, []);
  });

  it('sorts by an extra column as text', async () => {
    await page.click(TABLE.header('extra:0'));
    const sorted = await cells(page, 'extra:0');
    // 40 rows cycling Zeta Ltd, Acme, Big Inc: 13 Acme, then 13 Big, Inc, then 14 Zeta Ltd.
    assert.deepEqual(sorted.slice(0, 14), [...Array<string>(13).fill('Acme'), 'Big, Inc']);
    await page.click(TABLE.header('extra:0'));
    assert.equal((await cells(page, 'extra:0'))[0], 'Zeta Ltd');
  });

  it('lists them in the column chooser and in the column filter form', async () => {
    await page.click('button[aria-label="Columns"]');
    const chooser = await page.$$eval('.chooser-item label span', (spans) => spans.map((s) => s.textContent ?? ''));
    assert.ok(chooser.includes('Company'), chooser.join(', '));
    await page.click('button[aria-label="Columns"]');
    const options = await page.$$eval(`${TABLE.columnFilterColumn} option`, (os) =>
      os.map((o) => (o as unknown as PageElement).getAttribute('value') ?? ''),
    );
    assert.deepEqual(options.slice(-2), ['extra:0', 'extra:1']);
  });
});
