import * as assert from 'node:assert/strict';
import { describeChanges, diffBatches } from '../../src/core/batchDiff';
import type { EmailRecord } from '../../src/core/records';
import { emailKey, type ResultsIndex } from '../../src/core/writeBack';

function index(pairs: [string, string][]): ResultsIndex {
  return new Map(
    pairs.map(([email, status]): [string, EmailRecord] => [emailKey(email), { email, status, reason: '' }]),
  );
}

describe('diffBatches', () => {
  it('counts each status change between the older and the newer batch, most first', () => {
    const older = index([
      ['a@x.co', 'unknown'],
      ['b@x.co', 'unknown'],
      ['c@x.co', 'unknown'],
      ['d@x.co', 'unknown'],
      ['e@x.co', 'deliverable'],
    ]);
    const newer = index([
      ['A@X.co', 'deliverable'],
      ['b@x.co', 'deliverable'],
      ['c@x.co', 'undeliverable'],
      ['d@x.co', 'unknown'],
      ['new@x.co', 'risky'],
    ]);
    const diff = diffBatches(older, newer);
    assert.deepEqual(diff.changed, [
      { from: 'unknown', to: 'deliverable', count: 2 },
      { from: 'unknown', to: 'undeliverable', count: 1 },
    ]);
    assert.deepEqual(diff.unchanged, [{ from: 'unknown', to: 'unknown', count: 1 }]);
    assert.equal(diff.onlyInNewer, 1);
    assert.equal(diff.onlyInOlder, 1);
    assert.deepEqual(describeChanges(diff), ['unknown → deliverable: 2', 'unknown → undeliverable: 1']);
  });

  it('reports no change for identical batches and for empty ones', () => {
    const same = index([['a@x.co', 'risky']]);
    assert.deepEqual(diffBatches(same, same).changed, []);
    assert.deepEqual(diffBatches(index([]), index([])), { changed: [], unchanged: [], onlyInNewer: 0, onlyInOlder: 0 });
  });
});
