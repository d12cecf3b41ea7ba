import * as vscode from 'vscode';
import { validateBatchId } from '../core/batchId';
import type { ResultsView } from '../core/openArgs';
import { DOWNLOAD_FILTERS, type DownloadFilter } from '../core/records';

/** Asks for a batch ID; the input box itself refuses invalid IDs, so no request is ever made for one. */
export async function askBatchId(): Promise<string | undefined> {
  const raw = await vscode.window.showInputBox({
    title: vscode.l10n.t('Open Batch Results'),
    prompt: vscode.l10n.t('Bouncer batch ID'),
    placeHolder: vscode.l10n.t('e.g. 5f3c2a1b9d8e7f6a5b4c3d2e'),
    ignoreFocusOut: true,
    validateInput: (value) => {
      const result = validateBatchId(value);
      return result.ok ? undefined : result.message;
    },
  });
  if (raw === undefined) return undefined;
  const result = validateBatchId(raw);
  return result.ok ? result.id : undefined;
}

export async function askFilter(defaultFilter: DownloadFilter): Promise<DownloadFilter | undefined> {
  const labels: Record<DownloadFilter, string> = {
    all: vscode.l10n.t('All results'),
    deliverable: vscode.l10n.t('Deliverable'),
    risky: vscode.l10n.t('Risky'),
    undeliverable: vscode.l10n.t('Undeliverable'),
    unknown: vscode.l10n.t('Unknown'),
  };
  const ordered = [defaultFilter, ...DOWNLOAD_FILTERS.filter((f) => f !== defaultFilter)];
  const pick = await vscode.window.showQuickPick(
    ordered.map((filter) => ({ label: labels[filter], description: filter, filter })),
    { title: vscode.l10n.t('Which results?'), placeHolder: vscode.l10n.t('Status filter'), ignoreFocusOut: true },
  );
  return pick?.filter;
}

export async function askView(): Promise<ResultsView | undefined> {
  const items: Array<vscode.QuickPickItem & { view: ResultsView }> = [
    {
      label: '$(table) ' + vscode.l10n.t('Table'),
      detail: vscode.l10n.t('Sort, filter and search in a fast table'),
      view: 'table',
    },
    { label: '$(json) ' + vscode.l10n.t('JSON'), detail: vscode.l10n.t('Open as a new JSON editor tab'), view: 'json' },
    { label: '$(file) ' + vscode.l10n.t('CSV'), detail: vscode.l10n.t('Open as a new CSV editor tab'), view: 'csv' },
  ];
  const pick = await vscode.window.showQuickPick(items, {
    title: vscode.l10n.t('Show results as'),
    ignoreFocusOut: true,
  });
  return pick?.view;
}

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
      return vscode.window.showErrorMessage(shown, ...items);
    },
  };
}
