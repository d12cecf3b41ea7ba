import * as assert from 'node:assert/strict';
import {
  checkStructure,
  compileStrictValidator,
  describeOddRecords,
  EMAIL_RECORD_SCHEMA_STRICT,
  fieldDifference,
  oddFields,
} from '../../src/core/recordSchema';
import { SPEC_EXAMPLE_RECORD } from './fixtures';

const SPEC_EXAMPLE = SPEC_EXAMPLE_RECORD;

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

describe('checkStructure', () => {
  it('accepts any object with a string email and status, whatever else it holds', () => {
    assert.equal(checkStructure(SPEC_EXAMPLE), undefined);
    assert.equal(checkStructure({ email: 'a@b.c', status: 'risky' }), undefined);
    assert.equal(checkStructure({ email: '', status: 'made-up', score: '100', domain: null, extra: [1] }), undefined);
  });

  const bad: Array<[string, unknown, string]> = [
    ['null', null, 'it is null, not an object'],
    ['an array', [SPEC_EXAMPLE], 'it is an array, not an object'],
    ['a string', 'john@usebouncer.com', 'it is "john@usebouncer.com", not an object'],
    ['no email', { status: 'deliverable' }, 'its "email" is missing, not a string'],
    ['a null email', { ...SPEC_EXAMPLE, email: null }, 'its "email" is null, not a string'],
    ['no status', { email: 'a@b.c', reason: 'accepted_email' }, 'its "status" is missing, not a string'],
    ['a numeric status', { ...SPEC_EXAMPLE, status: 1 }, 'its "status" is 1, not a string'],
    ['an object status', { ...SPEC_EXAMPLE, status: { code: 1 } }, 'its "status" is an object, not a string'],
  ];
  for (const [name, value, problem] of bad) {
    it(`refuses ${name}, saying why`, () => {
      assert.equal(checkStructure(value), problem);
    });
  }
});

describe('oddFields', () => {
  it('finds nothing odd in the spec example, a minimal record or a named one', () => {
    assert.deepEqual(oddFields(SPEC_EXAMPLE), []);
    assert.deepEqual(oddFields({ email: 'a@b.c', status: 'risky', reason: 'low_quality' }), []);
    assert.deepEqual(oddFields({ ...SPEC_EXAMPLE, name: 'John' }), []);
    assert.deepEqual(oddFields({ ...SPEC_EXAMPLE, toxicity: 87 }), [], 'the docs give toxicity two ranges');
  });

  const odd: Array<[string, object, { field: string; problem: string }[]]> = [
    [
      'a null optional field',
      { ...SPEC_EXAMPLE, provider: null },
      [{ field: 'provider', problem: 'must be string: found null' }],
    ],
    [
      'a numeric string score',
      { ...SPEC_EXAMPLE, score: '100' },
      [{ field: 'score', problem: 'must be integer: found "100"' }],
    ],
    [
      'a fractional score',
      { ...SPEC_EXAMPLE, score: 99.5 },
      [{ field: 'score', problem: 'must be integer: found 99.5' }],
    ],
    [
      'a score out of range',
      { ...SPEC_EXAMPLE, score: 101 },
      [{ field: 'score', problem: 'must be <= 100: found 101' }],
    ],
    [
      'an unknown status',
      { ...SPEC_EXAMPLE, status: 'pending' },
      [{ field: 'status', problem: 'is not a documented value: found "pending"' }],
    ],
    [
      'an unknown nested enum value',
      { ...SPEC_EXAMPLE, domain: { ...SPEC_EXAMPLE.domain, free: 'partly' } },
      [{ field: 'domain.free', problem: 'is not a documented value: found "partly"' }],
    ],
    ['a missing reason', { email: 'a@b.c', status: 'risky' }, [{ field: 'reason', problem: 'is missing' }]],
    [
      'a domain without free',
      { ...SPEC_EXAMPLE, domain: { name: 'x', acceptAll: 'no', disposable: 'no' } },
      [{ field: 'domain.free', problem: 'is missing' }],
    ],
    [
      'an account that is a string',
      { ...SPEC_EXAMPLE, account: 'no' },
      [{ field: 'account', problem: 'must be object: found "no"' }],
    ],
    [
      'an extra field, at the top or nested (the API may grow)',
      { ...SPEC_EXAMPLE, newField: { anything: [1, 2] }, domain: { ...SPEC_EXAMPLE.domain, mx: 'x' } },
      [],
    ],
    ['a numeric name', { ...SPEC_EXAMPLE, name: 7 }, [{ field: 'name', problem: 'must be string: found 7' }]],
    [
      'several at once, one line per field',
      { ...SPEC_EXAMPLE, score: '100', toxic: true, dns: { type: ['MX'] } },
      [
        { field: 'dns.type', problem: 'must be string: found an array' },
        { field: 'score', problem: 'must be integer: found "100"' },
        { field: 'toxic', problem: 'must be string: found true' },
      ],
    ],
  ];
  for (const [name, record, expected] of odd) {
    it(`names ${name}`, () => {
      assert.deepEqual(oddFields(record), expected);
    });
  }

  it("describes a download's odd records in one line: count, then record index, field and value", () => {
    assert.equal(
      describeOddRecords({
        records: 2,
        examples: [
          { record: 3, field: 'score', problem: 'must be integer: found "100"' },
          { record: 9, field: 'provider', problem: 'must be string: found null' },
        ],
      }),
      '2 records differ from the documented format and are kept as sent. First differences: ' +
        'record 3: score must be integer: found "100"; record 9: provider must be string: found null.',
    );
  });
});

describe('fieldDifference', () => {
  it("maps the validator's keyword and parameters to a code with values, not to its English", () => {
    const validate = compileStrictValidator();
    const record = { ...SPEC_EXAMPLE, score: 101, provider: null, status: 'pending' } as Record<string, unknown>;
    delete record.reason;
    assert.equal(validate(record), false);
    const differences = new Map(
      (validate.errors ?? []).map((error) => {
        const { field, difference } = fieldDifference(error, record);
        return [field, difference];
      }),
    );
    assert.deepEqual(differences.get('reason'), { code: 'missing' });
    assert.deepEqual(differences.get('score'), {
      code: 'outOfRange',
      comparison: '<=',
      limit: 100,
      found: { kind: 'value', text: '101' },
    });
    assert.deepEqual(differences.get('provider'), { code: 'wrongType', expected: 'string', found: { kind: 'null' } });
    assert.deepEqual(differences.get('status'), { code: 'notDocumented', found: { kind: 'value', text: '"pending"' } });
  });
});
