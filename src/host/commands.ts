import * as vscode from 'vscode';
import { BouncerError } from '../core/errors';
import { parseOpenArgs, type ResultsView } from '../core/openArgs';
import type { ApiKeyStore } from './apiKeyStore';
import type { BouncerConfig } from './config';
import type { BouncerLog } from './log';
import { askApiKey, askBatchId, askFilter, askView, type Dialogs } from './prompts';
import type { ResultsOpener } from './resultsOpener';

export interface CommandDeps {
  keys: ApiKeyStore;
  log: BouncerLog;
  opener: ResultsOpener;
  config: () => BouncerConfig;
  /** The configured API origin; throws BouncerError('invalidBaseUrl'). */
  origin: () => string;
  dialogs: Dialogs;
}

type Handler = (...args: unknown[]) => Promise<unknown> | unknown;

/**
 * Every command of the extension, id → handler, registered in one loop.
 * The ids are a contract (package.json, tests, other extensions): do not rename.
 */
export function createCommands(deps: CommandDeps): Record<string, Handler> {
  const openWith = (fixedView?: ResultsView): Handler =>
    async (arg?: unknown) => {
      let args;
      try {
        args = parseOpenArgs(arg);
      } catch (error) {
        await deps.opener.reportError(error, false);
        return;
      }
      if (args) {
        // An argument means automation or the sidebar: ask nothing; reject when nothing is shown.
        await deps.opener.open({ ...args, view: fixedView ?? args.view ?? 'table' }, false);
        return;
      }
      const batchId = await askBatchId();
      if (!batchId) return;
      const filter = await askFilter(deps.config().defaultFilter);
      if (!filter) return;
      const view = fixedView ?? (await askView());
      if (!view) return;
      await deps.opener.open({ batchId, filter, view }, true);
    };

  return {
    'bouncer.setApiKey': (arg?: unknown) => setApiKey(deps, typeof arg === 'string' ? arg : undefined),
    'bouncer.clearApiKey': async () => {
      const origin = deps.origin();
      await deps.keys.delete(origin);
      deps.log.info(`API key for ${origin} cleared.`);
      void vscode.window.showInformationMessage(vscode.l10n.t('Bouncer API key for {0} cleared.', origin));
    },
    'bouncer.openResults': openWith(),
    'bouncer.openResultsAsJson': openWith('json'),
    'bouncer.openResultsAsCsv': openWith('csv'),
    'bouncer.showResultsTable': openWith('table'),
    'bouncer.showLog': () => deps.log.show(),
  };
}

/**
 * Stores a key for the configured origin: from the argument (automation) or a password box.
 * Any extension can run this command, so an argument replaces a different stored key only when
 * the user agrees; the same key again changes nothing.
 */
export async function setApiKey(
  deps: Pick<CommandDeps, 'keys' | 'log' | 'origin' | 'dialogs'>,
  given?: string,
): Promise<boolean> {
  const origin = deps.origin();
  const fromArgument = given?.trim();
  if (fromArgument) {
    const stored = await deps.keys.get(origin);
    if (stored === fromArgument) return true;
    if (stored !== undefined && !(await deps.dialogs.confirmReplaceApiKey(origin))) {
      deps.log.info(`Kept the API key for ${origin}: replacing it with a key from a command argument was declined.`);
      return false;
    }
  }
  const key = fromArgument || (await askApiKey(origin));
  if (!key) return false;
  await deps.keys.set(origin, key);
  deps.log.info(`API key for ${origin} saved in secret storage.`);
  if (given === undefined) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Bouncer API key saved for {0}.', origin));
  }
  return true;
}

/**
 * Registers the table. A BouncerError escaping a handler (say, an unusable API URL setting)
 * becomes the same message-with-a-next-step as any download error; anything else propagates
 * to the caller, which is how `open*` commands called with arguments report failure.
 */
export function registerCommands(
  handlers: Record<string, Handler>,
  opener: ResultsOpener,
  log: BouncerLog,
): vscode.Disposable {
  return vscode.Disposable.from(
    ...Object.entries(handlers).map(([id, handler]) =>
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          return await handler(...args);
        } catch (error) {
          // What a command throws reaches its caller, possibly another extension: masked like the log.
          if (!(error instanceof BouncerError)) throw redacted(error, log);
          await opener.reportError(error, true);
          return undefined;
        }
      }),
    ),
  );
}

function redacted(error: unknown, log: BouncerLog): unknown {
  if (!(error instanceof Error)) return error;
  const message = log.redact(error.message);
  return message === error.message ? error : new Error(message);
}
