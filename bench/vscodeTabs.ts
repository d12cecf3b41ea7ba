/**
 * Time for the JSON and CSV tabs to open in a real VS Code, for the emulator's gen-10000 batch.
 *
 * Two halves in one bundle (out/bench/vscodeTabs.js):
 *  - {@link runVsCodeTabs}, in the bench process: starts the VS Code server bundled in code-server in
 *    a throw-away sandbox, opens the workbench in headless Chromium with this file as the
 *    `extensionTestsPath` and the repository as the development extension (the test harness's way),
 *    and reads the figures back from the page's automation log.
 *  - {@link run}, inside the extension host: starts the emulator, points the extension at it, times
 *    `bouncer.openResultsAsJson` / `bouncer.openResultsAsCsv` (download again + open, and from the
 *    cache) until the command resolves with the editor shown, and, as the baseline in the same host,
 *    `openTextDocument({ content })` + `showTextDocument` of the very same text, and the JSON tab as
 *    it was before issue 11 (the whole cache read, parsed, pretty-printed as one string, pushed into
 *    a named untitled document), so "no slower than before" is measured in the same run.
 *    Then, for the larger sizes asked for, the JSON tab from the cache once each: its layout, size
 *    and time, which is what the README says a user sees.
 * `vscode` is imported lazily: the bench process has none.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as vscodeApi from 'vscode';
import { startEmulator } from '../emulator/server';
import { batchDirName } from '../src/core/cacheLayout';
import { runInRealVsCode } from './realVsCode';
import { fmtStat, markdownTable, RESULT_PREFIX, stat } from './stats';

const BATCH_ID = 'gen-10000';
const CONFIG_FILE = 'bench-config.json';
const EXTENSION_ID = 'bouncer-results.bouncer-results';

type Timings = Record<string, number[]>;

interface LargeTab {
  records: number;
  cachedBytes: number;
  documentBytes: number;
  recordPerLine: boolean;
  ms: number;
}

interface HostResult {
  timings: Timings;
  large: LargeTab[];
  jsonChars: number;
  csvChars: number;
  jsonLanguage: string;
  csvLanguage: string;
}

/** Extension-host entry point (`extensionTestsPath`): measures, then logs one result line. */
export async function run(): Promise<void> {
  const vscode = await import('vscode');
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const config = folder
    ? (JSON.parse(fs.readFileSync(path.join(folder, CONFIG_FILE), 'utf8')) as BenchConfig)
    : { runs: 3, large: [] };
  const emulator = await startEmulator({ port: 0 });
  try {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    if (!extension) throw new Error(`${EXTENSION_ID} is not loaded`);
    const { cacheRoot } = (await extension.activate()) as { cacheRoot: string };
    await vscode.workspace
      .getConfiguration('bouncer')
      .update('apiBaseUrl', emulator.url, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('bouncer.setApiKey', emulator.apiKey);
    const result = await measureTabs(vscode, config.runs, cacheRoot);
    for (const records of config.large) result.large.push(await measureLargeJsonTab(vscode, records));
    console.log(RESULT_PREFIX + JSON.stringify(result));
  } finally {
    await closeAllEditors(vscode);
    await emulator.close();
  }
}

interface BenchConfig {
  runs: number;
  /** Record counts of the `gen-<N>` batches whose JSON tab is opened once each. */
  large: number[];
}

async function measureTabs(vscode: typeof vscodeApi, runs: number, cacheRoot: string): Promise<HostResult> {
  const timings: Timings = {};
  const time = async (key: string, action: () => Thenable<unknown>): Promise<string> => {
    const started = performance.now();
    await action();
    const ms = performance.now() - started;
    const editor = vscode.window.activeTextEditor;
    if (!editor || editor.document.lineCount < 2) throw new Error(`${key}: no editor with the results is shown`);
    (timings[key] ??= []).push(ms);
    const text = editor.document.getText();
    // A check that the shown editor holds what was asked for, not a stale document of the same name.
    const expected = key.includes('json') ? '[' : 'email';
    if (!text.startsWith(expected)) throw new Error(`${key}: the editor shows ${JSON.stringify(text.slice(0, 20))}`);
    await closeAllEditors(vscode);
    return text;
  };
  const open = (command: string, refresh: boolean) => () =>
    vscode.commands.executeCommand(command, { batchId: BATCH_ID, refresh });
  const openUntitled = (language: string, content: string) => async () => {
    const document = await vscode.workspace.openTextDocument({ language, content });
    await vscode.window.showTextDocument(document, { preview: false });
  };

  // One untimed round first: the JSON/CSV language features load on the first document of their kind.
  const jsonText = await time('warmup-json', open('bouncer.openResultsAsJson', true));
  const csvText = await time('warmup-csv', open('bouncer.openResultsAsCsv', true));
  const languages = await vscode.languages.getLanguages();
  const csvLanguage = languages.includes('csv') ? 'csv' : 'plaintext';
  await time('warmup-json-untitled', openUntitled('json', jsonText));
  const cacheFile = findFile(cacheRoot, path.join(batchDirName(BATCH_ID), 'all.json'));
  await time('warmup-json-before', () => openAsBefore(vscode, cacheFile, `${BATCH_ID}-all.json`));
  for (let r = 0; r < runs; r++) {
    await time('json-download', open('bouncer.openResultsAsJson', true));
    await time('json-cached', open('bouncer.openResultsAsJson', false));
    await time('json-before', () => openAsBefore(vscode, cacheFile, `${BATCH_ID}-all.json`));
    await time('json-untitled', openUntitled('json', jsonText));
    await time('csv-download', open('bouncer.openResultsAsCsv', true));
    await time('csv-cached', open('bouncer.openResultsAsCsv', false));
    await time('csv-untitled', openUntitled(csvLanguage, csvText));
  }
  for (const key of Object.keys(timings)) if (key.startsWith('warmup')) delete timings[key];
  return {
    timings,
    large: [],
    jsonChars: jsonText.length,
    csvChars: csvText.length,
    jsonLanguage: 'json',
    csvLanguage,
  };
}

/**
 * The JSON tab before issue 11 (src/host/documentOpener.ts at that time), step for step: the whole
 * cache as one string, parsed, pretty-printed as one string, then a named untitled document filled
 * by an edit and shown.
 */
async function openAsBefore(vscode: typeof vscodeApi, cacheFile: string, name: string): Promise<void> {
  const bytes = fs.readFileSync(cacheFile);
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const pretty = JSON.stringify(JSON.parse(bytes.toString('utf8', bom)), null, 2);
  const uri = vscode.Uri.from({ scheme: 'untitled', path: name });
  const existing = await vscode.workspace.openTextDocument(uri);
  const edit = new vscode.WorkspaceEdit();
  edit.replace(uri, new vscode.Range(0, 0, existing.lineCount, 0), pretty);
  if (!(await vscode.workspace.applyEdit(edit))) throw new Error(`Could not fill ${name}`);
  const document =
    existing.languageId === 'json' ? existing : await vscode.languages.setTextDocumentLanguage(existing, 'json');
  await vscode.window.showTextDocument(document, { preview: false });
}

/**
 * One `gen-<N>` batch: downloaded first (untimed), then its JSON tab opened from the cache and timed
 * until the command resolves with the tab shown. Over 50 MB the document never reaches the extension
 * host, so its size and layout are read through the file system, as the tab reads it.
 */
async function measureLargeJsonTab(vscode: typeof vscodeApi, records: number): Promise<LargeTab> {
  const batchId = `gen-${records}`;
  await vscode.commands.executeCommand('bouncer.openResultsAsJson', { batchId });
  await closeAllEditors(vscode);
  const started = performance.now();
  await vscode.commands.executeCommand('bouncer.openResultsAsJson', { batchId });
  const ms = performance.now() - started;
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (!(input instanceof vscode.TabInputText) || input.uri.scheme !== 'bouncer-results') {
    throw new Error(`${batchId}: no bouncer-results tab is shown`);
  }
  const cachedBytes = (await vscode.workspace.fs.stat(input.uri)).size;
  const bytes = await vscode.workspace.fs.readFile(input.uri);
  await closeAllEditors(vscode);
  await vscode.commands.executeCommand('notifications.clearAll');
  // `[`, then a record per line: the second line is a whole record.
  const secondLine = Buffer.from(bytes.subarray(0, 4096)).toString('utf8').split('\n')[1] ?? '';
  return { records, cachedBytes, documentBytes: bytes.length, recordPerLine: secondLine.startsWith('{"'), ms };
}

function findFile(root: string, suffix: string): string {
  const found = fs.readdirSync(root, { recursive: true, encoding: 'utf8' }).find((file) => file.endsWith(suffix));
  if (!found) throw new Error(`No cached ${suffix} under ${root}`);
  return path.join(root, found);
}

/**
 * Closes every editor, discarding untitled ones (a plain close would ask to save them), then waits
 * until the extension host has dropped their documents: the next untitled tab reuses the name
 * `Untitled-1`, and opening it before the old one is gone showed the old text.
 */
async function closeAllEditors(vscode: typeof vscodeApi): Promise<void> {
  for (let i = 0; i < 100 && vscode.window.tabGroups.all.some((g) => g.tabs.length > 0); i++) {
    await vscode.commands.executeCommand('workbench.action.focusFirstEditorGroup');
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  }
  for (let i = 0; i < 250 && vscode.workspace.textDocuments.some((d) => d.isUntitled && !d.isClosed); i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const ROWS: [string, string][] = [
  ['json-download', 'Open as JSON, download again (refresh) + pretty-print + show'],
  ['json-cached', 'Open as JSON from the cache (bouncer-results: document)'],
  ['json-before', 'Before issue 11: JSON tab from the cache as an untitled document (same run)'],
  ['json-untitled', 'Baseline: openTextDocument({content}) + showTextDocument, same JSON text'],
  ['csv-download', 'Open as CSV, download again (refresh) + show'],
  ['csv-cached', 'Open as CSV from the cache'],
  ['csv-untitled', 'Baseline: openTextDocument({content}) + showTextDocument, same CSV text'],
];

function largeTabs(large: LargeTab[]): string[] {
  if (large.length === 0) return [];
  const rows = large.map((tab) => [
    `gen-${tab.records}`,
    `${(tab.cachedBytes / 2 ** 20).toFixed(0)} MB`,
    `${(tab.documentBytes / 2 ** 20).toFixed(0)} MB`,
    tab.recordPerLine ? 'one record per line' : 'indented',
    tab.ms.toFixed(0),
  ]);
  return [
    '',
    'JSON tab from the cache, larger batches (one open each, after an untimed download):',
    '',
    markdownTable(['Batch', 'Cached JSON', 'Document', 'Layout', 'ms to the tab shown'], rows),
  ];
}

/**
 * Bench-process half: runs {@link run} in a real VS Code server driven by headless Chromium and
 * returns a markdown table of the timings. `entry` is this bundle's path.
 */
export async function runVsCodeTabs(entry: string, runs: number, large: number[] = []): Promise<string> {
  const { repoRoot } = await import('../test/harness/testDeps.js');
  const minutes = 5 + large.reduce((sum, n) => sum + 3 * Math.ceil(n / 100_000), 0);
  const measured = await runInRealVsCode<HostResult>({
    entry,
    extensionPath: repoRoot,
    sandbox: 'bouncer-bench',
    configFile: CONFIG_FILE,
    config: { runs, large } satisfies BenchConfig,
    timeoutMs: minutes * 60_000,
    what: 'the VS Code bench',
  });
  const rows = ROWS.map(([key, label]) => [label, fmtStat(stat(measured.timings[key] ?? []), 0)]);
  return [
    `${BATCH_ID}: ${(measured.jsonChars / 2 ** 20).toFixed(1)} MB of pretty JSON text, ` +
      `${(measured.csvChars / 2 ** 20).toFixed(1)} MB of CSV (language ${measured.csvLanguage}); median of ${runs}, min–max, ` +
      'after one untimed warm-up open of each kind. Timed in the extension host from the command call until it resolves ' +
      'with the editor shown. The emulator runs inside the extension host, so "download again" includes serving.',
    '',
    markdownTable(['Measurement', 'ms'], rows),
    ...largeTabs(measured.large),
  ].join('\n');
}
