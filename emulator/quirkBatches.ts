import type { DownloadFilter } from '../src/core/records';
import { DEMO_RECORDS } from './demoBatch';

/**
 * Batches whose JSON download is valid but not shaped like the spec's example: what a real server,
 * a proxy or a later API version may send. Each answers with a fixed body (CSV requests get the
 * demo batch's CSV).
 */
export const QUIRK_BATCH_IDS = ['quirk-bom', 'quirk-odd', 'quirk-broken'] as const;

/** Records of `quirk-odd`: the structure holds (objects with string email and status), the rest does not. */
export const QUIRK_ODD_RECORDS: readonly Record<string, unknown>[] = [
  { ...DEMO_RECORDS[0], score: '100', provider: null },
  { ...DEMO_RECORDS[1], domain: null, toxicity: '3' },
  { ...DEMO_RECORDS[2], status: 'catch_all', reason: null, name: null },
  { ...DEMO_RECORDS[3], score: 7.5, newField: { nested: true } },
  { ...DEMO_RECORDS[4], status: 'constructor', score: 'n/a' },
  { ...DEMO_RECORDS[5], status: '__proto__' },
  { ...DEMO_RECORDS[6], status: 'toString', score: '55' },
];

function kept(records: readonly object[], filter: DownloadFilter): object[] {
  return records.filter((record) => filter === 'all' || (record as { status?: unknown }).status === filter);
}

/** The JSON body of a quirk batch, or undefined for any other ID. */
export function quirkJsonBody(id: string, filter: DownloadFilter): string | undefined {
  switch (id) {
    case 'quirk-bom':
      // A UTF-8 BOM, whitespace around the array, pretty-printed: all valid for a JSON reader that skips a BOM.
      return `\uFEFF\n  ${JSON.stringify(kept(DEMO_RECORDS, filter), null, 2)}\n\n`;
    case 'quirk-odd':
      return JSON.stringify(kept(QUIRK_ODD_RECORDS, filter));
    case 'quirk-broken':
      // Record 2 has no status: no longer a list of email results.
      return JSON.stringify([DEMO_RECORDS[0], DEMO_RECORDS[1], { email: 'x@example.com', reason: 'timeout' }]);
    default:
      return undefined;
  }
}
