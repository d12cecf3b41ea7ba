import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { HOSTILE_BATCH_ID, HOSTILE_RECORDS } from '../../emulator/hostileBatch';
import { generateRecords, startEmulator, type RunningEmulator } from '../../emulator/server';
import { csvHeaderLine, needsFormulaPrefix, recordToCsvRow } from '../../src/core/csvFormat';
import { CsvReader } from '../../src/core/csvReader';
import { batchDirName } from '../../src/core/cacheLayout';
import type { EmailRecord } from '../../src/core/records';
import type { BouncerExtensionApi } from '../../src/host/extension';
import { closeAllEditors, connectToEmulator, listFiles, replaceApiKey, useApiBaseUrl } from './helpers';

// The contracted commands, called with arguments as automation would, against the real
// emulator over loopback, asserting on what VS Code holds afterwards.
describe('Open Batch Results commands', function () {
  this.timeout(60_000);
  let emulator: RunningEmulator;
  let api: BouncerExtensionApi;

  before(async () => {
    ({ emulator, api } = await connectToEmulator());
  });

  after(async () => {
    await closeAllEditors();
    await emulator?.close();
  });

  afterEach(closeAllEditors);

  /** Resolves once a `bouncer.*` setting reads `value` (settings files are read asynchronously). */
  async function settingIs(key: string, value: unknown): Promise<void> {
    const reads = () => vscode.workspace.getConfiguration('bouncer').get(key) === value;
    if (reads()) return;
    await new Promise<void>((resolve) => {
      const subscription = vscode.workspace.onDidChangeConfiguration(() => {
        if (!reads()) return;
        subscription.dispose();
        resolve();
      });
    });
  }

  it('opens a batch as a pretty-printed read-only JSON tab and caches it', async () => {
    await vscode.commands.executeCommand('bouncer.openResultsAsJson', { batchId: 'demo-small' });
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor, 'an editor is open');
    assert.equal(editor.document.languageId, 'json');
    assert.equal(editor.document.uri.scheme, 'bouncer-results');
    assert.equal(editor.document.isUntitled, false);
    assert.equal(editor.document.uri.path, '/demo-small · all.json', 'the tab is named for the batch and filter');
    const text = editor.document.getText();
    assert.match(text, /\n {2}\{\n {4}"email"/, 'pretty-printed with two spaces');
    const records = JSON.parse(text) as Array<{ email: string; status: string }>;
    assert.ok(records.length >= 20, `demo-small has records (got ${records.length})`);
    const statuses = new Set(records.map((r) => r.status));
    for (const s of ['deliverable', 'risky', 'undeliverable', 'unknown']) assert.ok(statuses.has(s), `has ${s}`);
    // Other suites' emulators are other origins with caches of their own.
    const cachedName = path.join(api.currentOriginKey()!, batchDirName('demo-small'), 'all.json');
    const cached = listFiles(api.cacheRoot).filter((f) => f.endsWith(cachedName));
    assert.equal(cached.length, 1, 'the download landed in the cache');
    assert.deepEqual(JSON.parse(fs.readFileSync(cached[0], 'utf8')), records);
  });

  it('shows the new text when a tab of the same name is opened again', async () => {
    await vscode.commands.executeCommand('bouncer.openResultsAsJson', { batchId: 'demo-small', filter: 'unknown' });
    await closeAllEditors();
    await vscode.commands.executeCommand('bouncer.openResultsAsCsv', { batchId: 'demo-small', filter: 'unknown' });
    assert.match(vscode.window.activeTextEditor!.document.getText(), /^email,/, 'the CSV, not the JSON just closed');
    await vscode.commands.executeCommand('bouncer.openResultsAsJson', { batchId: 'demo-small', filter: 'unknown' });
    await vscode.commands.executeCommand('bouncer.openResultsAsJson', { batchId: 'demo-small', filter: 'unknown' });
    const jsonTabs = vscode.window.tabGroups.all
      .flatMap((g) => g.tabs)
      .filter((t) => t.input instanceof vscode.TabInputText && t.input.uri.path === '/demo-small · unknown.json');
    assert.equal(jsonTabs.length, 1, 'opening the same results again reuses their tab');
    const records = JSON.parse(vscode.window.activeTextEditor!.document.getText()) as Array<{ status: string }>;
    assert.deepEqual([...new Set(records.map((r) => r.status))], ['unknown']);
  });

  it('downloads only the chosen status', async () => {
    await vscode.commands.executeCommand('bouncer.openResultsAsJson', { batchId: 'demo-small', filter: 'risky' });
    const records = JSON.parse(vscode.window.activeTextEditor!.document.getText()) as Array<{ status: string }>;
    assert.ok(records.length > 0);
    assert.deepEqual([...new Set(records.map((r) => r.status))], ['risky']);
    const last = emulator.requests.at(-1)!;
    assert.equal(last.query.download, 'risky');
  });

  it('opens the CSV in a new tab, made from the cached records with formulas neutralised', async () => {
    await vscode.commands.executeCommand('bouncer.openResultsAsCsv', { batchId: HOSTILE_BATCH_ID });
    const document = vscode.window.activeTextEditor!.document;
    const languages = await vscode.languages.getLanguages();
    assert.equal(document.languageId, languages.includes('csv') ? 'csv' : 'plaintext');
    assert.equal(document.uri.path, `/${HOSTILE_BATCH_ID} · all.csv`);
    assertNeutralised(document.getText(), rawCsv(HOSTILE_RECORDS));
    const entry = (await api.describeBatchesTree()).batches.find((b) => b.batchId === HOSTILE_BATCH_ID);
    assert.ok(entry, 'the batch is in the history');
    const counts = new Map<string, number>();
    for (const r of HOSTILE_RECORDS) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
    assert.deepEqual(
      entry.children.map((c) => [c.label, c.description]),
      ['deliverable', 'risky', 'undeliverable', 'unknown'].map((s) => [s, String(counts.get(s))]),
      'a batch opened only as CSV has its status groups',
    );
  });

  it('keeps neutralising CSV when the workspace settings try to turn it off', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the test window has a workspace folder');
    const settingsFile = path.join(folder.uri.fsPath, '.vscode', 'settings.json');
    // defaultFilter is an ordinary setting: once it reads `risky`, the file has been taken in.
    const workspaceSettings = { 'bouncer.csv.neutralizeFormulas': false, 'bouncer.defaultFilter': 'risky' };
    fs.mkdirSync(path.dirname(settingsFile), { recursive: true });
    fs.writeFileSync(settingsFile, JSON.stringify(workspaceSettings));
    try {
      await settingIs('defaultFilter', 'risky');
      await vscode.commands.executeCommand('bouncer.openResultsAsCsv', { batchId: HOSTILE_BATCH_ID, filter: 'all' });
      assertNeutralised(vscode.window.activeTextEditor!.document.getText(), rawCsv(HOSTILE_RECORDS));
    } finally {
      fs.rmSync(path.dirname(settingsFile), { recursive: true, force: true });
      await settingIs('defaultFilter', 'all');
    }
  });

  it('opens a CSV too large to reach extensions as a read-only tab, neutralised, the cache untouched', async () => {
    await vscode.commands.executeCommand('bouncer.openResultsAsCsv', { batchId: 'gen-200000', filter: 'all' });
    const cached = listFiles(api.cacheRoot).find((f) => f.endsWith(path.join(batchDirName('gen-200000'), 'all.json')));
    assert.ok(cached, 'cached');
    assert.ok(fs.statSync(cached).size > 50 * 1024 * 1024, 'the batch is above what VS Code syncs to extensions');
    const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    assert.ok(input instanceof vscode.TabInputText, 'a text editor tab is active');
    assert.equal(input.uri.scheme, 'bouncer-results', 'not a file of the cache');
    assert.equal(input.uri.path, '/gen-200000 · all.csv');
    const shown = Buffer.from(await vscode.workspace.fs.readFile(input.uri)).toString('utf8');
    assertNeutralised(shown, rawCsv([...generateRecords(200_000)]));
  });

  it('refuses an invalid batch ID without making a request', async () => {
    const before = emulator.requests.length;
    for (const bad of ['../etc', 'a/b', '%2e%2e', 'x?y', '']) {
      await assert.rejects(
        Promise.resolve(vscode.commands.executeCommand('bouncer.openResultsAsJson', { batchId: bad })),
        /batch ID/i,
        `rejects ${JSON.stringify(bad)}`,
      );
    }
    assert.equal(emulator.requests.length, before, 'no request reached the server');
  });

  it('says a bad filter is a bad argument, naming the filter, not the batch ID', async () => {
    const before = emulator.requests.length;
    await assert.rejects(
      Promise.resolve(
        vscode.commands.executeCommand('bouncer.openResultsAsJson', { batchId: 'demo-small', filter: 'good' }),
      ),
      (error: unknown) =>
        error instanceof Error &&
        /"filter" must be all, deliverable, risky, undeliverable or unknown/.test(error.message) &&
        !/batch ID/i.test(error.message),
    );
    assert.equal(emulator.requests.length, before, 'no request reached the server');
  });

  it('says the batch does not exist, with the server message, and caches nothing', async () => {
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('bouncer.openResultsAsJson', { batchId: 'no-such-batch' })),
      /request no-such-batch does not exist/,
    );
    assert.equal(listFiles(api.cacheRoot).filter((f) => f.includes('no-such-batch')).length, 0);
  });

  it('says the batch is not completed yet', async () => {
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('bouncer.openResultsAsJson', { batchId: 'pending-50' })),
      /not completed/,
    );
  });

  it('never shows or caches a truncated download', async () => {
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('bouncer.openResultsAsJson', { batchId: 'fault-truncated' })),
      /not valid results/,
    );
    assert.deepEqual(
      listFiles(api.cacheRoot).filter((f) => f.includes('fault-truncated')),
      [],
      'neither a cache file nor a .part file is left',
    );
    assert.notEqual(vscode.window.activeTextEditor?.document.languageId, 'json');
  });

  it('rejects a wrong key with a message that offers to set it, and never echoes the key', async () => {
    const wrong = 'wrong-key-1234567890';
    await replaceApiKey(api, wrong);
    try {
      await assert.rejects(
        Promise.resolve(
          vscode.commands.executeCommand('bouncer.openResultsAsJson', { batchId: 'demo-small', refresh: true }),
        ),
        (error: Error) => {
          assert.match(error.message, /rejected the API key/);
          assert.ok(!error.message.includes(wrong), 'the key is not in the message');
          return true;
        },
      );
      assert.equal(emulator.requests.at(-1)?.hadValidKey, false);
    } finally {
      await replaceApiKey(api, emulator.apiKey);
    }
  });

  it('keeps the key per API origin: a key set for one server is never sent to another', async () => {
    const other = await startEmulator({ port: 0 });
    try {
      await useApiBaseUrl(other.url.replace('127.0.0.1', 'localhost'));
      const opening = Promise.resolve(
        vscode.commands.executeCommand('bouncer.openResultsAsJson', { batchId: 'demo-small' }),
      );
      // With no key for this origin the command asks for one; dismiss the box.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
      await assert.rejects(opening);
      assert.equal(other.requests.length, 0, 'nothing was sent to the other origin');
    } finally {
      await useApiBaseUrl(emulator.url);
      await other.close();
    }
  });
});

/** The records as our encoder writes them without neutralising: what the server holds, cell for cell. */
function rawCsv(records: readonly EmailRecord[]): Buffer {
  const hasName = records.some((r) => r.name !== undefined && r.name !== null);
  const rows = records.map((r) => recordToCsvRow(r, { hasName, neutralizeFormulas: false }));
  return Buffer.from(csvHeaderLine(hasName) + rows.join(''), 'utf8');
}

function readCsv(text: string | Buffer): string[][] {
  const rows: string[][] = [];
  const reader = new CsvReader((cells) => rows.push(cells));
  reader.push(typeof text === 'string' ? Buffer.from(text, 'utf8') : text);
  reader.end();
  return rows;
}

/**
 * The tab's text holds the server's rows and columns, each cell as sent except that a cell that
 * could run as a formula starts with `'`. A text model holds one kind of line ending, so line breaks
 * inside cells are compared as LF.
 */
function assertNeutralised(shown: string, served: Buffer): void {
  const oneEol = (text: string) => text.replace(/\r\n|\r|\n/g, '\n');
  // Independently of needsFormulaPrefix: nothing a spreadsheet would run is left.
  const live = /^([\t\r\n]|\s*[=+\-@＝＋－＠])/;
  const before = readCsv(served);
  const after = readCsv(shown);
  assert.equal(after.length, before.length, 'every row is shown');
  let prefixed = 0;
  // Hundreds of thousands of cells: messages are only built for a cell that fails.
  for (let r = 0; r < before.length; r++) {
    assert.equal(after[r].length, before[r].length, `row ${r} keeps its columns`);
    for (let c = 0; c < before[r].length; c++) {
      const cell = before[r][c];
      const expected = needsFormulaPrefix(cell) ? `'${cell}` : cell;
      if (expected !== cell) prefixed++;
      const got = after[r][c];
      if (got === expected && !live.test(got)) continue;
      assert.equal(oneEol(got), oneEol(expected), `row ${r}, column ${before[0][c]}`);
      assert.doesNotMatch(got, live, `row ${r}, column ${before[0][c]}`);
    }
  }
  if (served.includes('+cmd@example.com')) {
    assert.ok(prefixed >= 14, `every hostile cell is neutralised (${prefixed})`);
    assert.match(shown, /^'\+cmd@example\.com,/m);
  }
}
