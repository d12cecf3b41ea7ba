/**
 * Time from "Show Results Table" to the first cells on screen, and to a table that sorts, in a real
 * VS Code, with the open trace of where that time goes.
 *
 * Two halves in one bundle (out/bench/vscodeOpen.js), as in vscodeTabs.ts:
 *  - {@link runVsCodeOpen}, in the bench process: starts the VS Code server bundled in code-server in
 *    a throw-away sandbox with the extension under test (this checkout, or another build of it, such
 *    as main's, for the figures before a change), drives it from headless Chromium and reads the
 *    figures back from the page's automation log.
 *  - {@link run}, inside the extension host: points the extension at the emulator the bench process
 *    started (Bouncer is another process, as for a user), runs `bouncer.showResultsTable` with
 *    arguments (the prompts are left out: they wait for a person), and reads when the webview reported
 *    its first rows and its whole batch painted. A build without the open trace is timed by the
 *    command resolving (its first rows painted) and by the panel settling (the whole batch painted).
 * Also in the host, the day's baseline: `JSON.parse` of the gen-100000 body, which scales the targets.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as vscodeApi from 'vscode';
import { startEmulator } from '../emulator/server';
import { describeTiming, OPEN_PHASES, type OpenTiming } from '../src/core/openTrace';
import { runInRealVsCode } from './realVsCode';
import { fmtStat, mark, markdownTable, RESULT_PREFIX, stat } from './stats';

const CONFIG_FILE = 'bench-open-config.json';
const EXTENSION_ID = 'bouncer-results.bouncer-results';
/** The day the targets were written for, `JSON.parse` of the 100k body took this long. */
const BASELINE_REFERENCE_MS = 250;

interface OpenConfig {
  runs: number;
  sizes: number[];
  /** The emulator the bench process started: Bouncer is another process, as it is for a user. */
  emulator?: { url: string; apiKey: string };
}

/** One open: ms from the command to the first cells and to the whole batch painted. */
interface OpenSample {
  first: number;
  sortable: number;
  /** Ms from the command until the download finished; NaN when the build does not trace it. */
  download: number;
  trace?: OpenTiming;
}

interface HostResult {
  traced: boolean;
  baselineMs: number[];
  samples: Record<string, OpenSample[]>;
}

/** Extension-host entry point (`extensionTestsPath`): measures, then logs one result line. */
export async function run(): Promise<void> {
  const vscode = await import('vscode');
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const config: OpenConfig = folder
    ? (JSON.parse(fs.readFileSync(path.join(folder, CONFIG_FILE), 'utf8')) as OpenConfig)
    : { runs: 3, sizes: [10_000, 100_000] };
  // Normally the bench process's emulator: serving a batch is then not charged to the host's download.
  const own = config.emulator ? undefined : await startEmulator({ port: 0 });
  const emulator = config.emulator ?? (own as { url: string; apiKey: string });
  try {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    if (!extension) throw new Error(`${EXTENSION_ID} is not loaded`);
    const api = (await extension.activate()) as {
      testing?: { describeResultsPanels(): Promise<{ batchId: string; rows?: number; trace?: OpenTiming }[]> };
    };
    if (!api.testing) throw new Error('the extension exposes no testing API');
    const testing = api.testing;
    await vscode.workspace
      .getConfiguration('bouncer')
      .update('apiBaseUrl', emulator.url, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('bouncer.setApiKey', emulator.apiKey);

    const samples: Record<string, OpenSample[]> = {};
    let traced = false;
    const open = async (key: string, n: number, refresh: boolean): Promise<void> => {
      await closeAllEditors(vscode);
      const batchId = `gen-${n}`;
      const started = performance.now();
      await vscode.commands.executeCommand('bouncer.showResultsTable', { batchId, refresh });
      const resolved = performance.now() - started;
      const panel = (await testing.describeResultsPanels()).find((p) => p.batchId === batchId);
      const settled = performance.now() - started;
      if (!panel || panel.rows !== n) throw new Error(`${key}: the table holds ${panel?.rows} rows of ${n}`);
      const trace = panel.trace;
      if (trace) traced = true;
      // The trace counts from the command's handler, which runs within a millisecond of the call.
      (samples[key] ??= []).push({
        first: trace?.firstRowsPainted ?? resolved,
        sortable: trace?.completePainted ?? settled,
        download: trace?.downloadDone ?? NaN,
        trace,
      });
    };

    // The first panel after VS Code starts pays for the webview's own start-up: timed once, first.
    await open('first-10000', 10_000, true);
    for (let r = 0; r < config.runs; r++) {
      for (const n of config.sizes) {
        const runs = n >= 1_000_000 ? 1 : config.runs;
        if (r >= runs) continue;
        await open(`download-${n}`, n, true);
        await open(`cached-${n}`, n, false);
      }
    }
    await closeAllEditors(vscode);
    const baselineMs = await parseBaseline(emulator.url, emulator.apiKey, config.runs);
    const result: HostResult = { traced, baselineMs, samples };
    console.log(RESULT_PREFIX + JSON.stringify(result));
  } finally {
    await closeAllEditors(vscode);
    await own?.close();
  }
}

/** `JSON.parse` of the gen-100000 body, in this host, on this day. */
async function parseBaseline(url: string, apiKey: string, runs: number): Promise<number[]> {
  const response = await fetch(`${url}/v1.1/email/verify/batch/gen-100000/download?download=all`, {
    headers: { 'x-api-key': apiKey, accept: 'application/json' },
  });
  const text = await response.text();
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const started = performance.now();
    JSON.parse(text);
    times.push(performance.now() - started);
  }
  return times;
}

async function closeAllEditors(vscode: typeof vscodeApi): Promise<void> {
  for (let i = 0; i < 100 && vscode.window.tabGroups.all.some((g) => g.tabs.length > 0); i++) {
    await vscode.commands.executeCommand('workbench.action.focusFirstEditorGroup');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  }
}

/** Runs {@link run} in a real VS Code with the extension at `extensionPath`; returns the host's figures. */
async function measure(entry: string, extensionPath: string, config: OpenConfig): Promise<HostResult> {
  // Bouncer runs in this process, not in the extension host: a user's downloads come from another
  // machine, and an emulator in the host would charge its serving (hundreds of MB at 1M) to ours.
  // It keeps each body once generated and sends stored bytes, as Bouncer does: generating a million
  // records per request took seconds of the same two cores. Each is generated here, before VS Code.
  const emulator = await startEmulator({ port: 0, keepBodies: true });
  try {
    for (const n of new Set([10_000, ...config.sizes])) {
      const response = await fetch(`${emulator.url}/v1.1/email/verify/batch/gen-${n}/download`, {
        headers: { 'x-api-key': emulator.apiKey, accept: 'application/json' },
      });
      await response.arrayBuffer();
    }
    return await runInRealVsCode<HostResult>({
      entry,
      extensionPath,
      sandbox: 'bouncer-bench-open',
      configFile: CONFIG_FILE,
      config: { ...config, emulator: { url: emulator.url, apiKey: emulator.apiKey } },
      timeoutMs: 900_000,
      what: 'the VS Code open bench',
    });
  } finally {
    await emulator.close();
  }
}

/** Targets of issue 12 in ms on a day when the baseline takes 250 ms; `download` adds the download's own time. */
const TARGETS: Record<string, { first?: number; sortable?: number; sortableAfterDownload?: number }> = {
  'first-10000': { first: 1500 },
  'download-10000': { first: 600 },
  'download-100000': { first: 800, sortable: 1500 },
  'download-1000000': { first: 1500, sortableAfterDownload: 500 },
  'cached-1000000': { sortable: 1000 },
};

const LABELS: Record<string, string> = {
  'first-10000': '10k, first panel after VS Code starts (download)',
};
function label(key: string): string {
  if (LABELS[key]) return LABELS[key];
  const [kind, n] = key.split('-');
  const rows = Number(n) >= 1_000_000 ? `${Number(n) / 1_000_000}M` : `${Number(n) / 1000}k`;
  return `${rows}, ${kind === 'download' ? 'download again (refresh)' : 'from the cache'}`;
}

/**
 * Bench-process half: measures this checkout and, when `compareWith` names a built extension
 * folder, that one too (before this checkout, so neither gains from the other's warm disk cache
 * more than the other); returns markdown.
 */
export async function runVsCodeOpen(
  entry: string,
  extensionPath: string,
  config: OpenConfig,
  compareWith?: { label: string; path: string },
): Promise<string> {
  let before: HostResult | undefined;
  let beforeError = '';
  try {
    before = compareWith ? await measure(entry, compareWith.path, config) : undefined;
  } catch (error) {
    // Today's figures are worth having even when the older build could not be timed.
    beforeError = `${compareWith?.label} not measured: ${(error as Error).message.split('\n')[0]}`;
  }
  const now = await measure(entry, extensionPath, config);
  const baseline = stat(now.baselineMs).median;
  const scale = baseline / BASELINE_REFERENCE_MS;
  const ms = (values: number[]): string => fmtStat(stat(values), 0);
  const verdict = (value: number, target: number | undefined, extra = 0): string =>
    target === undefined || Number.isNaN(value)
      ? ''
      : `${mark(value <= target * scale + extra)} ≤ ${Math.round(target * scale + extra)}`;
  const rows: string[][] = [];
  for (const key of Object.keys(now.samples)) {
    const samples = now.samples[key];
    const old = before?.samples[key];
    const target = TARGETS[key] ?? {};
    const first = stat(samples.map((s) => s.first)).median;
    const sortable = stat(samples.map((s) => s.sortable)).median;
    const download = stat(samples.map((s) => s.download)).median;
    rows.push([
      label(key),
      ms(samples.map((s) => s.first)),
      verdict(first, target.first),
      ms(samples.map((s) => s.sortable)),
      target.sortableAfterDownload !== undefined
        ? verdict(sortable, 0, target.sortableAfterDownload * scale + download)
        : verdict(sortable, target.sortable),
      old ? ms(old.map((s) => s.first)) : '',
      old ? ms(old.map((s) => s.sortable)) : '',
    ]);
  }
  const traced = Object.entries(now.samples).filter(([, samples]) => samples.some((s) => s.trace));
  const phaseRows = OPEN_PHASES.map((phase) => [
    phase,
    ...traced.map(([, samples]) => {
      const values = samples.map((s) => s.trace?.[phase]).filter((v): v is number => v !== undefined);
      return values.length ? ms(values) : '';
    }),
  ]);
  return [
    `Timed in the extension host from \`bouncer.showResultsTable\` (with arguments, so without the prompts) until the ` +
      'webview reports the rows painted (two animation frames after it wrote them). "Sortable" is the whole batch ' +
      `painted. Median of ${config.runs} (1M: one run), min–max, ms. The emulator runs in the bench process, not in ` +
      'the extension host: a download is charged only for fetching, checking and storing the batch.',
    '',
    ...(beforeError ? [`(${beforeError})`, ''] : []),
    `Baseline, same host and run: JSON.parse of the gen-100000 body ${ms(now.baselineMs)} ms; targets scale by ` +
      `${baseline.toFixed(0)} / ${BASELINE_REFERENCE_MS} = ${scale.toFixed(2)}.`,
    '',
    markdownTable(
      [
        'Open',
        '→ first cells',
        'target',
        '→ sortable',
        'target',
        `${compareWith?.label ?? 'before'}: first cells`,
        `${compareWith?.label ?? 'before'}: sortable`,
      ],
      rows,
    ),
    '',
    'Where the time goes (the open trace: ms from the command to each phase, median, min–max):',
    '',
    markdownTable(['Phase', ...traced.map(([key]) => label(key))], phaseRows),
    '',
    `A sample trace: ${traced[0]?.[1][0]?.trace ? describeTiming(traced[0][1][0].trace) : 'n/a'}`,
  ].join('\n');
}
