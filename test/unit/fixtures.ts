import { generateRecords } from '../../emulator/generateRecords';
import type { EmailRecord } from '../../src/core/records';

/** The first example record of the spec's download response, verbatim. */
export const SPEC_EXAMPLE_RECORD: EmailRecord = {
  email: 'john@usebouncer.com',
  status: 'deliverable',
  reason: 'accepted_email',
  domain: { name: 'usebouncer.com', acceptAll: 'no', disposable: 'no', free: 'no' },
  account: { role: 'no', disabled: 'no', fullMailbox: 'no' },
  dns: { type: 'MX', record: 'aspmx.l.google.com.' },
  provider: 'google.com',
  score: 100,
  toxic: 'unknown',
  toxicity: 0,
};

/**
 * Generated records with the oddities a download can show only part way through, for tests that
 * cut one download into parts: no `name` before row 300, then names (one empty); a `domain.name`
 * dictionary of 40 values before row 300 and a new value in almost every row after it, so its codes
 * widen from 8 to 16 bits past row 500 or so; a score sent as "100" (row 450) and "n/a" (row 460), a
 * toxicity as "3" (row 470), a reason and a status the schema does not list (rows 480, 490), and an
 * email with non-ASCII letters (row 510). Needs at least 600 rows for every one of them.
 */
export function oddDownload(n: number, seed = 7): EmailRecord[] {
  return [...generateRecords(n, seed)].map((record, i) => {
    const odd: EmailRecord = { ...record };
    if (i < 300) delete odd.name;
    if (odd.domain) odd.domain = { ...odd.domain, name: i < 300 ? `d${i % 40}.test` : `u${i}.test` };
    if (i === 450) odd.score = '100';
    if (i === 460) odd.score = 'n/a';
    if (i === 470) odd.toxicity = '3';
    if (i === 480) odd.reason = 'brand_new_reason';
    if (i === 490) odd.status = 'weird_status';
    if (i === 500) odd.name = '';
    if (i === 510) odd.email = 'zoë.łukasz@ünïcode.test';
    return odd;
  });
}
