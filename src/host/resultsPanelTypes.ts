import type { OpenTrace } from '../core/openTrace';
import type { TableDataServer } from '../core/tableDataServer';
import type { DownloadFilter } from '../core/records';
import type { PanelSource } from '../shared/protocol';
import type { ErrorReporter } from './errorReporter';
import type { BouncerLog } from './log';
import type { DataPost } from './panelDataFeed';

/** Where a panel's results are: the cached download, named for its batch and filter. */
export interface ResultsSource {
  batchId: string;
  filter: DownloadFilter;
  originKey: string;
  cachePath: string;
  title: string;
}

export interface ResultsPanelDeps {
  log: BouncerLog;
  errors: ErrorReporter;
  /** Finds the cached download for a restored panel; undefined when it is gone. */
  locate(state: { batchId: string; filter: DownloadFilter; originKey: string }): Promise<ResultsSource | undefined>;
  neutralizeFormulas(): boolean;
  /** Verify Selected Rows Again: confirm, then create a batch of these emails linked to `from`. */
  verifyAgain(emails: string[], from: PanelSource): Promise<unknown>;
  /** Hands big stores to the webviews faster than VS Code's message channel; undefined: every store is posted. */
  tableData?: () => TableDataServer | undefined;
}

/** What one open table holds, for the integration tests (`BouncerExtensionApi.testing`). */
export interface PanelSnapshot extends PanelSource {
  /** Rows of the whole batch loaded; undefined while loading or after a failure. */
  rows: number | undefined;
  /** The first emails of the loaded rows, in file order (at most 100). */
  emails: string[];
  /** Rows the webview last reported on screen. */
  renderedRows: number | undefined;
  /** Whether those rows were the whole batch. */
  renderedComplete: boolean | undefined;
  /** The header labels the webview last reported on screen. */
  renderedColumns?: string[];
  /** The `data` messages posted to the webview's current page, in order. */
  dataPosts: DataPost[];
  /** What the webview reported on screen for each of them. */
  dataRendered: DataPost[];
  /** Stores handed to the webview by the loopback table server, and how many it could not fetch. */
  handoffs: { offered: number; failed: number };
  /** The phases of the last open, ms since its command (see `OpenTrace`). */
  trace: ReturnType<OpenTrace['timing']> | undefined;
  /** The message the panel shows instead of rows, if any. */
  failure: string | undefined;
}

/** There is one panel per origin, batch and filter. */
export function keyOf(source: PanelSource): string {
  return `${source.originKey}\n${source.batchId}\n${source.filter}`;
}
