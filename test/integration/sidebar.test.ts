import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { EmulatorRequest, RunningEmulator } from '../../emulator/server';
import { batchDirName } from '../../src/core/cacheLayout';
import type { BouncerExtensionApi } from '../../src/host/extension';
import type { TreeSnapshot } from '../../src/host/batchesView';
import {
  closeAllEditors,
  connectToEmulator,
  disconnectFromEmulator,
  listFiles,
  replaceApiKey,
  useApiBaseUrl,
} from './helpers';

type SnapshotBatch = TreeSnapshot['batches'][number];

// Drives the Batches view's commands in a real extension host against the emulator over loopback,
// and reads back what the real tree provider shows (labels, descriptions, context values).
describe('Batches sidebar', function () {
  this.timeout(90_000);
  let emulator: RunningEmulator;
  let api: BouncerExtensionApi;

  const tree = async (): Promise<TreeSnapshot> => {
    return api.describeBatchesTree();
  };
  const batch = async (batchId: string): Promise<SnapshotBatch | undefined> =>
    (await tree()).batches.find((b) => b.batchId === batchId);
  const cacheFile = (batchId: string, name = 'all.json'): string => {
    const originKey = api.currentOriginKey();
    assert.ok(originKey, 'the API URL setting is usable');
    return path.join(api.cacheRoot, originKey, batchDirName(batchId), name);
  };
  /** Waits (bounded) for the emulator to see a download request of this batch that matches. */
  const downloadRequest = async (
    batchId: string,
    match: (r: EmulatorRequest) => boolean,
    from: number,
  ): Promise<EmulatorRequest> => {
    for (let i = 0; i < 300; i++) {
      const found = emulator.requests
        .slice(from)
        .find((r) => r.path.includes(`/batch/${batchId}/download`) && match(r));
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`no matching download request for ${batchId}`);
  };

  before(async () => {
    ({ emulator, api } = await connectToEmulator());
  });

  after(async () => {
    await disconnectFromEmulator(emulator);
  });

  afterEach(closeAllEditors);

  it('lists an opened batch at the top with its total, cache age and a group per status', async () => {
    await vscode.commands.executeCommand('bouncer.openResultsAsJson', { batchId: 'demo-small' });
    const records = JSON.parse(fs.readFileSync(cacheFile('demo-small'), 'utf8')) as { status: string }[];
    const counts = new Map<string, number>();
    for (const r of records) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);

    const first = (await tree()).batches[0];
    assert.equal(first.batchId, 'demo-small');
    assert.equal(first.label, 'demo-small');
    assert.match(first.description, new RegExp(`^${records.length} emails · cached (just now|1 min ago)$`));
    assert.equal(first.contextValue, 'batch-cached');
    assert.match(first.tooltip, /Batch ID: demo-small/);
    assert.ok(first.tooltip.includes(path.dirname(cacheFile('demo-small'))), 'tooltip says where it is cached');
    assert.deepEqual(
      first.children.map((c) => [c.label, c.description]),
      ['deliverable', 'risky', 'undeliverable', 'unknown']
        .filter((s) => counts.has(s))
        .map((s) => [s, counts.get(s)!.toLocaleString()]),
    );
    assert.ok(first.children.every((c) => c.command === 'bouncer.batches.showStatus'));

    await vscode.commands.executeCommand('bouncer.openResultsAsCsv', { batchId: 'gen-1000', filter: 'risky' });
    assert.deepEqual(
      (await tree()).batches.slice(0, 2).map((b) => b.batchId),
      ['gen-1000', 'demo-small'],
      'newest first',
    );
    const csvOnly = await batch('gen-1000');
    assert.equal(csvOnly?.children.length, 1, 'a risky-only download knows the risky count');
    assert.equal(csvOnly?.children[0].label, 'risky');
  });

  it('opens the table filtered to a status group when the group is clicked', async () => {
    const from = emulator.requests.length;
    await vscode.commands.executeCommand('bouncer.batches.showStatus', { batchId: 'demo-small', status: 'risky' });
    const request = await downloadRequest('demo-small', (r) => r.query.download === 'risky', from);
    assert.equal(request.status, 200);
    // The tab model reaches the extension host a moment after the panel opened.
    const isRiskyTable = (t: vscode.Tab): boolean =>
      t.input instanceof vscode.TabInputWebview && /demo-small.*risky/.test(t.label);
    let tabs: vscode.Tab[] = [];
    for (let i = 0; i < 100 && !tabs.some(isRiskyTable); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs);
    }
    const labels = tabs.map((t) => t.label).join(', ');
    assert.ok(tabs.some(isRiskyTable), `a results table for the risky group is open (tabs: ${labels})`);
  });

  it('renames a batch, and an empty name shows the ID again', async () => {
    await vscode.commands.executeCommand('bouncer.batches.rename', { batchId: 'demo-small' }, '  Spring list ');
    assert.equal((await batch('demo-small'))?.label, 'Spring list');
    assert.match((await batch('demo-small'))?.tooltip ?? '', /^Spring list\nBatch ID: demo-small/);
    await vscode.commands.executeCommand('bouncer.batches.rename', { batchId: 'demo-small' }, '');
    assert.equal((await batch('demo-small'))?.label, 'demo-small');
  });

  it('copies the batch ID', async () => {
    await vscode.env.clipboard.writeText('something else');
    await vscode.commands.executeCommand('bouncer.batches.copyId', { batchId: 'demo-small' });
    assert.equal(await vscode.env.clipboard.readText(), 'demo-small');
  });

  it('keeps a batch whose cache file was damaged or deleted, as not cached, and Refresh fetches it again', async () => {
    const file = cacheFile('demo-small');
    const size = fs.statSync(file).size;
    fs.truncateSync(file, Math.floor(size / 2));
    let item = await batch('demo-small');
    assert.ok(item, 'still listed');
    // The risky group opened earlier is still cached; the whole batch is not.
    assert.match(item.description, /partly cached/);
    assert.doesNotMatch(item.tooltip, /all\.json/, 'the damaged file is not offered as cached');
    fs.rmSync(cacheFile('demo-small', 'risky.json'));
    item = await batch('demo-small');
    assert.match(item?.description ?? '', /cache damaged, not cached$/);
    assert.equal(item?.contextValue, 'batch');

    await vscode.commands.executeCommand('bouncer.batches.refresh', { batchId: 'demo-small' });
    assert.equal(fs.statSync(file).size, size, 'downloaded whole again');
    assert.ok(Array.isArray(JSON.parse(fs.readFileSync(file, 'utf8'))));
    item = await batch('demo-small');
    assert.match(item?.description ?? '', / · cached (just now|1 min ago)$/);
    assert.equal(item?.contextValue, 'batch-cached');

    fs.rmSync(file);
    item = await batch('demo-small');
    assert.match(item?.description ?? '', / · not cached$/);
  });

  it('deletes cached results but keeps the batch listed', async () => {
    await vscode.commands.executeCommand('bouncer.openResultsAsJson', { batchId: 'demo-small' });
    assert.equal((await batch('demo-small'))?.contextValue, 'batch-cached');
    await vscode.commands.executeCommand('bouncer.batches.deleteCache', { batchId: 'demo-small' });
    assert.equal(fs.existsSync(path.dirname(cacheFile('demo-small'))), false, 'the batch folder is gone');
    const item = await batch('demo-small');
    assert.ok(item, 'still listed');
    assert.match(item.description, /not cached/);
    assert.equal(item.children.length > 0, true, 'counts are still known');
  });

  it('a failed refresh keeps the previous good cache', async () => {
    await vscode.commands.executeCommand('bouncer.openResultsAsJson', { batchId: 'demo-small' });
    const file = cacheFile('demo-small');
    const before = fs.readFileSync(file);
    await replaceApiKey(api, 'not-the-right-key');
    try {
      const from = emulator.requests.length;
      // Shows an error with buttons and waits for the user, so it is not awaited here.
      void vscode.commands.executeCommand('bouncer.batches.refresh', { batchId: 'demo-small' });
      const request = await downloadRequest('demo-small', (r) => r.outcome === 'finished', from);
      assert.equal(request.status, 401);
      assert.deepEqual(fs.readFileSync(file), before, 'the cached file is untouched');
      assert.equal((await batch('demo-small'))?.contextValue, 'batch-cached');
    } finally {
      await replaceApiKey(api, emulator.apiKey);
      await vscode.commands.executeCommand('notifications.clearAll');
    }
  });

  it('shows a batch that is not completed as pending, and waits for it', async () => {
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('bouncer.openResultsAsJson', { batchId: 'pending-1' })),
    );
    await vscode.commands.executeCommand('notifications.clearAll');
    let item = await batch('pending-1');
    assert.ok(item, 'a batch that answered 405 is remembered');
    assert.equal(item.contextValue, 'batch-pending');
    assert.match(item.description, /not completed/);

    await vscode.commands.executeCommand('bouncer.batches.waitForCompletion', { batchId: 'pending-1' });
    item = await batch('pending-1');
    assert.equal(item?.contextValue, 'batch-cached');
    assert.equal(item?.description.startsWith('30 emails'), true, item?.description);
  });

  it('removing a batch while it downloads cancels the download and leaves nothing behind', async () => {
    const from = emulator.requests.length;
    const opening = Promise.resolve(
      vscode.commands.executeCommand('bouncer.openResultsAsJson', { batchId: 'fault-stall' }),
    ).then(
      () => 'resolved',
      () => 'rejected',
    );
    const request = await downloadRequest('fault-stall', (r) => r.outcome === 'open', from);
    await vscode.commands.executeCommand('bouncer.batches.remove', { batchId: 'fault-stall' });
    assert.equal(await emulator.requestEnded(request), 'aborted', 'the HTTP request was cancelled');
    assert.equal(await opening, 'rejected', 'the open reports that nothing is shown');
    assert.equal(await batch('fault-stall'), undefined);
    assert.deepEqual(listFiles(path.dirname(cacheFile('fault-stall'))), [], 'no partial file is left');
  });

  it('removes a batch from the list', async () => {
    await vscode.commands.executeCommand('bouncer.batches.remove', { batchId: 'gen-1000' });
    assert.equal(await batch('gen-1000'), undefined);
    assert.ok(await batch('demo-small'), 'the others stay');
  });

  it('keeps each API origin’s list apart and says when the URL setting is unusable', async () => {
    await useApiBaseUrl('http://example.invalid');
    try {
      // Setting events reach the sidebar asynchronously; the describe command refreshes first.
      const snapshot = await tree();
      assert.equal(snapshot.originKey, undefined);
      assert.deepEqual(snapshot.batches, []);
      assert.match(snapshot.message ?? '', /bouncer\.apiBaseUrl/);
      await useApiBaseUrl(emulator.url.replace('127.0.0.1', 'localhost'));
      assert.deepEqual((await tree()).batches, [], 'another origin has its own, empty list');
    } finally {
      await useApiBaseUrl(emulator.url);
    }
    assert.ok(await batch('demo-small'), 'back on the first origin, its list is there again');
  });
});
