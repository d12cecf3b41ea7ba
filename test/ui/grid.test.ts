/**
 * The grid features of the results table in a real Chromium (layout, keyboard, copy, column resize
 * and reorder, per-column filters, context-menu actions, the l10n bundle), on the webview bundle
 * under its real CSP with the host shim. Expected values come from the emulator's generator in Node.
 */
import * as assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { generateRecords } from '../../emulator/generateRecords';
import type { Harness, HarnessConfig } from './pageShim';
import {
  buildBundles,
  launchChromium,
  openTable,
  startPageServer,
  TABLE,
  type PageDocument,
  type PageElement,
} from './tablePage';

declare const document: PageDocument & { activeElement: PageElement | null; documentElement: PageElement };

const ROWS = 20_000;
const SEED = 11;
const records = [...generateRecords(ROWS, SEED)];
const config: HarnessConfig = { rows: ROWS, seed: SEED, extra: [] };

function harness(page: Page): Promise<Pick<Harness, 'inbox' | 'state'>> {
  return page.evaluate(() => {
    const h = (globalThis as unknown as { __harness: Harness }).__harness;
    return { inbox: h.inbox, state: h.state };
  });
}

async function lastMessage(page: Page): Promise<Record<string, unknown>> {
  const { inbox } = await harness(page);
  return inbox.at(-1) as Record<string, unknown>;
}

async function statusLine(page: Page): Promise<string> {
  return (await page.textContent(TABLE.statusLine)) ?? '';
}

async function headerOrder(page: Page): Promise<string[]> {
  return page.$$eval('[role=columnheader]', (hs) => hs.map((h) => h.getAttribute('data-column') ?? ''));
}

async function headerWidth(page: Page, column: string): Promise<number> {
  const box = await page.locator(TABLE.header(column)).boundingBox();
  assert.ok(box, `header ${column} is on screen`);
  return Math.round(box.width);
}

/** Row (aria-rowindex) and column (aria-colindex) of the active cell, and its text. */
function activeCell(page: Page): Promise<{ row: string | null; col: string | null; text: string | null }> {
  return page.evaluate(() => {
    const cell = document.getElementById('grid-active-cell');
    const row = document.getElementById('grid-active-row');
    return {
      row: row?.getAttribute('aria-rowindex') ?? null,
      col: cell?.getAttribute('aria-colindex') ?? null,
      text: cell?.textContent ?? null,
    };
  });
}

/** Posts a host message into the page, as VS Code's webview transport would. */
function postFromHost(page: Page, message: unknown): Promise<void> {
  return page.evaluate((m) => {
    (globalThis as unknown as { postMessage(m: unknown, o: string): void }).postMessage(m, '*');
  }, message);
}

describe('results grid in Chromium: layout, keyboard, columns, filters, l10n', function () {
  this.timeout(180_000);
  let browser: Browser;
  let server: Awaited<ReturnType<typeof startPageServer>>;
  let shim: string;
  let page: Page;

  before(async () => {
    shim = await buildBundles();
    server = await startPageServer();
    browser = await launchChromium();
    page = await openTable(browser, server.url, shim, config);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('puts the first data row within 120 px of the top, with one status filter and the search visible', async () => {
    for (const viewport of [
      { width: 1400, height: 900 },
      { width: 1000, height: 700 },
    ]) {
      await page.setViewportSize(viewport);
      const top = await page.locator('.grid-row:not([hidden])').first().boundingBox();
      assert.ok(top && top.y <= 120, `first row at ${top?.y} px in ${viewport.width}×${viewport.height}`);
      assert.ok(await page.isVisible(TABLE.search));
    }
    await page.setViewportSize({ width: 1400, height: 900 });
    assert.equal(await page.locator('[aria-label="Status filter"]').count(), 1);
    // The reason chips wait in the filter popover, not in rows of their own above the data.
    assert.equal(await page.isVisible('[aria-label="Reason filter"]'), false);
    await page.click(TABLE.filtersPopover);
    assert.equal(await page.isVisible('[aria-label="Reason filter"]'), true);
    await page.keyboard.press('Escape');
    assert.equal(await page.isVisible('[aria-label="Reason filter"]'), false);
  });

  it('announces grid size and the active cell position to screen readers', async () => {
    const grid = await page.evaluate(() => {
      const g = document.querySelector('[role=grid]') as PageElement;
      return { rows: g.getAttribute('aria-rowcount'), cols: g.getAttribute('aria-colcount') };
    });
    assert.equal(grid.rows, String(ROWS + 1));
    assert.equal(grid.cols, String((await headerOrder(page)).length));
    await page.locator('.grid-row:not([hidden]) .grid-cell').nth(1).click();
    const described = await page.evaluate(() => {
      const g = document.querySelector('[role=grid]') as PageElement;
      const id = g.getAttribute('aria-activedescendant') ?? '';
      const cell = document.getElementById(id);
      return { role: cell?.getAttribute('role'), col: cell?.getAttribute('aria-colindex') };
    });
    assert.deepEqual(described, { role: 'gridcell', col: '2' });
  });

  it('moves the active cell with arrows, Home/End, PageUp/PageDown and Ctrl+Home/End', async () => {
    await page.locator('.grid-row:not([hidden]) .grid-cell').first().click();
    assert.deepEqual(await activeCell(page), { row: '2', col: '1', text: records[0].email });
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowDown');
    assert.deepEqual((await activeCell(page)).row, '3');
    assert.deepEqual((await activeCell(page)).col, '2');
    const columns = (await headerOrder(page)).length;
    await page.keyboard.press('End');
    assert.equal((await activeCell(page)).col, String(columns));
    await page.keyboard.press('Home');
    assert.equal((await activeCell(page)).col, '1');
    await page.keyboard.press('PageDown');
    const paged = Number((await activeCell(page)).row);
    assert.ok(paged > 10, `PageDown moved to row ${paged}`);
    await page.keyboard.press('PageUp');
    assert.equal((await activeCell(page)).row, '3');
    await page.keyboard.press('Control+End');
    assert.deepEqual(await activeCell(page), { row: String(ROWS + 1), col: '1', text: records[ROWS - 1].email });
    await page.keyboard.press('Control+Home');
    assert.equal((await activeCell(page)).row, '2');
    // Up from the first row: the header of the same column takes focus.
    await page.keyboard.press('ArrowUp');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-column')), 'email');
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('role')), 'grid');
  });

  it('copies the focused cell with Ctrl+C, and the selected rows when several are selected', async () => {
    await page.locator('.grid-row:not([hidden]) .grid-cell').first().click();
    // The Status column (third by default, after Email and Name).
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    assert.equal((await headerOrder(page))[2], 'status');
    await page.keyboard.press('Control+c');
    assert.deepEqual(await lastMessage(page), { type: 'copyText', text: records[0].status });
    await page.keyboard.press('Shift+ArrowDown');
    await page.keyboard.press('Control+c');
    const copy = await lastMessage(page);
    assert.equal(copy.type, 'copy');
    assert.equal(copy.what, 'csv');
    assert.deepEqual(Object.values(copy.rows as Record<string, number>), [0, 1]);
    await page.keyboard.press('Escape');
  });

  it('focuses the search with Ctrl+F from anywhere in the page', async () => {
    await page.focus('.grid');
    await page.keyboard.press('Control+f');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('type')), 'search');
  });

  it('sorts from a focused header with Enter and Space; Shift+Enter adds a second key', async () => {
    await page.focus(TABLE.header('email'));
    await page.keyboard.press('Enter');
    assert.equal(await page.getAttribute(TABLE.header('email'), 'aria-sort'), 'ascending');
    const sorted = records.map((r) => r.email.toLowerCase()).sort();
    assert.equal((await activeCellText(page, 0)).toLowerCase(), sorted[0]);
    // Focus stays on the header across the re-render, so Space toggles the same column.
    await page.keyboard.press('Space');
    assert.equal(await page.getAttribute(TABLE.header('email'), 'aria-sort'), 'descending');
    await page.keyboard.press('ArrowRight');
    const second = await page.evaluate(() => document.activeElement?.getAttribute('data-column'));
    assert.ok(second && second !== 'email');
    await page.keyboard.press('Shift+Enter');
    const { state } = await harness(page);
    assert.deepEqual((state as { sort: unknown[] }).sort, [
      { column: 'email', descending: true },
      { column: second, descending: false },
    ]);
    assert.equal(await page.textContent(`${TABLE.header(second)} .grid-sortindex`), '2');
  });

  it('resizes a column by dragging its edge and fits it to its content on double-click', async () => {
    const before = await headerWidth(page, 'email');
    const handle = await page.locator(TABLE.resizeHandle('email')).boundingBox();
    assert.ok(handle);
    const x = handle.x + handle.width / 2;
    const y = handle.y + handle.height / 2;
    await page.mouse.move(x, y);
    await page.mouse.down();
    await page.mouse.move(x + 60, y, { steps: 4 });
    await page.mouse.move(x + 120, y, { steps: 4 });
    await page.mouse.up();
    assert.equal(await headerWidth(page, 'email'), before + 120);
    const cellWidth = await page.locator('.grid-row:not([hidden]) .grid-cell').first().boundingBox();
    assert.equal(Math.round(cellWidth?.width ?? 0), before + 120, 'cells follow the header');
    let { state } = await harness(page);
    assert.equal((state as { widths: Record<string, number> }).widths.email, before + 120);
    // The drag did not sort.
    assert.equal(await page.getAttribute(TABLE.header('email'), 'aria-sort'), 'descending');
    await page.dblclick(TABLE.resizeHandle('email'));
    const fitted = await headerWidth(page, 'email');
    assert.notEqual(fitted, before + 120);
    const clipped = await page.$$eval('.grid-row:not([hidden]) .grid-cell:first-child', (cells) =>
      cells.filter((c) => c.scrollWidth > c.clientWidth).map((c) => c.textContent),
    );
    assert.deepEqual(clipped, [], 'no visible email is cut off after fitting');
    ({ state } = await harness(page));
    assert.equal((state as { widths: Record<string, number> }).widths.email, fitted);
  });

  it('reorders columns by dragging a header, and with Alt+Arrow from the keyboard', async () => {
    const before = await headerOrder(page);
    assert.equal(before[0], 'email');
    await page.dragAndDrop(TABLE.header('status'), TABLE.header('email'));
    const after = await headerOrder(page);
    assert.deepEqual(after, ['status', ...before.filter((c) => c !== 'status')]);
    assert.deepEqual(
      (await harness(page)).state && ((await harness(page)).state as { columns: string[] }).columns,
      after,
    );
    await page.focus(TABLE.header('status'));
    await page.keyboard.press('Alt+ArrowRight');
    assert.deepEqual((await headerOrder(page)).slice(0, 2), ['email', 'status']);
    await page.keyboard.press('Shift+ArrowRight');
    // Shift+Arrow resized the focused header (status) by one step.
    const { state } = await harness(page);
    assert.ok(((state as { widths: Record<string, number> }).widths.status ?? 0) > 0);
  });

  it('keeps widths and order after a reload', async () => {
    await page.dragAndDrop(TABLE.header('domain.name'), TABLE.header('email'));
    const order = await headerOrder(page);
    const width = await headerWidth(page, 'email');
    // Both differ from what a fresh table shows, so the restore below has something to prove.
    assert.equal(order[0], 'domain.name');
    assert.notEqual(width, 260);
    await page.waitForTimeout(50);
    const { state } = await harness(page);
    const restored = await openTable(browser, server.url, shim, { ...config, state });
    try {
      assert.deepEqual(await headerOrder(restored), order);
      assert.equal(await headerWidth(restored, 'email'), width);
    } finally {
      await restored.close();
    }
  });

  it('filters a column from the filter popover and shows a removable chip', async () => {
    const expected = records.filter((r) => r.domain?.name === 'gmail.com').length;
    const contains = records.filter((r) => r.email.toLowerCase().includes('smith')).length;
    await page.click(TABLE.filtersPopover);
    await page.selectOption(TABLE.columnFilterColumn, 'domain.name');
    await page.fill(TABLE.columnFilterText, '=gmail.com');
    await page.press(TABLE.columnFilterText, 'Enter');
    await page.selectOption(TABLE.columnFilterColumn, 'email');
    await page.fill(TABLE.columnFilterText, 'SMITH');
    await page.press(TABLE.columnFilterText, 'Enter');
    await page.keyboard.press('Escape');
    const chips = await page.locator(TABLE.columnFilterChip).allTextContents();
    assert.deepEqual(chips, ['Domain = gmail.com', 'Email contains SMITH']);
    const both = records.filter((r) => r.domain?.name === 'gmail.com' && r.email.toLowerCase().includes('smith'));
    assert.match(await statusLine(page), new RegExp(`^${both.length.toLocaleString('en-US')} of 20,000 rows`));
    await page.click(`${TABLE.columnFilterChip}[data-column="domain.name"] button`);
    assert.match(await statusLine(page), new RegExp(`^${contains.toLocaleString('en-US')} of 20,000 rows`));
    await page.click(`${TABLE.columnFilterChip} button`);
    assert.match(await statusLine(page), /^20,000 of 20,000 rows/);
    assert.ok(expected > 0);
  });

  it('acts on the context-menu entries the host forwards', async () => {
    const row = 5;
    const status = records[row].status;
    await postFromHost(page, { type: 'contextAction', action: 'copyCell', row, column: 'email' });
    await page.waitForFunction(() => {
      const inbox = (globalThis as unknown as { __harness: Harness }).__harness.inbox;
      return (inbox.at(-1) as { type?: string }).type === 'copyText';
    });
    assert.deepEqual(await lastMessage(page), { type: 'copyText', text: records[row].email });
    await postFromHost(page, { type: 'contextAction', action: 'filterToValue', row, column: 'status' });
    await page.waitForSelector(TABLE.columnFilterChip);
    assert.deepEqual(await page.locator(TABLE.columnFilterChip).allTextContents(), [`Status = ${status}`]);
    const kept = records.filter((r) => r.status === status).length;
    assert.match(await statusLine(page), new RegExp(`^${kept.toLocaleString('en-US')} of`));
    await page.click(`${TABLE.columnFilterChip} button`);
    await postFromHost(page, { type: 'contextAction', action: 'excludeValue', row, column: 'status' });
    await page.waitForSelector(TABLE.columnFilterChip);
    assert.deepEqual(await page.locator(TABLE.columnFilterChip).allTextContents(), [`Status ≠ ${status}`]);
    assert.match(await statusLine(page), new RegExp(`^${(ROWS - kept).toLocaleString('en-US')} of`));
    await page.click(`${TABLE.columnFilterChip} button`);
    await postFromHost(page, { type: 'contextAction', action: 'showRowDetails', row, column: 'email' });
    await page.waitForSelector('.details-json');
    assert.match(
      (await page.textContent('.details-json')) ?? '',
      new RegExp(records[row].email.replace(/[.+]/g, '\\$&')),
    );
  });

  it('Verify Selected Rows Again sends the emails of the selection, or of the clicked row alone', async () => {
    const rows = page.locator('.grid-row:not([hidden])');
    await rows.nth(0).click();
    await rows.nth(2).click({ modifiers: ['Shift'] });
    // The store rows of the selection, in view order, as the copy request names them.
    await page.click('button[aria-label="Copy emails"]');
    const copy = (await lastMessage(page)) as { rows: Record<string, number> };
    const selected = Object.values(copy.rows);
    assert.equal(selected.length, 3);
    await postFromHost(page, { type: 'contextAction', action: 'verifyAgain', row: selected[1], column: 'status' });
    await page.waitForFunction(() => {
      const inbox = (globalThis as unknown as { __harness: Harness }).__harness.inbox;
      return (inbox.at(-1) as { type?: string }).type === 'verifyAgain';
    });
    assert.deepEqual(await lastMessage(page), {
      type: 'verifyAgain',
      emails: selected.map((row) => records[row].email),
    });
    const outside = [0, 1, 2, 3].find((row) => !selected.includes(row)) ?? 0;
    await postFromHost(page, { type: 'contextAction', action: 'verifyAgain', row: outside, column: 'email' });
    await page.waitForFunction(() => {
      const inbox = (globalThis as unknown as { __harness: Harness }).__harness.inbox;
      return ((inbox.at(-1) as { emails?: string[] }).emails ?? []).length === 1;
    });
    assert.deepEqual(await lastMessage(page), { type: 'verifyAgain', emails: [records[outside].email] });
    await page.keyboard.press('Escape');
  });

  it('opens the context menu from the keyboard on the active cell (Shift+F10)', async () => {
    await page.evaluate(() => {
      const seen: string[] = [];
      (globalThis as unknown as { __menus: string[] }).__menus = seen;
      (
        globalThis as unknown as { addEventListener(t: string, f: (e: { target: PageElement }) => void): void }
      ).addEventListener('contextmenu', (e) =>
        seen.push(`${e.target.getAttribute('data-vscode-context')} ${e.target.getAttribute('aria-colindex')}`),
      );
    });
    await page.locator('.grid-row:not([hidden]) .grid-cell').first().click();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Shift+F10');
    const menus = await page.evaluate(() => (globalThis as unknown as { __menus: string[] }).__menus);
    const order = await headerOrder(page);
    assert.deepEqual(menus, [`{"column":"${order[1]}"} 2`]);
  });

  it('shows the strings of the l10n bundle and numbers in the display language', async () => {
    const german = await openTable(browser, server.url, shim, {
      ...config,
      language: 'de',
      l10n: {
        '{0} of {1} rows': '{0} von {1} Zeilen',
        Email: 'E-Mail',
        'Search email, domain, provider': 'E-Mail, Domain, Anbieter suchen',
        Filters: 'Filter',
      },
    });
    try {
      assert.match(await statusLine(german), /^20\.000 von 20\.000 Zeilen/);
      assert.equal(await german.textContent(`${TABLE.header('email')} .grid-hlabel`), 'E-Mail');
      assert.equal(await german.getAttribute(TABLE.search, 'placeholder'), 'E-Mail, Domain, Anbieter suchen');
      assert.equal(await german.textContent(TABLE.filtersPopover), 'Filter');
      assert.equal(await german.evaluate(() => document.documentElement.getAttribute('lang')), 'de');
      // Strings the bundle does not translate fall back to English.
      assert.equal(await german.getAttribute('button[aria-label="Copy emails"]', 'title'), 'Copy emails');
    } finally {
      await german.close();
    }
  });
});

/** Text of the visible row at view position `position` in the first column. */
function activeCellText(page: Page, position: number): Promise<string> {
  return page.evaluate(
    (p) =>
      [...document.querySelectorAll('.grid-row')].find((r) => !r.hidden && r.dataset.position === String(p))
        ?.children[0]?.textContent ?? '',
    position,
  );
}
