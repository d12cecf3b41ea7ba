import * as path from 'node:path';
import * as vscode from 'vscode';
import { normalizeApiOrigin } from '../core/apiOrigin';
import { BouncerError } from '../core/errors';
import { originKey, ResultsCache } from '../core/resultsCache';
import { ApiKeyStore } from './apiKeyStore';
import { BatchHistoryStore } from './batchHistoryStore';
import { createCommands, registerCommands, setApiKey } from './commands';
import { onDidChangeConfig, readConfig } from './config';
import { DownloadService, type ApiTarget } from './downloadService';
import { BouncerLog } from './log';
import { askApiKey, createDialogs, TestSeam } from './prompts';
import { ResultsOpener, resultsTitle } from './resultsOpener';
import { ResultsPanelManager, type PanelSnapshot, type ResultsChange } from './resultsPanel';
import { registerSidebar, type TreeSnapshot } from './sidebar';

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
  /** Every open results table, once its loads have finished (and, when visible, are on screen). */
  describeResultsPanels(): Promise<PanelSnapshot[]>;
}

export async function activate(context: vscode.ExtensionContext): Promise<BouncerExtensionApi> {
  const log = new BouncerLog();
  context.subscriptions.push(log);
  try {
    return await activateParts(context, log);
  } catch (error) {
    // A failure here would otherwise leave commands that silently do nothing.
    log.error(`Activation failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    void vscode.window
      .showErrorMessage(vscode.l10n.t('Bouncer Results could not start. See the log for details.'), vscode.l10n.t('Show Log'))
      .then((choice) => choice && log.show());
    throw error;
  }
}

async function activateParts(context: vscode.ExtensionContext, log: BouncerLog): Promise<BouncerExtensionApi> {
  const cacheRoot = path.join(context.globalStorageUri.fsPath, 'results');
  const cache = new ResultsCache(cacheRoot);

  const target = (): ApiTarget => {
    const origin = normalizeApiOrigin(readConfig().apiBaseUrl);
    return { origin, originKey: originKey(origin) };
  };
  const currentTarget = (): ApiTarget | undefined => {
    try {
      return target();
    } catch (error) {
      if (error instanceof BouncerError) return undefined;
      throw error;
    }
  };

  const keys = new ApiKeyStore(context.secrets, () => currentTarget()?.origin, (key) => log.addSecret(key));
  const history = new BatchHistoryStore(context.globalState);
  const originChanged = new vscode.EventEmitter<void>();
  const resultsChanged = new vscode.EventEmitter<ResultsChange>();
  context.subscriptions.push(keys, history, originChanged, resultsChanged);
  const seam = context.extensionMode === vscode.ExtensionMode.Test ? new TestSeam() : undefined;
  const dialogs = createDialogs((text) => log.redact(text), seam);

  const keyDeps = { keys, log, dialogs, origin: () => target().origin };
  const downloads = new DownloadService({
    keys,
    log,
    cache,
    history,
    config: readConfig,
    target,
    promptForKey: async (origin) => {
      // The first download without a key asks for one rather than failing.
      const key = await askApiKey(origin);
      if (key) await keys.set(origin, key);
      return key;
    },
  });
  const panels = new ResultsPanelManager(context, {
    log,
    dialogs,
    onDidChangeResults: resultsChanged.event,
    neutralizeFormulas: () => readConfig().neutralizeFormulas,
    locate: async ({ batchId, filter, originKey: key }) => {
      const cacheKey = { originKey: key, batchId, filter, format: 'json' as const };
      if (!(await cache.stat(cacheKey))) return undefined;
      return { batchId, filter, originKey: key, cachePath: cache.path(cacheKey), title: resultsTitle(batchId, filter) };
    },
  });
  const opener = new ResultsOpener({
    downloads,
    panels,
    log,
    config: readConfig,
    setApiKey: () => setApiKey(keyDeps),
    dialogs,
    onDownloaded: (change) => resultsChanged.fire(change),
    largeCopyDir: path.join(context.globalStorageUri.fsPath, 'exports'),
  });
  context.subscriptions.push(downloads, panels);

  context.subscriptions.push(
    registerCommands(createCommands({ ...keyDeps, opener, config: readConfig }), opener, log),
    onDidChangeConfig(() => {
      void keys.refreshContext();
      originChanged.fire();
    }),
  );
  const sidebar = registerSidebar(context, {
    history,
    cache,
    log,
    dialogs,
    currentOriginKey: () => currentTarget()?.originKey,
    onDidChangeOrigin: originChanged.event,
    openResults: (args) => opener.open(args, true),
    waitForCompletion: async (batchId) => {
      await downloads.waitForCompletion(batchId);
    },
    cancelDownloads: (batchId) => downloads.cancel(batchId),
  });
  context.subscriptions.push(sidebar);
  await keys.refreshContext();
  log.info(`Bouncer Results activated; API ${currentTarget()?.origin ?? '(setting not usable)'}; cache ${cacheRoot}`);

  return {
    cacheRoot,
    currentOriginKey: () => currentTarget()?.originKey,
    describeBatchesTree: () => sidebar.describeTree(),
    testing: seam && { seam, describeResultsPanels: () => panels.describe() },
  };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
