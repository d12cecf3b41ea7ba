import * as path from 'node:path';
import * as vscode from 'vscode';
import { BatchApi } from '../core/batchApi';
import { ResultsRepository } from '../core/resultsRepository';
import { ApiKeyCommands } from './apiKeyCommands';
import { ApiKeyStore } from './apiKeyStore';
import { apiTarget, apiTargetIfUsable } from './apiTarget';
import { BatchCommands } from './batchCommands';
import { BatchHistoryStore } from './batchHistoryStore';
import { BatchPoller } from './batchPoller';
import { keepBatchesFresh } from './batchesRefresh';
import { BatchesView, type TreeSnapshot } from './batchesView';
import { CacheCommands } from './cacheCommands';
import { createCommands, registerCommands } from './commands';
import { CreditsStatusBar, type CreditsSnapshot } from './creditsStatusBar';
import { onDidChangeConfig, readConfig } from './config';
import { DownloadService } from './downloadService';
import { ErrorReporter } from './errorReporter';
import { BouncerLog } from './log';
import { createDialogs, TestSeam } from './prompts';
import { ResultsFileSystem } from './resultsFileSystem';
import { ResultsOpener } from './resultsOpener';
import { setPrefixRowsForTests } from './panelDataFeed';
import type { PanelSnapshot } from './resultsPanel';
import { locateCachedResults, ResultsPanelManager } from './resultsPanelManager';
import { VerifyCommands } from './verifyCommands';
import { ResultsTableEditor, type FileTableSnapshot } from './resultsTableEditor';
import { createBatchThroughVerifyEmails, WriteBackCommands } from './writeBackCommands';
import { markWalkthroughStep, refreshApiContext, WalkthroughKey } from './walkthroughContext';
import { TableContextCommands } from './tableContextCommands';
import { TableDataServer } from '../core/tableDataServer';

/** What the extension returns from `activate`: nothing secret, just what tests and other extensions may read. */
export interface BouncerExtensionApi {
  /** Folder holding cached results (under the extension's global storage). */
  readonly cacheRoot: string;
  /** Cache folder key of the configured API origin, or undefined when the setting is unusable. */
  currentOriginKey(): string | undefined;
  /** What the Batches view shows right now: labels, descriptions, tooltips, children. */
  describeBatchesTree(): Promise<TreeSnapshot>;
  /** Only when VS Code runs the extension for tests (`ExtensionMode.Test`); see {@link TestSeam}. */
  readonly testing?: BouncerTestingApi;
}

export interface BouncerTestingApi {
  /** Answers dialogs and records error messages in place of a person. */
  readonly seam: TestSeam;
  /**
   * Every open results table, once its loads have finished (and, when visible, are on screen); with
   * `settled` false, as it is right now, rows still arriving included.
   */
  describeResultsPanels(settled?: boolean): Promise<PanelSnapshot[]>;
  /** Rows a table posts ahead of a complete batch it shows none of yet; undefined restores the default. */
  setTablePrefixRows(rows: number | undefined): void;
  /** The credits status bar item, once any refresh running has finished. */
  describeCredits(): Promise<CreditsSnapshot>;
  /** Every file open in the Bouncer Results Table editor, with what reading it found. */
  describeFileTables(): FileTableSnapshot[];
  /** The shared poller of followed batches: a round on demand, and rounds closer than the API's 10 s. */
  readonly poller: Pick<BatchPoller, 'pollNow' | 'setBaseInterval'>;
}

export async function activate(context: vscode.ExtensionContext): Promise<BouncerExtensionApi> {
  const log = new BouncerLog();
  context.subscriptions.push(log);
  try {
    return await activateParts(context, log);
  } catch (error) {
    // A failure here would otherwise leave commands that silently do nothing; the error reporter
    // may not exist yet, so this one message is shown directly.
    log.error(`Activation failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    void vscode.window
      .showErrorMessage(
        vscode.l10n.t('Bouncer Results could not start. See the log for details.'),
        vscode.l10n.t('Show Log'),
      )
      .then((choice) => choice && log.show());
    throw error;
  }
}

async function activateParts(context: vscode.ExtensionContext, log: BouncerLog): Promise<BouncerExtensionApi> {
  const storage = context.globalStorageUri.fsPath;
  const cacheRoot = path.join(storage, 'results');
  const originKey = () => apiTarget().originKey;
  const currentOriginKey = () => apiTargetIfUsable()?.originKey;

  // Stores
  const history = new BatchHistoryStore(context.globalState);
  const cache = new ResultsRepository({
    root: cacheRoot,
    history,
    maxBytes: () => readConfig().cacheMaxSizeMB * 1024 * 1024,
    log: (message) => log.info(message),
  });
  const keys = new ApiKeyStore(
    context.secrets,
    () => apiTargetIfUsable()?.origin,
    (key) => log.addSecret(key),
  );

  // What a person sees and answers
  const seam = context.extensionMode === vscode.ExtensionMode.Test ? new TestSeam() : undefined;
  const dialogs = createDialogs((text) => log.redact(text), seam);
  const apiKey = new ApiKeyCommands({ keys, log, dialogs, origin: () => apiTarget().origin });

  // Downloads and the views of their results
  const downloads = new DownloadService({
    keys,
    log,
    cache,
    history,
    config: readConfig,
    target: apiTarget,
    promptForKey: (origin) => apiKey.askForDownload(origin),
  });
  const errors = new ErrorReporter({
    log,
    dialogs,
    setApiKey: () => apiKey.set(),
    // The shared poller follows it (the tree shows its progress), then the failed open runs again.
    waitForCompletion: (batchId) =>
      Promise.resolve(
        vscode.window.withProgress({ location: { viewId: 'bouncer.batches' } }, () => poller.waitFor(batchId)),
      ),
  });
  // Big tables reach their webview over loopback while the setting allows. The server starts with the
  // first table (nothing listens in a window that never opens one) and stops when the setting goes off.
  const tableData = new TableDataServer();
  context.subscriptions.push(
    { dispose: () => tableData.dispose() },
    onDidChangeConfig(() => {
      if (!readConfig().tableLoopbackTransfer) tableData.dispose();
    }),
  );
  const panels = new ResultsPanelManager(context, {
    log,
    tableData: () => (readConfig().tableLoopbackTransfer ? tableData : undefined),
    errors,
    neutralizeFormulas: () => readConfig().neutralizeFormulas,
    locate: (source) => locateCachedResults(cache, source),
    verifyAgain: (emails, from) => writeBack.verifyFromTable(emails, from),
  });
  const fileTable = new ResultsTableEditor({ panels, log });
  const documents = new ResultsFileSystem({
    cache,
    log,
    neutralizeFormulas: () => readConfig().neutralizeFormulas,
    currentOriginKey,
    hasApiKey: async () => {
      const origin = apiTargetIfUsable()?.origin;
      return origin !== undefined && (await keys.get(origin)) !== undefined;
    },
    download: async (request) => {
      const cached = await downloads.ensureCached(request);
      if (cached.summary) panels.resultsDownloaded(cached);
      return cached;
    },
  });
  // Before anything awaits: a tab restored after a reload reads through it as soon as we activate.
  context.subscriptions.push(documents.register());
  const opener = new ResultsOpener({
    downloads,
    panels,
    documents,
    errors,
    config: readConfig,
    prompt: { recent: () => history.entries(currentOriginKey() ?? ''), memento: context.globalState, seam },
    onOpened: () => markWalkthroughStep(WalkthroughKey.openedBatch),
  });
  const tableContext = new TableContextCommands(() => panels.activePanel(), log);

  // The Batches view, the batches it follows, and writing their results back
  const view = new BatchesView({ history, cache, log, currentOriginKey });
  const poller: BatchPoller = new BatchPoller({
    history,
    log,
    originKey,
    currentOriginKey,
    connect: (prompt) => downloads.client(apiTarget(), prompt),
    onCompleted: (batchId, status) => void writeBack.announceCompletion(batchId, status),
    onError: (error, batchId) => void errors.show(error, { batchId }),
  });
  const writeBack = new WriteBackCommands({
    view,
    history,
    log,
    originKey,
    neutralizeFormulas: () => readConfig().neutralizeFormulas,
    results: (batchId) => downloads.ensureCached({ batchId, filter: 'all', format: 'json' }),
    createBatch: (emails, name, confirm) =>
      confirm ? verify.confirmAndCreate(emails, name) : createBatchThroughVerifyEmails(emails, name),
    follow: (batchId, info) => poller.follow(batchId, info),
  });
  const batches = new BatchCommands({
    view,
    history,
    cache,
    log,
    originKey,
    openResults: (args) => opener.open(args, true),
    waitForCompletion: (batchId) => poller.waitFor(batchId),
    cancelDownloads: (batchId) => downloads.cancel(batchId),
  });
  const cacheCommands = new CacheCommands({
    cache,
    history,
    view,
    log,
    errors,
    config: readConfig,
    originKey,
    currentOriginKey,
    cancelDownloads: (batchId) => downloads.cancel(batchId),
  });

  // Creating batches, finishing and deleting them, credits
  const credits = new CreditsStatusBar({
    log,
    target: apiTargetIfUsable,
    hasKey: async (origin) => (await keys.get(origin)) !== undefined,
    connect: async (target) => new BatchApi(await downloads.client(target, false)),
    command: 'bouncer.refreshCredits',
  });
  const verify = new VerifyCommands({
    log,
    history,
    errors,
    target: apiTarget,
    connect: async (target) => new BatchApi(await downloads.client(target)),
    refreshCredits: () => void credits.refresh(true),
    // Followed before the command resolves, so the tree shows it queued at once; a failure to
    // follow is shown but does not undo the creation.
    onBatchCreated: (batchId, _created, source) =>
      poller.follow(batchId, { source: source?.toString() }).catch((error: unknown) => {
        void errors.show(error, { batchId });
      }),
    onBatchChanged: (batchId, change) => poller.batchChanged(batchId, change),
    seam,
  });

  context.subscriptions.push(
    keys,
    credits,
    keys.onDidChange(() => void credits.refresh(true)),
    history,
    downloads,
    panels,
    fileTable,
    view,
    cacheCommands,
    poller,
    keepBatchesFresh(view, history),
    registerCommands(
      createCommands({
        apiKey,
        opener,
        fileTable,
        batches,
        cache: cacheCommands,
        view,
        log,
        verify,
        credits,
        poller,
        writeBack,
        tableContext,
      }),
      errors,
    ),
    onDidChangeConfig(() => {
      // Another API origin has another key and another list of batches.
      void keys.refreshContext();
      refreshApiContext();
      view.scheduleRefresh();
      void credits.refresh(false);
      documents.csvSettingChanged();
      poller.resume();
    }),
    keys.onDidChange(() => poller.resume()),
  );
  // Batches followed before a reload are followed again.
  poller.resume();
  await keys.refreshContext();
  void credits.refresh(false);
  refreshApiContext();
  log.info(
    `Bouncer Results activated; API ${apiTargetIfUsable()?.origin ?? '(setting not usable)'}; cache ${cacheRoot}`,
  );

  return {
    cacheRoot,
    currentOriginKey,
    describeBatchesTree: () => view.describe(),
    testing: seam && {
      seam,
      describeResultsPanels: (settled) => panels.describe(settled),
      setTablePrefixRows: setPrefixRowsForTests,
      poller,
      describeCredits: async () => {
        await credits.refresh(false);
        return credits.describe();
      },
      describeFileTables: () => fileTable.describe(),
    },
  };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
