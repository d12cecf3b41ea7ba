import * as vscode from 'vscode';
import { BouncerError, isCancellation } from '../core/errors';
import { actionLabel, describeError, describeUnexpected, type ErrorAction } from './errorMessages';
import type { BouncerLog } from './log';
import type { Dialogs } from './prompts';

/** What a failure is about, and how to try it again: decides which buttons its message offers. */
export interface NextSteps {
  /** The batch the failure is about: named in the message, and what "Wait for It" waits for. */
  batchId?: string;
  /** Runs the failed work again: after Retry, a new key, or the batch completing. No Retry button without it. */
  retry?: () => Promise<void>;
}

/**
 * A failure already shown to the user, passed on to a caller that must learn nothing happened
 * (another extension running a command with arguments). Its message is the one shown, masked.
 */
export class ShownError extends Error {}

export interface ErrorReporterDeps {
  log: BouncerLog;
  dialogs: Dialogs;
  /** Asks for a key and stores it; false when none was given. */
  setApiKey(): Promise<boolean>;
  waitForCompletion(batchId: string): Promise<unknown>;
}

/**
 * The one way a failure reaches the user: the details go to the log, the user gets one sentence
 * saying what happened and what to do next (see errorMessages.ts), with a button for each next
 * step it can really take; every button is handled here. Cancellation is logged and shown to nobody.
 */
export class ErrorReporter {
  constructor(private readonly deps: ErrorReporterDeps) {}

  /** Shows the failure; resolves once the user has answered and whatever their button started has finished. */
  show(error: unknown, next: NextSteps = {}): Promise<void> {
    return this.report(error, next).answered;
  }

  /**
   * Shows the failure without waiting for the user, and returns what a caller that must fail
   * rejects with; the message's buttons keep working after that caller has moved on.
   */
  rejection(error: unknown, next: NextSteps = {}): ShownError {
    const { shown, answered } = this.report(error, next);
    void answered;
    return new ShownError(shown);
  }

  private report(error: unknown, next: NextSteps): { shown: string; answered: Promise<void> } {
    if (isCancellation(error)) {
      this.deps.log.info(`Cancelled${next.batchId ? ` (${next.batchId})` : ''}.`);
      return { shown: (error as BouncerError).message, answered: Promise.resolve() };
    }
    // Anything that is not a BouncerError is a fault of ours or of the machine (a file that
    // cannot be read, an editor that would not open), not of the download: say so, not "invalid body".
    const message =
      error instanceof BouncerError ? describeError(error, next.batchId) : describeUnexpected(error, next.batchId);
    this.deps.log.error(logLine(error));
    const buttons = [...message.actions, 'showLog' as const].filter(
      (action, i, all) => all.indexOf(action) === i && this.canTake(action, next),
    );
    const answered = this.answer(message.text, buttons, { ...next, setting: message.setting });
    return { shown: this.deps.log.redact(message.text), answered };
  }

  private async answer(text: string, buttons: ErrorAction[], next: NextSteps & { setting?: string }): Promise<void> {
    const label = await this.deps.dialogs.showError(text, ...buttons.map(actionLabel));
    try {
      await this.take(
        buttons.find((action) => actionLabel(action) === label),
        next,
      );
    } catch (error) {
      // A step that fails (a new key for an unusable URL setting) is shown like any failure.
      await this.show(error);
    }
  }

  /** A button that would do nothing is not offered. */
  private canTake(action: ErrorAction, next: NextSteps): boolean {
    if (action === 'retry') return next.retry !== undefined;
    if (action === 'waitForCompletion') return next.batchId !== undefined;
    return true;
  }

  private async take(action: ErrorAction | undefined, next: NextSteps & { setting?: string }): Promise<void> {
    switch (action) {
      case 'showLog':
        this.deps.log.show();
        return;
      case 'openSettings':
        await vscode.commands.executeCommand('workbench.action.openSettings', next.setting ?? 'bouncer.');
        return;
      case 'openResults':
        await vscode.commands.executeCommand('bouncer.openResults');
        return;
      case 'setApiKey':
        if (await this.deps.setApiKey()) await next.retry?.();
        return;
      case 'retry':
        await next.retry?.();
        return;
      case 'waitForCompletion':
        if (next.batchId && (await this.waited(next.batchId))) await next.retry?.();
        return;
    }
  }

  private async waited(batchId: string): Promise<boolean> {
    try {
      await this.deps.waitForCompletion(batchId);
      return true;
    } catch (error) {
      await this.show(error, { batchId });
      return false;
    }
  }
}

/** One log line with everything the message leaves out (never the key: the log redacts it too). */
function logLine(error: unknown): string {
  if (!(error instanceof BouncerError)) {
    return `Unexpected: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
  }
  return (
    `${error.kind}${error.httpStatus ? ` (HTTP ${error.httpStatus})` : ''}: ${error.message}` +
    (error.serverMessage ? ` — server: ${error.serverMessage}` : '') +
    (error.detail ? ` — ${error.detail}` : '')
  );
}
