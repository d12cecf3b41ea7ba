import type { EmailRecord } from '../src/core/records';

/**
 * How the emulator writes CSV. The real API's column order is undocumented, so this order is
 * deliberately not the extension's own flat order: code that reads positions instead of the header
 * row breaks here first. Values are written raw (no formula neutralising: that is the client's job),
 * RFC 4180 quoted, CRLF line ends.
 */
export const SERVER_CSV_COLUMNS = [
  'email',
  'name',
  'status',
  'reason',
  'score',
  'toxic',
  'toxicity',
  'provider',
  'domain.name',
  'domain.free',
  'domain.disposable',
  'domain.acceptAll',
  'account.role',
  'account.disabled',
  'account.fullMailbox',
  'dns.type',
  'dns.record',
  'retryAfter',
] as const;

type Column = (typeof SERVER_CSV_COLUMNS)[number];

function valueOf(record: EmailRecord, column: Column): string | number | undefined {
  const dot = column.indexOf('.');
  if (dot < 0) return record[column as 'email'];
  const group = record[column.slice(0, dot) as 'domain' | 'account' | 'dns'] as Record<string, string> | undefined;
  return group?.[column.slice(dot + 1)];
}

function quote(value: string | number | undefined): string {
  if (value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvHeader(): string {
  return SERVER_CSV_COLUMNS.join(',') + '\r\n';
}

export function csvRow(record: EmailRecord): string {
  return SERVER_CSV_COLUMNS.map((column) => quote(valueOf(record, column))).join(',') + '\r\n';
}
