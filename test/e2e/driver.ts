import * as fs from 'node:fs';
import * as path from 'node:path';
import * as assert from 'node:assert/strict';
import { type FrameLocator, type Locator, type Page } from 'playwright-core';

/** How long one UI step may take before the step fails (a bound on waiting, not a timing assertion). */
const STEP_TIMEOUT_MS = 30_000;

/**
 * Drives the VS Code workbench in the page the way a person does: keyboard, palette, input boxes,
 * notifications. Cases call these helpers instead of raw selectors, so a workbench DOM change is fixed
 * in one place. Every helper waits for the UI it needs and fails with a message naming the step.
 */
export class Workbench {
  private shots = 0;

  constructor(
    readonly page: Page,
    private readonly screenshotDir: string,
  ) {
    fs.mkdirSync(screenshotDir, { recursive: true });
  }

  /** The quick input widget (command palette, input boxes and quick picks share it). */
  get quickInput(): Locator {
    return this.page.locator('.quick-input-widget');
  }

  /** Waits until the workbench is laid out and the palette knows the extension's commands. */
  async waitReady(probeCommand: string): Promise<void> {
    await this.page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
    await this.page.locator('.part.statusbar').waitFor({ state: 'visible', timeout: 60_000 });
    // Right after start-up the palette does not list extension commands yet, and an open palette
    // does not refresh: reopen it until the command is listed.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const found = await this.openPaletteAt(probeCommand, 3_000);
      await this.page.keyboard.press('Escape');
      await this.quickInput.waitFor({ state: 'hidden', timeout: STEP_TIMEOUT_MS });
      if (found) return;
      if (Date.now() > deadline) throw new Error(`The palette never listed "${probeCommand}"`);
    }
  }

  /** F1, type the command's title (e.g. "Bouncer: Set API Key"), run it. */
  async runCommand(title: string): Promise<void> {
    const row = await this.openPaletteAt(title);
    if (!row) {
      await this.screenshot('palette-missing-command');
      throw new Error(`The palette has no command "${title}"`);
    }
    // Click the exact row: Enter would run whichever row the palette ranks first.
    await row.click({ timeout: STEP_TIMEOUT_MS });
    // The widget stays on screen when the command opens an input box; wait until the palette text is gone.
    // (A string, because this file is compiled without DOM types.)
    await this.page.waitForFunction(
      `(() => {
        const input = document.querySelector('.quick-input-widget .quick-input-box input');
        return !input || !input.checkVisibility() || !input.value.startsWith('>');
      })()`,
      undefined,
      { timeout: STEP_TIMEOUT_MS },
    );
  }

  /** Types into the open input box (batch ID, API key…) and presses Enter. */
  async typeInQuickInput(text: string, options: { expectPassword?: boolean } = {}): Promise<void> {
    const input = this.quickInput.locator('.quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
    if (options.expectPassword) {
      assert.equal(await input.getAttribute('type'), 'password', 'the input box hides what is typed');
    }
    await input.fill(text);
    // Enter on the box itself, not on whatever has focus: a walkthrough page that takes focus back
    // after opening the box would otherwise swallow the key, and a box with ignoreFocusOut stays open.
    await input.press('Enter', { timeout: STEP_TIMEOUT_MS });
  }

  /** Waits for the quick input to show `title` (e.g. "Which results?"), picks the row with `label`. */
  async pickQuickItem(title: string, label: string): Promise<void> {
    await this.quickInput
      .locator('.quick-input-title', { hasText: title })
      .waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
    await this.quickInput.locator('.monaco-list-row', { hasText: label }).first().click({ timeout: STEP_TIMEOUT_MS });
  }

  /** Waits for the quick input to show `title` (e.g. "Open Batch Results (1/3)": title and step counter). */
  async waitQuickInputTitle(title: string): Promise<void> {
    await this.quickInput
      .locator('.quick-input-title', { hasText: title })
      .waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
  }

  /** Types into an open quick pick and clicks the row whose label matches `row` once it is listed. */
  async typeAndPick(text: string, row: RegExp): Promise<void> {
    const input = this.quickInput.locator('.quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
    await input.fill(text);
    // Clicking the row, not Enter: Enter before the extension has listed the row would take another.
    await this.quickInput
      .locator('.monaco-list-row', { has: this.page.locator('.label-name', { hasText: row }) })
      .first()
      .click({ timeout: STEP_TIMEOUT_MS });
  }

  /** The rows of the open quick pick, top to bottom: label and description. */
  async quickRows(): Promise<{ label: string; description: string }[]> {
    await this.quickInput.locator('.monaco-list-row').first().waitFor({ timeout: STEP_TIMEOUT_MS });
    const rows: { label: string; description: string }[] = [];
    for (const row of await this.quickInput.locator('.monaco-list-row').all()) {
      const label = ((await row.locator('.label-name').first().textContent()) ?? '').trim();
      const description = ((await row.locator('.label-description').first().textContent()) ?? '').trim();
      rows.push({ label, description });
    }
    return rows;
  }

  /** The Back button of a multi-step quick input. */
  async quickInputBack(): Promise<void> {
    await this.quickInput
      .locator('.quick-input-left-action-bar .codicon-quick-input-back')
      .first()
      .click({ timeout: STEP_TIMEOUT_MS });
  }

  /** The text in the quick input's box. */
  quickInputValue(): Promise<string> {
    return this.quickInput.locator('.quick-input-box input').inputValue({ timeout: STEP_TIMEOUT_MS });
  }

  /** A step of the walkthrough shown on the Welcome page, by its title; `aria-checked` says whether it is done. */
  walkthroughStep(title: string): Locator {
    return this.page.locator('button.getting-started-step', { hasText: title });
  }

  /** A button (a command link) in the walkthrough's open step, by its label. */
  walkthroughButton(label: string): Locator {
    return this.page.locator('.gettingStartedContainer').getByRole('button', { name: label, exact: true });
  }

  /** Waits for the quick input to close (the command took its last answer). */
  async waitQuickInputClosed(): Promise<void> {
    await this.quickInput.waitFor({ state: 'hidden', timeout: STEP_TIMEOUT_MS });
  }

  /** Waits for a notification toast containing `text`; returns it (see `notificationButton`). */
  async waitForNotification(text: string): Promise<Locator> {
    const toast = this.page.locator('.notification-toast', { hasText: text }).first();
    await toast.waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
    return toast;
  }

  /** A button (e.g. "Set API Key") in a notification returned by `waitForNotification`. */
  notificationButton(toast: Locator, label: string): Locator {
    return toast.locator('.monaco-button', { hasText: label });
  }

  /** Closes every notification toast so the next step starts clean. */
  async clearNotifications(): Promise<void> {
    await this.runCommand('Notifications: Clear All Notifications');
    await this.page.locator('.notification-toast').first().waitFor({ state: 'detached', timeout: STEP_TIMEOUT_MS });
  }

  /** The active editor tab. */
  activeTab(): Locator {
    return this.page.locator('.tabs-container .tab.active');
  }

  /** Text of the active editor as rendered (Monaco renders only the visible lines). */
  activeEditorText(): Locator {
    return this.page.locator('.editor-group-container.active .monaco-editor .view-lines');
  }

  /** The language shown in the status bar for the active editor (e.g. "JSON"). */
  editorLanguage(): Locator {
    return this.page.locator('[id="status.editor.mode"]');
  }

  /** Closes all editors, discarding unsaved results tabs. */
  /** After a failed case: closes whatever menu, input or notification it left open, then every editor. */
  async tidyAfterFailure(): Promise<void> {
    for (let i = 0; i < 3; i++) await this.page.keyboard.press('Escape');
    await this.clearNotifications();
    await this.closeAllEditors();
  }

  async closeAllEditors(): Promise<void> {
    // Untitled result tabs may be several; one at a time, until the editor area is empty.
    for (let i = 0; i < 20 && (await this.page.locator('.tabs-container .tab').count()) > 0; i++) {
      await this.runCommand('View: Revert and Close Editor');
    }
  }

  /**
   * The content of the active webview (results table): two nested frames, the outer one owned by
   * the workbench, the inner one holding the extension's HTML.
   */
  webviewFrame(): FrameLocator {
    return this.page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  }

  /** The results table in the active webview, read and clicked through its roles and labels. */
  resultsTable(): ResultsTable {
    return new ResultsTable(this.webviewFrame());
  }

  /**
   * F1 "Developer: Reload Window", then waits for the new page to load and for the palette to know
   * `probeCommand` again (the extension host is restarted by a reload).
   */
  async reloadWindow(probeCommand: string): Promise<void> {
    const row = await this.openPaletteAt('Developer: Reload Window');
    if (!row) throw new Error('The palette has no command "Developer: Reload Window"');
    const loaded = this.page.waitForEvent('load', { timeout: 60_000 });
    // Not runCommand: its wait for the palette to close would run in the page being torn down.
    await row.click({ timeout: STEP_TIMEOUT_MS });
    await loaded;
    await this.waitReady(probeCommand);
  }

  /** Clicks the activity-bar icon labelled `title` (e.g. "Bouncer") unless its side bar is already shown. */
  async showViewContainer(title: string): Promise<void> {
    const tab = this.page.locator('.part.activitybar [role="tab"]', {
      has: this.page.locator(`a.action-label[aria-label="${title}"]`),
    });
    await tab.waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
    // Clicking the icon of the container already shown would hide the side bar.
    if ((await tab.getAttribute('aria-selected')) !== 'true' || !(await this.sideBar().isVisible())) {
      await tab.click({ timeout: STEP_TIMEOUT_MS });
    }
    await this.sideBar().locator('.composite.title', { hasText: title }).waitFor({ timeout: STEP_TIMEOUT_MS });
  }

  /** The primary side bar (where view containers such as Bouncer's show their views). */
  sideBar(): Locator {
    return this.page.locator('.part.sidebar');
  }

  /** The welcome content a view shows while it is empty (paragraphs and buttons). */
  welcomeView(): Locator {
    return this.sideBar().getByRole('region', { name: 'Welcome' });
  }

  /** A button of the welcome content, by its label (e.g. "Set API Key"). */
  welcomeButton(label: string): Locator {
    return this.welcomeView().getByRole('button', { name: label, exact: true });
  }

  /** Every row of the side bar's trees, top to bottom as rendered. */
  treeItems(): Locator {
    return this.sideBar().getByRole('treeitem');
  }

  /** The tree row whose label is exactly `label` (e.g. "demo-small" or "risky"). */
  treeItem(label: string): Locator {
    return this.treeItems()
      .filter({ has: this.page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(label)}$`) }) })
      .first();
  }

  /**
   * Right-clicks a row of the side bar's tree (e.g. a file in the Explorer) and picks `label` from its
   * context menu (VS Code draws that menu itself, in a shadow root the locators reach into).
   */
  async contextMenu(item: Locator, label: string): Promise<void> {
    await item.click({ button: 'right', timeout: STEP_TIMEOUT_MS });
    await this.pickContextMenuItem(label);
  }

  /** Label and description (the grey text after it) of each tree row, top to bottom. */
  async treeRows(): Promise<{ label: string; description: string }[]> {
    const rows: { label: string; description: string }[] = [];
    for (const row of await this.treeItems().all()) {
      const label = (await row.locator('.label-name').textContent()) ?? '';
      const descriptions = await row.locator('.label-description').allTextContents();
      rows.push({ label, description: descriptions[0] ?? '' });
    }
    return rows;
  }

  /** Expands a tree row by its twistie (clicking the row itself would run its command). */
  async expandTreeItem(item: Locator): Promise<void> {
    if ((await item.getAttribute('aria-expanded')) !== 'true') {
      await item.locator('.monaco-tl-twistie').click({ timeout: STEP_TIMEOUT_MS });
    }
    await item.and(this.page.locator('[aria-expanded="true"]')).waitFor({ timeout: STEP_TIMEOUT_MS });
  }

  /** The entries of the context menu on screen (VS Code's own menu, also for a webview's right-click). */
  contextMenuItems(): Locator {
    return this.page.locator('.context-view').getByRole('menuitem');
  }

  /** Waits for the context menu and clicks its entry `label` (e.g. "Copy Cell"). */
  async pickContextMenuItem(label: string): Promise<void> {
    const menu = this.page.locator('.context-view .monaco-menu');
    const item = menu.getByRole('menuitem', { name: label, exact: true });
    await item.waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
    // A click can land while the menu still takes the mouse-up of the gesture that opened it, and is
    // then lost with the menu left open over the workbench (it failed one run in three here, and every
    // case after it); hovering focuses the entry and Enter runs it, as a keyboard user picks it.
    await item.hover({ timeout: STEP_TIMEOUT_MS });
    await this.page.keyboard.press('Enter');
    await menu.waitFor({ state: 'hidden', timeout: STEP_TIMEOUT_MS });
  }

  /** Saves a numbered full-page screenshot; returns its path. */
  async screenshot(name: string): Promise<string> {
    this.shots += 1;
    const safe = name
      .replace(/[^a-z0-9-]+/gi, '-')
      .replace(/^-|-$/g, '')
      .toLowerCase();
    const file = path.join(this.screenshotDir, `${String(this.shots).padStart(2, '0')}-${safe}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  /** Opens the palette with `title` typed; returns the row whose label is exactly `title`, if listed in time. */
  private async openPaletteAt(title: string, timeoutMs = STEP_TIMEOUT_MS): Promise<Locator | undefined> {
    const input = this.quickInput.locator('.quick-input-box input');
    // Right after a window reload the workbench may not take keys yet, and that F1 is simply lost:
    // press again until the palette opens, within the step's bound.
    const deadline = Date.now() + STEP_TIMEOUT_MS;
    for (;;) {
      await this.page.keyboard.press('F1');
      try {
        await input.waitFor({ state: 'visible', timeout: 3_000 });
        break;
      } catch (error) {
        if (Date.now() > deadline) throw error;
      }
    }
    await input.fill(`>${title}`);
    const row = this.quickInput
      .locator('.monaco-list-row', {
        has: this.page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(title)}$`) }),
      })
      .first();
    try {
      await row.waitFor({ state: 'visible', timeout: timeoutMs });
      return row;
    } catch {
      return undefined;
    }
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The results table webview (src/webview), seen as a person sees it: the summary, the filter chips,
 * the column headers, the search box and the cells of the rows on screen. Only rows the grid shows
 * are read (it keeps the visible window of rows in the DOM, nothing else).
 */
export class ResultsTable {
  constructor(readonly frame: FrameLocator) {}

  /** The ARIA grid holding header and rows. */
  get grid(): Locator {
    return this.frame.getByRole('grid', { name: 'Results' });
  }

  /** The panel's heading, e.g. "Bouncer: demo-small (all)". */
  get title(): Locator {
    return this.frame.getByRole('heading', { level: 1 });
  }

  /** The summary's total, e.g. "41 results". */
  get summaryTotal(): Locator {
    return this.frame.locator('.summary-total');
  }

  /** The search box over email, domain and provider. */
  get searchBox(): Locator {
    return this.frame.getByRole('searchbox', { name: 'Search email, domain, provider' });
  }

  /** The line under the grid: "9 of 41 rows · sorted by Email ↑". */
  get statusLine(): Locator {
    return this.frame.locator('.status-line');
  }

  /** Waits until the grid shows `shown` of `total` rows (after a click or keystroke has been applied). */
  async waitForRowCount(shown: number, total: number): Promise<void> {
    await this.statusLine
      .filter({ hasText: new RegExp(`^${shown.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} rows`) })
      .waitFor({ timeout: STEP_TIMEOUT_MS });
  }

  /** The summary legend: count per status for the whole batch, as shown. */
  async summaryCounts(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const entry of await this.frame.locator('.summary-legend .summary-entry').all()) {
      const spans = await entry.locator('span').allTextContents();
      // swatch, status, count
      counts[spans[1]] = parseCount(spans[2]);
    }
    return counts;
  }

  /** The filter chip of one status (a toggle button; aria-pressed says whether it filters). */
  statusChip(status: string): Locator {
    return this.frame.getByRole('group', { name: 'Status filter' }).locator(`button[data-value="${status}"]`);
  }

  /** The count a chip shows (rows of the current view with that value). */
  async chipCount(chip: Locator): Promise<number> {
    return parseCount(await chip.locator('.count').textContent());
  }

  /** A column header by its label, e.g. "Email" (click to sort; aria-sort says the direction). */
  columnHeader(label: string): Locator {
    return this.frame.getByRole('columnheader', { name: label, exact: true });
  }

  /**
   * Starts watching the table's document for data run as code, and returns a reader of what was seen.
   * It records calls to alert/confirm/prompt (replaced by recorders: the webview frame is sandboxed
   * without allow-modals, so a real dialog would be dropped unseen, never reaching the page's `dialog`
   * event) and Content-Security-Policy violations (what an event handler made from data would raise).
   */
  async watchForScripts(): Promise<() => Promise<string[]>> {
    const handle = await this.grid.elementHandle({ timeout: STEP_TIMEOUT_MS });
    const frame = await handle.ownerFrame();
    await handle.dispose();
    if (!frame) throw new Error('The results grid is in no frame');
    // Strings, because this file is compiled without DOM types; CDP evaluation is not subject to the CSP.
    await frame.evaluate(`(() => {
      const seen = (window.__e2eScriptSigns = []);
      for (const name of ['alert', 'confirm', 'prompt']) window[name] = (message) => seen.push(name + ': ' + message);
      document.addEventListener('securitypolicyviolation', (e) =>
        seen.push('CSP ' + e.violatedDirective + ' blocked ' + (e.blockedURI || e.sample)));
    })()`);
    return async () => (await frame.evaluate('window.__e2eScriptSigns')) as string[];
  }

  /** The cell of column `label` in the `index`th row on screen (0 is the top one). */
  async cell(label: string, index: number): Promise<Locator> {
    const column = await this.columnHeader(label).getAttribute('aria-colindex', { timeout: STEP_TIMEOUT_MS });
    return this.grid
      .locator('[role="rowgroup"] [role="row"]:not([hidden])')
      .nth(index)
      .locator(`[role="gridcell"][aria-colindex="${column}"]`);
  }

  /** The drag handle on the right edge of a column header (double-click fits the column). */
  resizeHandle(label: string): Locator {
    return this.columnHeader(label).locator('.grid-resize');
  }

  /** The chips of the per-column filters in force, e.g. "Status = risky". */
  get columnFilterChips(): Locator {
    return this.frame.getByRole('group', { name: 'Column filters' }).locator('.chip');
  }

  /** Text of the column labelled `label` in every row on screen, top to bottom. */
  async column(label: string): Promise<string[]> {
    const index = await this.columnHeader(label).getAttribute('aria-colindex', { timeout: STEP_TIMEOUT_MS });
    if (!index) throw new Error(`The "${label}" header has no aria-colindex`);
    // Pooled row elements stand in DOM order for consecutive rows; spare ones are hidden.
    return this.grid
      .locator(`[role="rowgroup"] [role="row"]:not([hidden]) [role="gridcell"][aria-colindex="${index}"]`)
      .allTextContents();
  }
}

function parseCount(text: string | null | undefined): number {
  const n = Number((text ?? '').replace(/,/g, ''));
  if (!Number.isInteger(n)) throw new Error(`Not a count: "${text}"`);
  return n;
}
