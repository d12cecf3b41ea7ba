import * as assert from 'node:assert/strict';
import { checkRecord, compileStrictValidator, EMAIL_RECORD_SCHEMA_STRICT } from '../../src/core/recordSchema';
import { SPEC_EXAMPLE_RECORD } from './fixtures';

const SPEC_EXAMPLE = SPEC_EXAMPLE_RECORD;

function clone<T>(value: T): T {
  return structuredClone(value);
}

describe('EMAIL_RECORD_SCHEMA_STRICT', () => {
  const strict = compileStrictValidator();

  it('accepts the spec example and a minimal record', () => {
    assert.ok(strict(SPEC_EXAMPLE), JSON.stringify(strict.errors));
    assert.ok(strict({ email: 'a@b.c', status: 'unknown', reason: 'timeout', retryAfter: '2026-01-01T00:00:00Z' }));
  });

  it('is exactly as closed as the spec: extra fields and unknown enum values fail', () => {
    assert.equal(strict({ ...SPEC_EXAMPLE, extra: 1 }), false);
    assert.equal(strict({ ...SPEC_EXAMPLE, status: 'maybe' }), false);
    assert.equal(strict({ ...SPEC_EXAMPLE, domain: { ...SPEC_EXAMPLE.domain, free: 'sometimes' } }), false);
    assert.equal(strict({ ...SPEC_EXAMPLE, toxicity: 6 }), false);
    assert.equal(strict({ ...SPEC_EXAMPLE, score: 101 }), false);
  });

  it('lists the documented top-level fields', () => {
    const properties = (EMAIL_RECORD_SCHEMA_STRICT as { properties: Record<string, unknown> }).properties;
    assert.deepEqual(Object.keys(properties), [
      'email',
      'status',
      'reason',
      'domain',
      'account',
      'dns',
      'provider',
      'score',
      'toxic',
      'toxicity',
      'retryAfter',
    ]);
  });
});

describe('checkRecord', () => {
  it('accepts the spec example, a minimal record and a named one', () => {
    assert.equal(checkRecord(SPEC_EXAMPLE), undefined);
    assert.equal(checkRecord({ email: 'a@b.c', status: 'risky', reason: 'low_quality' }), undefined);
    assert.equal(checkRecord({ ...SPEC_EXAMPLE, name: 'John' }), undefined);
  });

  it('tolerates unknown extra fields, also nested ones', () => {
    const record = clone(SPEC_EXAMPLE) as unknown as Record<string, unknown>;
    record.newField = { anything: [1, 2] };
    (record.domain as Record<string, unknown>).mxCount = 3;
    assert.equal(checkRecord(record), undefined);
  });

  it('accepts enum values the spec does not list yet, and any integer toxicity', () => {
    assert.equal(checkRecord({ ...SPEC_EXAMPLE, status: 'pending', reason: 'greylisted' }), undefined);
    assert.equal(checkRecord({ ...SPEC_EXAMPLE, domain: { ...SPEC_EXAMPLE.domain, free: 'partly' } }), undefined);
    assert.equal(checkRecord({ ...SPEC_EXAMPLE, toxicity: 87 }), undefined);
  });

  const bad: Array<[string, unknown, RegExp]> = [
    ['null', null, /must be object/],
    ['an array', [SPEC_EXAMPLE], /must be object/],
    ['a string', 'john@usebouncer.com', /must be object/],
    ['no email', { status: 'deliverable', reason: 'accepted_email' }, /required property 'email'/],
    ['no status', { email: 'a@b.c', reason: 'accepted_email' }, /required property 'status'/],
    ['no reason', { email: 'a@b.c', status: 'deliverable' }, /required property 'reason'/],
    ['a numeric status', { ...SPEC_EXAMPLE, status: 1 }, /\/status must be string/],
    ['a null email', { ...SPEC_EXAMPLE, email: null }, /\/email must be string/],
    ['a fractional score', { ...SPEC_EXAMPLE, score: 99.5 }, /\/score must be integer/],
    ['a string score', { ...SPEC_EXAMPLE, score: '100' }, /\/score must be integer/],
    ['a domain without free', { ...SPEC_EXAMPLE, domain: { name: 'x', acceptAll: 'no', disposable: 'no' } }, /\/domain must have required property 'free'/],
    ['an account that is a string', { ...SPEC_EXAMPLE, account: 'no' }, /\/account must be object/],
    ['dns without type', { ...SPEC_EXAMPLE, dns: { record: 'mx.' } }, /\/dns must have required property 'type'/],
    ['a numeric name', { ...SPEC_EXAMPLE, name: 7 }, /\/name must be string/],
    ['a boolean retryAfter', { ...SPEC_EXAMPLE, retryAfter: true }, /\/retryAfter must be string/],
  ];
  for (const [name, value, message] of bad) {
    it(`refuses ${name}, saying why`, () => {
      const problem = checkRecord(value);
      assert.ok(problem !== undefined, 'expected a problem');
      assert.match(problem, message);
    });
  }
});
