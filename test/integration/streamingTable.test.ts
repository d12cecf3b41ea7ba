import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { startEmulator, type RunningEmulator } from '../../emulator/server';
import { batchDirName, STORE_SUFFIX } from '../../src/core/cacheLayout';
import { OPEN_PHASES } from '../../src/core/openTrace';
import type { BouncerExtensionApi, BouncerTestingApi } from '../../src/host/extension';
import type { PanelSnapshot } from '../../src/host/resultsPanel';
import { activateExtension, closeAllEditors, listFiles, replaceApiKey, testingApi, useApiBaseUrl } from './helpers';

// "Show Results Table" opens the panel before the download and shows rows as they arrive. The
// emulator slows the body down (a pause before each 64 KB chunk), and its request log says whether
// the download was still running when the webview reported rows on screen: no timer decides.
describe('Results table while the download streams', function () {
  this.timeout(120_000);
  const BATCH = 'gen-20000';
  let emulator: RunningEmulator;
  let api: BouncerExtensionApi;
  let testing: BouncerTestingApi;

  before(async () => {
    emulator = await startEmulator({ port: 0, chunkDelayMs: 20 });
    api = await activateExtension();
    testing = testingApi(api);
    await useApiBaseUrl(emulator.url);
    await replaceApiKey(api, emulator.apiKey);
  });

  after(async () => {
    await vscode.commands.executeCommand('notifications.clearAll');
    await closeAllEditors();
    await emulator?.close();
  });

  afterEach(closeAllEditors);

  /** Polls the panels as they are now until one of `batchId` matches. */
  async function until(batchId: string, test: (panel: PanelSnapshot) => boolean): Promise<PanelSnapshot> {
    for (;;) {
      const found = (await testing.describeResultsPanels(false)).find((p) => p.batchId === batchId && test(p));
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  it('puts the first rows on screen before the download has finished, marked as still arriving', async () => {
    const opening = vscode.commands.executeCommand('bouncer.showResultsTable', { batchId: BATCH, refresh: true });
    const early = await until(BATCH, (p) => (p.renderedRows ?? 0) > 0);
    const request = emulator.requests.find((r) => r.path.includes(`/batch/${BATCH}/download`));
    assert.ok(request, 'the download was requested');
    assert.equal(request.outcome, 'open', 'the download was still running when the first rows were on screen');
    assert.equal(early.renderedComplete, false, 'rows that are still arriving are not shown as the whole batch');
    assert.ok((early.renderedRows ?? 0) < 20_000);
    assert.equal(early.rows, undefined, 'the panel holds no complete batch yet');

    await opening;
    const done = (await testing.describeResultsPanels()).find((p) => p.batchId === BATCH);
    assert.ok(done);
    assert.equal(request.outcome, 'finished');
    assert.equal(done.rows, 20_000, 'the whole batch, built while downloading');
    assert.equal(done.renderedComplete, true);
    assert.equal(done.renderedRows, 20_000);
    const trace = done.trace ?? {};
    for (const phase of OPEN_PHASES) assert.ok(trace[phase] !== undefined, `the trace has ${phase}`);
    assert.ok(
      (trace.firstRowsPainted ?? Infinity) < (trace.downloadDone ?? 0),
      'rows painted before the download ended',
    );

    // Reopening reads the columns kept beside the cached file instead of parsing it again.
    const cacheName = path.join(batchDirName(BATCH), 'all.json');
    await until(BATCH, () => listFiles(api.cacheRoot).some((f) => f.endsWith(cacheName + STORE_SUFFIX)));
    await closeAllEditors();
    await vscode.commands.executeCommand('bouncer.showResultsTable', { batchId: BATCH });
    const reopened = (await testing.describeResultsPanels()).find((p) => p.batchId === BATCH);
    assert.equal(reopened?.rows, 20_000);
    assert.deepEqual(reopened?.emails, done.emails, 'the same rows as the download showed');
    assert.ok(reopened?.dataPosts.length, 'the reopened table was posted rows');
  });

  it('shows a big batch whole from the columns kept beside the cache, fetched by the webview from the loopback server', async () => {
    // The kept columns go whole and at once, as read from disk, fetched by the webview from the table
    // server (1.5 MB here, 74 MB at a million rows); a screenful of opening rows (1,000 here) is
    // posted ahead of them, so the first cells do not wait for the whole.
    await vscode.commands.executeCommand('bouncer.showResultsTable', { batchId: BATCH });
    const cacheName = path.join(batchDirName(BATCH), 'all.json');
    await until(BATCH, () => listFiles(api.cacheRoot).some((f) => f.endsWith(cacheName + STORE_SUFFIX)));
    await closeAllEditors();
    testing.setTablePrefixRows(1000);
    try {
      await vscode.commands.executeCommand('bouncer.showResultsTable', { batchId: BATCH });
      const panel = (await testing.describeResultsPanels()).find((p) => p.batchId === BATCH);
      assert.ok(panel);
      assert.equal(panel.rows, 20_000, 'the host decoded its own copy too, for copy and export');
      assert.deepEqual(
        panel.dataPosts,
        [
          { rows: 1000, complete: false },
          { rows: 20_000, complete: true },
        ],
        'the opening rows, marked as not the whole batch, then the whole batch',
      );
      assert.deepEqual(panel.dataRendered, panel.dataPosts, 'the webview showed each as posted');
      assert.equal(panel.renderedComplete, true);
      // Under its real CSP the webview fetched them: a failed fetch would be counted, and posted instead.
      assert.deepEqual(panel.handoffs, { offered: 1, failed: 0 });
    } finally {
      testing.setTablePrefixRows(undefined);
    }
  });

  it('posts a big batch through VS Code alone when bouncer.table.loopbackTransfer is off', async () => {
    const settings = vscode.workspace.getConfiguration('bouncer');
    await settings.update('table.loopbackTransfer', false, vscode.ConfigurationTarget.Global);
    try {
      await vscode.commands.executeCommand('bouncer.showResultsTable', { batchId: BATCH, refresh: true });
      const panel = (await testing.describeResultsPanels()).find((p) => p.batchId === BATCH);
      assert.ok(panel);
      assert.equal(panel.rows, 20_000);
      assert.equal(panel.renderedComplete, true);
      assert.equal(panel.renderedRows, 20_000);
      assert.deepEqual(panel.handoffs, { offered: 0, failed: 0 }, 'nothing was offered by address');
    } finally {
      await settings.update('table.loopbackTransfer', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('says a download that broke off did not finish, and keeps none of its rows', async () => {
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('bouncer.showResultsTable', { batchId: 'fault-reset' })),
    );
    const [panel] = (await testing.describeResultsPanels()).filter((p) => p.batchId === 'fault-reset');
    assert.ok(panel, 'the panel opened before the download stays, to say what happened');
    assert.match(panel.failure ?? '', /did not finish/);
    assert.equal(panel.rows, undefined, 'no rows of the broken download are held as the batch');
  });
});
