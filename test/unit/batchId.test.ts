import * as assert from 'node:assert/strict';
import { assertValidBatchId, MAX_BATCH_ID_LENGTH, validateBatchId } from '../../src/core/batchId';
import { BouncerError } from '../../src/core/errors';

describe('validateBatchId', () => {
  it('trims and accepts letters, digits, "-" and "_"', () => {
    assert.deepEqual(validateBatchId('  5f8d0a3b9c1e2d4f6a7b8c9d\n'), { ok: true, id: '5f8d0a3b9c1e2d4f6a7b8c9d' });
    assert.deepEqual(validateBatchId('Batch_01-x'), { ok: true, id: 'Batch_01-x' });
    assert.deepEqual(validateBatchId('a'.repeat(MAX_BATCH_ID_LENGTH)), { ok: true, id: 'a'.repeat(128) });
  });

  const rejected: Array<[string, string, RegExp]> = [
    ['empty', '', /Enter a batch ID/],
    ['only spaces', '   \t ', /Enter a batch ID/],
    ['dot-dot', '..', /"\."/],
    ['a dot', 'abc.def', /"\."/],
    ['encoded dot-dot', '%2e%2e', /"%"/],
    ['a slash', 'a/b', /"\/"/],
    ['a backslash', 'a\\b', /"\\"/],
    ['a query', '?x', /"\?"/],
    ['a fragment', '#x', /"#"/],
    ['CRLF inside', 'abc\r\nHost: evil', /control character \(U\+000D\)/],
    ['a space inside', 'abc def', /a space/],
    ['NUL', 'abc\u0000', /control character \(U\+0000\)/],
    ['10 kB', 'a'.repeat(10_000), /at most 128 characters/],
    ['129 characters', 'a'.repeat(129), /at most 128/],
    ['unicode letters', 'bätch', /"ä"/],
    ['a non-ASCII digit', 'abc٣', /"٣"/],
    ['an emoji', 'abc😀', /"😀"/],
    ['non-breaking space inside', 'abc\u00a0def', /whitespace/],
  ];
  for (const [name, input, message] of rejected) {
    it(`rejects ${name} with a message for the input box`, () => {
      const result = validateBatchId(input);
      assert.equal(result.ok, false);
      if (!result.ok) assert.match(result.message, message);
    });
  }

  it('never echoes control characters into the message', () => {
    const result = validateBatchId('ab\u001b[31mc');
    assert.ok(!result.ok);
    if (!result.ok) assert.ok(!result.message.includes('\u001b'), result.message);
  });
});

describe('assertValidBatchId', () => {
  it('returns the trimmed ID', () => {
    assert.equal(assertValidBatchId(' abc '), 'abc');
  });

  it("throws BouncerError('invalidBatchId') with the validation message", () => {
    assert.throws(
      () => assertValidBatchId('a/b'),
      (error: unknown) =>
        error instanceof BouncerError && error.kind === 'invalidBatchId' && /"\/"/.test(error.message),
    );
  });
});
