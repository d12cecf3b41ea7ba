import * as assert from 'node:assert/strict';
import type { CreatedBatch } from '../../emulator/createdBatches';
import { setApiKey } from './flows';
import { e2e } from './session';

// Issue 13 as a person does it: addresses typed into an editor → Verify Emails… → the one
// confirmation (renamed there) → the batch in the sidebar → Finish Now from its context menu,
// confirmed → Delete from Bouncer, confirmed → gone from Bouncer and from the list.

const NAME = 'lifecycle e2e';
/** `steps-1000-` first: the emulator keeps this batch processing however often the extension polls it. */
const ADDRESSES = ['steps-1000-lifecycle@e2e.test', 'lifecycle.two@e2e.test', 'STEPS-1000-LIFECYCLE@e2e.test'];

/** Waits (bounded) until the emulator holds a batch that matches. */
async function createdBatch(match: (batch: CreatedBatch) => boolean, what: string): Promise<CreatedBatch> {
  const { emulator } = e2e();
  for (let i = 0; i < 300; i++) {
    const found = emulator.createdBatches().find(match);
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the emulator never had ${what}`);
}

describe('Batch lifecycle from the editor and the tree: Verify Emails, Finish Now, Delete from Bouncer (issue 13)', () => {
  let batchId = '';

  it('creates a batch from the editor after one confirmation, and lists it under its name', async () => {
    const { workbench, emulator } = e2e();
    await setApiKey(workbench, emulator.apiKey);
    await workbench.runCommand('File: New Untitled Text File');
    await workbench.activeEditorText().click();
    await workbench.page.keyboard.type(ADDRESSES.join('\n'));
    await workbench.activeEditorText().filter({ hasText: ADDRESSES[2] }).waitFor({ timeout: 30_000 });
    await workbench.runCommand('Bouncer: Verify Emails…');

    const dialog = workbench.page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 30_000 });
    const text = await dialog.innerText();
    assert.match(text, /Verify 2 addresses with Bouncer\?/);
    assert.match(text, /1 duplicates dropped, 0 lines without an address/);
    assert.match(text, /Cost: 2 credits\. Credits left: [\d,.\s]+\./);
    await workbench.screenshot('verify-emails-confirmation');
    await dialog.locator('.monaco-button', { hasText: 'Change Name…' }).click();
    await workbench.typeInQuickInput(NAME);
    await dialog.locator('.monaco-button', { hasText: 'Verify 2 Addresses' }).click();

    const batch = await createdBatch(
      (b) => b.entries.some((e) => e.email === ADDRESSES[0]),
      'the batch typed in the editor',
    );
    batchId = batch.id;
    assert.deepEqual(
      batch.entries.map((e) => e.email),
      ADDRESSES.slice(0, 2),
    );
    await workbench.showViewContainer('Bouncer');
    await workbench.treeItem(NAME).waitFor({ timeout: 30_000 });
    await workbench.screenshot('verify-emails-batch-listed');
  });

  it('Finish Now from the context menu asks first, then Bouncer stops the batch', async () => {
    const { workbench } = e2e();
    assert.ok(batchId, 'the batch was created');
    await workbench.contextMenu(workbench.treeItem(NAME), 'Finish Now');
    const dialog = workbench.page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(await dialog.innerText(), /refunds the credits of the addresses not verified/);
    await dialog.locator('.monaco-button', { hasText: 'Finish Now' }).click();
    await createdBatch((b) => b.id === batchId && b.status === 'completed', `batch ${batchId} completed`);
    await workbench.waitForNotification('unverified addresses were refunded');
    await workbench.clearNotifications();
  });

  it('Delete from Bouncer from the context menu asks first, then the batch is gone from Bouncer and the list', async () => {
    const { workbench, emulator } = e2e();
    await workbench.contextMenu(workbench.treeItem(NAME), 'Delete from Bouncer');
    const dialog = workbench.page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(await dialog.innerText(), /cannot be undone/);
    await dialog.locator('.monaco-button', { hasText: 'Delete from Bouncer' }).click();
    await workbench.waitForNotification(`Batch ${batchId} was deleted from Bouncer.`);
    assert.equal(emulator.createdBatch(batchId), undefined);
    await workbench.treeItem(NAME).waitFor({ state: 'detached', timeout: 30_000 });
    await workbench.clearNotifications();
    await workbench.closeAllEditors();
  });
});
