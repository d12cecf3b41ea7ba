import type { EmailRecord } from '../core/records';
import { textAt, type DictColumn, type NumColumn, type ResultsStore } from './store';

/**
 * Rebuilds the EmailRecord of one row from the columns, for copy, export and row details.
 * Optional groups (`domain`, `account`, `dns`) come back only when some field of theirs was present.
 */
export function recordAt(store: ResultsStore, row: number): EmailRecord {
  const { dict, num, text } = store;
  const d = (id: keyof ResultsStore['dict']): string | undefined => {
    const column = dict[id];
    const code = column.codes[row];
    return code === 0 ? undefined : column.values[code];
  };
  const record: EmailRecord = {
    email: textAt(text.email, row),
    status: d('status') ?? '',
    reason: d('reason') ?? '',
  };
  if (text.name.present?.[row] === 1) record.name = textAt(text.name, row);
  const domainName = d('domain.name');
  const acceptAll = d('domain.acceptAll');
  const disposable = d('domain.disposable');
  const free = d('domain.free');
  if (domainName !== undefined || acceptAll !== undefined || disposable !== undefined || free !== undefined) {
    record.domain = {
      name: domainName ?? '',
      acceptAll: acceptAll ?? '',
      disposable: disposable ?? '',
      free: free ?? '',
    };
  }
  const role = d('account.role');
  const disabled = d('account.disabled');
  const fullMailbox = d('account.fullMailbox');
  if (role !== undefined || disabled !== undefined || fullMailbox !== undefined) {
    record.account = { role: role ?? '', disabled: disabled ?? '', fullMailbox: fullMailbox ?? '' };
  }
  const dnsType = d('dns.type');
  const dnsRecord = d('dns.record');
  if (dnsType !== undefined || dnsRecord !== undefined) {
    record.dns = { type: dnsType ?? '' };
    if (dnsRecord !== undefined) record.dns.record = dnsRecord;
  }
  const provider = d('provider');
  if (provider !== undefined) record.provider = provider;
  const score = numberOrGiven(num.score, row);
  if (score !== undefined) record.score = score;
  const toxic = d('toxic');
  if (toxic !== undefined) record.toxic = toxic;
  const toxicity = numberOrGiven(num.toxicity, row);
  if (toxicity !== undefined) record.toxicity = toxicity;
  const retryAfter = d('retryAfter');
  if (retryAfter !== undefined) record.retryAfter = retryAfter;
  return record;
}

/** The number of a cell, or the text the server sent instead (`"100"` stays a string, as it came). */
function numberOrGiven(column: NumColumn, row: number): number | string | undefined {
  const code = column.given?.codes[row] ?? 0;
  if (code !== 0) return (column.given as DictColumn).values[code];
  const value = column.values[row];
  return Number.isNaN(value) ? undefined : value;
}

/** Yields the records of the given rows, in the given order. */
export function* recordsAt(store: ResultsStore, rows: ArrayLike<number>): Generator<EmailRecord> {
  for (let i = 0; i < rows.length; i++) yield recordAt(store, rows[i]);
}
