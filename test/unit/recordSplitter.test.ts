import * as assert from 'node:assert/strict';
import { BouncerError } from '../../src/core/errors';
import { parseRegion } from '../../src/core/parseRegion';
import { MAX_LEADING_BYTES, RecordSplitter } from '../../src/core/recordSplitter';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Elements whose strings hold every byte the state machine treats specially. */
const TRICKY = [
  { email: 'a]b}c@x.com', status: 'deliverable', reason: 'accepted_email', name: 'He said "hi" [x] {y}' },
  { email: 'back\\slash@x.com', status: 'risky', reason: 'low_quality', name: 'ends with a backslash \\' },
  {
    email: 'ünïcødé@例え.jp',
    status: 'unknown',
    reason: 'unknown',
    name: '😀 emoji \u2028 line separator, tab\t and newline\n',
    extra: { deep: [1, [2, { x: ']' }], '}'] },
  },
  { email: 'x@y.z', status: 'undeliverable', reason: 'invalid_email', name: '\\"', empty: {}, list: [] },
  { email: '"quoted"@y.z', status: 'deliverable', reason: 'accepted_email' },
];

/** The same elements written with escapes a serializer might choose: \u sequences, escaped slashes. */
const ESCAPED_BODY =
  '[{"email":"\\u005d\\u007d\\"@x.com","status":"risky","reason":"x"},' +
  '{"email":"a\\/b\\\\\\\\","status":"risky","reason":"\\ud83d\\ude00"}]';

interface Split {
  elements: unknown[];
  calls: number;
}

/** Feeds `bytes` to a splitter in chunks of the sizes `nextSize` picks, checking the bounds of every emitted element. */
function split(bytes: Uint8Array, nextSize: () => number): Split {
  const elements: unknown[] = [];
  let calls = 0;
  const splitter = new RecordSplitter((region, bounds, firstIndex) => {
    calls++;
    assert.equal(firstIndex, elements.length, 'elements arrive in order, none skipped');
    const parsed = parseRegion(region, bounds, firstIndex);
    assert.equal(parsed.length, bounds.length / 2);
    for (let k = 0; k < bounds.length; k += 2) {
      const alone = JSON.parse(decoder.decode(region.subarray(bounds[k], bounds[k + 1]))) as unknown;
      assert.deepEqual(alone, parsed[k / 2], 'each bound covers exactly one element');
    }
    elements.push(...parsed);
  });
  for (let at = 0; at < bytes.length;) {
    const size = Math.max(1, nextSize());
    // Copies, so a splitter holding on to a chunk it should have copied would see it change.
    const chunk = bytes.slice(at, at + size);
    splitter.push(chunk);
    chunk.fill(0x58);
    at += size;
  }
  splitter.end();
  assert.equal(splitter.bytes, bytes.length);
  assert.equal(splitter.records, elements.length);
  return { elements, calls };
}

function whole(bytes: Uint8Array): Split {
  return split(bytes, () => bytes.length);
}

/** A small deterministic PRNG so a failing random split can be reproduced. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function expectInvalidBody(run: () => void, message: RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof BouncerError, `expected a BouncerError, got ${String(error)}`);
    assert.equal(error.kind, 'invalidBody');
    assert.match(error.message, message);
    return true;
  });
}

describe('RecordSplitter', () => {
  const bodies: Array<[string, string]> = [
    ['compact', JSON.stringify(TRICKY)],
    ['pretty', JSON.stringify(TRICKY, null, 2)],
    ['pretty with CRLF and tabs', JSON.stringify(TRICKY, null, '\t').replace(/\n/g, '\r\n')],
    ['escape-heavy', ESCAPED_BODY],
  ];

  for (const [name, text] of bodies) {
    const bytes = encoder.encode(text);
    const expected = JSON.parse(text) as unknown[];

    it(`splits a ${name} body fed whole`, () => {
      const result = whole(bytes);
      assert.deepEqual(result.elements, expected);
      assert.equal(result.calls, 1, 'one chunk, one batch');
    });

    it(`splits a ${name} body fed one byte at a time`, () => {
      assert.deepEqual(split(bytes, () => 1).elements, expected);
    });

    it(`splits a ${name} body cut at every possible byte`, () => {
      for (let cut = 1; cut < bytes.length; cut++) {
        let first = true;
        const result = split(bytes, () => {
          const size = first ? cut : bytes.length;
          first = false;
          return size;
        });
        assert.deepEqual(result.elements, expected, `cut at byte ${cut}`);
      }
    });

    it(`splits a ${name} body in random chunk sizes`, () => {
      for (let seed = 1; seed <= 200; seed++) {
        const random = prng(seed);
        const result = split(bytes, () => 1 + Math.floor(random() * 40));
        assert.deepEqual(result.elements, expected, `seed ${seed}`);
      }
    });
  }

  it('tolerates a UTF-8 BOM, also when the BOM itself is split', () => {
    const bytes = encoder.encode(`\uFEFF${JSON.stringify(TRICKY)}`);
    assert.deepEqual(bytes.subarray(0, 3), new Uint8Array([0xef, 0xbb, 0xbf]));
    assert.deepEqual(whole(bytes).elements, TRICKY);
    assert.deepEqual(split(bytes, () => 1).elements, TRICKY);
  });

  it('accepts an empty array, compact or surrounded by whitespace', () => {
    for (const text of ['[]', '  \r\n[ \n\t ]\n  ', '\uFEFF[]']) {
      for (const size of [1, 2, 100]) {
        const result = split(encoder.encode(text), () => size);
        assert.deepEqual(result.elements, [], JSON.stringify(text));
        assert.equal(result.calls, 0);
      }
    }
  });

  it('accepts whitespace before and after the array', () => {
    assert.deepEqual(whole(encoder.encode(`\n\n  ${JSON.stringify(TRICKY)} \r\n\t`)).elements, TRICKY);
  });

  it('refuses every truncation of a valid body', () => {
    const bytes = encoder.encode(JSON.stringify(TRICKY, null, 1));
    for (let length = 1; length < bytes.length; length++) {
      const truncated = bytes.subarray(0, length);
      if (decoder.decode(truncated).trim() === JSON.stringify(TRICKY, null, 1)) continue;
      expectInvalidBody(() => whole(truncated), /truncated|not valid JSON/);
    }
  });

  it('refuses an empty or blank body', () => {
    expectInvalidBody(() => whole(new Uint8Array(0)), /empty/);
    expectInvalidBody(() => whole(encoder.encode(' \n ')), /only whitespace/);
  });

  it('judges megabytes of leading whitespace after its first 64 KiB, holding none of it', () => {
    const splitter = new RecordSplitter(() => assert.fail('no elements in whitespace'));
    const blank = encoder.encode(' \r\n\t'.repeat(4096));
    let pushed = 0;
    let mostHeld = 0;
    expectInvalidBody(() => {
      for (; pushed < 16 * 1024 * 1024; pushed += blank.length) {
        splitter.push(blank);
        mostHeld = Math.max(mostHeld, splitter.held);
      }
    }, /no results in the first 64 KiB/);
    assert.ok(pushed <= MAX_LEADING_BYTES, `judged after ${pushed} bytes`);
    assert.equal(mostHeld, 0, 'whitespace is counted, never kept');
  });

  it('still accepts an array that starts right at the 64 KiB mark, and none later', () => {
    const at = (leading: number): Uint8Array => encoder.encode(`${' '.repeat(leading)}[{"a":1}]`);
    assert.deepEqual(split(at(MAX_LEADING_BYTES), () => 1000).elements, [{ a: 1 }]);
    expectInvalidBody(() => split(at(MAX_LEADING_BYTES + 1), () => 1000), /no results in the first 64 KiB/);
  });

  it('refuses anything after the closing bracket', () => {
    expectInvalidBody(() => whole(encoder.encode('[]x')), /after the end of the array/);
    expectInvalidBody(() => whole(encoder.encode('[{"a":1}] ]')), /after the end of the array/);
    expectInvalidBody(() => whole(encoder.encode('[{"a":1}][{"a":2}]')), /after the end of the array/);
  });

  it('refuses broken array syntax between elements', () => {
    expectInvalidBody(() => whole(encoder.encode('[{"a":1} {"a":2}]')), /expected "," or "\]" after record 0/);
    expectInvalidBody(() => whole(encoder.encode('[{"a":1},]')), /"," is followed by "\]"/);
    expectInvalidBody(() => whole(encoder.encode('[,{"a":1}]')), /record 0 is not a JSON object/);
    expectInvalidBody(() => whole(encoder.encode('[{"a":1},,{"a":1}]')), /record 1 is not a JSON object/);
  });

  it('refuses elements that are not objects, naming the index', () => {
    expectInvalidBody(() => whole(encoder.encode('[{"a":1}, "x"]')), /record 1 is not a JSON object/);
    expectInvalidBody(() => whole(encoder.encode('[1]')), /record 0 is not a JSON object/);
    expectInvalidBody(() => whole(encoder.encode('[[{"a":1}]]')), /record 0 is not a JSON object/);
  });

  it('names the record whose JSON is broken', () => {
    expectInvalidBody(() => whole(encoder.encode('[{"a":1},{"a":2},{"a":tru}]')), /Record 2 is not valid JSON/);
    expectInvalidBody(() => whole(encoder.encode('[{"a":1},{"a":"raw\nnewline"}]')), /Record 1 is not valid JSON/);
    expectInvalidBody(() => whole(encoder.encode('[{"a":1},{"a":[}]]')), /Record 1 is not valid JSON/);
  });

  it('recognises HTML where an array was expected', () => {
    const html = '<!DOCTYPE html>\n<html><body><h1>502 Bad Gateway</h1></body></html>';
    expectInvalidBody(() => whole(encoder.encode(html)), /HTML page/);
    expectInvalidBody(() => split(encoder.encode(`\uFEFF  ${html}`), () => 3), /HTML page/);
    // A long HTML page is refused after its first kilobytes, without reading the rest.
    const splitter = new RecordSplitter(() => assert.fail('no elements in HTML'));
    expectInvalidBody(() => {
      for (let k = 0; k < 1000; k++) splitter.push(encoder.encode(`<p>${'x'.repeat(100)}</p>`));
    }, /HTML page/);
  });

  it('recognises an API error object, with its status as a string or a number', () => {
    const notFound = '{"status":"404","error":"Not Found","message":"request 1l2k3k4j5h does not exist"}';
    assert.throws(
      () => whole(encoder.encode(notFound)),
      (error: unknown) =>
        error instanceof BouncerError &&
        error.kind === 'invalidBody' &&
        /error object/.test(error.message) &&
        /request 1l2k3k4j5h does not exist/.test(error.message) &&
        error.httpStatus === 404 &&
        error.serverMessage === 'request 1l2k3k4j5h does not exist',
    );
    const rateLimited = '{ "status": 429, "error": "Too Many Requests", "message": "slow down" }';
    assert.throws(
      () => split(encoder.encode(rateLimited), () => 2),
      (error: unknown) => error instanceof BouncerError && error.httpStatus === 429 && /slow down/.test(error.message),
    );
  });

  it('says so when the body is some other JSON value', () => {
    expectInvalidBody(() => whole(encoder.encode('{"records":[]}')), /JSON object where a JSON array/);
    expectInvalidBody(() => whole(encoder.encode('null')), /not a JSON array/);
    expectInvalidBody(() => whole(encoder.encode('\uFEFF\uFEFF[]')), /not a JSON array/);
    expectInvalidBody(() => whole(new Uint8Array([0xef, 0xbb, 0x5b, 0x5d])), /not a JSON array/);
  });
});

describe('parseRegion', () => {
  /** A region of two elements whose `v` strings hold `bytes` raw, as a file might. */
  function regionWith(bytes: number[]): { region: Uint8Array; bounds: number[] } {
    const head = [...encoder.encode('{"v":"')];
    const tail = [...encoder.encode('"}')];
    const element = [...head, ...bytes, ...tail];
    return {
      region: new Uint8Array([...element, 0x2c, ...element]),
      bounds: [0, element.length, element.length + 1, 2 * element.length + 1],
    };
  }

  const CASES: Record<string, number[]> = {
    ASCII: [...encoder.encode('plain ascii, [no] {escapes}')],
    'two-, three- and four-byte UTF-8': [...encoder.encode('Ødegaard 例え 😀 \u2028')],
    'a lone continuation byte': [0x41, 0x80, 0x42],
    'a truncated sequence': [0x41, 0xe2, 0x82, 0x42],
    'an overlong encoding': [0xc0, 0xaf],
    'an encoded surrogate': [0xed, 0xa0, 0x80],
    'a code point above U+10FFFF': [0xf4, 0x90, 0x80, 0x80],
    'bytes that are never UTF-8': [0xff, 0xfe, 0x41],
  };
  for (const [name, bytes] of Object.entries(CASES)) {
    it(`decodes ${name} exactly as TextDecoder does`, () => {
      const { region, bounds } = regionWith(bytes);
      const expected = decoder.decode(new Uint8Array(bytes));
      assert.deepEqual(parseRegion(region, bounds, 0), [{ v: expected }, { v: expected }]);
    });
  }
});
