import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Context } from 'mocha';
import { setApiKey } from './flows';
import { e2e } from './session';

// Issue 13 from a CSV to its results, as a person does it: select lines of a CSV in the editor →
// Verify Emails… → the batch in the sidebar with its progress → the completion notification →
// Write Results Back from it → contacts.verified.csv beside the CSV, with the original columns and
// status, reason and score. The poller runs at its real pace (10 s a round), so waits are longer.

const CSV =
  'Name,Email,Owner\n"Doe, Ann",deliverable.ann@x.io,me\nBob,risky.bob@x.io,you\nCy,cy@unselected.io,"a, b"\n';
const LABEL = 'contacts.csv (selection)';
/** Three polls at 10 s each, with room for a slow machine. */
const COMPLETION_TIMEOUT_MS = 120_000;

describe('From a CSV selection to results written back (issue 13)', () => {
  it('verifies selected rows, follows the batch to completion and writes the results back beside the CSV', async function (this: Context) {
    this.timeout(240_000);
    const { workbench, emulator, sandbox } = e2e();
    const source = path.join(sandbox.workspaceDir, 'contacts.csv');
    const output = path.join(sandbox.workspaceDir, 'contacts.verified.csv');
    fs.writeFileSync(source, CSV);
    await setApiKey(workbench, emulator.apiKey);

    // Open the CSV and select its header and the next two rows.
    await workbench.page.keyboard.press('Control+P');
    const quickOpen = workbench.page.locator('.quick-input-widget .quick-input-box input');
    await quickOpen.waitFor({ state: 'visible', timeout: 30_000 });
    await quickOpen.fill('contacts.csv');
    await workbench.page
      .locator('.quick-input-widget .monaco-list-row', { hasText: 'contacts.csv' })
      .first()
      .click({ timeout: 30_000 });
    await workbench.activeEditorText().filter({ hasText: 'deliverable.ann@x.io' }).waitFor({ timeout: 30_000 });
    await workbench.activeEditorText().click();
    await workbench.page.keyboard.press('Control+Home');
    for (let i = 0; i < 3; i++) await workbench.page.keyboard.press('Shift+ArrowDown');

    await workbench.runCommand('Bouncer: Verify Emails…');
    await workbench.pickQuickItem('which column holds the addresses?', 'Email');
    const dialog = workbench.page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(await dialog.innerText(), /Verify 2 addresses with Bouncer\?/);
    await dialog.locator('.monaco-button', { hasText: 'Verify 2 Addresses' }).click();

    await workbench.showViewContainer('Bouncer');
    await workbench.treeItem(LABEL).waitFor({ timeout: 30_000 });
    // The batch is listed as soon as it is asked for, then shows its progress once Bouncer has
    // answered the creation: wait (bounded) for that, rather than read the first description.
    let description = '';
    for (let i = 0; i < 300 && !/^(queued|processing)/.test(description); i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 100));
      description = (await workbench.treeRows()).find((r) => r.label === LABEL)?.description ?? '';
    }
    assert.match(description, /^(queued|processing)/, 'shown with its progress');
    await workbench.screenshot('writeback-batch-following');

    const toast = workbench.page
      .locator('.notification-toast', { hasText: `Bouncer batch ${LABEL} completed` })
      .first();
    await toast.waitFor({ state: 'visible', timeout: COMPLETION_TIMEOUT_MS });
    await workbench.screenshot('writeback-completed-notification');
    await workbench.notificationButton(toast, 'Write Results Back').click();

    for (let i = 0; i < 300 && !fs.existsSync(output); i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(fs.existsSync(output), 'contacts.verified.csv was written beside the CSV');
    const lines = fs.readFileSync(output, 'utf8').split('\n');
    assert.equal(lines[0], 'Name,Email,Owner,status,reason,score');
    assert.match(lines[1], /^"Doe, Ann",deliverable\.ann@x\.io,me,deliverable,[^,]*,\d+$/);
    assert.match(lines[2], /^Bob,risky\.bob@x\.io,you,risky,[^,]*,\d+$/);
    assert.equal(lines[3], 'Cy,cy@unselected.io,"a, b",not verified,,', 'a row not selected says so');
    assert.equal(fs.readFileSync(source, 'utf8'), CSV, 'the source is untouched');
    await workbench.clearNotifications();
    await workbench.closeAllEditors();
  });
});
