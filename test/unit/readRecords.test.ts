import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BouncerError } from '../../src/core/errors';
import { ingestJson } from '../../src/core/ingest';
import { RECORD_BATCHES, readRecords, readResultsText } from '../../src/core/readRecords';
import type { EmailRecord } from '../../src/core/records';

function record(i: number): EmailRecord {
  return {
    email: `user${i}@exämple.com`,
    status: ['deliverable', 'risky', 'undeliverable', 'unknown'][i % 4],
    reason: 'accepted_email',
    name: i % 3 === 0 ? `Name "${i}" [${i}] {x}` : undefined,
    domain: { name: 'exämple.com', acceptAll: 'no', disposable: 'no', free: 'yes' },
    score: i % 101,
  };
}

async function collect(records: AsyncIterable<EmailRecord>): Promise<EmailRecord[]> {
  const out: EmailRecord[] = [];
  for await (const item of records) out.push(item);
  return out;
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

describe('readRecords', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bouncer-read-'));
  });

  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('reads back exactly what ingest cached, across many read chunks', async () => {
    // JSON.parse(JSON.stringify()) drops the undefined names, as the file does.
    const expected = JSON.parse(JSON.stringify(Array.from({ length: 20_000 }, (_, i) => record(i)))) as EmailRecord[];
    const text = `\uFEFF${JSON.stringify(expected, null, 2)}\n`;
    assert.ok(Buffer.byteLength(text) > 3 * 1024 * 1024, 'spans several 1 MiB reads');
    const file = path.join(dir, 'batch.json');
    await ingestJson(once(Buffer.from(text)), file);
    assert.deepEqual(await collect(readRecords(file)), expected);
  });

  it('reads an empty array as no records', async () => {
    const file = path.join(dir, 'empty.json');
    await fs.writeFile(file, ' [ ] ');
    assert.deepEqual(await collect(readRecords(file)), []);
  });

  it('can be stopped early and read again', async () => {
    const file = path.join(dir, 'batch.json');
    await fs.writeFile(file, JSON.stringify(Array.from({ length: 100 }, (_, i) => record(i))));
    const firstThree: string[] = [];
    for await (const item of readRecords(file)) {
      firstThree.push(item.email);
      if (firstThree.length === 3) break;
    }
    assert.deepEqual(firstThree, ['user0@exämple.com', 'user1@exämple.com', 'user2@exämple.com']);
    assert.equal((await collect(readRecords(file))).length, 100);
  });

  it('throws invalidBody for a damaged cache file', async () => {
    const file = path.join(dir, 'damaged.json');
    await fs.writeFile(file, JSON.stringify([record(0), record(1)]).slice(0, -3));
    await assert.rejects(
      collect(readRecords(file)),
      (error: unknown) => error instanceof BouncerError && error.kind === 'invalidBody',
    );
  });

  it('is cancelled by its signal', async () => {
    const file = path.join(dir, 'batch.json');
    await fs.writeFile(file, JSON.stringify(Array.from({ length: 50 }, (_, i) => record(i))));
    const controller = new AbortController();
    let read = 0;
    await assert.rejects(
      (async () => {
        for await (const _ of readRecords(file, { signal: controller.signal })) {
          if (++read === 10) controller.abort();
        }
      })(),
      (error: unknown) => error instanceof BouncerError && error.kind === 'cancelled',
    );
    assert.equal(read, 10);
  });

  describe('compact files, as the API sends them', () => {
    /** Enough compact records to span several 1 MiB reads. */
    function many(
      count: number,
      tweak: (i: number) => Partial<EmailRecord> & Record<string, unknown> = () => ({}),
    ): EmailRecord[] {
      return JSON.parse(
        JSON.stringify(Array.from({ length: count }, (_, i) => ({ ...record(i), ...tweak(i) }))),
      ) as EmailRecord[];
    }

    async function readUntilError(file: string): Promise<{ emails: string[]; error: unknown }> {
      const emails: string[] = [];
      try {
        for await (const item of readRecords(file)) emails.push(item.email);
      } catch (error) {
        return { emails, error };
      }
      return { emails, error: undefined };
    }

    it('reads records whose strings and nested arrays look like element boundaries', async () => {
      const expected = many(30_000, (i) =>
        i % 7 === 0 ? { name: `a},{"email":"x"},{b ${i}`, extra: [{ x: i }, { y: '},{' }] } : {},
      );
      const file = path.join(dir, 'tricky.json');
      await fs.writeFile(file, JSON.stringify(expected));
      assert.ok((await fs.stat(file)).size > 3 * 1024 * 1024, 'spans several 1 MiB reads');
      assert.deepEqual(await collect(readRecords(file)), expected);
    });

    it('reads a file that starts compact but is not, and one with whitespace after the array', async () => {
      const expected = many(15_000);
      const loose = path.join(dir, 'loose.json');
      await fs.writeFile(loose, `[${expected.map((item) => JSON.stringify(item, null, 1)).join(',\n')}]`);
      assert.deepEqual(await collect(readRecords(loose)), expected);
      const trailing = path.join(dir, 'trailing.json');
      await fs.writeFile(trailing, `${JSON.stringify(expected)} \r\n\t`);
      assert.deepEqual(await collect(readRecords(trailing)), expected);
    });

    it('hands out records before a damaged one at most once and in order, then names the damaged record', async () => {
      const records = many(20_000);
      const text = JSON.stringify(records);
      const file = path.join(dir, 'broken.json');
      const at = text.indexOf('"user15000@');
      // Drops the opening quote of one email.
      await fs.writeFile(file, text.slice(0, at) + text.slice(at + 1));
      const { emails, error } = await readUntilError(file);
      // Records come a parsed region at a time, so the ones just before the damage may never come.
      assert.ok(emails.length > 0 && emails.length <= 15_000, `${emails.length} records before the error`);
      assert.deepEqual(
        emails,
        records.slice(0, emails.length).map((item) => item.email),
      );
      assert.ok(error instanceof BouncerError && error.kind === 'invalidBody', String(error));
      assert.match(error.message, /^Record 15000 is not valid JSON/);
    });

    it('says which element is not an object, and refuses data after the array', async () => {
      const records = many(12_000);
      const text = JSON.stringify(records);
      const notObject = path.join(dir, 'number.json');
      const cut = text.indexOf('{"email":"user9000@');
      await fs.writeFile(notObject, `${text.slice(0, cut)}42,${text.slice(cut)}`);
      const first = await readUntilError(notObject);
      assert.ok(first.emails.length <= 9000);
      assert.deepEqual(
        first.emails,
        records.slice(0, first.emails.length).map((item) => item.email),
      );
      assert.ok(first.error instanceof BouncerError && /record 9000 is not a JSON object/.test(first.error.message));

      const after = path.join(dir, 'after.json');
      await fs.writeFile(after, `${text}]`);
      const second = await readUntilError(after);
      assert.deepEqual(
        second.emails,
        records.slice(0, second.emails.length).map((item) => item.email),
      );
      assert.ok(second.error instanceof BouncerError && /after the end of the array/.test(second.error.message));

      const truncated = path.join(dir, 'truncated.json');
      await fs.writeFile(truncated, text.slice(0, -1));
      const third = await readUntilError(truncated);
      assert.deepEqual(
        third.emails,
        records.slice(0, third.emails.length).map((item) => item.email),
      );
      assert.ok(third.error instanceof BouncerError && /truncated/.test(third.error.message));
    });
  });

  it('hands out the same records in batches, compact or not, with the same errors', async () => {
    const expected = JSON.parse(JSON.stringify(Array.from({ length: 12_000 }, (_, i) => record(i)))) as EmailRecord[];
    const inBatches = async (file: string): Promise<EmailRecord[]> => {
      const out: EmailRecord[] = [];
      for await (const batch of readRecords(file)[RECORD_BATCHES]()) {
        assert.ok(batch.length > 0, 'no empty batches');
        out.push(...batch);
      }
      return out;
    };
    const compact = path.join(dir, 'compact.json');
    await fs.writeFile(compact, JSON.stringify(expected));
    assert.deepEqual(await inBatches(compact), expected);
    const loose = path.join(dir, 'loose.json');
    await fs.writeFile(loose, JSON.stringify(expected, null, 1));
    assert.deepEqual(await inBatches(loose), expected);
    const damaged = path.join(dir, 'damaged.json');
    await fs.writeFile(damaged, JSON.stringify(expected).slice(0, -2));
    await assert.rejects(
      inBatches(damaged),
      (error: unknown) => error instanceof BouncerError && /truncated/.test(error.message),
    );
  });

  it('reads every layout ingest accepts: BOM, whitespace around the array, compact or pretty', async () => {
    const expected = JSON.parse(JSON.stringify(Array.from({ length: 50 }, (_, i) => record(i)))) as EmailRecord[];
    const layouts = {
      compact: JSON.stringify(expected),
      'BOM + compact': `\uFEFF${JSON.stringify(expected)}`,
      'BOM + whitespace + compact': `\uFEFF \r\n\t${JSON.stringify(expected)}\n\n`,
      'BOM + pretty': `\uFEFF${JSON.stringify(expected, null, 2)}\n`,
      'whitespace + pretty': `\n  ${JSON.stringify(expected, null, 4)}  `,
    };
    for (const [name, text] of Object.entries(layouts)) {
      const file = path.join(dir, 'layout.json');
      await ingestJson(once(Buffer.from(text)), file);
      assert.deepEqual(await collect(readRecords(file)), expected, `${name}: readRecords`);
      assert.deepEqual(JSON.parse(await readResultsText(file)), expected, `${name}: readResultsText`);
    }
  });

  it('reads the text whole without the BOM, and only a leading BOM', async () => {
    const file = path.join(dir, 'bom.json');
    await fs.writeFile(file, '\uFEFF[{"email":"a\uFEFF@b.c","status":"risky"}]');
    assert.equal(await readResultsText(file), '[{"email":"a\uFEFF@b.c","status":"risky"}]');
    await fs.writeFile(file, '[]');
    assert.equal(await readResultsText(file), '[]');
    await fs.writeFile(file, '');
    assert.equal(await readResultsText(file), '');
  });

  it('passes a missing file error through', async () => {
    await assert.rejects(collect(readRecords(path.join(dir, 'missing.json'))), { code: 'ENOENT' });
  });
});
