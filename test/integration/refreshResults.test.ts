import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { generateRecords, type RunningEmulator } from '../../emulator/server';
import type { EmailRecord } from '../../src/core/records';
import type { BouncerExtensionApi, BouncerTestingApi } from '../../src/host/extension';
import type { PanelSnapshot } from '../../src/host/resultsPanel';
import { closeAllEditors, connectToEmulator, testingApi } from './helpers';

// The cache path of a batch never changes, so an open table used to keep the rows it first read
// (and copy and export them) after the batch was downloaded again. Here the emulator's batch
// changes between downloads, and every open table of it must end up holding the new rows.
describe('Downloading a batch again', function () {
  this.timeout(60_000);
  const BATCH = 'changing-batch';
  const earlier = [...generateRecords(40, 11)];
  const later = [...generateRecords(60, 22)];
  let emulator: RunningEmulator;
  let api: BouncerExtensionApi;
  let testing: BouncerTestingApi;

  const emails = (records: EmailRecord[], status?: string): string[] =>
    records.filter((r) => status === undefined || r.status === status).map((r) => r.email);
  const table = async (filter: string): Promise<PanelSnapshot> => {
    const found = (await testing.describeResultsPanels()).find(
      (p) => p.batchId === BATCH && p.filter === filter && p.originKey === api.currentOriginKey(),
    );
    assert.ok(found, `a ${filter} table of ${BATCH} is open`);
    return found;
  };

  before(async () => {
    ({ emulator, api } = await connectToEmulator());
    testing = testingApi(api);
    assert.ok(
      emails(earlier, 'risky').length > 0 && emails(later, 'risky').length > 0,
      'both versions have risky rows',
    );
    assert.notDeepEqual(emails(later, 'risky'), emails(earlier, 'risky'), 'the risky rows change');
  });

  beforeEach(async () => {
    emulator.replaceBatch(BATCH, earlier);
    await vscode.commands.executeCommand('bouncer.showResultsTable', { batchId: BATCH, refresh: true });
    await vscode.commands.executeCommand('bouncer.showResultsTable', {
      batchId: BATCH,
      filter: 'risky',
      refresh: true,
    });
    assert.deepEqual((await table('all')).emails, emails(earlier));
    assert.deepEqual((await table('risky')).emails, emails(earlier, 'risky'));
    emulator.replaceBatch(BATCH, later);
  });

  afterEach(closeAllEditors);

  after(async () => {
    await closeAllEditors();
    await emulator?.close();
  });

  it('Refresh in the sidebar reloads every open table of the batch, whatever its filter', async () => {
    await vscode.commands.executeCommand('bouncer.batches.refresh', { batchId: BATCH });
    const all = await table('all');
    assert.equal(all.rows, later.length);
    assert.deepEqual(all.emails, emails(later));
    assert.equal(all.renderedRows, later.length, 'the table on screen shows the new rows');
    const risky = await table('risky');
    assert.deepEqual(risky.emails, emails(later, 'risky'), 'the risky table, in the background, holds the new rows');
  });

  it('a command with refresh: true reloads every open table of the batch', async () => {
    await vscode.commands.executeCommand('bouncer.showResultsTable', {
      batchId: BATCH,
      filter: 'risky',
      refresh: true,
    });
    const risky = await table('risky');
    assert.deepEqual(risky.emails, emails(later, 'risky'));
    assert.equal(risky.renderedRows, emails(later, 'risky').length, 'the table on screen shows the new rows');
    assert.deepEqual((await table('all')).emails, emails(later), 'the other table of the batch holds the new rows');
  });

  it('opening the JSON again with refresh: true reloads the open tables too', async () => {
    await vscode.commands.executeCommand('bouncer.openResultsAsJson', { batchId: BATCH, refresh: true });
    assert.deepEqual((await table('all')).emails, emails(later));
    assert.deepEqual((await table('risky')).emails, emails(later, 'risky'));
  });
});
