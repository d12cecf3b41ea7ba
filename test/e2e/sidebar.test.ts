import * as assert from 'node:assert/strict';
import type { Context } from 'mocha';
import { DEMO_BATCH_ID, DEMO_RECORDS } from '../../emulator/demoBatch';
import { STATUSES } from '../../src/core/records';
import { e2e, startFreshProfile, type FreshProfile } from './session';
import { enterBatch } from './flows';

// Issue 5 as a first-time user meets it, on a profile of its own (the shared one already has a key
// and batches): the welcome view without a key, then with one; each opened batch listed at the top;
// a batch expanded into its status groups; a group clicked into a filtered table. Expected counts
// come from the emulator's own records.

const TOTAL = DEMO_RECORDS.length;
/** A second batch, opened first, so "newest at the top" is seen and not just "the only one". */
const OTHER_BATCH = 'gen-50';
/** "41 emails · cached just now" (or a minute later on a slow run). */
const cachedDescription = (total: number) => new RegExp(`^${total} emails · cached (just now|\\d+ min ago)$`);

describe('Bouncer sidebar on a fresh profile: welcome, history, status groups (issue 5)', () => {
  let profile: FreshProfile | undefined;
  const fresh = (): FreshProfile => {
    if (!profile) throw new Error('The fresh profile did not start');
    return profile;
  };

  before(async function (this: Context) {
    this.timeout(180_000);
    profile = await startFreshProfile('fresh-profile');
  });

  afterEach(async function (this: Context) {
    const test = this.currentTest;
    if (test?.state === 'failed' && profile) {
      const file = await profile.workbench.screenshot(`FAILED-${test.title}`);
      console.log(`      [e2e] screenshot of the fresh profile at the failure: ${file}`);
    }
  });

  after(async function (this: Context) {
    this.timeout(30_000);
    await profile?.stop();
    profile = undefined;
  });

  it('shows the welcome view asking for an API key before anything is set', async () => {
    const { workbench } = fresh();
    await workbench.showViewContainer('Bouncer');
    const welcome = workbench.welcomeView();
    await welcome.filter({ hasText: 'Set your Bouncer API key' }).waitFor({ timeout: 30_000 });
    await workbench.welcomeButton('Set API Key').waitFor({ timeout: 30_000 });
    await workbench.welcomeButton('Open Batch Results…').waitFor({ timeout: 30_000 });
    assert.equal(await workbench.treeItems().count(), 0, 'no batch is listed');
    await workbench.screenshot('sidebar-welcome-no-key');
  });

  it('takes the key from the welcome button, then invites to open a batch', async () => {
    const { workbench } = fresh();
    const { emulator } = e2e();
    await workbench.welcomeButton('Set API Key').click();
    await workbench.typeInQuickInput(emulator.apiKey, { expectPassword: true });
    await workbench.waitQuickInputClosed();
    const welcome = workbench.welcomeView();
    await welcome.filter({ hasText: 'No batches yet' }).waitFor({ timeout: 30_000 });
    assert.doesNotMatch(await welcome.innerText(), /Set your Bouncer API key/, 'the no-key text is gone');
    await workbench.welcomeButton('Open Batch Results…').waitFor({ timeout: 30_000 });
    await workbench.welcomeButton('Set API Key').waitFor({ timeout: 30_000 });
    await workbench.screenshot('sidebar-welcome-with-key');
  });

  it('lists each batch opened, newest at the top, with its total and cache age', async () => {
    const { workbench } = fresh();
    // First batch from the welcome view's own button, as JSON.
    await workbench.welcomeButton('Open Batch Results…').click();
    await enterBatch(workbench, OTHER_BATCH);
    await workbench.pickQuickItem('Which results?', 'All results');
    await workbench.pickQuickItem('Show results as', 'JSON');
    await workbench.waitQuickInputClosed();
    await workbench.editorLanguage().filter({ hasText: 'JSON' }).waitFor({ timeout: 30_000 });
    await workbench.treeItem(OTHER_BATCH).waitFor({ timeout: 30_000 });
    await workbench.closeAllEditors();

    // Then demo-small as a table from the palette.
    await workbench.runCommand('Bouncer: Show Results Table');
    await enterBatch(workbench, DEMO_BATCH_ID);
    await workbench.pickQuickItem('Which results?', 'All results');
    await workbench.waitQuickInputClosed();
    await workbench.resultsTable().waitForRowCount(TOTAL, TOTAL);
    await workbench.treeItem(DEMO_BATCH_ID).waitFor({ timeout: 30_000 });

    const rows = await workbench.treeRows();
    assert.deepEqual(
      rows.map((r) => r.label),
      [DEMO_BATCH_ID, OTHER_BATCH],
      'the batch opened last is at the top',
    );
    assert.match(rows[0].description, cachedDescription(TOTAL));
    assert.match(rows[1].description, cachedDescription(50));
    await workbench.screenshot('sidebar-batches-newest-first');
    await workbench.closeAllEditors();
  });

  it('expands demo-small into its status groups with their counts', async () => {
    const { workbench } = fresh();
    await workbench.expandTreeItem(workbench.treeItem(DEMO_BATCH_ID));
    const expected = STATUSES.map((status) => ({
      label: status,
      description: String(DEMO_RECORDS.filter((r) => r.status === status).length),
    })).filter((group) => group.description !== '0');
    await workbench.treeItem(expected[expected.length - 1].label).waitFor({ timeout: 30_000 });
    const rows = await workbench.treeRows();
    const demo = rows.findIndex((r) => r.label === DEMO_BATCH_ID);
    assert.deepEqual(rows.slice(demo + 1, demo + 1 + expected.length), expected);
    // A screen reader hears each group with its count, as the eye reads it.
    for (const { label, description } of expected) {
      const name = `${label}, ${description}`;
      assert.equal(await workbench.sideBar().getByRole('treeitem', { name, exact: true }).count(), 1, name);
    }
    await workbench.screenshot('sidebar-status-groups');
  });

  it('opens the table filtered to a status group when the group is clicked', async () => {
    const { workbench } = fresh();
    const { emulator } = e2e();
    const status = 'risky';
    const count = DEMO_RECORDS.filter((r) => r.status === status).length;
    await workbench.treeItem(status).click();
    const table = workbench.resultsTable();
    // The group asks the server for that status only: the table holds just those rows.
    await table.waitForRowCount(count, count);
    assert.equal(await table.title.textContent(), `Bouncer: ${DEMO_BATCH_ID} (${status})`);
    const statuses = await table.column('Status');
    assert.equal(statuses.length, count, 'every row of the group is on screen');
    assert.ok(
      statuses.every((s) => s === status),
      `every visible status is ${status}: ${statuses.join(', ')}`,
    );
    const download = emulator.requests.find(
      (r) => r.path.includes(`/batch/${DEMO_BATCH_ID}/download`) && r.query.download === status,
    );
    assert.ok(download, `the table came from a download of the ${status} records`);
    await workbench.screenshot('sidebar-group-table');
    await workbench.closeAllEditors();
  });

  it('opens the whole batch from the cache when the batch itself is clicked', async () => {
    const { workbench } = fresh();
    const { emulator } = e2e();
    const requestsBefore = emulator.requests.length;
    await workbench.treeItem(DEMO_BATCH_ID).click();
    const table = workbench.resultsTable();
    await table.waitForRowCount(TOTAL, TOTAL);
    assert.equal(await table.title.textContent(), `Bouncer: ${DEMO_BATCH_ID} (all)`);
    assert.deepEqual(
      emulator.requests.slice(requestsBefore).map((r) => `${r.method} ${r.path}`),
      [],
      'the batch opened from its cached results',
    );
    await workbench.screenshot('sidebar-batch-table');
    await workbench.closeAllEditors();
  });
});
