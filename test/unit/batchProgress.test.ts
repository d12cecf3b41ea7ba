import * as assert from 'node:assert/strict';
import {
  emptyHistory,
  findEntry,
  followedBatchIds,
  recordFollowing,
  recordProgress,
  stopFollowing,
} from '../../src/core/batchHistory';
import { parseHistory } from '../../src/core/batchHistoryRead';
import { nextPollDelay, nextProgress, remainingMs } from '../../src/core/batchProgress';

describe('batch progress', () => {
  it('measures a rate between two polls that saw progress, and estimates the time left from it', () => {
    const first = nextProgress(undefined, { batchId: 'b', status: 'processing', processed: 100, quantity: 1000 }, 0);
    assert.equal(first.rate, undefined);
    assert.equal(remainingMs(first), undefined, 'no estimate before there is a rate');
    const second = nextProgress(first, { batchId: 'b', status: 'processing', processed: 300, quantity: 1000 }, 10_000);
    assert.equal(second.rate, 20);
    assert.equal(remainingMs(second), 35_000);
    const stalled = nextProgress(
      second,
      { batchId: 'b', status: 'processing', processed: 300, quantity: 1000 },
      20_000,
    );
    assert.equal(stalled.rate, 20, 'a poll without progress keeps the last rate');
  });

  it('polls every 10 s while batches move, backs off to 30 s, and twice as slowly unfocused', () => {
    assert.equal(nextPollDelay({ baseMs: 10_000, idlePolls: 0, focused: true }), 10_000);
    assert.equal(nextPollDelay({ baseMs: 10_000, idlePolls: 1, focused: true }), 15_000);
    assert.equal(nextPollDelay({ baseMs: 10_000, idlePolls: 20, focused: true }), 30_000);
    assert.equal(nextPollDelay({ baseMs: 10_000, idlePolls: 0, focused: false }), 20_000);
    assert.equal(
      nextPollDelay({ baseMs: 10, idlePolls: 20, focused: true }),
      30,
      'a test interval scales the same way',
    );
  });
});

describe('history of followed batches', () => {
  it('follows a new batch as pending at the top, records polls, and stops at completion with its counts', () => {
    let state = recordFollowing(emptyHistory(), 'o', 'b1', { name: 'contacts', source: 'file:///x/contacts.csv' }, 1);
    assert.deepEqual(followedBatchIds(state, 'o'), ['b1']);
    const status = { batchId: 'b1', status: 'processing', processed: 5, quantity: 10 };
    state = recordProgress(state, 'o', 'b1', status, nextProgress(undefined, status, 2));
    assert.equal(findEntry(state, 'o', 'b1')?.progress?.processed, 5);
    assert.equal(findEntry(state, 'o', 'b1')?.pending, true);

    const stored = parseHistory(JSON.parse(JSON.stringify(state)));
    assert.deepEqual(stored, state, 'following, progress and source survive a reload');

    const done = {
      batchId: 'b1',
      status: 'completed',
      processed: 10,
      quantity: 10,
      stats: { deliverable: 7, risky: 0, undeliverable: 1, unknown: 2 },
    };
    state = recordProgress(state, 'o', 'b1', done, nextProgress(undefined, done, 3));
    const entry = findEntry(state, 'o', 'b1');
    assert.equal(entry?.following, undefined);
    assert.equal(entry?.progress, undefined);
    assert.equal(entry?.pending, false);
    assert.equal(entry?.source, 'file:///x/contacts.csv');
    assert.deepEqual(entry?.counts, { deliverable: 7, risky: 0, undeliverable: 1, unknown: 2 });
    assert.deepEqual(followedBatchIds(state, 'o'), []);
  });

  it('links a batch verified again to its predecessor and can stop following', () => {
    let state = recordFollowing(emptyHistory(), 'o', 'b2', { verifiedAgainFrom: 'b1' }, 1);
    assert.equal(findEntry(state, 'o', 'b2')?.verifiedAgainFrom, 'b1');
    state = stopFollowing(state, 'o', 'b2');
    assert.deepEqual(followedBatchIds(state, 'o'), []);
    assert.equal(findEntry(state, 'o', 'b2')?.verifiedAgainFrom, 'b1');
  });
});
