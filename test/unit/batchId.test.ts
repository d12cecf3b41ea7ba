import * as assert from 'node:assert/strict';
import { assertValidBatchId, MAX_BATCH_ID_LENGTH, validateBatchId, type BatchIdProblem } from '../../src/core/batchId';
import { BouncerError } from '../../src/core/errors';

describe('validateBatchId', () => {
  it('trims and accepts letters, digits, "-" and "_"', () => {
    assert.deepEqual(validateBatchId('  5f8d0a3b9c1e2d4f6a7b8c9d\n'), { ok: true, id: '5f8d0a3b9c1e2d4f6a7b8c9d' });
    assert.deepEqual(validateBatchId('Batch_01-x'), { ok: true, id: 'Batch_01-x' });
    assert.deepEqual(validateBatchId('a'.repeat(MAX_BATCH_ID_LENGTH)), { ok: true, id: 'a'.repeat(128) });
  });

  // The host words these in the user's language (host/errorMessages.ts), so the code is what counts.
  const rejected: Array<[string, string, BatchIdProblem]> = [
    ['empty', '', { code: 'empty' }],
    ['only spaces', '   \t ', { code: 'empty' }],
    ['dot-dot', '..', { code: 'badChar', found: { kind: 'char', char: '.' } }],
    ['a dot', 'abc.def', { code: 'badChar', found: { kind: 'char', char: '.' } }],
    ['encoded dot-dot', '%2e%2e', { code: 'badChar', found: { kind: 'char', char: '%' } }],
    ['a slash', 'a/b', { code: 'badChar', found: { kind: 'char', char: '/' } }],
    ['a backslash', 'a\\b', { code: 'badChar', found: { kind: 'char', char: '\\' } }],
    ['a query', '?x', { code: 'badChar', found: { kind: 'char', char: '?' } }],
    ['a fragment', '#x', { code: 'badChar', found: { kind: 'char', char: '#' } }],
    ['CRLF inside', 'abc\r\nHost: evil', { code: 'badChar', found: { kind: 'control', codePoint: '000D' } }],
    ['a space inside', 'abc def', { code: 'badChar', found: { kind: 'space' } }],
    ['NUL', 'abc\u0000', { code: 'badChar', found: { kind: 'control', codePoint: '0000' } }],
    ['10 kB', 'a'.repeat(10_000), { code: 'tooLong', max: 128 }],
    ['129 characters', 'a'.repeat(129), { code: 'tooLong', max: 128 }],
    ['unicode letters', 'bätch', { code: 'badChar', found: { kind: 'char', char: 'ä' } }],
    ['a non-ASCII digit', 'abc٣', { code: 'badChar', found: { kind: 'char', char: '٣' } }],
    ['an emoji', 'abc😀', { code: 'badChar', found: { kind: 'char', char: '😀' } }],
    ['non-breaking space inside', 'abc\u00a0def', { code: 'badChar', found: { kind: 'whitespace' } }],
  ];
  for (const [name, input, problem] of rejected) {
    it(`rejects ${name} with a problem code for the input box`, () => {
      const result = validateBatchId(input);
      assert.equal(result.ok, false);
      if (!result.ok) assert.deepEqual(result.problem, problem);
    });
  }

  it('keeps an English sentence for the log', () => {
    const result = validateBatchId('a/b');
    assert.ok(!result.ok);
    if (!result.ok) {
      assert.equal(result.message, 'A batch ID may contain only letters A–Z, digits, "-" and "_" (found "/").');
    }
  });

  it('never echoes control characters into the problem or the message', () => {
    const result = validateBatchId('ab\u001b[31mc');
    assert.ok(!result.ok);
    if (!result.ok) {
      assert.ok(!JSON.stringify(result.problem).includes('\\u001b'), JSON.stringify(result.problem));
      assert.ok(!result.message.includes('\u001b'), result.message);
    }
  });
});

describe('assertValidBatchId', () => {
  it('returns the trimmed ID', () => {
    assert.equal(assertValidBatchId(' abc '), 'abc');
  });

  it("throws BouncerError('invalidBatchId') carrying the problem for the host to word", () => {
    assert.throws(
      () => assertValidBatchId('a/b'),
      (error: unknown) =>
        error instanceof BouncerError &&
        error.kind === 'invalidBatchId' &&
        error.reason?.code === 'badChar' &&
        error.reason.found.kind === 'char' &&
        error.reason.found.char === '/',
    );
  });
});
