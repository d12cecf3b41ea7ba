/**
 * The results table's browser half in a real Chromium: dist/webview.js under the real CSP, fed by a
 * shim of VS Code's webview host (see pageShim.ts). Expected values come from the emulator's
 * generator computed here in Node, never from the page.
 */
import * as assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { generateRecords, statusCounts } from '../../emulator/generateRecords';
import type { EmailRecord } from '../../src/core/records';
import type { Harness } from './pageShim';
import {
  buildBundles,
  launchChromium,
  openTable,
  startPageServer,
  TABLE,
  waitRendered,
  type PageDocument,
  type PageElement,
} from './tablePage';

// Module-scoped: types the `document` that functions passed to page.evaluate see in the browser.
declare const document: PageDocument;

const ROWS = 100_000;
const SEED = 7;
const XSS_EMAIL = '"<img src=x onerror=alert(1)>"@example.com';
const hostile: EmailRecord[] = [
  { email: XSS_EMAIL, status: 'risky', reason: 'low_quality', provider: '</script>', name: '</script><b>bold</b>' },
  { email: 'quarantine@example.com', status: 'quarantined', reason: 'brand_new_reason' },
];

function harness(page: Page): Promise<Harness> {
  return page.evaluate(() => {
    const h = (globalThis as unknown as { __harness: Harness }).__harness;
    return { inbox: h.inbox, state: h.state, renderedAt: h.renderedAt, dataPostedAt: h.dataPostedAt } as Harness;
  });
}

/** Text of the visible rows' cells in one column (by header label). */
async function column(page: Page, label: string): Promise<string[]> {
  return page.evaluate((wanted) => {
    const headers = [...document.querySelectorAll('[role=columnheader]')].map((h) => h.textContent ?? '');
    const index = headers.findIndex((h) => h.startsWith(wanted));
    const rows = [...document.querySelectorAll('.grid-row')]
      .filter((row) => !row.hidden)
      .sort((a, b) => Number(a.dataset.position) - Number(b.dataset.position));
    return rows.map((row) => row.children[index]?.textContent ?? '');
  }, label);
}

async function statusLine(page: Page): Promise<string> {
  return (await page.textContent('.status-line')) ?? '';
}

describe('results table in Chromium (webview bundle + host shim)', function () {
  this.timeout(180_000);
  let browser: Browser;
  let server: Awaited<ReturnType<typeof startPageServer>>;
  let shim: string;
  let page: Page;
  const dialogs: string[] = [];
  const records: EmailRecord[] = [...generateRecords(ROWS, SEED), ...hostile];

  before(async () => {
    shim = await buildBundles();
    server = await startPageServer();
    browser = await launchChromium();
    page = await openTable(browser, server.url, shim, { rows: ROWS, seed: SEED, extra: hostile });
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows the first rows in file order, with a handshake', async () => {
    const emails = await column(page, 'Email');
    assert.ok(emails.length > 10, `visible rows: ${emails.length}`);
    assert.deepEqual(
      emails.slice(0, 5),
      records.slice(0, 5).map((r) => r.email),
    );
    const { inbox } = await harness(page);
    assert.equal((inbox[0] as { type: string }).type, 'ready');
    const { columns, ...rendered } = inbox[1] as { columns?: string[] };
    assert.deepEqual(rendered, { type: 'rendered', rows: ROWS + hostile.length, complete: true });
    assert.equal(columns?.[0], 'Email');
    assert.match(await statusLine(page), /100,002 of 100,002 rows/);
  });

  it('keeps the DOM small at 100k rows, also after scrolling to the middle', async () => {
    const counts = await page.evaluate(() => ({
      rows: document.querySelectorAll('.grid-row').length,
      elements: document.querySelectorAll('*').length,
      rowcount: document.querySelector('[role=grid]')?.getAttribute('aria-rowcount'),
    }));
    assert.ok(counts.rows < 200, `rows in DOM: ${counts.rows}`);
    assert.ok(counts.elements < 2000, `elements in DOM: ${counts.elements}`);
    assert.equal(counts.rowcount, String(ROWS + hostile.length + 1));
    await page.evaluate(() => {
      const grid = document.querySelector('.grid') as PageElement;
      grid.scrollTop = 50_000 * 22;
    });
    await page.waitForFunction(() => document.querySelector('.grid-row')?.dataset.position !== '0');
    const emails = await column(page, 'Email');
    assert.equal(emails[0], records[50_000].email);
    assert.ok((await page.locator('.grid-row').count()) < 200);
    await page.evaluate(() => ((document.querySelector('.grid') as PageElement).scrollTop = 0));
  });

  it('filters to a status from its chip, with the count the generator predicts', async () => {
    const expected = statusCounts(ROWS, SEED).risky + 1; // plus the hostile risky record
    await page.click(TABLE.statusChip('risky'));
    const statuses = await column(page, 'Status');
    assert.ok(statuses.length > 0 && statuses.every((s) => s === 'risky'), statuses.join());
    assert.match(await statusLine(page), new RegExp(`^${expected.toLocaleString('en-US')} of 100,002 rows`));
    assert.equal(await page.getAttribute(TABLE.statusChip('risky'), 'aria-pressed'), 'true');
    await page.click(TABLE.statusChip('risky'));
    assert.match(await statusLine(page), /^100,002 of 100,002 rows/);
  });

  it('sorts by a header click, toggles direction, and adds a key on shift-click', async () => {
    const sortedEmails = records.map((r) => r.email.toLowerCase()).sort();
    await page.click('[role=columnheader][data-column="email"]');
    let emails = await column(page, 'Email');
    assert.deepEqual(
      emails.slice(0, 3).map((e) => e.toLowerCase()),
      sortedEmails.slice(0, 3),
    );
    assert.equal(await page.getAttribute('[role=columnheader][data-column="email"]', 'aria-sort'), 'ascending');
    await page.click('[role=columnheader][data-column="email"]');
    emails = await column(page, 'Email');
    assert.deepEqual(
      emails.slice(0, 3).map((e) => e.toLowerCase()),
      sortedEmails.slice(-3).reverse(),
    );
    // Score descending as primary key, email as the secondary key.
    await page.click('[role=columnheader][data-column="score"]');
    await page.click('[role=columnheader][data-column="score"]');
    await page.click('[role=columnheader][data-column="email"]', { modifiers: ['Shift'] });
    const top = records
      .filter((r) => r.score === 100)
      .map((r) => r.email.toLowerCase())
      .sort()
      .slice(0, 3);
    emails = await column(page, 'Email');
    assert.deepEqual(
      emails.slice(0, 3).map((e) => e.toLowerCase()),
      top,
    );
    assert.deepEqual((await column(page, 'Score')).slice(0, 3), ['100', '100', '100']);
  });

  it('searches as you type over email, domain and provider', async () => {
    const query = 'gmail';
    const expected = records.filter((r) =>
      [r.email, r.domain?.name ?? '', r.provider ?? ''].some((v) => v.toLowerCase().includes(query)),
    ).length;
    await page.fill('input.search', query);
    assert.match(await statusLine(page), new RegExp(`^${expected.toLocaleString('en-US')} of`));
    await page.fill('input.search', '');
    assert.match(await statusLine(page), /^100,002 of/);
  });

  it('renders hostile input as text: no element, no dialog', async () => {
    await page.fill('input.search', 'onerror');
    assert.match(await statusLine(page), /^1 of/);
    const emails = await column(page, 'Email');
    assert.deepEqual(emails, [XSS_EMAIL]);
    assert.deepEqual(await column(page, 'Provider'), ['</script>']);
    assert.deepEqual(await column(page, 'Name'), ['</script><b>bold</b>']);
    const injected = await page.evaluate(() => ({
      img: document.querySelectorAll('img').length,
      b: document.querySelectorAll('b').length,
      onerror: document.querySelectorAll('[onerror]').length,
      scripts: document.querySelectorAll('script').length,
    }));
    // The page's own script tag is gone (the app replaced the body); nothing else may appear.
    assert.deepEqual(injected, { img: 0, b: 0, onerror: 0, scripts: 0 });
    // Row details show the record as JSON text.
    await page.dblclick('.grid-row:not([hidden])');
    assert.match((await page.textContent('.details-json')) ?? '', /onerror=alert\(1\)/);
    assert.equal(await page.evaluate(() => document.querySelectorAll('.details img').length), 0);
    await page.click('.details button');
    assert.deepEqual(dialogs, []);
  });

  it('shows an unknown status as it is and filters on it', async () => {
    await page.fill('input.search', '');
    await page.click(TABLE.statusChip('quarantined'));
    assert.deepEqual(await column(page, 'Status'), ['quarantined']);
    assert.deepEqual(await column(page, 'Reason'), ['brand_new_reason']);
    await page.click('button[aria-label="Clear filters"]');
  });

  it('selects with click, shift-click and keyboard, and posts copy and export requests', async () => {
    await page.click('[role=columnheader][data-column="email"]', { modifiers: [] });
    const rows = page.locator('.grid-row:not([hidden])');
    await rows.nth(0).click();
    await rows.nth(2).click({ modifiers: ['Shift'] });
    await page.keyboard.press('Shift+ArrowDown');
    assert.match(await statusLine(page), /4 selected/);
    assert.equal(await page.locator('.grid-row.selected').count(), 4);
    await page.click('button[aria-label="Copy emails"]');
    await page.click('button[aria-label="Export CSV…"]');
    const { inbox } = await harness(page);
    const copy = inbox.at(-2) as { type: string; what: string; rows: Record<string, number> };
    const exp = inbox.at(-1) as { type: string; format: string; target: string; rows: Record<string, number> };
    assert.equal(copy.type, 'copy');
    assert.equal(copy.what, 'emails');
    const sortedRows = records
      .map((r, i) => ({ key: r.email.toLowerCase(), i }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.i - b.i))
      .map((e) => e.i);
    assert.deepEqual(Object.values(copy.rows), sortedRows.slice(0, 4));
    assert.equal(exp.format, 'csv');
    assert.equal(exp.target, 'file');
    assert.equal(Object.keys(exp.rows).length, ROWS + hostile.length);
    // Keyboard: Ctrl+End goes to the last row; ARIA marks it active.
    await page.focus('.grid');
    await page.keyboard.press('Control+End');
    const active = await page.evaluate(() => document.getElementById('grid-active-row')?.getAttribute('aria-rowindex'));
    assert.equal(active, String(ROWS + hostile.length + 1));
    await page.keyboard.press('Control+Home');
    // Type-to-search: a printable key in the grid lands in the search box.
    await page.keyboard.press('q');
    assert.equal(await page.inputValue('input.search'), 'q');
    await page.click('button[aria-label="Clear filters"]');
  });

  it('shows the opening rows of a big batch first, then the whole batch', async () => {
    const partial = await openTable(browser, server.url, shim, {
      rows: ROWS,
      seed: SEED,
      extra: hostile,
      partialAfter: 1000,
    });
    try {
      const { inbox } = await harness(partial);
      assert.deepEqual(
        inbox
          .filter((m) => (m as { type: string }).type === 'rendered')
          .map((m) => ({ ...(m as object), columns: undefined })),
        [
          { type: 'rendered', rows: 1000, complete: false, columns: undefined },
          { type: 'rendered', rows: ROWS + hostile.length, complete: true, columns: undefined },
        ],
      );
      assert.match(await statusLine(partial), /^100,002 of 100,002 rows$/);
      assert.deepEqual(
        (await column(partial, 'Email')).slice(0, 3),
        records.slice(0, 3).map((r) => r.email),
      );
    } finally {
      await partial.close();
    }
  });

  it('restores columns, sort, filter and scroll from saved state after a reload', async () => {
    await page.click(TABLE.statusChip('deliverable'));
    await page.click('[role=columnheader][data-column="score"]');
    await page.click('button[aria-label="Columns"]');
    await page.uncheck('input[aria-label="Show Provider"]');
    await page.click('button[aria-label="Columns"]');
    await page.evaluate(() => ((document.querySelector('.grid') as PageElement).scrollTop = 1000 * 22));
    await page.waitForFunction(() => document.querySelector('.grid-row')?.dataset.position !== '0');
    await page.waitForTimeout(400); // the scroll position is saved on a short debounce
    const before = { emails: await column(page, 'Email'), line: await statusLine(page) };
    const { state } = await harness(page);
    const restored = await openTable(browser, server.url, shim, { rows: ROWS, seed: SEED, extra: hostile, state });
    try {
      await waitRendered(restored);
      // Selection is deliberately not persisted; rows, sort and filter are.
      assert.equal(await statusLine(restored), before.line.replace(/ · \d+ selected/, ''));
      assert.deepEqual(await column(restored, 'Email'), before.emails);
      const headers = await restored.$$eval('[role=columnheader]', (hs) =>
        hs.map((h) => h.getAttribute('data-column')),
      );
      assert.equal(headers.includes('provider'), false);
    } finally {
      await restored.close();
    }
  });
});
