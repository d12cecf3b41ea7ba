import * as vscode from 'vscode';
import { DOWNLOAD_FILTERS, type DownloadFilter, isDownloadFilter } from '../core/records';

/** The extension's settings, read in one place and typed. */
export interface BouncerConfig {
  apiBaseUrl: string;
  defaultFilter: DownloadFilter;
  requestTimeoutSeconds: number;
  neutralizeFormulas: boolean;
  cacheMaxSizeMB: number;
  /** Largest single download, in MB, counted after decompression. */
  downloadMaxSizeMB: number;
  /** Big tables go to the webview over the loopback table server (`core/tableDataServer.ts`). */
  tableLoopbackTransfer: boolean;
}

const SECTION = 'bouncer';

export function readConfig(): BouncerConfig {
  const c = vscode.workspace.getConfiguration(SECTION);
  // apiBaseUrl, csv.neutralizeFormulas, both size caps and table.loopbackTransfer are application-scoped; `inspect` makes sure
  // a workspace value (which VS Code already ignores for application settings) can never be picked up
  // by a future refactor: a folder must not redirect the key, turn off formula-safe CSV or lift a cap.
  const apiBaseUrl = userOrDefault<string>(c, 'apiBaseUrl') ?? 'https://api.usebouncer.com';
  const filter = c.get<string>('defaultFilter');
  const neutralizeFormulas = userOrDefault<boolean>(c, 'csv.neutralizeFormulas');
  const cacheMaxSizeMB = userOrDefault<number>(c, 'cache.maxSizeMB');
  return {
    apiBaseUrl,
    defaultFilter: isDownloadFilter(filter) ? filter : DOWNLOAD_FILTERS[0],
    requestTimeoutSeconds: clamp(c.get<number>('requestTimeoutSeconds') ?? 60, 5, 600),
    neutralizeFormulas: typeof neutralizeFormulas === 'boolean' ? neutralizeFormulas : true,
    cacheMaxSizeMB:
      typeof cacheMaxSizeMB === 'number' && Number.isFinite(cacheMaxSizeMB) ? Math.max(0, cacheMaxSizeMB) : 1024,
    downloadMaxSizeMB: Math.max(1, userOrDefault<number>(c, 'download.maxSizeMB') ?? 4096),
    tableLoopbackTransfer: userOrDefault<boolean>(c, 'table.loopbackTransfer') !== false,
  };
}

/** Fires when any `bouncer.*` setting changes. */
export function onDidChangeConfig(listener: () => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration(SECTION)) listener();
  });
}

/** An application-scoped setting: the user's own value or the default, never a workspace's. */
function userOrDefault<T>(c: vscode.WorkspaceConfiguration, key: string): T | undefined {
  const inspected = c.inspect<T>(key);
  return inspected?.globalValue ?? inspected?.defaultValue;
}

function clamp(value: number, min: number, max: number): number {
  return Number.isFinite(value) ? Math.min(max, Math.max(min, value)) : min;
}
