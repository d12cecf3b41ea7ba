/**
 * Runs inside the test page before dist/webview.js and stands in for VS Code's webview host: it
 * provides `acquireVsCodeApi` and answers `ready` with `init` and a `data` message built from
 * generated records, exactly as `resultsPanel.ts` would. This is the browser half only; the real
 * VS Code round trip is the e2e ring's job. Bundled by esbuild and injected as an init script.
 */
import type { EmailRecord } from '../../src/core/records';
import { generateRecords } from '../../emulator/generateRecords';
import { StoreBuilder } from '../../src/model/builder';
import type { ResultsStore } from '../../src/model/store';

export interface HarnessConfig {
  rows: number;
  seed: number;
  /** Records appended after the generated ones (e.g. hostile input). */
  extra: EmailRecord[];
  /** Like the host: post the first this-many rows ahead of the rest (when there are more). */
  partialAfter?: number;
  /** State `getState` returns at start, as VS Code would after a reload. */
  state?: unknown;
  /** What the host passes as `vscode.l10n.bundle` and `vscode.env.language`. */
  l10n?: Record<string, string>;
  language?: string;
  /** Extra text columns, as a CSV file's own columns come: row n gets `cells[n % cells.length]`. */
  extraColumns?: { labels: string[]; cells: string[][] };
  /** Answer `ready` with `init` only: the test posts rows as a streaming download would (`postRows`). */
  manual?: boolean;
}

/** What the test reads back through `page.evaluate`. */
export interface Harness {
  /** Messages the webview posted, in order. */
  inbox: unknown[];
  state: unknown;
  /** performance.now() when the (first) data message was posted / when the webview said `rendered`. */
  dataPostedAt?: number;
  renderedAt?: number;
  /** performance.now() when the whole-batch message was posted / when the webview said it was rendered. */
  completePostedAt?: number;
  completeAt?: number;
  /** Time spent building the store in the page (not part of the webview's own work). */
  buildMs?: number;
  /** Builds and posts the data message again, for repeated measurements. */
  repost(): void;
  /** Manual mode: posts the first `rows` rows (all of them plus the extra records when complete). */
  postRows(rows: number, complete: boolean): void;
  /** Manual mode: posts any host message as is (download progress, a load error). */
  postHost(message: unknown): void;
}

interface PageGlobals {
  /** For the benchmark's baseline: the same records as compact JSON text, built in the page. */
  __benchJson(n: number, seed: number): string;
  __harnessConfig: HarnessConfig;
  __harness: Harness;
  acquireVsCodeApi: () => { postMessage(m: unknown): void; getState(): unknown; setState(s: unknown): void };
  postMessage(message: unknown, targetOrigin: string): void;
}

const page = globalThis as unknown as PageGlobals;

/**
 * A few of the colours VS Code injects into every webview (Dark Modern values), so screenshots from
 * this page look like the real panel. CSSOM writes are allowed under the page's strict CSP.
 */
const THEME: Record<string, string> = {
  '--vscode-font-family': 'system-ui, sans-serif',
  '--vscode-font-size': '13px',
  '--vscode-editor-font-family': 'monospace',
  '--vscode-editor-font-size': '13px',
  '--vscode-foreground': '#cccccc',
  '--vscode-descriptionForeground': '#9d9d9d',
  '--vscode-editor-background': '#1f1f1f',
  '--vscode-editorWidget-background': '#202020',
  '--vscode-editorGroupHeader-tabsBackground': '#181818',
  '--vscode-panel-border': '#2b2b2b',
  '--vscode-focusBorder': '#0078d4',
  '--vscode-button-background': '#0078d4',
  '--vscode-button-foreground': '#ffffff',
  '--vscode-button-secondaryBackground': '#313131',
  '--vscode-button-secondaryForeground': '#cccccc',
  '--vscode-button-secondaryHoverBackground': '#3c3c3c',
  '--vscode-input-background': '#313131',
  '--vscode-input-foreground': '#cccccc',
  '--vscode-input-border': '#3c3c3c',
  '--vscode-dropdown-background': '#313131',
  '--vscode-dropdown-foreground': '#cccccc',
  '--vscode-dropdown-border': '#3c3c3c',
  '--vscode-list-hoverBackground': '#2a2d2e',
  '--vscode-list-activeSelectionBackground': '#04395e',
  '--vscode-list-activeSelectionForeground': '#ffffff',
  '--vscode-list-inactiveSelectionBackground': '#37373d',
  '--vscode-list-focusOutline': '#0078d4',
  '--vscode-testing-iconPassed': '#73c991',
  '--vscode-editorWarning-foreground': '#cca700',
  '--vscode-errorForeground': '#f85149',
  '--vscode-charts-purple': '#b180d7',
  '--vscode-widget-shadow': 'rgba(0, 0, 0, 0.36)',
};
function applyTheme(): void {
  // Called from acquireVsCodeApi: init scripts run before <html> exists.
  const root = (
    globalThis as unknown as { document: { documentElement: { style: { setProperty(k: string, v: string): void } } } }
  ).document.documentElement;
  for (const [name, value] of Object.entries(THEME)) root.style.setProperty(name, value);
}
const config = page.__harnessConfig;

function build(limit: number): ResultsStore {
  const started = performance.now();
  const builder = new StoreBuilder();
  const extra = config.extraColumns;
  if (extra) builder.setExtraColumns(extra.labels);
  const cellsOf = (row: number) => extra?.cells[row % extra.cells.length];
  let n = 0;
  for (const record of generateRecords(config.rows, config.seed)) {
    if (n >= limit) break;
    builder.add(record, cellsOf(n++));
  }
  if (limit >= config.rows) for (const record of config.extra) builder.add(record, cellsOf(n++));
  const built = builder.finish();
  harness.buildMs = performance.now() - started;
  return built;
}

function post(store: ResultsStore, complete: boolean): void {
  if (complete) harness.completePostedAt = performance.now();
  // window.postMessage structured-clones the typed arrays, as VS Code's webview transport does.
  page.postMessage({ type: 'data', store, complete }, '*');
}

/** The rest of the batch, once the opening rows are painted (the real host parses it in another process). */
let pendingRest = false;

function postData(): void {
  // Built afresh and not kept, so the page heap afterwards is the webview's alone.
  harness.renderedAt = undefined;
  harness.completeAt = undefined;
  const partial = config.partialAfter;
  if (partial !== undefined && partial < config.rows) {
    const head = build(partial);
    harness.dataPostedAt = performance.now();
    pendingRest = true;
    post(head, false);
    return;
  }
  const store = build(Infinity);
  harness.dataPostedAt = performance.now();
  post(store, true);
}

const harness: Harness = {
  inbox: [],
  state: config.state,
  repost: postData,
  postRows: (rows, complete) => post(build(complete ? Infinity : rows), complete),
  postHost: (message) => page.postMessage(message, '*'),
};
page.__harness = harness;
page.__benchJson = (n, seed) => {
  const parts: string[] = [];
  for (const record of generateRecords(n, seed)) parts.push(JSON.stringify(record));
  return `[${parts.join(',')}]`;
};

let acquired = false;
page.acquireVsCodeApi = () => {
  if (acquired) throw new Error('acquireVsCodeApi called twice');
  acquired = true;
  applyTheme();
  return {
    postMessage(message: unknown) {
      harness.inbox.push(message);
      const type = (message as { type?: unknown }).type;
      if (type === 'ready') {
        page.postMessage(
          {
            type: 'init',
            source: { batchId: 'harness', filter: 'all', originKey: 'http://127.0.0.1' },
            title: 'Bouncer: harness (all)',
            ...(config.l10n ? { l10n: config.l10n } : {}),
            ...(config.language ? { language: config.language } : {}),
          },
          '*',
        );
        if (!config.manual) postData();
      } else if (type === 'rendered') {
        harness.renderedAt ??= performance.now();
        if (pendingRest) {
          pendingRest = false;
          setTimeout(() => post(build(Infinity), true), 0);
        }
        if ((message as { complete?: unknown }).complete === true) harness.completeAt = performance.now();
      }
    },
    getState: () => harness.state,
    setState: (state: unknown) => {
      harness.state = state;
    },
  };
};
