import * as assert from 'node:assert/strict';
import { BouncerError } from '../../src/core/errors';
import { parseOpenArgs } from '../../src/core/openArgs';

describe('parseOpenArgs', () => {
  it('treats a missing argument as "ask the user"', () => {
    assert.equal(parseOpenArgs(undefined), undefined);
    assert.equal(parseOpenArgs(null), undefined);
  });

  it('accepts batchId with optional filter, view and refresh', () => {
    assert.deepEqual(parseOpenArgs({ batchId: 'abc' }), {
      batchId: 'abc',
      filter: undefined,
      view: undefined,
      refresh: false,
    });
    assert.deepEqual(parseOpenArgs({ batchId: 'abc', filter: 'risky', view: 'csv', refresh: true }), {
      batchId: 'abc',
      filter: 'risky',
      view: 'csv',
      refresh: true,
    });
  });

  it('rejects malformed arguments instead of guessing', () => {
    for (const bad of [
      'abc',
      42,
      [],
      {},
      { batchId: 7 },
      { batchId: 'a', filter: 'good' },
      { batchId: 'a', view: 'xml' },
    ]) {
      assert.throws(() => parseOpenArgs(bad), BouncerError, JSON.stringify(bad));
    }
  });

  it('says a bad filter or view is a bad argument, naming it, not an invalid batch ID', () => {
    const cases = [
      [{ batchId: 'abc', filter: 'good' }, /"filter" must be all, deliverable, risky, undeliverable or unknown/],
      [{ batchId: 'abc', view: 'xml' }, /"view" must be table, json or csv/],
      ['abc', /must be an object/],
    ] as const;
    for (const [bad, message] of cases) {
      assert.throws(
        () => parseOpenArgs(bad),
        (error: unknown) =>
          error instanceof BouncerError && error.kind === 'invalidArgument' && message.test(error.message),
        JSON.stringify(bad),
      );
    }
  });

  it("gives the host a reason code with the allowed values, to word the message in the user's language", () => {
    const reasonOf = (bad: unknown) => {
      try {
        parseOpenArgs(bad);
      } catch (error) {
        assert.ok(error instanceof BouncerError && error.kind === 'invalidArgument');
        return error.reason;
      }
      assert.fail(`${JSON.stringify(bad)} was accepted`);
    };
    assert.deepEqual(reasonOf('abc'), { code: 'argNotObject' });
    assert.deepEqual(reasonOf({ batchId: 7 }), { code: 'argNoBatchId' });
    assert.deepEqual(reasonOf({ batchId: 'a', filter: 'good' }), {
      code: 'argNotOneOf',
      field: 'filter',
      allowed: ['all', 'deliverable', 'risky', 'undeliverable', 'unknown'],
    });
    assert.deepEqual(reasonOf({ batchId: 'a', view: 'xml' }), {
      code: 'argNotOneOf',
      field: 'view',
      allowed: ['table', 'json', 'csv'],
    });
  });

  it('leaves ID validation to the ID validator (it is only a shape check)', () => {
    assert.equal(parseOpenArgs({ batchId: '../x' })?.batchId, '../x');
  });

  it('reads each field once, so a getter cannot pass the check and then change its answer', () => {
    const reads: Record<string, number> = {};
    const arg = {};
    for (const [name, first] of Object.entries({ batchId: 'abc', filter: 'risky', view: 'table', refresh: true })) {
      Object.defineProperty(arg, name, {
        enumerable: true,
        get: () => {
          reads[name] = (reads[name] ?? 0) + 1;
          return reads[name] === 1 ? first : '../../x';
        },
      });
    }
    assert.deepEqual(parseOpenArgs(arg), { batchId: 'abc', filter: 'risky', view: 'table', refresh: true });
    assert.deepEqual(reads, { batchId: 1, filter: 1, view: 1, refresh: 1 });
  });
});
