import * as path from 'node:path';
import * as vscode from 'vscode';
import { VERIFY_TIMEOUT_SECONDS, type BatchApi, type CreatedBatch } from '../core/batchApi';
import {
  collectAddresses,
  formatOfFileName,
  readAddresses,
  splitIntoBatches,
  type AddressList,
} from '../core/emailList';
import { BouncerError, isCancellation } from '../core/errors';
import { isObject } from '../core/guards';
import type { EmailRecord } from '../core/records';
import { localCount, localWait } from './units';
import type { BatchHistoryStore } from './batchHistoryStore';
import type { ApiTarget } from './downloadService';
import type { ErrorReporter } from './errorReporter';
import type { BouncerLog } from './log';
import type { TestSeam } from './prompts';
import { addressAtCursor, confirmCreation, pickCsvColumn, readListFile, sourceFromEditorOrFile } from './verifyInputs';

export interface VerifyCommandsDeps {
  log: BouncerLog;
  history: BatchHistoryStore;
  errors: ErrorReporter;
  /** The configured API; throws BouncerError('invalidBaseUrl'). */
  target(): ApiTarget;
  /** The API with the stored key; asks for a key when none is stored. */
  connect(target: ApiTarget): Promise<BatchApi>;
  /** After a creation: the credits shown changed. */
  refreshCredits(): void;
  /**
   * Called for every batch created here, once it is in the history. The follow-up (polling it
   * until completed, the completion notification) hooks in here.
   */
  onBatchCreated(batchId: string, created: CreatedBatch, source?: vscode.Uri): Promise<void> | void;
  /** Called after Finish Now or Delete from Bouncer changed a batch, so a poller can look again or stop. */
  onBatchChanged(batchId: string, change: 'finished' | 'deleted'): void;
  /** Integration tests answer the column pick and the confirmation here (test mode only). */
  seam?: TestSeam;
}

/**
 * Verify Emails… (create batches from a file, a selection or an argument), Finish Now and Delete
 * from Bouncer, and Verify This Email. With an argument every command asks nothing and rejects
 * (after showing the failure) when it did not happen, so automation learns of it.
 */
export class VerifyCommands {
  constructor(private readonly deps: VerifyCommandsDeps) {}

  /**
   * `bouncer.verifyEmails`: `{ emails, name? }` or `{ uri, column? }` for automation; from the
   * Explorer a file `Uri`; from the editor or the palette, the selection or the whole document.
   * @returns `{ batchIds }` of the created batches, or undefined when the person stopped.
   */
  async verifyEmails(arg?: unknown): Promise<{ batchIds: string[] } | undefined> {
    const automated = isObject(arg) && !(arg instanceof vscode.Uri) && ('emails' in arg || 'uri' in arg);
    if (!automated) return this.verifyInteractively(arg instanceof vscode.Uri ? arg : undefined);
    try {
      const { list, name, uri } = await this.listFromArgument(arg);
      return { batchIds: await this.create(list, name, uri) };
    } catch (error) {
      throw this.deps.errors.rejection(error);
    }
  }

  /** `bouncer.finishBatch`: stops processing now; Bouncer refunds the addresses not verified. */
  async finishBatch(arg?: unknown): Promise<void> {
    const { batchId, interactive } = this.batchArgument(arg);
    if (interactive) {
      const finish = vscode.l10n.t('Finish Now');
      const choice = await vscode.window.showWarningMessage(
        vscode.l10n.t('Finish batch {0} now?', batchId),
        {
          modal: true,
          detail: vscode.l10n.t(
            'Bouncer stops verifying it and refunds the credits of the addresses not verified yet. The results then hold only the addresses verified so far.',
          ),
        },
        finish,
      );
      if (choice !== finish) return;
    }
    await this.run(interactive, batchId, async (api, signal) => {
      await api.finishBatch(batchId, signal);
      await this.deps.history.markPending(this.deps.target().originKey, batchId, false);
    });
    this.deps.log.info(`Batch ${batchId} finished early.`);
    this.deps.onBatchChanged(batchId, 'finished');
    this.deps.refreshCredits();
    if (interactive) {
      void vscode.window.showInformationMessage(
        vscode.l10n.t('Bouncer stopped batch {0}; unverified addresses were refunded.', batchId),
      );
    }
  }

  /** `bouncer.deleteBatch`: deletes the batch and its results from Bouncer (not the copy downloaded here). */
  async deleteBatch(arg?: unknown): Promise<void> {
    const { batchId, interactive } = this.batchArgument(arg);
    if (interactive) {
      const remove = vscode.l10n.t('Delete from Bouncer');
      const choice = await vscode.window.showWarningMessage(
        vscode.l10n.t('Delete batch {0} from Bouncer?', batchId),
        {
          modal: true,
          detail: vscode.l10n.t(
            'Bouncer deletes the batch and its results; this cannot be undone. Results already downloaded here stay until you remove them from the list. Bouncer does not delete a batch while it is processing it.',
          ),
        },
        remove,
      );
      if (choice !== remove) return;
    }
    await this.run(interactive, batchId, async (api, signal) => {
      await api.deleteBatch(batchId, signal);
      const originKey = this.deps.target().originKey;
      const entry = this.deps.history.entry(originKey, batchId);
      // Nothing was downloaded: the entry would only lead to "does not exist" from now on.
      if (entry && entry.downloads.length === 0) await this.deps.history.remove(originKey, batchId);
      else await this.deps.history.markPending(originKey, batchId, false);
    });
    this.deps.log.info(`Batch ${batchId} deleted from Bouncer.`);
    this.deps.onBatchChanged(batchId, 'deleted');
    if (interactive) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Batch {0} was deleted from Bouncer.', batchId));
    }
  }

  /**
   * `bouncer.verifyEmail` ("Verify This Email"): the address selected or under the cursor, or
   * `{ email }`, checked now for one credit.
   * @returns the result record, or undefined when the person stopped.
   */
  async verifyEmail(arg?: unknown): Promise<EmailRecord | undefined> {
    const given = isObject(arg) && typeof arg.email === 'string' ? arg.email.trim() : undefined;
    const email = given ?? addressAtCursor();
    if (given === undefined) {
      if (email === undefined) {
        void vscode.window.showInformationMessage(
          vscode.l10n.t('Put the cursor on an email address, or select one, then run Verify This Email again.'),
        );
        return undefined;
      }
      const verify = vscode.l10n.t('Verify (1 Credit)');
      const choice = await vscode.window.showInformationMessage(
        vscode.l10n.t('Verify {0} now?', email),
        { modal: true, detail: vscode.l10n.t('Bouncer checks it in real time; this uses 1 credit.') },
        verify,
      );
      if (choice !== verify) return undefined;
    }
    const address = email ?? '';
    let record: EmailRecord;
    try {
      record = await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: vscode.l10n.t('Bouncer: verifying {0} (1 credit)', address),
          cancellable: true,
        },
        async (_progress, token) => {
          const api = await this.deps.connect(this.deps.target());
          return api.verifyEmail(address, abortOn(token), VERIFY_TIMEOUT_SECONDS);
        },
      );
    } catch (error) {
      if (given === undefined) {
        if (!isCancellation(error)) await this.deps.errors.show(error);
        return undefined;
      }
      throw this.deps.errors.rejection(error);
    }
    this.deps.refreshCredits();
    const score = record.score === undefined ? '' : vscode.l10n.t(', score {0}', String(record.score));
    void vscode.window.showInformationMessage(
      vscode.l10n.t('{0}: {1} ({2}){3}. This check used 1 credit.', record.email, record.status, record.reason, score),
    );
    return record;
  }

  /**
   * Asks as Verify Emails does (counts, credits, name), then creates. For addresses a person picked
   * elsewhere, such as rows of the results table. Resolves to the new batch IDs, or undefined when
   * the person stopped.
   */
  async confirmAndCreate(emails: string[], name: string): Promise<string[] | undefined> {
    const list = collectAddresses(emails);
    if (list.emails.length === 0) {
      throw new BouncerError(
        'invalidArgument',
        vscode.l10n.t('There are no email addresses to verify in what was selected.'),
      );
    }
    const confirmed = await this.confirm(list, name);
    return confirmed === undefined ? undefined : this.create(list, confirmed);
  }

  private async verifyInteractively(uri: vscode.Uri | undefined): Promise<{ batchIds: string[] } | undefined> {
    const source = await sourceFromEditorOrFile(uri);
    if (source === undefined) return undefined;
    if (source.format === 'csv') {
      const column = await pickCsvColumn(source.text, this.deps.seam);
      if (column === undefined) return undefined;
      source.column = column;
    }
    const list = readAddresses(source.text, source.format, source.column);
    if (list.invalid > 0) {
      this.deps.log.info(
        `Set aside ${list.invalid} lines without an address, e.g. ${list.invalidExamples.join(' | ')}`,
      );
    }
    if (list.emails.length === 0) {
      void vscode.window.showWarningMessage(
        vscode.l10n.t(
          'No email addresses found in {0} ({1} lines without an address). Select the addresses, or pick the email column, and try again.',
          source.label,
          list.invalid,
        ),
      );
      return undefined;
    }
    const name = await this.confirm(list, source.label);
    if (name === undefined) return undefined;
    return { batchIds: await this.create(list, name, source.uri) };
  }

  /** The one confirmation, with the credits left read first; resolves to the batch name. */
  private async confirm(list: AddressList, label: string): Promise<string | undefined> {
    const api = await this.deps.connect(this.deps.target());
    let credits: number | undefined;
    try {
      credits = await api.credits(AbortSignal.timeout(15_000));
    } catch (error) {
      // The count helps the decision but is not needed for it; a 402 still explains itself.
      this.deps.log.warn(`Credits not read before creating: ${error instanceof Error ? error.message : String(error)}`);
    }
    return confirmCreation(list, label, credits, this.deps.seam);
  }

  /** Creates one batch per 100,000 addresses, recording each in the history as soon as it exists. */
  private async create(list: AddressList, name: string, source?: vscode.Uri): Promise<string[]> {
    if (list.emails.length === 0) {
      throw new BouncerError(
        'invalidArgument',
        vscode.l10n.t('There are no email addresses to verify in what was given.'),
      );
    }
    const target = this.deps.target();
    const api = await this.deps.connect(target);
    const parts = splitIntoBatches(list.emails, name);
    const batchIds: string[] = [];
    await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: vscode.l10n.t('Bouncer: creating batches'),
        cancellable: true,
      },
      async (progress, token) => {
        const signal = abortOn(token);
        for (const [index, part] of parts.entries()) {
          const step =
            parts.length === 1
              ? vscode.l10n.t('sending {0} addresses', localCount(part.emails.length))
              : vscode.l10n.t('batch {0} of {1}', index + 1, parts.length);
          progress.report({ message: step });
          const created = await api.createBatch(part.emails, signal, {
            onWait: (ms) =>
              progress.report({
                message: vscode.l10n.t(
                  '{0}: Bouncer allows 60 new batches a minute and asks to wait {1}',
                  step,
                  localWait(ms),
                ),
              }),
          });
          await this.deps.history.recordCreated(target.originKey, created.batchId, part.name || undefined);
          batchIds.push(created.batchId);
          this.deps.log.info(
            `Created batch ${created.batchId} (${part.name || 'unnamed'}): ${created.quantity} addresses, ${created.duplicates} duplicates, ${created.status}.`,
          );
          await this.deps.onBatchCreated(created.batchId, created, source);
        }
      },
    );
    this.deps.refreshCredits();
    return batchIds;
  }

  private async listFromArgument(
    arg: Record<string, unknown>,
  ): Promise<{ list: AddressList; name: string; uri?: vscode.Uri }> {
    if ('emails' in arg) {
      if (!Array.isArray(arg.emails) || !arg.emails.every((e) => typeof e === 'string')) {
        throw new BouncerError('invalidArgument', vscode.l10n.t('"emails" must be an array of strings.'));
      }
      if (arg.name !== undefined && typeof arg.name !== 'string') {
        throw new BouncerError('invalidArgument', vscode.l10n.t('"name" must be a string.'));
      }
      return { list: collectAddresses(arg.emails as string[]), name: (arg.name as string | undefined) ?? '' };
    }
    if (typeof arg.uri !== 'string' && !(arg.uri instanceof vscode.Uri)) {
      throw new BouncerError('invalidArgument', vscode.l10n.t('"uri" must be a file URI string.'));
    }
    if (arg.column !== undefined && typeof arg.column !== 'string') {
      throw new BouncerError('invalidArgument', vscode.l10n.t('"column" must be the name of a CSV column.'));
    }
    const uri = typeof arg.uri === 'string' ? vscode.Uri.parse(arg.uri, true) : arg.uri;
    const text = await readListFile(uri);
    const base = path.posix.basename(uri.path);
    return {
      list: readAddresses(text, formatOfFileName(base), arg.column as string | undefined),
      name: base,
      uri,
    };
  }

  /** `{ batchId }` from automation (ask nothing), or a tree item / the tree's selection (confirm first). */
  private batchArgument(arg: unknown): { batchId: string; interactive: boolean } {
    const interactive = !isObject(arg) || arg.kind === 'batch';
    const raw = isObject(arg) ? arg.batchId : undefined;
    if (typeof raw !== 'string') {
      throw new BouncerError(
        'invalidArgument',
        vscode.l10n.t('Pick a batch in the Bouncer sidebar, or pass {0}.', '{ batchId }'),
      );
    }
    return { batchId: raw.trim(), interactive };
  }

  /** Runs one call under a cancellable notification; with an argument a failure rejects the command. */
  private async run(
    interactive: boolean,
    batchId: string,
    work: (api: BatchApi, signal: AbortSignal) => Promise<void>,
  ): Promise<void> {
    try {
      const api = await this.deps.connect(this.deps.target());
      await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: vscode.l10n.t('Bouncer: batch {0}', batchId),
          cancellable: true,
        },
        (_progress, token) => work(api, abortOn(token)),
      );
    } catch (error) {
      if (interactive) throw error;
      throw this.deps.errors.rejection(error, { batchId });
    }
  }
}

/** An AbortSignal that aborts when the notification's Cancel is pressed. */
function abortOn(token: vscode.CancellationToken): AbortSignal {
  const controller = new AbortController();
  if (token.isCancellationRequested) controller.abort();
  token.onCancellationRequested(() => controller.abort());
  return controller.signal;
}
