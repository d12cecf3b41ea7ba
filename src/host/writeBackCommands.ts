import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { localCount } from './units';
import { writeAtomically } from '../core/atomicFile';
import { describeChanges, diffBatches, type BatchDiff } from '../core/batchDiff';
import type { BatchStatus } from '../core/batchStatus';
import { looksLikeEmail } from '../core/emailColumn';
import { BouncerError } from '../core/errors';
import { isObject } from '../core/guards';
import { readRecords } from '../core/readRecords';
import {
  deliverableAddresses,
  emptySummary,
  indexResults,
  isCsvSource,
  joinCsv,
  parseWriteBackColumns,
  writeBackPath,
  type ResultsIndex,
  type WriteBackSummary,
} from '../core/writeBack';
import type { PanelSource } from '../shared/protocol';
import type { BatchHistoryStore } from './batchHistoryStore';
import type { BatchesView } from './batchesView';
import type { CachedResults } from './downloadService';
import type { BouncerLog } from './log';

/** Output is handed to the file this many characters at a time, so a large list never sits whole twice. */
const WRITE_CHUNK_CHARS = 256 * 1024;

export interface WriteBackDeps {
  view: BatchesView;
  history: BatchHistoryStore;
  log: BouncerLog;
  originKey(): string;
  neutralizeFormulas(): boolean;
  /** The batch's full results in the cache (JSON), downloading them first when missing. */
  results(batchId: string): Promise<CachedResults>;
  /**
   * Creates a batch from addresses and follows it: `bouncer.verifyEmails` with `{ emails, name }`,
   * or, with `confirm`, after the same confirmation Verify Emails shows. Resolves to the new batch
   * IDs, or undefined when the person stopped.
   */
  createBatch(emails: string[], name: string, confirm: boolean): Promise<string[] | undefined>;
  /** Follows a batch (marks it in the history with where it came from). */
  follow(batchId: string, info: { verifiedAgainFrom?: string; source?: string }): Promise<void>;
}

/**
 * Write Results Back (and its deliverable-only variant), the completion notification that offers
 * it, and Verify Again with the changes it brought. Failures are thrown to the command registry.
 */
export class WriteBackCommands {
  constructor(private readonly deps: WriteBackDeps) {}

  /**
   * `{ batchId, source, columns? }` writes `<source>.verified.csv` beside the source and resolves
   * to its Uri, asking nothing. From the tree, the source is the one the batch was created from,
   * else the user picks it. An earlier output of the same name is replaced atomically: it is
   * derived data, and numbering copies would leave the user guessing which is current.
   */
  async writeResultsBack(arg: unknown, onlyDeliverable = false): Promise<vscode.Uri | undefined> {
    const batchId = this.deps.view.batchIdOf(arg);
    if (!batchId) return undefined;
    const given = isObject(arg) ? arg.source : undefined;
    const columns = parseWriteBackColumns(isObject(arg) ? arg.columns : undefined);
    let source = toUri(given);
    if (given !== undefined && !source) {
      throw new BouncerError('invalidArgument', vscode.l10n.t('"source" must be a file Uri or a path.'));
    }
    source ??= await this.askSource(batchId);
    if (!source) return undefined;

    const cached = await this.deps.results(batchId);
    const results = await indexResults(readRecords(cached.path));
    const name = path.basename(writeBackPath(source.fsPath, onlyDeliverable));
    const target = vscode.Uri.joinPath(source, '..', name);
    const summary = emptySummary();
    if (isCsvSource(source.fsPath)) {
      const chunks = joinCsv(
        await sourceChunks(source),
        results,
        { columns, neutralizeFormulas: this.deps.neutralizeFormulas(), onlyDeliverable },
        summary,
      );
      await writeChunks(target, chunks);
    } else {
      // A plain list is read whole: only its deliverable addresses are kept, one short line each.
      const text = (await collectText(await sourceChunks(source))).join('');
      await writeChunks(target, [deliverableAddresses(text, results, summary)]);
    }
    this.deps.log.info(`Wrote ${target.fsPath} from batch ${batchId}: ${JSON.stringify(summary)}`);
    if (given === undefined) void this.announceWritten(target, summary);
    return target;
  }

  /** A followed batch completed: offer its table and, when its source is known, writing back. */
  async announceCompletion(batchId: string, status: BatchStatus): Promise<void> {
    const entry = this.deps.history.entry(this.deps.originKey(), batchId);
    const name = entry?.name ?? batchId;
    const showTable = vscode.l10n.t('Show Table');
    const writeBack = vscode.l10n.t('Write Results Back');
    const changes = entry?.verifiedAgainFrom ? vscode.l10n.t('Show Changes') : undefined;
    const choice = await vscode.window.showInformationMessage(
      status.quantity !== undefined
        ? vscode.l10n.t('Bouncer batch {0} completed: {1} emails verified.', name, localCount(status.quantity))
        : vscode.l10n.t('Bouncer batch {0} completed.', name),
      ...[showTable, writeBack, changes].filter((label): label is string => label !== undefined),
    );
    if (choice === showTable) await vscode.commands.executeCommand('bouncer.batches.showTable', { batchId });
    else if (choice === writeBack) await vscode.commands.executeCommand('bouncer.writeResultsBack', { batchId });
    else if (choice === changes) await vscode.commands.executeCommand('bouncer.batches.showChanges', { batchId });
  }

  /**
   * Verify Again: `{ batchId }` (or its `unknown` group in the tree) sends that batch's unknown
   * addresses as a new batch; `{ emails }` (a table selection) sends those. The new batch records
   * which one it verifies again. Resolves to `{ batchIds }`.
   */
  async verifyAgain(arg: unknown): Promise<{ batchIds: string[] } | undefined> {
    let emails: string[];
    let from: string | undefined;
    if (isObject(arg) && Array.isArray(arg.emails)) {
      emails = arg.emails.filter((e): e is string => typeof e === 'string' && looksLikeEmail(e)).map((e) => e.trim());
      from = typeof arg.batchId === 'string' ? this.deps.view.batchIdOf(arg) : undefined;
    } else {
      from = this.deps.view.batchIdOf(arg);
      if (!from) return undefined;
      const results = await indexResults(readRecords((await this.deps.results(from)).path));
      emails = [...results.values()].filter((r) => r.status === 'unknown').map((r) => r.email);
    }
    if (emails.length === 0) {
      throw new BouncerError(
        'invalidArgument',
        vscode.l10n.t('There are no addresses to verify again (the batch has no unknown ones).'),
      );
    }
    const batchIds = await this.createAgain(emails, from, false);
    return batchIds && { batchIds };
  }

  /**
   * Verify Selected Rows Again, from the results table: the emails the page sent (already checked
   * by the protocol), confirmed like Verify Emails. The new batch is linked to the table's batch
   * when that is a batch of the current API; a file opened in the table is no batch to link to.
   */
  async verifyFromTable(emails: string[], table: PanelSource): Promise<string[] | undefined> {
    const addresses = emails.map((e) => e.trim()).filter(looksLikeEmail);
    if (addresses.length === 0) {
      void vscode.window.showInformationMessage(
        vscode.l10n.t('The selected rows hold no email addresses to verify again. Select rows with addresses.'),
      );
      return undefined;
    }
    const linked = table.originKey === this.deps.originKey() ? table.batchId : undefined;
    return this.createAgain(addresses, linked, true);
  }

  private async createAgain(
    emails: string[],
    from: string | undefined,
    confirm: boolean,
  ): Promise<string[] | undefined> {
    const name = from
      ? vscode.l10n.t('{0} (again)', this.deps.history.entry(this.deps.originKey(), from)?.name ?? from)
      : vscode.l10n.t('Verify again');
    const batchIds = await this.deps.createBatch(emails, name, confirm);
    if (batchIds && from) {
      const source = this.deps.history.entry(this.deps.originKey(), from)?.source;
      for (const batchId of batchIds) await this.deps.follow(batchId, { verifiedAgainFrom: from, source });
    }
    return batchIds;
  }

  /**
   * Show Changes: for a batch made by Verify Again, each status change of its addresses since the
   * batch it verified again, with counts. Resolves to the diff (for automation).
   */
  async showChanges(arg: unknown): Promise<BatchDiff | undefined> {
    const batchId = this.deps.view.batchIdOf(arg);
    if (!batchId) return undefined;
    const from = this.deps.history.entry(this.deps.originKey(), batchId)?.verifiedAgainFrom;
    if (!from) {
      throw new BouncerError('invalidArgument', vscode.l10n.t('Batch {0} was not made by Verify Again.', batchId));
    }
    const [older, newer] = await Promise.all([this.index(from), this.index(batchId)]);
    const diff = diffBatches(older, newer);
    const lines = describeChanges(diff);
    const same = diff.unchanged.reduce((sum, c) => sum + c.count, 0);
    const message =
      lines.length === 0
        ? vscode.l10n.t(
            'Batch {0} changed nothing since batch {1}: {2} addresses kept their status.',
            batchId,
            from,
            same,
          )
        : vscode.l10n.t(
            'Batch {0} since batch {1}: {2}; {3} kept their status.',
            batchId,
            from,
            lines.join(', '),
            same,
          );
    if (!isObject(arg) || arg.quiet !== true) void vscode.window.showInformationMessage(message);
    this.deps.log.info(message);
    return diff;
  }

  private async index(batchId: string): Promise<ResultsIndex> {
    return indexResults(readRecords((await this.deps.results(batchId)).path));
  }

  private async askSource(batchId: string): Promise<vscode.Uri | undefined> {
    const known = this.deps.history.entry(this.deps.originKey(), batchId)?.source;
    if (known) return vscode.Uri.parse(known);
    const picked = await vscode.window.showOpenDialog({
      title: vscode.l10n.t('Write Results of Batch {0} Back Into…', batchId),
      canSelectMany: false,
      filters: { [vscode.l10n.t('Lists of addresses')]: ['csv', 'tsv', 'txt', 'json'] },
    });
    return picked?.[0];
  }

  private async announceWritten(target: vscode.Uri, summary: WriteBackSummary): Promise<void> {
    const open = vscode.l10n.t('Open');
    const unverified = summary.duplicates + summary.invalid + summary.missing + summary.notVerified;
    const choice = await vscode.window.showInformationMessage(
      vscode.l10n.t(
        'Wrote {0}: {1} rows, {2} with results, {3} without (duplicate, invalid, missing or not verified).',
        vscode.workspace.asRelativePath(target),
        localCount(summary.written),
        localCount(summary.verified),
        localCount(unverified),
      ),
      open,
    );
    if (choice === open) await vscode.window.showTextDocument(target);
  }
}

function toUri(value: unknown): vscode.Uri | undefined {
  if (value instanceof vscode.Uri) return value;
  if (typeof value === 'string' && value.length > 0) {
    return /^[a-z][a-z0-9+.-]+:/i.test(value) && !/^[a-z]:[\\/]/i.test(value)
      ? vscode.Uri.parse(value)
      : vscode.Uri.file(value);
  }
  // A Uri that went through JSON (another extension, a test over a remote boundary).
  if (isObject(value) && typeof value.scheme === 'string' && typeof value.path === 'string') {
    return vscode.Uri.from({
      scheme: value.scheme,
      path: value.path,
      authority: typeof value.authority === 'string' ? value.authority : '',
    });
  }
  return undefined;
}

/** The source file is read this many bytes at a time. */
const READ_CHUNK_BYTES = 1024 * 1024;

/**
 * The source as text chunks: the editor's text when it has unsaved edits, else the file streamed
 * from disk (UTF-8 decoded across chunk ends; a BOM is kept), so a large list is never one string.
 * A file that cannot be opened fails at the first chunk, before the output is in place.
 */
async function sourceChunks(uri: vscode.Uri): Promise<AsyncIterable<string> | Iterable<string>> {
  const open = vscode.workspace.textDocuments.find((doc) => doc.uri.toString() === uri.toString());
  if (open?.isDirty) return slices(open.getText());
  const unreadable = (error: unknown) =>
    new BouncerError(
      'invalidArgument',
      vscode.l10n.t('The source file {0} cannot be read. Check that it exists.', uri.fsPath),
      {
        cause: error,
      },
    );
  if (uri.scheme !== 'file') {
    try {
      return [new TextDecoder('utf-8', { ignoreBOM: true }).decode(await vscode.workspace.fs.readFile(uri))];
    } catch (error) {
      throw unreadable(error);
    }
  }
  const file = uri.fsPath;
  return (async function* () {
    // Opened here, not before: a reader that is never started would never close it.
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(file, 'r');
    } catch (error) {
      throw unreadable(error);
    }
    const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
    const buffer = Buffer.alloc(READ_CHUNK_BYTES);
    try {
      for (;;) {
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
        if (bytesRead === 0) break;
        yield decoder.decode(buffer.subarray(0, bytesRead), { stream: true });
      }
      yield decoder.decode();
    } finally {
      await handle.close();
    }
  })();
}

/** Text already in memory, handed on a chunk at a time so the output is built a chunk at a time too. */
function* slices(text: string): Generator<string> {
  for (let at = 0; at < text.length; at += READ_CHUNK_BYTES) yield text.slice(at, at + READ_CHUNK_BYTES);
}

async function collectText(chunks: AsyncIterable<string> | Iterable<string>): Promise<string[]> {
  const all: string[] = [];
  for await (const chunk of chunks) all.push(chunk);
  return all;
}

/** Writes the chunks to `target`: atomically on disk (the old file stays until the new one is whole). */
async function writeChunks(target: vscode.Uri, chunks: AsyncIterable<string> | Iterable<string>): Promise<void> {
  if (target.scheme !== 'file') {
    const text = (await collectText(chunks)).join('');
    await vscode.workspace.fs.writeFile(target, Buffer.from(text, 'utf8'));
    return;
  }
  await writeAtomically(target.fsPath, async (writer) => {
    let pending = '';
    for await (const chunk of chunks) {
      pending += chunk;
      if (pending.length >= WRITE_CHUNK_CHARS) {
        await writer.write(pending);
        pending = '';
      }
    }
    if (pending.length > 0) await writer.write(pending);
  });
}

/**
 * Creates a batch through `bouncer.verifyEmails` with `{ emails, name }`, which resolves to
 * `{ batchIds }` once created (and follows them). Until that command exists this rejects with
 * VS Code's "command not found", which the registry shows.
 */
export async function createBatchThroughVerifyEmails(emails: string[], name: string): Promise<string[]> {
  const result = await vscode.commands.executeCommand<unknown>('bouncer.verifyEmails', { emails, name });
  if (!isObject(result) || !Array.isArray(result.batchIds)) {
    throw new BouncerError('cancelled', 'No batch was created.');
  }
  return result.batchIds.filter((id): id is string => typeof id === 'string');
}
