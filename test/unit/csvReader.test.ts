import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { csvHeaderLine, needsFormulaPrefix, recordToCsvRow } from '../../src/core/csvFormat';
import { CsvReader } from '../../src/core/csvReader';
import { BouncerError } from '../../src/core/errors';
import type { EmailRecord } from '../../src/core/records';
import { neutralizedCsv, readNeutralizedCsv, writeNeutralizedCsv } from '../../src/core/safeCsv';

const encoder = new TextEncoder();

/** Reads `bytes` pushed in the given pieces; `cuts` are the byte offsets where one piece ends. */
function readInPieces(bytes: Uint8Array, cuts: number[]): string[][] {
  const rows: string[][] = [];
  const reader = new CsvReader((cells, index) => {
    assert.equal(index, rows.length, 'rows are numbered in order');
    rows.push(cells);
  });
  let at = 0;
  for (const cut of [...cuts, bytes.length]) {
    reader.push(bytes.slice(at, cut));
    at = cut;
  }
  reader.end();
  assert.equal(reader.bytes, bytes.length);
  assert.equal(reader.rows, rows.length);
  return rows;
}

function read(text: string): string[][] {
  return readInPieces(encoder.encode(text), []);
}

/** Every way of cutting the bytes once and twice: chunk boundaries anywhere, even inside a character. */
function assertReadsAnyHowCut(text: string, expected: string[][]): void {
  const bytes = encoder.encode(text);
  assert.deepEqual(readInPieces(bytes, []), expected, 'in one piece');
  for (let a = 0; a <= bytes.length; a++) {
    assert.deepEqual(readInPieces(bytes, [a]), expected, `cut at ${a}`);
    for (let b = a; b <= bytes.length; b++) {
      assert.deepEqual(readInPieces(bytes, [a, b]), expected, `cut at ${a} and ${b}`);
    }
  }
  const oneByOne = Array.from({ length: bytes.length }, (_, k) => k);
  assert.deepEqual(readInPieces(bytes, oneByOne), expected, 'a byte at a time');
}

describe('CsvReader', () => {
  it('reads quoted commas, doubled quotes, embedded CRLF and LF, and empty cells', () => {
    assertReadsAnyHowCut('a,b,c\r\n"x, y","say ""hi""","two\r\nlines"\r\n,"",\r\n"lf\nonly",z,\r\n', [
      ['a', 'b', 'c'],
      ['x, y', 'say "hi"', 'two\r\nlines'],
      ['', '', ''],
      ['lf\nonly', 'z', ''],
    ]);
  });

  it('drops a UTF-8 BOM, reads multi-byte characters split across chunks, and keeps a BOM-like cell later on', () => {
    assertReadsAnyHowCut('\uFEFFemail,name\r\nzoë@bücher.de,"名前 😀"\r\nx,\uFEFFy', [
      ['email', 'name'],
      ['zoë@bücher.de', '名前 😀'],
      ['x', '\uFEFFy'],
    ]);
  });

  it('ends rows at CRLF, LF or a lone CR, with or without a last line end, and skips blank lines', () => {
    assertReadsAnyHowCut('h1,h2\r\n\r\na,b\n\nc,d\re,f\r\n\r\ng,h', [
      ['h1', 'h2'],
      ['a', 'b'],
      ['c', 'd'],
      ['e', 'f'],
      ['g', 'h'],
    ]);
    assert.deepEqual(read(''), []);
    assert.deepEqual(read('\r\n\n\r'), []);
    assert.deepEqual(read('only'), [['only']]);
    assert.deepEqual(read('"'.repeat(2)), [['']], 'an empty quoted cell is a row');
  });

  it('keeps stray quotes as text instead of losing them', () => {
    assert.deepEqual(read('ab"c,"q"tail,x\r\n'), [['ab"c', 'qtail', 'x']]);
    assert.deepEqual(read('"a"""'), [['a"']]);
  });

  it('keeps a CR, a tab and spaces inside cells exactly', () => {
    assertReadsAnyHowCut('"\rfirst"," =1",\t=2\r\n', [['\rfirst', ' =1', '\t=2']]);
  });

  it('refuses a body that ends inside a quoted cell: it was cut short', () => {
    for (const text of ['a,b\r\n"unfinished', 'a,"', 'a,"x""']) {
      const reader = new CsvReader(() => undefined);
      reader.push(encoder.encode(text));
      assert.throws(
        () => reader.end(),
        (error: unknown) =>
          error instanceof BouncerError &&
          error.kind === 'invalidBody' &&
          /ended inside a quoted field/.test(error.message),
        text,
      );
    }
  });

  it('reads back what the CSV writer wrote, cell for cell', () => {
    const record: EmailRecord = {
      email: '"odd, local"@example.com',
      status: 'risky',
      reason: 'low_quality',
      name: 'Smith, "Johnny"\r\nJr.\r',
      provider: '😀',
      score: 7,
    };
    const text = csvHeaderLine(true) + recordToCsvRow(record, { hasName: true, neutralizeFormulas: false });
    const [header, row] = read(text);
    const byColumn = Object.fromEntries(header.map((column, k) => [column, row[k]]));
    assert.equal(byColumn.email, record.email);
    assert.equal(byColumn.name, record.name);
    assert.equal(byColumn.provider, '😀');
    assert.equal(byColumn.score, '7');
    assert.equal(row.length, header.length);
  });
});

describe('neutralizedCsv', () => {
  const SERVER =
    '\uFEFFemail,status,name,score\r\n' +
    '+cmd@example.com,deliverable,"=HYPERLINK(""http://evil.example"",""x"")",90\r\n' +
    '-2+3@example.com,risky,"@SUM(1+1)*cmd|\' /C calc\'!A0",-1\r\n' +
    '@SUM(A1)@example.com,unknown," =1+1",\r\n' +
    'ok@example.com,undeliverable,"\n=cmd",0\r\n' +
    'wide@example.com,unknown,＝1+1,＋1\r\n' +
    'plain@example.com,deliverable,"Smith, John",100\r\n';

  async function* body(text: string, size: number): AsyncGenerator<Uint8Array> {
    const bytes = encoder.encode(text);
    for (let at = 0; at < bytes.length; at += size) yield bytes.slice(at, at + size);
  }

  async function neutralised(text: string, size: number): Promise<string> {
    let out = '';
    for await (const piece of neutralizedCsv(body(text, size))) out += piece;
    return out;
  }

  it('keeps every row and column and prefixes exactly the cells that could run as formulas', async () => {
    const before = read(SERVER);
    for (const size of [1, 3, 64, 1 << 20]) {
      const after = read(await neutralised(SERVER, size));
      assert.equal(after.length, before.length, `chunks of ${size}`);
      for (let r = 0; r < before.length; r++) {
        assert.equal(after[r].length, before[r].length, `row ${r}`);
        for (let c = 0; c < before[r].length; c++) {
          const cell = before[r][c];
          assert.equal(after[r][c], needsFormulaPrefix(cell) ? `'${cell}` : cell, `row ${r} column ${c}`);
        }
      }
    }
    const text = await neutralised(SERVER, 5);
    const live = [
      '+cmd@',
      '-2+3@',
      '@SUM(A1)@',
      '"=HYPERLINK',
      '"@SUM(1+1)',
      '" =1+1',
      '"\n=cmd',
      '＝1+1',
      '＋1',
      '-1\r\n',
    ];
    for (const start of live) {
      assert.ok(
        !text.includes(`,${start}`) && !text.includes(`\n${start}`),
        `${JSON.stringify(start)} is not left live`,
      );
    }
    assert.ok(text.startsWith("email,status,name,score\r\n'+cmd@example.com,deliverable,\"'=HYPERLINK("), text);
    assert.ok(text.includes(',"Smith, John",100\r\n'), 'harmless cells keep their text');
  });

  it('reads and writes files, leaving the source as it was', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bouncer-safe-csv-'));
    try {
      const source = path.join(dir, 'all.csv');
      await fs.writeFile(source, SERVER);
      const text = await readNeutralizedCsv(source);
      assert.equal(text, await neutralised(SERVER, 7));
      const copy = path.join(dir, 'copy', 'view.csv');
      await writeNeutralizedCsv(source, copy);
      assert.equal(await fs.readFile(copy, 'utf8'), text);
      assert.equal(await fs.readFile(source, 'utf8'), SERVER);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
