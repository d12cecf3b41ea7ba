import * as assert from 'node:assert/strict';
import { Redactor } from '../../src/core/redactor';

describe('Redactor', () => {
  it('masks every occurrence of every registered secret', () => {
    const r = new Redactor();
    r.add('sk-live-123456');
    r.add('other-secret');
    assert.equal(
      r.redact('key sk-live-123456 then other-secret and sk-live-123456 again'),
      'key ‹redacted› then ‹redacted› and ‹redacted› again',
    );
  });

  it('masks a key that contains another key as a whole', () => {
    const r = new Redactor();
    r.add('abcd');
    r.add('abcdefgh');
    assert.equal(r.redact('x abcdefgh y abcd'), 'x ‹redacted› y ‹redacted›');
  });

  it('leaves text alone when nothing is registered, and ignores values too short to mask', () => {
    const r = new Redactor();
    r.add(undefined);
    r.add('');
    r.add('abc');
    assert.equal(r.redact('abc abcd'), 'abc abcd');
  });
});
