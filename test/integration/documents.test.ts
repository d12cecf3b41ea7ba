import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { HOSTILE_BATCH_ID, HOSTILE_RECORDS } from '../../emulator/hostileBatch';
import { generateRecords, type RunningEmulator } from '../../emulator/server';
import { batchDirName } from '../../src/core/cacheLayout';
import { csvHeaderLine, recordToCsvRow } from '../../src/core/csvFormat';
import type { EmailRecord } from '../../src/core/records';
import { originKey } from '../../src/core/resultsKey';
import { parseResultsUri } from '../../src/core/resultsUri';
import type { BouncerExtensionApi } from '../../src/host/extension';
import { resultsDocumentUri } from '../../src/host/resultsFileSystem';
import { closeAllEditors, connectToEmulator, disconnectFromEmulator, listFiles } from './helpers';

// The JSON and CSV tabs are documents of the read-only `bouncer-results:` file system. What VS Code
// holds after each command is asserted here, in a real extension host, against the emulator.
describe('Results documents (bouncer-results:)', function () {
  this.timeout(120_000);
  let emulator: RunningEmulator;
  let api: BouncerExtensionApi;

  before(async () => {
    ({ emulator, api } = await connectToEmulator());
  });

  after(async () => {
    await disconnectFromEmulator(emulator);
  });

  afterEach(closeAllEditors);

  /** The cached file of this suite's emulator (other suites' emulators are other origins). */
  const cached = (batchId: string, name: string): string | undefined =>
    listFiles(api.cacheRoot).find((f) => f.endsWith(path.join(api.currentOriginKey()!, batchDirName(batchId), name)));

  /** The active editor's document, which the open commands promise once they resolve. */
  function activeDocument(): vscode.TextDocument {
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor, 'an editor is active');
    return editor.document;
  }

  /** Resolves once `document`'s text passes `check`; the suite's timeout bounds the wait. */
  async function textBecomes(document: vscode.TextDocument, check: (text: string) => boolean): Promise<void> {
    if (check(document.getText())) return;
    await new Promise<void>((resolve) => {
      const subscription = vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document !== document || !check(document.getText())) return;
        subscription.dispose();
        resolve();
      });
    });
  }

  function expectedCsv(records: readonly EmailRecord[], neutralizeFormulas: boolean): string {
    const hasName = records.some((r) => r.name !== undefined && r.name !== null);
    return csvHeaderLine(hasName) + records.map((r) => recordToCsvRow(r, { hasName, neutralizeFormulas })).join('');
  }

  it('opens the JSON as a bouncer-results document: not dirty, not untitled, named for batch and filter', async () => {
    await vscode.commands.executeCommand('bouncer.openResultsAsJson', { batchId: 'demo-small', filter: 'risky' });
    const document = activeDocument();
    assert.equal(document.uri.scheme, 'bouncer-results');
    assert.equal(document.isDirty, false);
    assert.equal(document.isUntitled, false);
    assert.equal(document.languageId, 'json');
    assert.equal(path.posix.basename(document.uri.path), 'demo-small · risky.json', 'the tab title');
    assert.equal(document.uri.authority, api.currentOriginKey(), 'the address names the API origin');
    assert.doesNotMatch(document.uri.toString(), new RegExp(emulator.apiKey), 'the key is not in the address');
    const records = JSON.parse(document.getText()) as EmailRecord[];
    assert.ok(records.length > 0);
    assert.deepEqual([...new Set(records.map((r) => r.status))], ['risky']);
    assert.deepEqual(records, JSON.parse(fs.readFileSync(cached('demo-small', 'risky.json')!, 'utf8')));
    const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
    assert.equal(tab?.label, 'demo-small · risky.json');
    assert.equal(tab?.isDirty, false);
  });

  it('opens the CSV as a document made by our encoder from the cached records, formulas neutralised', async () => {
    await vscode.commands.executeCommand('bouncer.openResultsAsCsv', { batchId: HOSTILE_BATCH_ID });
    const document = activeDocument();
    assert.equal(document.uri.scheme, 'bouncer-results');
    assert.equal(document.isDirty, false);
    assert.equal(document.isUntitled, false);
    assert.equal(path.posix.basename(document.uri.path), `${HOSTILE_BATCH_ID} · all.csv`);
    const eol = (text: string) => text.replace(/\r\n/g, '\n');
    assert.equal(eol(document.getText()), eol(expectedCsv(HOSTILE_RECORDS, true)));
    assert.match(document.getText(), /^'\+cmd@example\.com,/m);
    assert.ok(cached(HOSTILE_BATCH_ID, 'all.json'), 'made from the JSON records');
    assert.equal(cached(HOSTILE_BATCH_ID, 'all.csv'), undefined, 'the server CSV is not what is shown');
  });

  it('refuses an edit to be saved back: the file system is read-only', async () => {
    await vscode.commands.executeCommand('bouncer.openResultsAsJson', { batchId: 'demo-small' });
    const document = activeDocument();
    const file = cached('demo-small', 'all.json')!;
    const before = fs.readFileSync(file);
    const edit = new vscode.WorkspaceEdit();
    edit.insert(document.uri, new vscode.Position(0, 0), 'oops');
    const applied = await vscode.workspace.applyEdit(edit);
    if (applied) assert.equal(await document.save(), false, 'an edit that got in cannot be saved');
    else assert.equal(document.isDirty, false, 'the edit was refused');
    await assert.rejects(
      Promise.resolve(vscode.workspace.fs.writeFile(document.uri, Buffer.from('[]'))),
      (error: unknown) => error instanceof vscode.FileSystemError,
      'writing through the file system is refused',
    );
    assert.ok(fs.readFileSync(file).equals(before), 'the cache file is untouched');
  });

  it('Save As writes a copy: the document bytes reach a file elsewhere, the CSV neutralised', async () => {
    // The Save As dialog cannot be answered from the extension host; VS Code's Save As of a file it
    // cannot write reads the document through its provider and writes the target, as fs.copy does.
    await vscode.commands.executeCommand('bouncer.openResultsAsCsv', { batchId: HOSTILE_BATCH_ID });
    const document = activeDocument();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bouncer-save-as-'));
    try {
      const target = vscode.Uri.file(path.join(dir, 'copy.csv'));
      await vscode.workspace.fs.copy(document.uri, target);
      assert.equal(fs.readFileSync(target.fsPath, 'utf8'), expectedCsv(HOSTILE_RECORDS, true));
      const json = vscode.Uri.file(path.join(dir, 'copy.json'));
      await vscode.workspace.fs.copy(resultsDocumentUri({ ...parseResultsUri(document.uri), format: 'json' }), json);
      assert.deepEqual(JSON.parse(fs.readFileSync(json.fsPath, 'utf8')), HOSTILE_RECORDS);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('updates an open tab when its batch is downloaded again, whatever command downloads it', async () => {
    const batchId = 'docs-changing';
    const earlier = [...generateRecords(30, 5)];
    const later = [...generateRecords(45, 6)];
    const risky = (records: EmailRecord[]) => records.filter((r) => r.status === 'risky');
    assert.notDeepEqual(risky(later), risky(earlier));
    emulator.replaceBatch(batchId, earlier);
    await vscode.commands.executeCommand('bouncer.openResultsAsJson', { batchId, refresh: true });
    const all = activeDocument();
    await vscode.commands.executeCommand('bouncer.openResultsAsCsv', { batchId, filter: 'risky', refresh: true });
    const riskyCsv = activeDocument();
    assert.deepEqual(JSON.parse(all.getText()), earlier);
    emulator.replaceBatch(batchId, later);
    // The sidebar's Refresh downloads `all` for the table, then every other open filter of the batch.
    await vscode.commands.executeCommand('bouncer.batches.refresh', { batchId });
    await textBecomes(all, (text) => text === JSON.stringify(later, null, 2) + '\n');
    const eol = (text: string) => text.replace(/\r\n/g, '\n');
    await textBecomes(riskyCsv, (text) => eol(text) === eol(expectedCsv(risky(later), true)));
    assert.equal(all.isDirty, false);
    assert.equal(riskyCsv.isDirty, false);
  });

  it('reads results back after their cache is gone: downloads them again when a key is set', async () => {
    await vscode.commands.executeCommand('bouncer.openResultsAsJson', { batchId: 'demo-small', filter: 'unknown' });
    const { uri } = activeDocument();
    const shown = activeDocument().getText();
    await closeAllEditors();
    fs.rmSync(cached('demo-small', 'unknown.json')!);
    const requests = emulator.requests.length;
    // What a tab restored after a reload does. (openTextDocument could answer from a document
    // VS Code still holds after its tab closed, so the provider is asked directly.)
    const bytes = await vscode.workspace.fs.readFile(uri);
    assert.equal(Buffer.from(bytes).toString('utf8'), shown);
    assert.ok(emulator.requests.length > requests, 'downloaded again');
    assert.ok(cached('demo-small', 'unknown.json'), 'and cached again');
  });

  it('says how to get results back when their cache is gone and no key is set, asking nothing', async () => {
    await vscode.commands.executeCommand('bouncer.openResultsAsJson', { batchId: 'demo-small', filter: 'deliverable' });
    const { uri } = activeDocument();
    await closeAllEditors();
    fs.rmSync(cached('demo-small', 'deliverable.json')!);
    await vscode.commands.executeCommand('bouncer.clearApiKey');
    try {
      const requests = emulator.requests.length;
      await assert.rejects(
        Promise.resolve(vscode.workspace.fs.readFile(uri)),
        (error: unknown) =>
          error instanceof vscode.FileSystemError && /no longer cached.*Set API Key/.test(error.message),
      );
      assert.equal(emulator.requests.length, requests, 'nothing downloaded');
    } finally {
      await vscode.commands.executeCommand('bouncer.setApiKey', emulator.apiKey);
    }
  });

  it('says clearly why results of another API server cannot be read, and downloads nothing', async () => {
    const uri = resultsDocumentUri({
      originKey: originKey('https://elsewhere.example'),
      batchId: 'demo-small',
      filter: 'all',
      format: 'json',
    });
    const requests = emulator.requests.length;
    await assert.rejects(Promise.resolve(vscode.workspace.openTextDocument(uri)), /another Bouncer API server/);
    assert.equal(emulator.requests.length, requests);
  });

  it('opens large results one record per line, as a bouncer-results tab', async () => {
    await vscode.commands.executeCommand('bouncer.openResultsAsJson', { batchId: 'gen-100000' });
    const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    assert.ok(input instanceof vscode.TabInputText, 'a text editor tab is active');
    assert.equal(input.uri.scheme, 'bouncer-results');
    assert.equal(path.posix.basename(input.uri.path), 'gen-100000 · all.json');
    // Over 50 MB no document reaches the extension host: read what the tab reads.
    const text = Buffer.from(await vscode.workspace.fs.readFile(input.uri)).toString('utf8');
    const lines = text.split('\n');
    assert.equal(lines.length, 100_000 + 3, '[, one line per record, ], final newline');
    assert.match(lines[1], /^\{"email":".*\},$/, 'a compact record on its own line');
    assert.equal((JSON.parse(text) as unknown[]).length, 100_000, 'one valid JSON array');
  });
});
