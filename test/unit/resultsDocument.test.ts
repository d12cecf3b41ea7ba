import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateRecords } from '../../emulator/generateRecords';
import { HOSTILE_RECORDS } from '../../emulator/hostileBatch';
import { recordToCsvRow, csvHeaderLine } from '../../src/core/csvFormat';
import { BouncerError } from '../../src/core/errors';
import type { EmailRecord } from '../../src/core/records';
import { PRETTY_JSON_LIMIT_BYTES, jsonLayout, resultsDocumentBytes } from '../../src/core/resultsDocument';
import { SPEC_EXAMPLE_RECORD } from './fixtures';

describe('results documents', () => {
  let dir: string;
  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bouncer-docs-'));
  });
  after(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  async function cacheFile(name: string, body: string | Buffer): Promise<string> {
    const file = path.join(dir, name);
    await fs.writeFile(file, body);
    return file;
  }
  const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');
  const opts = { layout: 'indented', neutralizeFormulas: true } as const;

  it('indents small results exactly as JSON.stringify(_, null, 2) does', async () => {
    const records = [...generateRecords(300)];
    const file = await cacheFile('small.json', JSON.stringify(records));
    const shown = text(await resultsDocumentBytes(file, 'json', opts));
    assert.equal(shown, JSON.stringify(records, null, 2) + '\n');
  });

  it('writes one compact record per line above the limit, still one valid JSON array', async () => {
    const records = [...generateRecords(2000)];
    const file = await cacheFile('large.json', JSON.stringify(records));
    const shown = text(await resultsDocumentBytes(file, 'json', { ...opts, layout: 'recordPerLine' }));
    const lines = shown.split('\n');
    assert.equal(lines.length, records.length + 3, '[, a line per record, ], and the final newline');
    assert.equal(lines[1], JSON.stringify(records[0]) + ',');
    assert.deepEqual(JSON.parse(shown), records);
  });

  it('chooses the layout by the cached size', () => {
    assert.equal(jsonLayout(0), 'indented');
    assert.equal(jsonLayout(PRETTY_JSON_LIMIT_BYTES), 'indented');
    assert.equal(jsonLayout(PRETTY_JSON_LIMIT_BYTES + 1), 'recordPerLine');
  });

  it('opens an empty batch and a cache that starts with a BOM and is pretty-printed', async () => {
    const empty = await cacheFile('empty.json', '[]');
    assert.deepEqual(JSON.parse(text(await resultsDocumentBytes(empty, 'json', opts))), []);
    assert.equal(text(await resultsDocumentBytes(empty, 'csv', opts)), csvHeaderLine(false));
    const bom = await cacheFile(
      'bom.json',
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify([SPEC_EXAMPLE_RECORD], null, 4))]),
    );
    assert.deepEqual(JSON.parse(text(await resultsDocumentBytes(bom, 'json', opts))), [SPEC_EXAMPLE_RECORD]);
  });

  it('makes the CSV with the export encoder, in the column table order, neutralising as told', async () => {
    const file = await cacheFile('hostile.json', JSON.stringify(HOSTILE_RECORDS));
    for (const neutralizeFormulas of [true, false]) {
      const hasName = HOSTILE_RECORDS.some((r) => r.name !== undefined && r.name !== null);
      const expected =
        csvHeaderLine(hasName) +
        HOSTILE_RECORDS.map((r) => recordToCsvRow(r as EmailRecord, { hasName, neutralizeFormulas })).join('');
      const shown = text(await resultsDocumentBytes(file, 'csv', { ...opts, neutralizeFormulas }));
      assert.equal(shown, expected, `neutralizeFormulas: ${neutralizeFormulas}`);
    }
  });

  it('adds the name column when a record far into the batch has a name', async () => {
    const records: EmailRecord[] = [...generateRecords(5000)].map((r) => ({ ...r, name: undefined }));
    records[4990] = { ...records[4990], name: '=HYPERLINK("x")' };
    const file = await cacheFile('named.json', JSON.stringify(records));
    const shown = text(await resultsDocumentBytes(file, 'csv', opts));
    assert.ok(shown.startsWith(csvHeaderLine(true)), 'the header ends with name');
    assert.match(shown, /,"'=HYPERLINK\(""x""\)"\r\n/, 'the name is neutralised');
    assert.equal(shown.split('\r\n').length, records.length + 2);
  });

  it('refuses a damaged cache file instead of showing part of it', async () => {
    const records = [...generateRecords(3000)];
    const body = JSON.stringify(records);
    const file = await cacheFile('cut.json', body.slice(0, body.length - 500));
    for (const format of ['json', 'csv'] as const) {
      await assert.rejects(
        resultsDocumentBytes(file, format, opts),
        (e: unknown) => e instanceof BouncerError && e.kind === 'invalidBody',
      );
    }
  });
});
