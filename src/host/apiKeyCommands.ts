import * as vscode from 'vscode';
import type { ApiKeyStore } from './apiKeyStore';
import type { BouncerLog } from './log';
import { askApiKey, type Dialogs } from './prompts';

export interface ApiKeyCommandsDeps {
  keys: ApiKeyStore;
  log: BouncerLog;
  dialogs: Dialogs;
  /** The configured API origin; throws BouncerError('invalidBaseUrl'). */
  origin(): string;
}

/** Setting and clearing the API key of the configured origin. */
export class ApiKeyCommands {
  constructor(private readonly deps: ApiKeyCommandsDeps) {}

  /**
   * Stores a key for the configured origin: from the argument (automation) or a password box.
   * Any extension can run this command, so an argument replaces a different stored key only when
   * the user agrees; the same key again changes nothing. Resolves to whether a key is now set.
   */
  async set(given?: string): Promise<boolean> {
    const { keys, log, dialogs } = this.deps;
    const origin = this.deps.origin();
    const fromArgument = given?.trim();
    if (fromArgument) {
      const stored = await keys.get(origin);
      if (stored === fromArgument) return true;
      if (stored !== undefined && !(await dialogs.confirmReplaceApiKey(origin))) {
        log.info(`Kept the API key for ${origin}: replacing it with a key from a command argument was declined.`);
        return false;
      }
    }
    const key = fromArgument || (await askApiKey(origin));
    if (!key) return false;
    await keys.set(origin, key);
    log.info(`API key for ${origin} saved in secret storage.`);
    if (given === undefined) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Bouncer API key saved for {0}.', origin));
    }
    return true;
  }

  async clear(): Promise<void> {
    const origin = this.deps.origin();
    await this.deps.keys.delete(origin);
    this.deps.log.info(`API key for ${origin} cleared.`);
    void vscode.window.showInformationMessage(vscode.l10n.t('Bouncer API key for {0} cleared.', origin));
  }

  /** The first download without a key asks for one rather than failing. */
  async askForDownload(origin: string): Promise<string | undefined> {
    const key = await askApiKey(origin);
    if (key) await this.deps.keys.set(origin, key);
    return key;
  }
}
