import * as assert from 'node:assert/strict';
import { SERVER_CSV_COLUMNS } from '../../emulator/serverCsv';
import { csvCell, CsvRowEncoder, csvHeaderLine } from '../../src/core/csvFormat';
import {
  csvColumns,
  DICT_COLUMN_IDS,
  FLAG_COLUMNS,
  NUM_COLUMN_IDS,
  RECORD_COLUMNS,
  TEXT_COLUMN_IDS,
} from '../../src/core/recordColumns';
import type { EmailRecord } from '../../src/core/records';
import { EMAIL_RECORD_SCHEMA_STRICT } from '../../src/core/recordSchema';
import { buildStore } from '../../src/model/builder';
import { ALL_COLUMNS, defaultColumns } from '../../src/model/columns';
import { recordAt } from '../../src/model/rowRecord';
import { cellText } from '../../src/model/store';
import { SPEC_EXAMPLE_RECORD } from './fixtures';

/** The value at a column's dotted path, read without the table's own reader. */
function atPath(record: unknown, id: string): unknown {
  let value = record;
  for (const key of id.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** Records as a lenient ingest keeps them: nulls, numbers as text, groups missing or of the wrong type. */
const ODD = [
  SPEC_EXAMPLE_RECORD,
  { ...SPEC_EXAMPLE_RECORD, name: 'Zoë, "Z" 名前\r\n=1+1', retryAfter: 'PT30M' },
  { email: 'a@b.c', status: 'unknown', reason: 'timeout' },
  { email: '=cmd@x', status: '-1', reason: null, domain: null, account: 'x', dns: [], provider: null, name: null },
  { email: 'b@x', status: 'risky', reason: '', domain: { free: 'yes' }, dns: { record: '+r' }, score: '100' },
  { email: 'c@x', status: 's', reason: 'r', account: { fullMailbox: '@SUM(1)' }, score: 'n/a', toxic: 5, name: 42 },
  { email: 'd@x', status: 's', reason: 'r', domain: { name: ' \t=x;y', acceptAll: null }, score: true, toxicity: -3 },
  { email: 'e@x', status: 's', reason: 'r', score: 4.5, toxicity: '3', retryAfter: { at: 'later' }, name: '' },
] as unknown as EmailRecord[];

describe('the column table', () => {
  it("reads each field at its id's path, whatever type the record holds there", () => {
    for (const record of ODD) {
      for (const column of RECORD_COLUMNS) {
        assert.equal(column.read(record), atPath(record, column.id), `${column.id} of ${JSON.stringify(record)}`);
      }
    }
  });

  it('gives every column a unique id of at most one group and a field, a label and a width', () => {
    const ids = RECORD_COLUMNS.map((column) => column.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const column of RECORD_COLUMNS) {
      assert.match(column.id, /^[A-Za-z]+(\.[A-Za-z]+)?$/);
      assert.ok(column.label.length > 0 && column.width > 0, column.id);
    }
    // Each group's fields sit together, so the record rebuilt in table order keeps one key per group.
    const groups = ids.filter((id) => id.includes('.')).map((id) => id.split('.')[0]);
    assert.deepEqual(
      groups,
      [...new Set(groups)].flatMap((g) => groups.filter((h) => h === g)),
    );
  });

  it('derives the orders and the subsets the rest of the extension uses', () => {
    const always = RECORD_COLUMNS.map((c) => c.id).filter((id) => id !== 'name');
    assert.deepEqual(
      csvColumns(false).map((c) => c.id),
      always,
    );
    assert.deepEqual(ALL_COLUMNS, [...always, 'name']);
    assert.deepEqual(defaultColumns(false), always);
    assert.deepEqual(defaultColumns(true), ['email', 'name', ...always.slice(1)]);
    assert.deepEqual(FLAG_COLUMNS, [
      'domain.acceptAll',
      'domain.disposable',
      'domain.free',
      'account.role',
      'account.disabled',
      'account.fullMailbox',
    ]);
    assert.deepEqual(TEXT_COLUMN_IDS, ['email', 'name']);
    assert.deepEqual(NUM_COLUMN_IDS, ['score', 'toxicity']);
    assert.equal(TEXT_COLUMN_IDS.length + DICT_COLUMN_IDS.length + NUM_COLUMN_IDS.length, RECORD_COLUMNS.length);
  });

  it("has the emulator's CSV write every column, in the server's own order", () => {
    assert.deepEqual([...SERVER_CSV_COLUMNS].sort(), RECORD_COLUMNS.map((c) => c.id).sort());
  });

  it('derives the strict schema the spec states', () => {
    const ynu = { enum: ['yes', 'no', 'unknown'] };
    assert.deepEqual(EMAIL_RECORD_SCHEMA_STRICT, {
      type: 'object',
      additionalProperties: false,
      required: ['email', 'status', 'reason'],
      properties: {
        email: { type: 'string' },
        status: { enum: ['deliverable', 'risky', 'undeliverable', 'unknown'] },
        reason: {
          enum: [
            'accepted_email',
            'low_deliverability',
            'low_quality',
            'invalid_email',
            'invalid_domain',
            'rejected_email',
            'dns_error',
            'unavailable_smtp',
            'unsupported',
            'timeout',
            'unknown',
          ],
        },
        domain: {
          type: 'object',
          additionalProperties: false,
          required: ['name', 'acceptAll', 'disposable', 'free'],
          properties: { name: { type: 'string' }, acceptAll: ynu, disposable: ynu, free: ynu },
        },
        account: {
          type: 'object',
          additionalProperties: false,
          required: ['role', 'disabled', 'fullMailbox'],
          properties: { role: ynu, disabled: ynu, fullMailbox: ynu },
        },
        dns: {
          type: 'object',
          additionalProperties: false,
          required: ['type'],
          properties: { type: { type: 'string' }, record: { type: 'string' } },
        },
        provider: { type: 'string' },
        score: { type: 'integer', minimum: 0, maximum: 100 },
        toxic: { type: 'string' },
        toxicity: { type: 'integer', minimum: 0, maximum: 5 },
        retryAfter: { type: 'string' },
      },
    });
  });

  it('carries every column through the store and back: cells, and the record in table order', async () => {
    // A distinct value per column, placed at its path: text for text and dictionary columns, numbers for numbers.
    const record: Record<string, unknown> = {};
    RECORD_COLUMNS.forEach((column, k) => {
      const [key, field] = column.id.split('.');
      const value = column.kind === 'num' ? k : `v${k}`;
      if (field === undefined) record[key] = value;
      else record[key] = { ...(record[key] as object), [field]: value };
    });
    const store = await buildStore([record as unknown as EmailRecord]);
    assert.equal(store.hasName, true);
    for (const column of RECORD_COLUMNS) {
      assert.equal(cellText(store, column.id, 0), String(atPath(record, column.id)), column.id);
    }
    const back = recordAt(store, 0);
    assert.deepEqual(back, record);
    assert.equal(JSON.stringify(back), JSON.stringify(record), 'keys in the same order');
  });

  it('rebuilds what the spec always has as empty, and leaves the rest out', async () => {
    const store = await buildStore(ODD);
    assert.deepEqual(recordAt(store, 4), {
      email: 'b@x',
      status: 'risky',
      reason: '',
      domain: { name: '', acceptAll: '', disposable: '', free: 'yes' },
      dns: { type: '', record: '+r' },
      score: '100',
    });
    // `account: "x"` has no fields to read: no group comes back.
    assert.deepEqual(recordAt(store, 3), { email: '=cmd@x', status: '-1', reason: '' });
  });
});

describe('CsvRowEncoder against the column table', () => {
  /** The plainest encoder the table allows: each CSV column read through the table and formatted by `csvCell`. */
  function tableRow(record: EmailRecord, hasName: boolean, neutralizeFormulas: boolean): string {
    return (
      csvColumns(hasName)
        .map((c) => csvCell(c.read(record), neutralizeFormulas))
        .join(',') + '\r\n'
    );
  }

  for (const hasName of [false, true]) {
    for (const neutralizeFormulas of [false, true]) {
      it(`writes what a table-driven encoder writes (hasName ${hasName}, neutralize ${neutralizeFormulas})`, () => {
        const encoder = new CsvRowEncoder({ hasName, neutralizeFormulas }, 16);
        encoder.appendAscii(csvHeaderLine(hasName));
        for (const record of ODD) encoder.appendRecord(record);
        const expected =
          csvColumns(hasName)
            .map((c) => c.id)
            .join(',') +
          '\r\n' +
          ODD.map((record) => tableRow(record, hasName, neutralizeFormulas)).join('');
        assert.equal(Buffer.from(encoder.take()).toString('utf8'), expected);
      });
    }
  }
});
