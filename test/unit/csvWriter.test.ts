import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFileAtomic } from '../../src/core/atomicFile';
import { CsvRowEncoder, csvCell, csvHeader, csvHeaderLine, recordToCsvRow } from '../../src/core/csvFormat';
import { writeCsv } from '../../src/core/csvWriter';
import { BouncerError } from '../../src/core/errors';
import { readRecords } from '../../src/core/readRecords';
import type { EmailRecord } from '../../src/core/records';
import { SPEC_EXAMPLE_RECORD } from './fixtures';

const HEADER =
  'email,status,reason,domain.name,domain.acceptAll,domain.disposable,domain.free,account.role,account.disabled,' +
  'account.fullMailbox,dns.type,dns.record,provider,score,toxic,toxicity,retryAfter';

/**
 * A deliberately tiny RFC 4180 reader, independent of the writer: quoted fields, doubled quotes,
 * CRLF or LF line ends, newlines inside quotes.
 */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c === '"') {
      assert.equal(field, '', 'a quote may only open a field');
      quoted = true;
    } else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      // handled by the \n
    } else if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else {
      assert.notEqual(c, '\r', 'a bare CR must be quoted');
      field += c;
    }
  }
  assert.equal(quoted, false, 'no unterminated quote');
  assert.equal(field + row.join(''), '', 'the file ends with a line end');
  return rows;
}

const FULL: EmailRecord = { ...SPEC_EXAMPLE_RECORD, retryAfter: '2026-11-26T15:00:00Z' };

/** Every kind of cell that needs care, in one record. */
const TRICKY: EmailRecord = {
  email: '"quoted, with comma"@example.com',
  status: 'future-status',
  reason: '=HYPERLINK("http://evil.example","click")',
  name: 'Zoë 名前 😀\r\nsecond line',
  domain: { name: '+example.com', acceptAll: '-1', disposable: '@SUM(A1)', free: '\tyes' },
  account: { role: '\rrole', disabled: 'no', fullMailbox: 'unknown' },
  dns: { type: 'MX' },
  provider: 'has "quotes"',
  score: 0,
  toxicity: -3,
};

describe('csvFormat', () => {
  it('has the documented header, with name last when asked', () => {
    assert.equal(csvHeader(false).join(','), HEADER);
    assert.equal(csvHeader(true).join(','), `${HEADER},name`);
    assert.equal(csvHeaderLine(true), `${HEADER},name\r\n`);
  });

  it('quotes exactly the cells RFC 4180 requires', () => {
    assert.equal(csvCell('plain', false), 'plain');
    assert.equal(csvCell('a,b', false), '"a,b"');
    assert.equal(csvCell('say "hi"', false), '"say ""hi"""');
    assert.equal(csvCell('line\nbreak', false), '"line\nbreak"');
    assert.equal(csvCell('carriage\rreturn', false), '"carriage\rreturn"');
    assert.equal(csvCell('', false), '');
    assert.equal(csvCell(undefined, true), '');
    assert.equal(csvCell(42, true), '42');
    assert.equal(csvCell(false, true), 'false');
    assert.equal(csvCell('Zoë 名前 😀', true), 'Zoë 名前 😀');
  });

  it('neutralises formula-looking text cells when asked, and only then', () => {
    const cases: Array<[string, string, string]> = [
      ['=1+2', "'=1+2", '=1+2'],
      ['+1', "'+1", '+1'],
      ['-1', "'-1", '-1'],
      ['@SUM(A1)', "'@SUM(A1)", '@SUM(A1)'],
      ['\tcmd', `"'\tcmd"`, '\tcmd'],
      ['\rcmd', `"'\rcmd"`, '"\rcmd"'],
      ['=1,2', `"'=1,2"`, '"=1,2"'],
      ['=A1&"x"', `"'=A1&""x"""`, '"=A1&""x"""'],
      ['a=1', 'a=1', 'a=1'],
      // Spreadsheets skip leading spaces and line breaks before looking for a formula.
      [' =1', "' =1", ' =1'],
      ['  \u00a0\u3000+1', "'  \u00a0\u3000+1", '  \u00a0\u3000+1'],
      ['\n=1', `"'\n=1"`, '"\n=1"'],
      ['\nplain', `"'\nplain"`, '"\nplain"'],
      [' \r\n@x', `"' \r\n@x"`, '" \r\n@x"'],
      ['  plain', '  plain', '  plain'],
      ['   ', '   ', '   '],
      // Full-width forms, which some spreadsheets fold to the ASCII ones.
      ['＝1+1', "'＝1+1", '＝1+1'],
      ['＋1', "'＋1", '＋1'],
      ['－1', "'－1", '－1'],
      ['＠SUM(A1)', "'＠SUM(A1)", '＠SUM(A1)'],
      // A tab or `;` could start a new cell in a paste or a `;` locale: quoted when neutralising.
      ['a\t=1', '"a\t=1"', 'a\t=1'],
      ['a;=1', '"a;=1"', 'a;=1'],
      ['\t=1;x', `"'\t=1;x"`, '\t=1;x'],
    ];
    for (const [input, neutralised, raw] of cases) {
      assert.equal(csvCell(input, true), neutralised, JSON.stringify(input));
      assert.equal(csvCell(input, false), raw, JSON.stringify(input));
    }
    assert.equal(csvCell(-5, true), '-5', 'numbers are never formulas');
  });

  it('formats a full record in header order', () => {
    assert.equal(
      recordToCsvRow(FULL, { hasName: false, neutralizeFormulas: true }),
      'john@usebouncer.com,deliverable,accepted_email,usebouncer.com,no,no,no,no,no,no,MX,aspmx.l.google.com.,' +
        'google.com,100,unknown,0,2026-11-26T15:00:00Z\r\n',
    );
  });

  it('leaves missing optional fields empty and adds the name cell when asked', () => {
    const minimal: EmailRecord = { email: 'a@b.c', status: 'unknown', reason: 'timeout' };
    assert.equal(
      recordToCsvRow(minimal, { hasName: false, neutralizeFormulas: true }),
      `a@b.c,unknown,timeout${','.repeat(14)}\r\n`,
    );
    assert.equal(
      recordToCsvRow(minimal, { hasName: true, neutralizeFormulas: true }),
      `a@b.c,unknown,timeout${','.repeat(15)}\r\n`,
    );
    assert.equal(
      recordToCsvRow({ ...minimal, name: 'Ann' }, { hasName: true, neutralizeFormulas: true }),
      `a@b.c,unknown,timeout${','.repeat(15)}Ann\r\n`,
    );
  });

  it('round-trips a tricky row through an independent RFC 4180 reader', () => {
    const header = csvHeader(true);
    const raw = parseCsv(csvHeaderLine(true) + recordToCsvRow(TRICKY, { hasName: true, neutralizeFormulas: false }));
    assert.equal(raw.length, 2);
    assert.deepEqual(raw[0], header);
    const byColumn = Object.fromEntries(header.map((column, k) => [column, raw[1][k]]));
    assert.deepEqual(byColumn, {
      email: TRICKY.email,
      status: 'future-status',
      reason: TRICKY.reason,
      'domain.name': '+example.com',
      'domain.acceptAll': '-1',
      'domain.disposable': '@SUM(A1)',
      'domain.free': '\tyes',
      'account.role': '\rrole',
      'account.disabled': 'no',
      'account.fullMailbox': 'unknown',
      'dns.type': 'MX',
      'dns.record': '',
      provider: 'has "quotes"',
      score: '0',
      toxic: '',
      toxicity: '-3',
      retryAfter: '',
      name: TRICKY.name,
    });

    const safe = parseCsv(recordToCsvRow(TRICKY, { hasName: true, neutralizeFormulas: true }))[0];
    const safeByColumn = Object.fromEntries(header.map((column, k) => [column, safe[k]]));
    assert.equal(safeByColumn.reason, `'${TRICKY.reason}`);
    assert.equal(safeByColumn['domain.name'], "'+example.com");
    assert.equal(safeByColumn['domain.acceptAll'], "'-1");
    assert.equal(safeByColumn['domain.disposable'], "'@SUM(A1)");
    assert.equal(safeByColumn['domain.free'], "'\tyes");
    assert.equal(safeByColumn['account.role'], "'\rrole");
    assert.equal(safeByColumn.email, TRICKY.email, 'harmless cells are untouched');
    assert.equal(safeByColumn.toxicity, '-3', 'numbers are untouched');
    for (const [column, cell] of Object.entries(safeByColumn)) {
      if (column !== 'toxicity') assert.doesNotMatch(cell, /^[=+\-@\t\r]/, column);
    }
  });
});

describe('CsvRowEncoder', () => {
  /** Records whose cells hit every branch of the byte encoder: quoting, formulas, 1–4 byte UTF-8, lone surrogates. */
  const ODD: EmailRecord[] = [
    FULL,
    TRICKY,
    { ...FULL, email: 'astral 😀𝄞@example.com', name: 'é ß ∑ 名 \uffff' },
    { ...FULL, email: 'lone \ud800 high', name: 'lone \udc00 low, and \ud83d at the end \ud83d' },
    { ...FULL, reason: '"', provider: ',', name: '\n' },
    { ...FULL, email: '', status: '-', reason: '\t' },
    // A damaged cache may hold other JSON types; they are written as `String` gives them, like `csvCell`.
    { ...FULL, score: 'a,b' as unknown as number, toxic: 12 as unknown as string, name: null as unknown as string },
    { ...FULL, email: `x${'"ü,'.repeat(5000)}`, name: 'big' },
    { ...FULL, email: ' =1+1@example.com', reason: '\n=cmd', provider: '＝1', name: '\u3000＋1' },
    { ...FULL, email: '－2+3@example.com', reason: ' \r\n＠SUM(A1)', provider: 'a;b', toxic: 'x\ty', name: '  ' },
    { ...FULL, email: '+cmd@example.com', status: '-2+3', reason: '@SUM(1)', name: '\u00a0-1;\t' },
  ];

  for (const hasName of [false, true]) {
    for (const neutralizeFormulas of [false, true]) {
      it(`writes the same bytes as recordToCsvRow (hasName ${hasName}, neutralizeFormulas ${neutralizeFormulas})`, () => {
        const opts = { hasName, neutralizeFormulas };
        // A tiny buffer, so rows and single cells outgrow it.
        const encoder = new CsvRowEncoder(opts, 16);
        encoder.appendAscii(csvHeaderLine(hasName));
        for (const record of ODD) encoder.appendRecord(record);
        const expected = csvHeaderLine(hasName) + ODD.map((record) => recordToCsvRow(record, opts)).join('');
        assert.deepEqual(Buffer.from(encoder.take()), Buffer.from(expected, 'utf8'));
        assert.equal(encoder.length, 0);
      });
    }
  }

  it('keeps a taken view intact while the next rows fill the other buffer', () => {
    const opts = { hasName: false, neutralizeFormulas: true };
    const encoder = new CsvRowEncoder(opts, 64);
    encoder.appendRecord(FULL);
    const first = encoder.take();
    const copy = Buffer.from(first);
    encoder.appendRecord(TRICKY);
    encoder.appendRecord(FULL);
    assert.deepEqual(Buffer.from(first), copy);
    assert.equal(
      Buffer.from(encoder.take()).toString('utf8'),
      recordToCsvRow(TRICKY, opts) + recordToCsvRow(FULL, opts),
    );
  });
});

describe('writeCsv', () => {
  let dir: string;
  let dest: string;

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bouncer-csv-'));
    dest = path.join(dir, 'out', 'results.csv');
  });

  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('writes header and rows from an array, reporting rows and bytes', async () => {
    const result = await writeCsv([FULL, TRICKY], dest, { hasName: true, neutralizeFormulas: true });
    const text = await fs.readFile(dest, 'utf8');
    assert.equal(
      text,
      csvHeaderLine(true) +
        recordToCsvRow(FULL, { hasName: true, neutralizeFormulas: true }) +
        recordToCsvRow(TRICKY, { hasName: true, neutralizeFormulas: true }),
    );
    assert.deepEqual(result, { rows: 2, bytes: Buffer.byteLength(text) });
    assert.deepEqual(await fs.readdir(path.dirname(dest)), ['results.csv'], 'no temporary file left');
  });

  it('writes a header alone for no records', async () => {
    const result = await writeCsv([], dest, { hasName: false, neutralizeFormulas: true });
    assert.equal(await fs.readFile(dest, 'utf8'), `${HEADER}\r\n`);
    assert.equal(result.rows, 0);
  });

  it('streams many rows from a cached JSON file through readRecords', async () => {
    const records: EmailRecord[] = Array.from({ length: 20_000 }, (_, i) => ({
      ...FULL,
      email: `user${i}@example.com`,
      name: i % 2 ? `N, ${i}` : '=cmd',
    }));
    const cache = path.join(dir, 'cache.json');
    await writeFileAtomic(cache, JSON.stringify(records));
    const result = await writeCsv(readRecords(cache), dest, { hasName: true, neutralizeFormulas: true });
    assert.equal(result.rows, 20_000);
    const rows = parseCsv(await fs.readFile(dest, 'utf8'));
    assert.equal(rows.length, 20_001);
    assert.deepEqual(rows[1].slice(0, 1).concat(rows[1].slice(-1)), ['user0@example.com', "'=cmd"]);
    assert.deepEqual(rows[20_000].slice(0, 1).concat(rows[20_000].slice(-1)), ['user19999@example.com', 'N, 19999']);
  });

  it('writes the same file from readRecords as from the records themselves, and stops when reading is cancelled', async () => {
    const records = Array.from({ length: 30_000 }, (_, i) => ({
      ...(i % 5 ? FULL : TRICKY),
      email: `user${i}@example.com`,
    }));
    const cache = path.join(dir, 'cache.json');
    await writeFileAtomic(cache, JSON.stringify(records));
    const opts = { hasName: true, neutralizeFormulas: true };
    const fromArray = path.join(dir, 'array.csv');
    await writeCsv(JSON.parse(JSON.stringify(records)) as EmailRecord[], fromArray, opts);
    const result = await writeCsv(readRecords(cache), dest, opts);
    assert.equal(result.rows, 30_000);
    assert.deepEqual(await fs.readFile(dest), await fs.readFile(fromArray));

    await fs.writeFile(dest, 'previous');
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(
      writeCsv(readRecords(cache, { signal: controller.signal }), dest, opts),
      (error: unknown) => error instanceof BouncerError && error.kind === 'cancelled',
    );
    assert.equal(await fs.readFile(dest, 'utf8'), 'previous');
  });

  it('keeps the previous file and leaves no temporary file when the records fail or are cancelled', async () => {
    await fs.mkdir(path.dirname(dest), { recursive: true });
    await fs.writeFile(dest, 'previous');
    const failure = new Error('source broke');
    async function* breaks(): AsyncGenerator<EmailRecord> {
      for (let i = 0; i < 50_000; i++) yield { ...FULL, email: `user${i}@example.com` };
      throw failure;
    }
    await assert.rejects(
      writeCsv(breaks(), dest, { hasName: false, neutralizeFormulas: true }),
      (error) => error === failure,
    );
    assert.equal(await fs.readFile(dest, 'utf8'), 'previous');
    assert.deepEqual(await fs.readdir(path.dirname(dest)), ['results.csv']);

    const controller = new AbortController();
    controller.abort();
    await assert.rejects(
      writeCsv([FULL], dest, { hasName: false, neutralizeFormulas: true, signal: controller.signal }),
      (error: unknown) => error instanceof BouncerError && error.kind === 'cancelled',
    );
    assert.equal(await fs.readFile(dest, 'utf8'), 'previous');
    assert.deepEqual(await fs.readdir(path.dirname(dest)), ['results.csv']);
  });

  it('stops between writes when cancelled midway, keeping the previous file', async () => {
    await fs.mkdir(path.dirname(dest), { recursive: true });
    await fs.writeFile(dest, 'previous');
    const controller = new AbortController();
    let produced = 0;
    async function* many(): AsyncGenerator<EmailRecord> {
      for (; produced < 200_000; produced++) {
        // Several buffers' worth of rows are written before the cancel.
        if (produced === 60_000) controller.abort();
        yield { ...FULL, email: `user${produced}@example.com` };
      }
    }
    await assert.rejects(
      writeCsv(many(), dest, { hasName: false, neutralizeFormulas: true, signal: controller.signal }),
      (error: unknown) => error instanceof BouncerError && error.kind === 'cancelled',
    );
    assert.ok(produced < 200_000, 'the records stopped being read');
    assert.equal(await fs.readFile(dest, 'utf8'), 'previous');
    assert.deepEqual(await fs.readdir(path.dirname(dest)), ['results.csv']);
  });
});

describe('writeFileAtomic', () => {
  it('creates the directory, replaces the file whole, and leaves nothing else behind', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bouncer-atomic-'));
    try {
      const file = path.join(dir, 'nested', 'state.json');
      await writeFileAtomic(file, 'first');
      await writeFileAtomic(file, new TextEncoder().encode('second ✓'));
      assert.equal(await fs.readFile(file, 'utf8'), 'second ✓');
      assert.deepEqual(await fs.readdir(path.dirname(file)), ['state.json']);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
