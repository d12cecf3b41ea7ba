import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  csvLayout,
  csvRows,
  formatOfFileName,
  splitIntoBatches,
  type AddressList,
  type ListFormat,
} from '../core/emailList';
import { looksLikeEmail } from '../core/emailColumn';
import { BouncerError } from '../core/errors';
import type { TestSeam } from './prompts';
import { localBytes, localCount } from './units';

// Verify Emails' inputs: where the addresses come from (the editor, a file, the cursor) and the
// questions asked about them (the email column, the one confirmation). The commands that use them
// are in verifyCommands.ts.

/** A list file larger than this is not a contacts list anyone meant to verify in one go. */
const MAX_LIST_FILE_BYTES = 256 * 1024 * 1024;

/** Where the addresses come from, once the command's argument or the editor was read. */
export interface ListSource {
  text: string;
  format: ListFormat;
  /** The file the addresses were read from, for writing the results back beside it. */
  uri?: vscode.Uri;
  /** Shown in the confirmation and the default batch name. */
  label: string;
  column?: string;
}

/** The selected text, or the address the cursor is on, in the active editor. */
export function addressAtCursor(): string | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor) return undefined;
  const selected = editor.document.getText(editor.selection).trim();
  if (selected !== '') return looksLikeEmail(selected) ? selected : undefined;
  const range = editor.document.getWordRangeAtPosition(
    editor.selection.active,
    /[^\s<>()[\]"',;:]+@[^\s<>()[\]"',;:]+/,
  );
  const word = range && editor.document.getText(range).replace(/\.+$/, '');
  return word && looksLikeEmail(word) ? word : undefined;
}

/**
 * From the Explorer: the file. From the editor or the palette: the selection (with the CSV's header
 * put back in front of it) or else the whole document. With neither, a file picker.
 */
export async function sourceFromEditorOrFile(uri: vscode.Uri | undefined): Promise<ListSource | undefined> {
  const editor = vscode.window.activeTextEditor;
  const fromEditor = editor && (uri === undefined || editor.document.uri.toString() === uri.toString());
  if (editor && fromEditor) {
    const document = editor.document;
    const base = path.posix.basename(document.uri.path) || vscode.l10n.t('Untitled');
    const format = document.languageId === 'json' ? 'json' : formatOfFileName(base);
    const selections = editor.selections.filter((s) => !s.isEmpty);
    const uri = document.isUntitled ? undefined : document.uri;
    if (selections.length === 0) return { text: document.getText(), format, label: base, uri };
    const selected = selections.map((s) => document.getText(s)).join('\n');
    if (format === 'csv') {
      // A few selected rows lack the header that names the email column: put it back.
      const startsAtTop = selections.some((s) => s.start.line === 0);
      const text = startsAtTop ? selected : `${document.lineAt(0).text}\n${selected}`;
      return { text, format, label: vscode.l10n.t('{0} (selection)', base), uri };
    }
    return { text: selected, format: 'text', label: vscode.l10n.t('{0} (selection)', base), uri };
  }
  let file = uri;
  if (file === undefined) {
    const picked = await vscode.window.showOpenDialog({
      title: vscode.l10n.t('Verify Emails: pick a list of addresses'),
      filters: { [vscode.l10n.t('Address lists')]: ['csv', 'txt', 'json'] },
      canSelectMany: false,
    });
    file = picked?.[0];
    if (file === undefined) return undefined;
  }
  const base = path.posix.basename(file.path);
  return { text: await readListFile(file), format: formatOfFileName(base), label: base, uri: file };
}

/** The file's text, from its open editor when there is one (unsaved edits count). */
export async function readListFile(uri: vscode.Uri): Promise<string> {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open) return open.getText();
  let size: number;
  try {
    size = (await vscode.workspace.fs.stat(uri)).size;
  } catch (error) {
    throw new BouncerError(
      'invalidArgument',
      vscode.l10n.t('The file {0} cannot be read.', uri.fsPath || uri.toString()),
      {
        cause: error,
      },
    );
  }
  if (size > MAX_LIST_FILE_BYTES) {
    throw new BouncerError(
      'invalidArgument',
      vscode.l10n.t('The file is {0}: too large for a list of addresses. Split it first.', localBytes(size)),
    );
  }
  return new TextDecoder('utf-8').decode(await vscode.workspace.fs.readFile(uri));
}

/** The email column, preselected as recognised; the person may pick another. */
export async function pickCsvColumn(text: string, seam: TestSeam | undefined): Promise<string | undefined> {
  const rows = csvRows(text);
  const layout = csvLayout(rows);
  if (layout.header.length === 0) return undefined;
  const sample = layout.headerless ? rows[0] : rows[1];
  const items = layout.header.map((name, index) => ({
    // A headerless CSV's names are core's English "Column 1", …: the same numbering, worded here.
    label: layout.headerless || !name ? vscode.l10n.t('Column {0}', index + 1) : name,
    description: index === layout.emailColumn ? vscode.l10n.t('recognised as the email column') : undefined,
    detail: sample?.[index] ? vscode.l10n.t('e.g. {0}', sample[index].slice(0, 80)) : undefined,
    name,
    index,
  }));
  const ordered =
    layout.emailColumn >= 0
      ? [items[layout.emailColumn], ...items.filter((i) => i.index !== layout.emailColumn)]
      : items;
  if (ordered.length === 1) return ordered[0].name;
  if (seam && seam.verifyAnswers.length > 0) {
    seam.verifySteps.push({ kind: 'column', labels: ordered.map((i) => i.label), preselected: ordered[0]?.label });
    const answer = seam.verifyAnswers.shift();
    if (answer?.type !== 'column') return undefined;
    return (answer.label === undefined ? ordered[0] : ordered.find((i) => i.label === answer.label))?.name;
  }
  const pick = await vscode.window.showQuickPick(ordered, {
    title: vscode.l10n.t('Verify Emails: which column holds the addresses?'),
    placeHolder:
      layout.nameColumn >= 0 ? vscode.l10n.t('Names come from "{0}"', layout.header[layout.nameColumn]) : undefined,
    ignoreFocusOut: true,
  });
  return pick?.name;
}

/** The one confirmation before anything is sent; resolves to the batch name, or undefined to stop. */
export async function confirmCreation(
  list: AddressList,
  label: string,
  credits: number | undefined,
  seam: TestSeam | undefined,
): Promise<string | undefined> {
  let name = label;
  const count = list.emails.length;
  for (;;) {
    const parts = splitIntoBatches(list.emails, name);
    const lines = [
      vscode.l10n.t(
        '{0} addresses ({1} duplicates dropped, {2} lines without an address set aside).',
        localCount(count),
        localCount(list.duplicates),
        localCount(list.invalid),
      ),
      credits === undefined
        ? vscode.l10n.t('Cost: {0} credits. Credits left: unknown.', localCount(count))
        : vscode.l10n.t('Cost: {0} credits. Credits left: {1}.', localCount(count), localCount(credits)),
      ...(credits !== undefined && credits < count
        ? [vscode.l10n.t('Not enough credits: {0} missing.', localCount(count - credits))]
        : []),
      parts.length === 1
        ? vscode.l10n.t('Batch name: {0}', name)
        : vscode.l10n.t(
            '{0} batches of at most 100,000: {1} … {2}',
            parts.length,
            parts[0].name,
            parts.at(-1)?.name ?? '',
          ),
    ];
    const verify = vscode.l10n.t('Verify {0} Addresses', localCount(count));
    const rename = vscode.l10n.t('Change Name…');
    const message = vscode.l10n.t('Verify {0} addresses with Bouncer?', localCount(count));
    if (seam && seam.verifyAnswers.length > 0) {
      seam.verifySteps.push({ kind: 'confirm', message, detail: lines.join('\n') });
      return seam.verifyAnswers.shift()?.type === 'confirm' ? name : undefined;
    }
    const choice = await vscode.window.showInformationMessage(
      message,
      { modal: true, detail: lines.join('\n') },
      verify,
      rename,
    );
    if (choice === verify) return name;
    if (choice !== rename) return undefined;
    const given = await vscode.window.showInputBox({
      title: vscode.l10n.t('Batch name'),
      prompt: vscode.l10n.t('Shown in the Bouncer sidebar; kept on this machine only.'),
      value: name,
    });
    if (given !== undefined) name = given.trim();
  }
}
