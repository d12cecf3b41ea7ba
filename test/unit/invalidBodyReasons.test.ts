import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BatchApi } from '../../src/core/batchApi';
import { BouncerClient, type FetchLike } from '../../src/core/bouncerClient';
import { CsvReader } from '../../src/core/csvReader';
import { BouncerError, type BouncerErrorReason } from '../../src/core/errors';
import { ingestCsv, ingestJson } from '../../src/core/ingest';
import { sniffJsonBody } from '../../src/core/jsonBodySniffer';
import { parseRegion } from '../../src/core/parseRegion';
import { foundValue, structureProblem } from '../../src/core/recordSchema';
import { MAX_LEADING_BYTES, MAX_RECORD_BYTES, RecordSplitter } from '../../src/core/recordSplitter';
import { unexpectedContentType } from '../../src/core/responseErrors';

// Every invalid body says why as a reason code with its values, so the host can word it in the
// user's language; the English message stays for the log (and is checked where each reader is tested).

const encoder = new TextEncoder();

/** The reason of the invalidBody error `run` throws (or its promise rejects with). */
async function reasonOf(run: () => unknown): Promise<BouncerErrorReason | undefined> {
  try {
    await run();
  } catch (error) {
    assert.ok(error instanceof BouncerError, String(error));
    assert.equal(error.kind, 'invalidBody', error.message);
    return error.reason;
  }
  assert.fail('expected an invalidBody error');
}

function splitAll(text: string | Uint8Array): void {
  const splitter = new RecordSplitter(() => undefined);
  splitter.push(typeof text === 'string' ? encoder.encode(text) : text);
  splitter.end();
}

async function* once(text: string): AsyncGenerator<Uint8Array> {
  await Promise.resolve();
  yield encoder.encode(text);
}

describe('invalidBody reasons', () => {
  let dir: string;
  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bouncer-reasons-'));
  });
  after(() => fs.rm(dir, { recursive: true, force: true }));

  it('an empty or blank JSON body, and one blank for too long', async () => {
    assert.deepEqual(await reasonOf(() => splitAll('')), { code: 'bodyEmpty', format: 'json', blank: false });
    assert.deepEqual(await reasonOf(() => splitAll(' \n\t')), { code: 'bodyEmpty', format: 'json', blank: true });
    assert.deepEqual(await reasonOf(() => splitAll(`${' '.repeat(MAX_LEADING_BYTES + 1)}[]`)), {
      code: 'bodyOnlyWhitespace',
      kib: 64,
    });
  });

  it('a truncated array, with the records and bytes read', async () => {
    const text = '[{"a":1},{"b":2},{"c"';
    assert.deepEqual(await reasonOf(() => splitAll(text)), { code: 'bodyTruncated', records: 2, bytes: text.length });
  });

  it('broken array punctuation, naming the record', async () => {
    for (const [text, problem, record] of [
      ['[{"a":1} {"b":2}]', 'noCommaAfter', 0],
      ['[{"a":1},]', 'commaBeforeEnd', 1],
      ['[{"a":1},7]', 'notObject', 1],
      ['[{"a":1}] x', 'dataAfterEnd', 1],
    ] as const) {
      assert.deepEqual(await reasonOf(() => splitAll(text)), { code: 'bodySyntax', problem, record }, text);
    }
  });

  it('a record too large to buffer', async () => {
    const reason = await reasonOf(() => {
      const splitter = new RecordSplitter(() => undefined);
      splitter.push(encoder.encode('[{"a":1},{"big":"'));
      splitter.push(new Uint8Array(MAX_RECORD_BYTES + 1).fill(0x78));
    });
    assert.deepEqual(reason, { code: 'recordTooLarge', record: 1, maxMiB: 32 });
  });

  it('something else than an array: HTML, an API error object with its words, an object, a value', async () => {
    assert.deepEqual(await reasonOf(() => splitAll('<!doctype html>')), {
      code: 'bodyNotExpected',
      found: 'html',
      expected: 'records',
    });
    assert.deepEqual(await reasonOf(() => splitAll('{"status":429,"error":"Too Many Requests","message":"slow"}')), {
      code: 'bodyNotExpected',
      found: 'errorObject',
      expected: 'records',
      said: '429 Too Many Requests slow',
    });
    assert.deepEqual(await reasonOf(() => splitAll('{"data":[]}')), {
      code: 'bodyNotExpected',
      found: 'jsonObject',
      expected: 'records',
    });
    assert.deepEqual(await reasonOf(() => splitAll('"results"')), {
      code: 'bodyNotExpected',
      found: 'other',
      expected: 'records',
    });
  });

  it('JSON the engine refuses: the record at fault, or the whole body, with the engine’s words', async () => {
    const bad = encoder.encode('{"a":1},{"b":}');
    const record = await reasonOf(() => parseRegion(bad, [0, 7, 8, 14], 5));
    assert.equal(record?.code, 'recordNotJson');
    assert.equal(record.record, 6);
    assert.ok(record.problem.length > 0);

    const joined = encoder.encode('{"a":1} {"b":2}');
    const whole = await reasonOf(() => parseRegion(joined, [0, 7, 8, 15], 0));
    assert.equal(whole?.code, 'bodyNotJson');
    assert.ok(whole.problem.length > 0);
  });

  it('a record that is not an email result: which record, which field, what was found', async () => {
    const text = JSON.stringify([
      { email: 'a@b.c', status: 'risky' },
      { email: 'd@e.f', status: 'risky' },
      { email: 'g@h.i' },
    ]);
    assert.deepEqual(await reasonOf(() => ingestJson(once(text), path.join(dir, 'missing.json'))), {
      code: 'recordNotResult',
      record: 2,
      field: 'status',
      found: { kind: 'missing' },
    });
    assert.deepEqual(structureProblem([1]), { found: { kind: 'array' } });
    assert.deepEqual(structureProblem({ email: 7, status: 'risky' }), {
      field: 'email',
      found: { kind: 'value', text: '7' },
    });
    assert.deepEqual(structureProblem({ email: 'a@b.c', status: null }), { field: 'status', found: { kind: 'null' } });
  });

  it('a found string is quoted and cut short, with its full length', () => {
    assert.deepEqual(foundValue('pending'), { kind: 'value', text: '"pending"' });
    assert.deepEqual(foundValue('x'.repeat(50)), {
      kind: 'value',
      text: JSON.stringify('x'.repeat(40)),
      fullLength: 50,
    });
    assert.deepEqual(foundValue({}), { kind: 'object' });
  });

  it('a CSV download: empty, blank, JSON or HTML instead, or cut inside a quoted cell', async () => {
    const csv = (text: string) => reasonOf(() => ingestCsv(once(text), path.join(dir, 'x.csv')));
    assert.deepEqual(await csv(''), { code: 'bodyEmpty', format: 'csv', blank: false });
    assert.deepEqual(await csv('  \n'), { code: 'bodyEmpty', format: 'csv', blank: true });
    assert.deepEqual(await csv('[{"email":"a@b.c"}]'), { code: 'bodyNotExpected', found: 'json', expected: 'csv' });
    assert.deepEqual(await csv('<html></html>'), { code: 'bodyNotExpected', found: 'html', expected: 'csv' });

    const cut = 'email,status\n"a@b.c,risky\n';
    const reader = new CsvReader(() => undefined);
    reader.push(encoder.encode(cut));
    assert.deepEqual(await reasonOf(() => reader.end()), { code: 'csvTruncated', bytes: cut.length });
  });

  it('a 200 whose JSON body is an API error object', async () => {
    const reason = await reasonOf(async () => {
      for await (const chunk of await sniffJsonBody(once('{"status":500,"message":"oops"}'), (t) => t)) void chunk;
    });
    assert.deepEqual(reason, { code: 'bodyErrorObject' });
  });

  describe('answers of the API', () => {
    /** A fetch that answers every request with a 200 of `contentType` and `text` (no body when null). */
    function answering(contentType: string, text: string | null): FetchLike {
      return async () => ({
        status: 200,
        headers: { get: (name: string) => (name === 'content-type' ? contentType : null) },
        text: async () => text ?? '',
        body: text === null ? null : once(text),
      });
    }
    const client = (fetch: FetchLike) =>
      new BouncerClient({ baseUrl: 'http://127.0.0.1:9', apiKey: 'k'.repeat(20), fetch, timeoutMs: 1000 });
    const signal = () => new AbortController().signal;

    it('names the format a content type says, instead of the one asked for', async () => {
      assert.equal(unexpectedContentType('text/html; charset=utf-8', 'json'), 'html');
      assert.equal(unexpectedContentType('application/problem+json', 'csv'), 'json');
      assert.equal(unexpectedContentType('text/csv', 'json'), 'csv');
      assert.equal(unexpectedContentType('application/json', 'json'), undefined);
      const html = client(answering('text/html', '<html></html>'));
      assert.deepEqual(await reasonOf(() => html.openDownload('abc', 'all', 'csv', signal())), {
        code: 'bodyContentType',
        found: 'html',
        format: 'csv',
      });
    });

    it('a download with no body', async () => {
      const none = client(answering('application/json', null));
      assert.deepEqual(await reasonOf(() => none.openDownload('abc', 'all', 'json', signal())), {
        code: 'bodyMissing',
      });
    });

    it('an answer that is not the object asked for, or too long to be it', async () => {
      const odd = client(answering('application/json', '{"hello":1}'));
      assert.deepEqual(await reasonOf(() => odd.getBatchStatus('abc', signal())), {
        code: 'answerUnexpected',
        expected: 'batchStatus',
      });
      assert.deepEqual(await reasonOf(() => new BatchApi(odd).credits(signal())), {
        code: 'answerUnexpected',
        expected: 'credits',
      });
      const long = client(answering('application/json', ' '.repeat(65 * 1024)));
      assert.deepEqual(await reasonOf(() => long.getBatchStatus('abc', signal())), {
        code: 'answerTooLarge',
        maxKiB: 64,
        expected: 'batchStatus',
      });
    });
  });
});
