import * as vscode from 'vscode';
import { byteSize } from '../core/format';
import { waitSpan } from '../core/retryPolicy';

/**
 * A count for a message, e.g. `1,234`, grouped as VS Code's display language groups digits (not
 * the extension host's own locale, which can differ).
 */
export function localCount(n: number): string {
  return n.toLocaleString(vscode.env.language);
}

/** A byte count for a message, e.g. `12.3 MB`, with the number and the unit in the user's language. */
export function localBytes(bytes: number): string {
  const { value, unit, digits } = byteSize(bytes);
  const n = value.toLocaleString(vscode.env.language, { minimumFractionDigits: digits, maximumFractionDigits: digits });
  switch (unit) {
    case 'B':
      return vscode.l10n.t('{0} B', n);
    case 'KB':
      return vscode.l10n.t('{0} KB', n);
    case 'MB':
      return vscode.l10n.t('{0} MB', n);
    case 'GB':
      return vscode.l10n.t('{0} GB', n);
    case 'TB':
      return vscode.l10n.t('{0} TB', n);
  }
}

/** A wait the server asked for, e.g. `12 min`, in the user's language; rounded up as `waitSpan` does. */
export function localWait(ms: number): string {
  const span = waitSpan(ms);
  if ('seconds' in span) return vscode.l10n.t('{0} s', span.seconds);
  if (!('hours' in span)) return vscode.l10n.t('{0} min', span.minutes);
  return span.minutes === 0
    ? vscode.l10n.t('{0} h', span.hours)
    : vscode.l10n.t('{0} h {1} min', span.hours, span.minutes);
}

/**
 * A choice for a message, e.g. `a, b or c`, as core's English messages word it, with the "or" in
 * the user's language; the items are names (filters, formats) and stay as they are. Not
 * `Intl.ListFormat`: its English adds a comma before "or", so English would differ from the log.
 */
export function localOneOf(items: readonly string[]): string {
  if (items.length < 2) return items.join('');
  return vscode.l10n.t('{0} or {1}', items.slice(0, -1).join(', '), items[items.length - 1]);
}
