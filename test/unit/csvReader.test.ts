import * as assert from 'node:assert/strict';
import { csvHeaderLine, recordToCsvRow } from '../../src/core/csvFormat';
import { CsvReader } from '../../src/core/csvReader';
import { BouncerError } from '../../src/core/errors';
import type { EmailRecord } from '../../src/core/records';

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
