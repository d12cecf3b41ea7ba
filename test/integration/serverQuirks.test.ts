import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DEMO_RECORDS } from '../../emulator/demoBatch';
import { QUIRK_ODD_RECORDS } from '../../emulator/quirkBatches';
import type { RunningEmulator } from '../../emulator/server';
import type { BatchEntry } from '../../src/core/batchHistory';
import { batchDirName } from '../../src/core/cacheLayout';
import type { BouncerExtensionApi } from '../../src/host/extension';
import { BatchesTree, type StatusNode } from '../../src/host/batchesTree';
import { closeAllEditors, connectToEmulator, disconnectFromEmulator, listFiles } from './helpers';

// Bodies the real API (or a proxy) may send that are valid but unlike the spec's example: each must
// open in every view, in a real extension host, against the emulator over loopback.
describe('Server quirks: every view opens what ingest accepted', function () {
  this.timeout(60_000);
  let emulator: RunningEmulator;
  let api: BouncerExtensionApi;

  const cached = (batchId: string): string | undefined =>
    listFiles(api.cacheRoot).find((f) => f.endsWith(path.join(batchDirName(batchId), 'all.json')));
  const tableTabOpen = (batchId: string): boolean =>
    vscode.window.tabGroups.all
      .flatMap((g) => g.tabs)
      .some((t) => t.input instanceof vscode.TabInputWebview && t.label === `Bouncer: ${batchId} (all)`);

  before(async () => {
    ({ emulator, api } = await connectToEmulator());
  });

  after(async () => {
    await disconnectFromEmulator(emulator);
  });

  afterEach(closeAllEditors);

  it('opens a body that starts with a BOM (pretty, whitespace around) as a JSON tab', async () => {
    await vscode.commands.executeCommand('bouncer.openResultsAsJson', { batchId: 'quirk-bom' });
    const file = cached('quirk-bom');
    assert.ok(file, 'cached');
    assert.deepEqual([...fs.readFileSync(file).subarray(0, 3)], [0xef, 0xbb, 0xbf], 'the cache keeps the server bytes');
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor, 'an editor is open');
    assert.equal(editor.document.uri.path, '/quirk-bom · all.json');
    assert.deepEqual(JSON.parse(editor.document.getText()), DEMO_RECORDS);
  });

  it('opens the same BOM body as a table', async () => {
    // Resolves once the webview has rendered rows; a failed load rejects.
    await vscode.commands.executeCommand('bouncer.showResultsTable', { batchId: 'quirk-bom' });
    assert.ok(tableTabOpen('quirk-bom'), 'the results table is open');
  });

  it('keeps records with nulls, numbers as text and unknown statuses, and shows them as sent', async () => {
    await vscode.commands.executeCommand('bouncer.openResultsAsJson', { batchId: 'quirk-odd', refresh: true });
    const file = cached('quirk-odd');
    assert.ok(file, 'cached');
    const served = await fetch(`${emulator.url}/v1.1/email/verify/batch/quirk-odd/download`, {
      headers: { 'x-api-key': emulator.apiKey },
    });
    assert.ok(fs.readFileSync(file).equals(Buffer.from(await served.arrayBuffer())), 'cached byte for byte');
    assert.deepEqual(JSON.parse(vscode.window.activeTextEditor!.document.getText()), QUIRK_ODD_RECORDS);
    await closeAllEditors();
    await vscode.commands.executeCommand('bouncer.showResultsTable', { batchId: 'quirk-odd' });
    assert.ok(tableTabOpen('quirk-odd'), 'the results table is open');
  });

  it('lists statuses named constructor, __proto__ and toString as groups of their own', async () => {
    await vscode.commands.executeCommand('bouncer.openResultsAsJson', { batchId: 'quirk-odd' });
    const batch = (await api.describeBatchesTree()).batches.find((b) => b.batchId === 'quirk-odd');
    assert.ok(batch, 'listed');
    assert.deepEqual(
      batch.children.map((c) => [c.label, c.description]),
      [
        ['deliverable', '2'],
        ['risky', '1'],
        ['__proto__', '1'],
        ['catch_all', '1'],
        ['constructor', '1'],
        ['toString', '1'],
      ],
    );
  });

  it('gives such statuses the plain status icon, never something inherited', () => {
    const tree = new BatchesTree();
    try {
      const counts = JSON.parse('{"deliverable":1,"constructor":2,"__proto__":3,"toString":4}') as Record<
        string,
        number
      >;
      const entry: BatchEntry = { batchId: 'b', lastUsedAt: 1, counts, pending: false, downloads: [] };
      tree.setModel({ rows: [{ entry, cache: { kind: 'notCached', damaged: false } }], now: 1 });
      const [batch] = tree.getChildren();
      const icons = tree.getChildren(batch).map((node) => {
        const icon = tree.getTreeItem(node).iconPath;
        assert.ok(icon instanceof vscode.ThemeIcon, `${(node as StatusNode).status}: a theme icon`);
        return [(node as StatusNode).status, icon.id];
      });
      assert.deepEqual(icons, [
        ['deliverable', 'pass'],
        ['__proto__', 'circle-outline'],
        ['constructor', 'circle-outline'],
        ['toString', 'circle-outline'],
      ]);
    } finally {
      tree.dispose();
    }
  });

  it('refuses a body whose record has no status, naming the record, and caches nothing', async () => {
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('bouncer.openResultsAsJson', { batchId: 'quirk-broken' })),
      /Record 2 is not an email result/,
    );
    assert.deepEqual(
      listFiles(api.cacheRoot).filter((f) => f.includes('quirk-broken')),
      [],
    );
  });
});
