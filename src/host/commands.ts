import * as vscode from 'vscode';
import type { ApiKeyCommands } from './apiKeyCommands';
import type { BatchCommands } from './batchCommands';
import type { BatchPoller } from './batchPoller';
import { batchIdHint, type BatchesView } from './batchesView';
import type { CacheCommands } from './cacheCommands';
import { ShownError, type ErrorReporter } from './errorReporter';
import type { BouncerLog } from './log';
import type { CreditsStatusBar } from './creditsStatusBar';
import type { ResultsOpener } from './resultsOpener';
import type { VerifyCommands } from './verifyCommands';
import type { ResultsTableEditor } from './resultsTableEditor';
import type { WriteBackCommands } from './writeBackCommands';
import type { TableContextCommands } from './tableContextCommands';

/** Every command takes what VS Code or its caller passes (a tree node, `{ batchId }`, a key). */
export type CommandHandler = (...args: unknown[]) => unknown;

export interface CommandParts {
  apiKey: ApiKeyCommands;
  opener: ResultsOpener;
  fileTable: ResultsTableEditor;
  batches: BatchCommands;
  cache: CacheCommands;
  view: BatchesView;
  log: BouncerLog;
  verify: VerifyCommands;
  credits: CreditsStatusBar;
  poller: BatchPoller;
  writeBack: WriteBackCommands;
  tableContext: TableContextCommands;
}

/**
 * Every command of the extension, palette and Batches view alike: id → handler.
 * The ids are a contract (package.json, tests, keybindings, other extensions): do not rename.
 */
export function createCommands(p: CommandParts) {
  return {
    'bouncer.setApiKey': (arg) => p.apiKey.set(typeof arg === 'string' ? arg : undefined),
    'bouncer.clearApiKey': () => p.apiKey.clear(),
    'bouncer.openResults': (arg) => p.opener.openFromCommand(arg),
    'bouncer.openResultsAsJson': (arg) => p.opener.openFromCommand(arg, 'json'),
    'bouncer.openResultsAsCsv': (arg) => p.opener.openFromCommand(arg, 'csv'),
    'bouncer.showResultsTable': (arg) => p.opener.openFromCommand(arg, 'table'),
    'bouncer.showLog': () => p.log.show(),
    'bouncer.batches.showTable': (node) => p.batches.open(node, 'table'),
    'bouncer.batches.showStatus': (node) => p.batches.showStatus(node),
    'bouncer.batches.openJson': (node) => p.batches.open(node, 'json'),
    'bouncer.batches.openCsv': (node) => p.batches.open(node, 'csv'),
    'bouncer.batches.refresh': (node) => p.batches.refresh(node),
    'bouncer.batches.waitForCompletion': (node) => p.batches.waitForCompletion(node),
    'bouncer.batches.rename': (node, name) => p.batches.rename(node, name),
    'bouncer.batches.copyId': (node) => p.batches.copyId(node),
    'bouncer.batches.remove': (node) => p.batches.remove(node),
    'bouncer.batches.deleteCache': (node) => p.cache.deleteBatch(node),
    'bouncer.batches.refreshView': () => p.view.reloadNow(),
    'bouncer.showCacheSize': () => p.cache.showSize(),
    'bouncer.clearCache': () => p.cache.clear(),
    'bouncer.verifyEmails': (arg) => p.verify.verifyEmails(arg),
    'bouncer.verifyEmail': (arg) => p.verify.verifyEmail(arg),
    'bouncer.finishBatch': (arg) => p.verify.finishBatch(arg),
    'bouncer.deleteBatch': (arg) => p.verify.deleteBatch(arg),
    'bouncer.refreshCredits': () => p.credits.refresh(true),
    'bouncer.openFileInTable': (uri) => p.fileTable.openFromCommand(uri),
    'bouncer.batches.follow': (node) => followFromCommand(p, node),
    'bouncer.writeResultsBack': (arg) => p.writeBack.writeResultsBack(arg),
    'bouncer.writeDeliverableBack': (arg) => p.writeBack.writeResultsBack(arg, true),
    'bouncer.batches.verifyAgain': (arg) => p.writeBack.verifyAgain(arg),
    'bouncer.batches.showChanges': (node) => p.writeBack.showChanges(node),
    'bouncer.table.copyCell': (cell) => p.tableContext.run('copyCell', cell),
    'bouncer.table.copyRowsCsv': (cell) => p.tableContext.run('copyRowsCsv', cell),
    'bouncer.table.copyEmails': (cell) => p.tableContext.run('copyEmails', cell),
    'bouncer.table.filterToValue': (cell) => p.tableContext.run('filterToValue', cell),
    'bouncer.table.excludeValue': (cell) => p.tableContext.run('excludeValue', cell),
    'bouncer.table.showRowDetails': (cell) => p.tableContext.run('showRowDetails', cell),
    'bouncer.table.verifyAgain': (cell) => p.tableContext.run('verifyAgain', cell),
  } satisfies Record<string, CommandHandler>;
}

export type CommandId = keyof ReturnType<typeof createCommands>;

/** `{ batchId }`: follow a batch in the Batches view until it completes (automation, tests). */
async function followFromCommand(p: CommandParts, node: unknown): Promise<void> {
  const batchId = p.view.batchIdOf(node);
  if (batchId) await p.poller.follow(batchId);
}

/**
 * Registers the table in one loop. A failure a handler throws is shown by the error reporter and
 * the command resolves: from a menu or the palette, VS Code would otherwise add a second, vaguer
 * message. A failure already shown ({@link ShownError}) rejects, which is how `open*` commands
 * called with arguments tell their caller that nothing is on screen.
 */
export function registerCommands(
  commands: Record<CommandId, CommandHandler>,
  errors: ErrorReporter,
): vscode.Disposable {
  return vscode.Disposable.from(
    ...Object.entries(commands).map(([id, handler]) =>
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          return await handler(...args);
        } catch (error) {
          if (error instanceof ShownError) throw error;
          void errors.show(error, { batchId: batchIdHint(args[0]) });
          return undefined;
        }
      }),
    ),
  );
}
