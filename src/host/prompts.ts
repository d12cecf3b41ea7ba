import * as vscode from 'vscode';

/** Password box for the API key; the value is never echoed, logged or put in settings. */
export async function askApiKey(origin: string): Promise<string | undefined> {
  const key = await vscode.window.showInputBox({
    title: vscode.l10n.t('Bouncer API Key'),
    prompt: vscode.l10n.t("API key for {0}. It is kept in VS Code's secret storage for this API only.", origin),
    password: true,
    ignoreFocusOut: true,
    validateInput: (value) =>
      value.trim() ? undefined : vscode.l10n.t('Enter the API key from your Bouncer account.'),
  });
  const trimmed = key?.trim();
  return trimmed ? trimmed : undefined;
}

/**
 * Test seam. Inside the extension host nobody can click a modal dialog or read a notification, so
 * when VS Code runs the extension for tests (`ExtensionMode.Test`) the integration tests get this
 * object through `BouncerExtensionApi.testing` and answer or read here instead. It exists in no
 * other mode: no other extension can answer a question meant for the user.
 */
export class TestSeam {
  /** When set, the answer to "replace the stored API key?" instead of the modal dialog. */
  replaceApiKeyAnswer: boolean | undefined;
  /** The origin of each "replace the stored API key?" question asked, answered here or not. */
  readonly replaceApiKeyQuestions: string[] = [];
  /** Every error message shown, exactly as shown, with the labels of its buttons. */
  readonly shownErrors: { text: string; buttons: string[] }[] = [];
  /** Button labels to press on the next error messages, in order, instead of waiting for a person. */
  readonly errorAnswers: string[] = [];
  /**
   * Answers to the open prompt's steps (batch, filter, view), taken in order. While this holds any,
   * an `open*` command without arguments answers from here instead of showing the quick input.
   */
  readonly openAnswers: OpenAnswer[] = [];
  /** Each step of the open prompt shown while answering from `openAnswers`. */
  readonly openSteps: OpenStepSeen[] = [];
  /**
   * Answers to Verify Emails' questions (a CSV's column, then the confirmation), taken in order.
   * While this holds any, those questions are answered here instead of on screen.
   */
  readonly verifyAnswers: VerifyAnswer[] = [];
  /** Each question Verify Emails asked while answering from `verifyAnswers`. */
  readonly verifySteps: VerifyStepSeen[] = [];
}

/** Pick a CSV column by its label (the preselected one when absent), confirm, or close the question. */
export type VerifyAnswer = { type: 'column'; label?: string } | { type: 'confirm' } | { type: 'cancel' };

/** A question of Verify Emails as shown: the column pick with its rows, or the confirmation's text. */
export type VerifyStepSeen =
  | { kind: 'column'; labels: string[]; preselected: string | undefined }
  | { kind: 'confirm'; message: string; detail: string };

/** One answer to a step of the open prompt: type text, pick a row by its label, go Back, or close. */
export type OpenAnswer =
  { type: 'type'; text: string } | { type: 'pick'; label: string } | { type: 'back' } | { type: 'cancel' };

/** A step of the open prompt as shown: its counter, its rows, the row selected, and answers it refused. */
export interface OpenStepSeen {
  title: string;
  step: number;
  totalSteps: number;
  labels: string[];
  active: string | undefined;
  /** Text in the box when the step opened. */
  value: string | undefined;
  errors: string[];
}

/** What the extension puts in front of a person that tests must be able to answer or read. */
export interface Dialogs {
  /** Modal: may a key given by a command argument replace the different key stored for this origin? */
  confirmReplaceApiKey(origin: string): Promise<boolean>;
  /** Puts an error message on screen, through the log's redactor first; only `ErrorReporter` calls it. */
  showError(text: string, ...items: string[]): Thenable<string | undefined>;
}

export function createDialogs(redact: (text: string) => string, seam: TestSeam | undefined): Dialogs {
  return {
    confirmReplaceApiKey: async (origin) => {
      seam?.replaceApiKeyQuestions.push(origin);
      if (seam?.replaceApiKeyAnswer !== undefined) return seam.replaceApiKeyAnswer;
      const replace = vscode.l10n.t('Replace Key');
      const choice = await vscode.window.showWarningMessage(
        vscode.l10n.t('Replace the Bouncer API key stored for {0}?', origin),
        {
          modal: true,
          detail: vscode.l10n.t(
            'A command, run by another extension or a keybinding, is setting a different key. Replace it only if you started this; otherwise the stored key stays.',
          ),
        },
        replace,
      );
      return choice === replace;
    },
    showError: (text, ...items) => {
      // A server can echo the key in its own words, and a user can paste it where a batch ID goes.
      const shown = redact(text);
      seam?.shownErrors.push({ text: shown, buttons: items });
      if (seam && seam.errorAnswers.length > 0) return Promise.resolve(seam.errorAnswers.shift());
      return vscode.window.showErrorMessage(shown, ...items);
    },
  };
}
