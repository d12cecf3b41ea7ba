import * as assert from 'node:assert/strict';
import { e2e } from './session';
import { enterBatch, setApiKey } from './flows';

// Opening a batch is one quick input of three steps, with a counter and a Back button: what a person
// sees and clicks, against the emulator.
describe('Open Batch Results, step by step', () => {
  /** Requests the emulator served before this suite: other suites open the same batches. */
  let before0 = 0;

  /** The status filter of each download of `batchId` the emulator served in this suite, in order. */
  function downloads(batchId: string): string[] {
    return e2e()
      .emulator.requests.slice(before0)
      .filter((r) => r.path.endsWith(`/batch/${batchId}/download`))
      .map((r) => r.query.download ?? '');
  }

  before(async () => {
    const { workbench, emulator } = e2e();
    before0 = emulator.requests.length;
    await setApiKey(workbench, emulator.apiKey);
    await workbench.clearNotifications();
  });

  it('counts the steps and goes Back with the earlier answers kept', async () => {
    const { workbench } = e2e();
    await workbench.runCommand('Bouncer: Open Batch Results…');
    await enterBatch(workbench, 'gen-50');
    await workbench.pickQuickItem('Which results? (2/3)', 'Risky');
    await workbench.waitQuickInputTitle('Show results as (3/3)');
    await workbench.screenshot('open-step-3-of-3');
    await workbench.quickInputBack();
    await workbench.waitQuickInputTitle('Which results? (2/3)');
    await workbench.quickInputBack();
    await workbench.waitQuickInputTitle('Open Batch Results (1/3)');
    assert.equal(await workbench.quickInputValue(), 'gen-50', 'the ID typed before is still there');
    await enterBatch(workbench, 'demo-small');
    await workbench.pickQuickItem('Which results? (2/3)', 'All results');
    await workbench.pickQuickItem('Show results as (3/3)', 'JSON');
    await workbench.waitQuickInputClosed();
    await workbench.editorLanguage().filter({ hasText: 'JSON' }).waitFor({ timeout: 30_000 });
    assert.deepEqual(downloads('gen-50'), [], 'nothing was downloaded for the batch left behind');
    // Whether 'all' is downloaded depends on what earlier suites cached; the tab says which was opened.
    await workbench.activeTab().filter({ hasText: 'demo-small · all.json' }).waitFor({ timeout: 30_000 });
    assert.ok(
      downloads('demo-small').every((filter) => filter === 'all'),
      'only the filter picked last',
    );
    await workbench.closeAllEditors();
  });

  it('offers the batches opened before, and opens one picked from the list', async () => {
    const { workbench } = e2e();
    await workbench.runCommand('Bouncer: Open Batch Results as JSON');
    await workbench.waitQuickInputTitle('Open Batch Results (1/2)');
    const rows = await workbench.quickRows();
    assert.equal(rows[0]?.label, 'demo-small', 'the batch opened last is offered first');
    await workbench.screenshot('open-step-1-recent-batches');
    await workbench.quickInput.locator('.monaco-list-row').first().click();
    await workbench.pickQuickItem('Which results? (2/2)', 'Risky');
    await workbench.waitQuickInputClosed();
    await workbench.editorLanguage().filter({ hasText: 'JSON' }).waitFor({ timeout: 30_000 });
    await workbench.activeTab().filter({ hasText: 'demo-small · risky.json' }).waitFor({ timeout: 30_000 });
    assert.deepEqual(
      downloads('demo-small').filter((filter) => filter !== 'all'),
      ['risky'],
    );
    await workbench.closeAllEditors();
  });

  it("takes a link pasted from Bouncer's web app", async () => {
    const { workbench } = e2e();
    await workbench.runCommand('Bouncer: Open Batch Results as JSON');
    await enterBatch(workbench, 'https://app.usebouncer.com/batch/gen-50?tab=results', 'gen-50');
    await workbench.pickQuickItem('Which results? (2/2)', 'Undeliverable');
    await workbench.waitQuickInputClosed();
    await workbench.editorLanguage().filter({ hasText: 'JSON' }).waitFor({ timeout: 30_000 });
    assert.deepEqual(downloads('gen-50'), ['undeliverable']);
    await workbench.closeAllEditors();
  });
});
