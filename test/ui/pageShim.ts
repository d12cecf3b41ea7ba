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
  /** State `getState` returns at start, as VS Code would after a reload. */
  state?: unknown;
}

/** What the test reads back through `page.evaluate`. */
export interface Harness {
  /** Messages the webview posted, in order. */
  inbox: unknown[];
  state: unknown;
  /** performance.now() when the data message was posted / when the webview said `rendered`. */
  dataPostedAt?: number;
  renderedAt?: number;
  /** Time spent building the store in the page (not part of the webview's own work). */
  buildMs?: number;
  /** Posts the data message again (a fresh structured clone), for repeated measurements. */
  repost(): void;
}

interface PageGlobals {
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
  const root = (globalThis as unknown as { document: { documentElement: { style: { setProperty(k: string, v: string): void } } } })
    .document.documentElement;
  for (const [name, value] of Object.entries(THEME)) root.style.setProperty(name, value);
}
const config = page.__harnessConfig;
let store: ResultsStore | undefined;

function build(): ResultsStore {
  const started = performance.now();
  const builder = new StoreBuilder();
  for (const record of generateRecords(config.rows, config.seed)) builder.add(record);
  for (const record of config.extra) builder.add(record);
  const built = builder.finish();
  harness.buildMs = performance.now() - started;
  return built;
}

function postData(): void {
  store ??= build();
  harness.dataPostedAt = performance.now();
  harness.renderedAt = undefined;
  // window.postMessage structured-clones the typed arrays, as VS Code's webview transport does.
  page.postMessage({ type: 'data', store }, '*');
}

const harness: Harness = {
  inbox: [],
  state: config.state,
  repost: postData,
};
page.__harness = harness;

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
          { type: 'init', source: { batchId: 'harness', filter: 'all', originKey: 'http://127.0.0.1' }, title: 'Bouncer: harness (all)' },
          '*',
        );
        postData();
      } else if (type === 'rendered') {
        harness.renderedAt = performance.now();
      }
    },
    getState: () => harness.state,
    setState: (state: unknown) => {
      harness.state = state;
    },
  };
};
