import * as vscode from 'vscode';

/** The sentences a results panel shows in place of rows, each saying what to do next. */
export const PANEL_TEXT = {
  downloadFailed: (batchId: string): string =>
    vscode.l10n.t(
      'The download of batch {0} did not finish, so no rows are shown: an incomplete download is never shown as the batch. Retry to download it again.',
      batchId,
    ),
  cacheGone: (batchId: string): string =>
    vscode.l10n.t(
      'The downloaded results for batch {0} are no longer on disk. Run "Bouncer: Open Batch Results…" to download them again, or Retry once they are back.',
      batchId,
    ),
  unreadable: (batchId: string): string =>
    vscode.l10n.t(
      'The downloaded results for batch {0} could not be read. Open the batch again to download a fresh copy.',
      batchId,
    ),
};
