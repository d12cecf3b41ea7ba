import * as vscode from 'vscode';
import { byteSize } from '../core/format';
import { waitSpan } from '../core/retryPolicy';

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
 * A list for a message, e.g. `a, b or c`, joined as the user's language joins one ("or" for a
 * choice, "and" for a set); the items themselves are names (filters, columns) and stay as they are.
 */
export function localList(items: readonly string[], type: 'conjunction' | 'disjunction'): string {
  try {
    return new Intl.ListFormat(vscode.env.language, { type }).format(items);
  } catch {
    // A language tag Intl does not know: English joining beats failing the message.
    return new Intl.ListFormat('en', { type }).format(items);
  }
}
