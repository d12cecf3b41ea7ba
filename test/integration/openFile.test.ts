import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { generateRecords } from '../../emulator/generateRecords';
import { csvHeader, csvRow } from '../../emulator/serverCsv';
import type { BouncerExtensionApi } from '../../src/host/extension';
import { activateExtension, closeAllEditors, testingApi } from './helpers';

const ROWS = 250;

// Files a person keeps on disk, opened in the table with the command as the Explorer calls it
// (with the file's Uri), asserting on what the table holds and what the tab is.
describe('Open in Bouncer Results Table', function () {
  this.timeout(60_000);
  let api: BouncerExtensionApi;
  let dir: string;
  const records = [...generateRecords(ROWS)];

  before(async () => {
    api = await activateExtension();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bouncer-open-file-'));
  });

  after(async () => {
    await vscode.commands.executeCommand('notifications.clearAll');
    await closeAllEditors();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  afterEach(closeAllEditors);

  function write(name: string, text: string): vscode.Uri {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return vscode.Uri.file(file);
  }

  async function tableOf(uri: vscode.Uri) {
    const panel = (await testingApi(api).describeResultsPanels()).find((p) => p.originKey === `file ${uri.toString()}`);
    assert.ok(panel, `a table of ${uri.fsPath} is open`);
    const file = testingApi(api)
      .describeFileTables()
      .find((f) => f.uri === uri.toString());
    assert.ok(file, 'the editor knows the file');
    return { panel, report: file.report };
  }

  function activeTab(): vscode.TabInputCustom {
    const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    assert.ok(input instanceof vscode.TabInputCustom, 'the active tab is a custom editor');
    return input;
  }

  it('shows every row of a Bouncer CSV, counts a malformed row and keeps an unknown column', async () => {
    // The server's CSV with a column of the person's own and one broken row in the middle.
    const lines =
      csvHeader().replace('\r\n', ',Company\r\n') + records.map((r) => csvRow(r).replace('\r\n', ',Acme\r\n')).join('');
    const broken = lines.split('\r\n');
    broken.splice(10, 0, 'broken@example.com,risky');
    const uri = write('export.csv', broken.join('\r\n'));

    await vscode.commands.executeCommand('bouncer.openFileInTable', uri);

    assert.equal(activeTab().viewType, 'bouncer.resultsTable');
    assert.equal(activeTab().uri.toString(), uri.toString());
    const { panel, report } = await tableOf(uri);
    assert.equal(panel.failure, undefined);
    assert.equal(panel.rows, ROWS);
    assert.deepEqual(
      panel.emails,
      records.slice(0, 100).map((r) => r.email),
    );
    assert.ok((panel.renderedRows ?? 0) > 0, 'rows are on screen when the command resolves');
    assert.equal(report?.malformed, 1);
    assert.equal(report?.firstMalformed, 10);
    assert.deepEqual(report?.extraColumns, ['Company']);
    // The file's own column is on screen, after the record's columns.
    assert.equal(panel.renderedColumns?.at(-1), 'Company');
    assert.ok(panel.renderedColumns?.includes('Email'), String(panel.renderedColumns));
  });

  it('shows every record of a Bouncer JSON file', async () => {
    const uri = write('results.json', JSON.stringify(records, null, 2));

    await vscode.commands.executeCommand('bouncer.openFileInTable', uri);

    assert.equal(activeTab().viewType, 'bouncer.resultsTable');
    const { panel, report } = await tableOf(uri);
    assert.equal(panel.failure, undefined);
    assert.equal(panel.rows, ROWS);
    assert.equal(panel.emails[0], records[0].email);
    assert.ok((panel.renderedRows ?? 0) > 0);
    assert.equal(report?.malformed, 0);
  });

  it('says in one sentence that a CSV without an email column is not Bouncer results', async () => {
    const uri = write('people.csv', 'id,name,city\r\n1,Ann,Oslo\r\n2,Bo,Rome\r\n');

    await vscode.commands.executeCommand('bouncer.openFileInTable', uri);

    assert.equal(activeTab().viewType, 'bouncer.resultsTable');
    const { panel } = await tableOf(uri);
    assert.equal(panel.rows, undefined, 'no rows');
    assert.match(panel.failure ?? '', /not Bouncer results/);
  });

  it('opens the active editor’s file when called from the palette', async () => {
    const uri = write('active.csv', csvHeader() + records.slice(0, 5).map(csvRow).join(''));
    await vscode.window.showTextDocument(uri);

    await vscode.commands.executeCommand('bouncer.openFileInTable');

    assert.equal(activeTab().uri.toString(), uri.toString());
    const { panel } = await tableOf(uri);
    assert.equal(panel.rows, 5);
  });
});
