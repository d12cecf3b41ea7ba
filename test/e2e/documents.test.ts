import * as assert from 'node:assert/strict';
import type { Context } from 'mocha';
import { DEMO_BATCH_ID } from '../../emulator/demoBatch';
import { openBatchAsJson, setApiKey } from './flows';
import { e2e, startFreshProfile, type FreshProfile } from './session';

// The JSON tab as a person meets it: a read-only document, so closing it asks nothing, and a
// window reload brings it back with its text. On a profile of its own, so no earlier case's tabs
// or key are in the way.
describe('JSON and CSV tabs are read-only documents (issue 11)', () => {
  let profile: FreshProfile | undefined;
  const fresh = (): FreshProfile => {
    if (!profile) throw new Error('The fresh profile did not start');
    return profile;
  };
  const JSON_TAB = `${DEMO_BATCH_ID} · all.json`;
  const CSV_TAB = `${DEMO_BATCH_ID} · risky.csv`;

  before(async function (this: Context) {
    this.timeout(180_000);
    profile = await startFreshProfile('documents');
    await setApiKey(profile.workbench, e2e().emulator.apiKey);
    await profile.workbench.clearNotifications();
  });

  afterEach(async function (this: Context) {
    const test = this.currentTest;
    if (test?.state === 'failed' && profile) {
      const file = await profile.workbench.screenshot(`FAILED-${test.title}`);
      console.log(`      [e2e] screenshot of the documents profile at the failure: ${file}`);
    }
  });

  after(async function (this: Context) {
    this.timeout(30_000);
    await profile?.stop();
    profile = undefined;
  });

  it('closes a JSON tab without asking to save', async () => {
    const { workbench } = fresh();
    await openBatchAsJson(workbench, DEMO_BATCH_ID);
    await workbench.activeTab().filter({ hasText: JSON_TAB }).waitFor({ timeout: 30_000 });
    await workbench.activeEditorText().filter({ hasText: '"email"' }).waitFor({ timeout: 30_000 });
    await workbench.screenshot('json-tab-read-only');
    await workbench.runCommand('View: Close Editor');
    // An untitled or dirty tab would stay open behind a "Do you want to save" dialog.
    await workbench.page.locator('.tabs-container .tab').first().waitFor({ state: 'detached', timeout: 30_000 });
    assert.equal(await workbench.page.locator('.monaco-dialog-box').count(), 0, 'no dialog opened');
  });

  it('brings the JSON and CSV tabs back with their text after a window reload', async () => {
    const { workbench } = fresh();
    await openBatchAsJson(workbench, DEMO_BATCH_ID);
    await workbench.activeEditorText().filter({ hasText: '"email"' }).waitFor({ timeout: 30_000 });
    await workbench.runCommand('Bouncer: Open Batch Results as CSV');
    await workbench.typeInQuickInput(DEMO_BATCH_ID);
    await workbench.pickQuickItem('Which results?', 'Risky');
    await workbench.waitQuickInputClosed();
    await workbench.activeTab().filter({ hasText: CSV_TAB }).waitFor({ timeout: 30_000 });
    await workbench.activeEditorText().filter({ hasText: 'email,status' }).waitFor({ timeout: 30_000 });

    await workbench.reloadWindow('Bouncer: Set API Key');
    await workbench.activeTab().filter({ hasText: CSV_TAB }).waitFor({ timeout: 60_000 });
    await workbench.activeEditorText().filter({ hasText: 'email,status' }).waitFor({ timeout: 60_000 });
    assert.match(await workbench.activeEditorText().innerText(), /risky/);
    await workbench.page.locator('.tabs-container .tab', { hasText: JSON_TAB }).click();
    await workbench.activeEditorText().filter({ hasText: '"email"' }).waitFor({ timeout: 60_000 });
    await workbench.screenshot('tabs-restored-after-reload');
    assert.equal(await workbench.page.locator('.monaco-dialog-box').count(), 0, 'no dialog opened');
    await workbench.closeAllEditors();
    assert.equal(await workbench.page.locator('.tabs-container .tab').count(), 0, 'every tab closed, none asked');
  });
});
