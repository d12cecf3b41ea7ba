import * as assert from 'node:assert/strict';
import {
  emptyHistory,
  entriesOf,
  findEntry,
  forgetDownloads,
  markPending,
  MAX_ENTRIES_PER_ORIGIN,
  recordCreated,
  recordDownload,
  recordOpened,
  recordedBytes,
  removeEntry,
  renameEntry,
  statusGroups,
  totalRecordedBytes,
  type HistoryState,
} from '../../src/core/batchHistory';
import { parseHistory } from '../../src/core/batchHistoryRead';
import { countOf } from '../../src/core/statusCounts';

const A = 'origin-a';
const B = 'origin-b';

function ids(state: HistoryState, origin: string): string[] {
  return entriesOf(state, origin).map((entry) => entry.batchId);
}

describe('batch history', () => {
  it('records a created batch at once: on top, named, pending', () => {
    let state = recordOpened(emptyHistory(), A, 'older', 1000);
    state = recordCreated(state, A, 'c0ffee01', '  contacts.csv (part 1 of 2) ', 2000);
    assert.deepEqual(ids(state, A), ['c0ffee01', 'older']);
    const entry = findEntry(state, A, 'c0ffee01');
    assert.equal(entry?.name, 'contacts.csv (part 1 of 2)');
    assert.equal(entry?.pending, true);
    assert.equal(entry?.lastUsedAt, 2000);
    assert.deepEqual(parseHistory(JSON.parse(JSON.stringify(state))), state, 'survives a reload');
  });

  it('lists batches newest first and moves a reopened batch to the top', () => {
    let state = emptyHistory();
    state = recordOpened(state, A, 'one', 1000);
    state = recordOpened(state, A, 'two', 2000);
    state = recordOpened(state, A, 'three', 3000);
    assert.deepEqual(ids(state, A), ['three', 'two', 'one']);
    state = recordOpened(state, A, 'one', 4000);
    assert.deepEqual(ids(state, A), ['one', 'three', 'two']);
    state = recordDownload(state, A, 'two', 'all', 'json', { records: 3, bytes: 30 }, 5000);
    assert.deepEqual(ids(state, A), ['two', 'one', 'three']);
  });

  it('keeps each origin apart', () => {
    let state = emptyHistory();
    state = recordOpened(state, A, 'shared-id', 1000);
    state = recordDownload(state, B, 'shared-id', 'all', 'json', { records: 7, bytes: 70 }, 2000);
    state = recordOpened(state, B, 'only-b', 3000);
    assert.deepEqual(ids(state, A), ['shared-id']);
    assert.deepEqual(ids(state, B), ['only-b', 'shared-id']);
    assert.equal(findEntry(state, A, 'shared-id')?.total, undefined, 'origin A never downloaded it');
    assert.equal(findEntry(state, B, 'shared-id')?.total, 7);
    state = removeEntry(state, B, 'shared-id');
    assert.deepEqual(ids(state, A), ['shared-id']);
    assert.deepEqual(ids(state, B), ['only-b']);
    assert.deepEqual(ids(state, 'never-used'), []);
  });

  it('records totals and counts from an all download and exact counts from a filtered one', () => {
    let state = emptyHistory();
    const counts = { deliverable: 1204, risky: 33, undeliverable: 0, unknown: 5 };
    state = recordDownload(state, A, 'b', 'all', 'json', { records: 1242, counts, bytes: 5000 }, 1000);
    let entry = findEntry(state, A, 'b');
    assert.equal(entry?.total, 1242);
    assert.equal(entry?.fetchedAt, 1000);
    assert.deepEqual(entry?.counts, counts);
    assert.deepEqual(statusGroups(entry!), [
      { status: 'deliverable', count: 1204 },
      { status: 'risky', count: 33 },
      { status: 'unknown', count: 5 },
    ]);
    // A later risky-only download is the exact risky count; the total stays the all download's.
    state = recordDownload(state, A, 'b', 'risky', 'csv', { records: 34, bytes: 900 }, 2000);
    entry = findEntry(state, A, 'b');
    assert.equal(entry?.total, 1242);
    assert.equal(entry?.counts.risky, 34);
    assert.equal(entry?.fetchedAt, 2000);
    assert.equal(entry?.downloads.length, 2);
    assert.equal(recordedBytes(entry!), 5900);
    // Downloading the same filter and format again replaces that download, not adds one.
    state = recordDownload(state, A, 'b', 'risky', 'csv', { records: 34, bytes: 950 }, 3000);
    assert.equal(findEntry(state, A, 'b')?.downloads.length, 2);
    assert.equal(totalRecordedBytes(state), 5950);
  });

  it('lists undocumented statuses after the documented ones instead of dropping them', () => {
    let state = emptyHistory();
    state = recordDownload(
      state,
      A,
      'b',
      'all',
      'json',
      { records: 4, counts: { zeta: 1, risky: 1, alpha: 1, deliverable: 1 }, bytes: 10 },
      1,
    );
    assert.deepEqual(
      statusGroups(findEntry(state, A, 'b')!).map((g) => g.status),
      ['deliverable', 'risky', 'alpha', 'zeta'],
    );
  });

  describe("statuses are the server's strings", () => {
    it('counts constructor, __proto__ and toString like any other status, and nothing inherited', () => {
      // Parsed, as a server's strings arrive: JSON.parse makes `__proto__` an own key.
      const counts = JSON.parse(
        '{"constructor":2,"__proto__":3,"toString":4,"hasOwnProperty":5,"deliverable":1}',
      ) as Record<string, number>;
      assert.ok(Object.hasOwn(counts, '__proto__'), 'the fixture has an own __proto__ key');
      let state = recordDownload(emptyHistory(), A, 'b', 'all', 'json', { records: 15, counts, bytes: 1 }, 1);
      const expected = [
        { status: 'deliverable', count: 1 },
        { status: '__proto__', count: 3 },
        { status: 'constructor', count: 2 },
        { status: 'hasOwnProperty', count: 5 },
        { status: 'toString', count: 4 },
      ];
      assert.deepEqual(statusGroups(findEntry(state, A, 'b')!), expected);
      // A single-status download updates its own count and leaves the server's keys alone.
      state = recordDownload(state, A, 'b', 'risky', 'json', { records: 6, bytes: 1 }, 2);
      assert.deepEqual(statusGroups(findEntry(state, A, 'b')!), [
        expected[0],
        { status: 'risky', count: 6 },
        ...expected.slice(1),
      ]);
      // And all of it survives global state's JSON round trip.
      const reread = parseHistory(JSON.parse(JSON.stringify(state)));
      assert.deepEqual(statusGroups(findEntry(reread, A, 'b')!), statusGroups(findEntry(state, A, 'b')!));
    });

    it('never reads an inherited property as a count', () => {
      const summary = { records: 1, counts: { risky: 1 }, bytes: 1 };
      const state = recordDownload(emptyHistory(), A, 'b', 'all', 'json', summary, 1);
      const entry = findEntry(state, A, 'b')!;
      assert.deepEqual(statusGroups(entry), [{ status: 'risky', count: 1 }]);
      assert.equal(countOf(entry.counts, 'constructor'), 0);
      assert.equal(countOf(entry.counts, '__proto__'), 0);
    });

    it('cuts a 10 kB status to 64 characters', () => {
      const long = 'x'.repeat(10 * 1024);
      const summary = { records: 2, counts: { [long]: 2 }, bytes: 1 };
      const state = recordDownload(emptyHistory(), A, 'b', 'all', 'json', summary, 1);
      const groups = statusGroups(findEntry(state, A, 'b')!);
      assert.deepEqual(groups, [{ status: `${'x'.repeat(63)}…`, count: 2 }]);
      assert.ok(JSON.stringify(state).length < 1000, 'the stored entry stays small');
    });

    it('keeps at most 32 status keys, the documented ones always, the rest added up as "(other)"', () => {
      const counts: Record<string, number> = {};
      for (let i = 0; i < 1000; i++) counts[`status-${String(i).padStart(4, '0')}`] = 1;
      // Documented statuses arriving after a thousand others still get their own group.
      Object.assign(counts, { deliverable: 4, risky: 5, undeliverable: 6, unknown: 7 });
      const state = recordDownload(emptyHistory(), A, 'b', 'all', 'json', { records: 1022, counts, bytes: 1 }, 1);
      const entry = findEntry(state, A, 'b')!;
      assert.equal(Object.keys(entry.counts).length, 32);
      const groups = statusGroups(entry);
      assert.equal(
        groups.reduce((sum, g) => sum + g.count, 0),
        1022,
        'no record is lost from the counts',
      );
      assert.deepEqual(groups.slice(0, 4), [
        { status: 'deliverable', count: 4 },
        { status: 'risky', count: 5 },
        { status: 'undeliverable', count: 6 },
        { status: 'unknown', count: 7 },
      ]);
      assert.deepEqual(
        groups.find((g) => g.status === '(other)'),
        { status: '(other)', count: 1000 - 27 },
      );
      // A stored history from anywhere is held to the same bounds.
      const stored = JSON.parse(JSON.stringify(state)) as { origins: Record<string, { counts: unknown }[]> };
      stored.origins[A][0].counts = counts;
      assert.equal(Object.keys(findEntry(parseHistory(stored), A, 'b')!.counts).length, 32);
    });
  });

  it('renames, trims, and clears a name; renaming an unknown batch changes nothing', () => {
    let state = recordOpened(emptyHistory(), A, 'b', 1);
    state = renameEntry(state, A, 'b', '  Spring\nnewsletter  ');
    assert.equal(findEntry(state, A, 'b')?.name, 'Spring newsletter');
    state = renameEntry(state, A, 'b', '   ');
    assert.equal(findEntry(state, A, 'b')?.name, undefined);
    assert.equal('name' in findEntry(state, A, 'b')!, false);
    assert.equal(renameEntry(state, A, 'missing', 'x'), state);
    assert.equal(renameEntry(state, B, 'b', 'x'), state, 'rename is per origin');
  });

  it('keeps a renamed batch in place and does not reorder on rename', () => {
    let state = emptyHistory();
    state = recordOpened(state, A, 'old', 1);
    state = recordOpened(state, A, 'new', 2);
    state = renameEntry(state, A, 'old', 'Old one');
    assert.deepEqual(ids(state, A), ['new', 'old']);
  });

  it('removes a batch and drops an origin that becomes empty', () => {
    let state = recordOpened(emptyHistory(), A, 'b', 1);
    state = removeEntry(state, A, 'b');
    assert.deepEqual(ids(state, A), []);
    assert.deepEqual(Object.keys(state.origins), []);
    assert.equal(removeEntry(state, A, 'b'), state);
  });

  it('marks a batch pending (remembering a new one at the top) and clears it on download', () => {
    let state = recordOpened(emptyHistory(), A, 'done', 1);
    state = markPending(state, A, 'queued', true, 2);
    assert.deepEqual(ids(state, A), ['queued', 'done']);
    assert.equal(findEntry(state, A, 'queued')?.pending, true);
    state = markPending(state, A, 'done', true, 3);
    assert.deepEqual(ids(state, A), ['queued', 'done'], 'marking an existing entry keeps its place');
    state = recordDownload(state, A, 'queued', 'all', 'json', { records: 1, bytes: 2 }, 4);
    assert.equal(findEntry(state, A, 'queued')?.pending, false);
    assert.equal(markPending(state, A, 'ghost', false, 5), state, 'clearing an unknown batch adds nothing');
  });

  it('forgets downloads whose files are gone but keeps what it knows of the batch', () => {
    let state = emptyHistory();
    state = recordDownload(state, A, 'b', 'all', 'json', { records: 2, counts: { risky: 2 }, bytes: 10 }, 1);
    state = recordDownload(state, A, 'b', 'all', 'csv', { records: 2, bytes: 8 }, 2);
    state = forgetDownloads(state, A, 'b', { filter: 'all', format: 'json' });
    assert.deepEqual(
      findEntry(state, A, 'b')?.downloads.map((d) => d.format),
      ['csv'],
    );
    state = forgetDownloads(state, A, 'b');
    const entry = findEntry(state, A, 'b');
    assert.deepEqual(entry?.downloads, []);
    assert.equal(entry?.total, 2);
    assert.deepEqual(entry?.counts, { risky: 2 });
  });

  it('forgets the oldest batches beyond the per-origin cap', () => {
    let state = emptyHistory();
    for (let i = 0; i < MAX_ENTRIES_PER_ORIGIN + 5; i++) state = recordOpened(state, A, `b${i}`, i);
    const list = ids(state, A);
    assert.equal(list.length, MAX_ENTRIES_PER_ORIGIN);
    assert.equal(list[0], `b${MAX_ENTRIES_PER_ORIGIN + 4}`);
    assert.equal(list.includes('b4'), false);
    assert.equal(list.includes('b5'), true);
  });

  it('never mutates the state it was given', () => {
    const before = recordOpened(emptyHistory(), A, 'b', 1);
    const snapshot = JSON.stringify(before);
    recordDownload(before, A, 'b', 'all', 'json', { records: 1, counts: { risky: 1 }, bytes: 1 }, 2);
    renameEntry(before, A, 'b', 'x');
    markPending(before, A, 'b', true, 3);
    removeEntry(before, A, 'b');
    assert.equal(JSON.stringify(before), snapshot);
  });

  describe('parseHistory', () => {
    it('round-trips through JSON (what global state stores)', () => {
      let state = emptyHistory();
      state = recordDownload(state, A, 'b', 'all', 'json', { records: 3, counts: { risky: 3 }, bytes: 9 }, 5);
      state = renameEntry(state, A, 'b', 'Named');
      state = markPending(state, B, 'p', true, 6);
      assert.deepEqual(parseHistory(JSON.parse(JSON.stringify(state))), state);
    });

    it('reads garbage, other versions and damaged entries as whatever is usable, without throwing', () => {
      for (const raw of [undefined, null, 42, 'text', [], { version: 99, origins: {} }, { version: 1 }]) {
        assert.deepEqual(parseHistory(raw), emptyHistory());
      }
      const raw = {
        version: 1,
        origins: {
          [A]: [
            { batchId: 'old', lastUsedAt: 1, counts: { risky: -1, deliverable: 2.5, unknown: 3 }, downloads: 'no' },
            { batchId: '', lastUsedAt: 2 },
            { batchId: 'no-time' },
            'junk',
            {
              batchId: 'new',
              lastUsedAt: 9,
              name: 7,
              total: 'many',
              downloads: [
                { filter: 'all', format: 'json', fetchedAt: 9, records: 1, bytes: 2 },
                { filter: 'bogus', format: 'json', fetchedAt: 9, records: 1, bytes: 2 },
                { filter: 'all', format: 'xml', fetchedAt: 9, records: 1, bytes: 2 },
              ],
            },
            { batchId: 'old', lastUsedAt: 0 },
          ],
          [B]: 'not a list',
        },
      };
      const state = parseHistory(raw);
      assert.deepEqual(ids(state, A), ['new', 'old']);
      assert.deepEqual(ids(state, B), []);
      assert.deepEqual(findEntry(state, A, 'old')?.counts, { unknown: 3 });
      assert.deepEqual(findEntry(state, A, 'old')?.downloads, []);
      const fresh = findEntry(state, A, 'new');
      assert.equal(fresh?.name, undefined);
      assert.equal(fresh?.total, undefined);
      assert.equal(fresh?.downloads.length, 1);
    });
  });
});
