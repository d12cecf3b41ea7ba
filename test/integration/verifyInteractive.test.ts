import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunningEmulator } from '../../emulator/server';
import type { BouncerExtensionApi, BouncerTestingApi } from '../../src/host/extension';
import type { VerifyStepSeen } from '../../src/host/prompts';
import { closeAllEditors, connectToEmulator, disconnectFromEmulator, testingApi } from './helpers';

// Verify Emails as a person runs it (the column pick, the confirmation) and Verify Selected Rows
// Again from the results table, in a real extension host against the emulator. The questions are
// answered through the test seam; everything else (the webview, the API) is the real thing.
describe('Verify Emails and Verify Again (interactive)', function () {
  this.timeout(90_000);
  let emulator: RunningEmulator;
  let api: BouncerExtensionApi;
  let testing: BouncerTestingApi;
  let dir: string;

  before(async () => {
    ({ emulator, api } = await connectToEmulator());
    testing = testingApi(api);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bouncer-verify-ui-'));
  });

  afterEach(() => {
    testing.seam.verifyAnswers.splice(0);
    testing.seam.verifySteps.splice(0);
  });

  after(async () => {
    await disconnectFromEmulator(emulator);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const batchIds = async (): Promise<string[]> => (await api.describeBatchesTree()).batches.map((b) => b.batchId);

  function confirmation(steps: VerifyStepSeen[]): { message: string; detail: string } {
    const step = steps.find((s) => s.kind === 'confirm');
    assert.ok(step && step.kind === 'confirm', `a confirmation was shown: ${JSON.stringify(steps)}`);
    return step;
  }

  it('a CSV without arguments: preselects the email column, takes the column picked, confirms counts and credits', async () => {
    const file = path.join(dir, 'people.csv');
    fs.writeFileSync(
      file,
      'Name,Email,Backup\nAnn,ann@x.io,ann@backup.io\nBo,BO@x.io,bo@backup.io\nCy,not an address,ann@backup.io\nDee,,dee@backup.io\n',
    );
    emulator.credits = 12_345;
    testing.seam.verifyAnswers.push({ type: 'column', label: 'Backup' }, { type: 'confirm' });
    const result = await vscode.commands.executeCommand<{ batchIds: string[] } | undefined>(
      'bouncer.verifyEmails',
      vscode.Uri.file(file),
    );
    const [pick] = testing.seam.verifySteps;
    assert.ok(pick.kind === 'column', 'the column is asked first');
    assert.equal(pick.preselected, 'Email', 'the email column is preselected');
    assert.deepEqual([...pick.labels].sort(), ['Backup', 'Email', 'Name']);
    const { message, detail } = confirmation(testing.seam.verifySteps);
    assert.match(message, /^Verify 3 addresses/);
    assert.match(detail, /3 addresses \(1 duplicates dropped, 0 lines without an address set aside\)/);
    assert.ok(detail.includes(`Cost: 3 credits. Credits left: ${(12_345).toLocaleString()}.`), detail);
    assert.match(detail, /Batch name: people\.csv/);
    assert.ok(result, 'confirmed: the batch was created');
    assert.deepEqual(
      emulator.createdBatch(result.batchIds[0])?.entries.map((e) => e.email),
      ['ann@backup.io', 'bo@backup.io', 'dee@backup.io'],
      'the addresses come from the column picked',
    );
  });

  it('a CSV whose email column is kept: invalid lines counted; closing the confirmation creates nothing', async () => {
    const file = path.join(dir, 'kept.csv');
    fs.writeFileSync(file, 'Name,Email\nAnn,ann@y.io\nBo,no address here\nCy,cy@y.io\nCy,CY@y.io\n');
    testing.seam.verifyAnswers.push({ type: 'column' }, { type: 'cancel' });
    const before = await batchIds();
    const result = await vscode.commands.executeCommand('bouncer.verifyEmails', vscode.Uri.file(file));
    assert.equal(result, undefined);
    const { detail } = confirmation(testing.seam.verifySteps);
    assert.match(detail, /2 addresses \(1 duplicates dropped, 1 lines without an address set aside\)/);
    assert.deepEqual(await batchIds(), before, 'nothing was created');
  });

  it('Verify Selected Rows Again: the clicked row of a batch table becomes a new batch linked to it', async () => {
    const BATCH = 'gen-40';
    await vscode.commands.executeCommand('bouncer.showResultsTable', { batchId: BATCH });
    const panel = (await testing.describeResultsPanels()).find((p) => p.batchId === BATCH);
    assert.ok(panel && panel.emails.length > 3, 'the table is open with rows');
    const before = new Set(await batchIds());
    testing.seam.verifyAnswers.push({ type: 'confirm' });
    // What VS Code passes from the cell's data-vscode-context when the menu entry is picked.
    await vscode.commands.executeCommand('bouncer.table.verifyAgain', {
      webview: 'bouncer.results',
      webviewSection: 'cell',
      row: 3,
      column: 'status',
    });
    // The webview answers with the row's email and the host creates the batch: wait for it to be listed.
    let created: string | undefined;
    while (created === undefined) {
      created = (await batchIds()).find((id) => !before.has(id));
      if (created === undefined) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.deepEqual(
      emulator.createdBatch(created)?.entries.map((e) => e.email),
      [panel.emails[3]],
      "the new batch holds the row's address",
    );
    assert.match(confirmation(testing.seam.verifySteps).detail, /^1 addresses/, 'confirmed as Verify Emails is');
    let listed = (await api.describeBatchesTree()).batches.find((b) => b.batchId === created);
    while (!listed?.contextValue.includes('again')) {
      // The link is recorded right after the creation resolves.
      await new Promise((resolve) => setTimeout(resolve, 20));
      listed = (await api.describeBatchesTree()).batches.find((b) => b.batchId === created);
    }
    assert.match(listed.tooltip, new RegExp(`Verifies again addresses of batch ${BATCH}`));
    await closeAllEditors();
  });
});
