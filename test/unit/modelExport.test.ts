import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { EmailRecord } from '../../src/core/records';
import { clipboardText, writeCsvRows, writeJsonRows } from '../../src/model/export';
import { buildStore } from '../../src/model/builder';
import { ingestJson } from '../../src/core/ingest';
import { readRecords } from '../../src/core/readRecords';

const records: EmailRecord[] = [
  { email: 'a@x.com', status: 'deliverable', reason: 'accepted_email', score: 99, name: 'Ann' },
  { email: '=HYPERLINK("http://evil")@x.com', status: 'risky', reason: 'low_quality', provider: '+cmd' },
  { email: 'c@x.com', status: 'unknown', reason: 'timeout', retryAfter: '2026-01-15T12:01:00.000Z' },
];

describe('model: exporting rows of a view', () => {
  let dir: string;
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bouncer-view-export-'))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('copies emails one per line in the given order', async () => {
    const store = await buildStore(records);
    assert.equal(clipboardText(store, new Uint32Array([2, 0]), 'emails', true), 'c@x.com\na@x.com');
  });

  it('copies emails neutralised, each one inert cell of a paste, when asked', async () => {
    const hostile: EmailRecord[] = [
      { email: '+cmd@x.com', status: 'risky', reason: 'low_quality' },
      { email: '-2+3@x.com', status: 'risky', reason: 'low_quality' },
      { email: '@SUM(1+1)@x.com', status: 'risky', reason: 'low_quality' },
      { email: ' =1@x.com', status: 'risky', reason: 'low_quality' },
      { email: '＝1@x.com', status: 'risky', reason: 'low_quality' },
      { email: 'a\t=1@x.com', status: 'risky', reason: 'low_quality' },
      { email: '"q,;"@x.com', status: 'risky', reason: 'low_quality' },
    ];
    const store = await buildStore(hostile);
    const all = new Uint32Array(hostile.map((_, k) => k));
    assert.deepEqual(clipboardText(store, all, 'emails', true).split('\n'), [
      "'+cmd@x.com",
      "'-2+3@x.com",
      "'@SUM(1+1)@x.com",
      "' =1@x.com",
      "'＝1@x.com",
      '"a\t=1@x.com"',
      '"q,;"@x.com',
    ]);
    assert.deepEqual(
      clipboardText(store, all, 'emails', false).split('\n'),
      hostile.map((r) => r.email),
      'as they are when the setting is off',
    );
  });

  it('copies CSV with the header and neutralised formulas', async () => {
    const store = await buildStore(records);
    const text = clipboardText(store, new Uint32Array([1]), 'csv', true);
    const [header, row] = text.split('\r\n');
    assert.ok(header.startsWith('email,status,reason,'));
    assert.ok(header.endsWith(',name'), 'name column present because a record has one');
    assert.ok(row.startsWith(`"'=HYPERLINK(""http://evil"")@x.com",risky,low_quality,`), row);
    assert.ok(row.includes(`,'+cmd,`), row);
    const raw = clipboardText(store, new Uint32Array([1]), 'csv', false);
    assert.ok(raw.split('\r\n')[1].startsWith('"=HYPERLINK('));
  });

  it('writes a view as a JSON array of the original records, in view order', async () => {
    const store = await buildStore(records);
    const file = path.join(dir, 'view.json');
    await writeJsonRows(store, new Uint32Array([2, 1]), file);
    assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), [records[2], records[1]]);
    await writeJsonRows(store, new Uint32Array([]), file);
    assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), []);
  });

  it('writes a view as CSV through the core writer', async () => {
    const store = await buildStore(records);
    const file = path.join(dir, 'view.csv');
    await writeCsvRows(store, new Uint32Array([0, 2]), file, true);
    const lines = fs.readFileSync(file, 'utf8').split('\r\n');
    assert.equal(lines.length, 4); // header, two rows, trailing empty line
    assert.ok(lines[1].startsWith('a@x.com,deliverable,accepted_email,'));
    assert.ok(lines[1].endsWith(',Ann'));
    assert.ok(lines[2].includes('2026-01-15T12:01:00.000Z'));
  });

  it('exports what ingest accepted: a BOM-prefixed, pretty cache with values unlike the spec', async () => {
    const served = [
      { email: 'a@x.com', status: 'deliverable', reason: 'accepted_email', score: '100', provider: null },
      { email: 'b@x.com', status: 'catch_all', reason: null, score: 7, domain: null },
    ];
    const cache = path.join(dir, 'odd.json');
    await ingestJson(
      (async function* () {
        yield Buffer.from(`\uFEFF \n${JSON.stringify(served, null, 2)}\n`);
      })(),
      cache,
    );
    const store = await buildStore(readRecords(cache));
    const json = path.join(dir, 'odd-view.json');
    await writeJsonRows(store, new Uint32Array([1, 0]), json);
    assert.deepEqual(JSON.parse(fs.readFileSync(json, 'utf8')), [
      { email: 'b@x.com', status: 'catch_all', reason: '', score: 7 },
      { email: 'a@x.com', status: 'deliverable', reason: 'accepted_email', score: '100' },
    ]);
    const csv = path.join(dir, 'odd-view.csv');
    await writeCsvRows(store, new Uint32Array([0, 1]), csv, true);
    const [header, first, second] = fs.readFileSync(csv, 'utf8').split('\r\n');
    const score = header.split(',').indexOf('score');
    assert.equal(first.split(',')[score], '100');
    assert.equal(second.split(',')[score], '7');
    assert.equal(clipboardText(store, new Uint32Array([0]), 'csv', true).split('\r\n')[1], first);
  });
});
