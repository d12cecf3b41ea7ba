import * as assert from 'node:assert/strict';
import { BouncerError } from '../../src/core/errors';
import { describeNotArray } from '../../src/core/recordSplitter';
import { parseServerError } from '../../src/core/serverError';

describe('parseServerError', () => {
  it('reads status (number or three-digit string), error and message', () => {
    assert.deepEqual(parseServerError('{"status":404,"error":"Not Found","message":"no such batch"}'), {
      status: 404,
      error: 'Not Found',
      message: 'no such batch',
    });
    assert.deepEqual(parseServerError('{"status":"503","message":"down"}'), {
      status: 503,
      error: undefined,
      message: 'down',
    });
  });

  it('leaves out fields of another type, and answers undefined for anything but a JSON object', () => {
    assert.deepEqual(parseServerError('{"status":"soon","error":7,"message":null}'), {
      status: undefined,
      error: undefined,
      message: undefined,
    });
    for (const text of ['', '<html>', '[{"status":404}]', '"404"', 'null', '{"status":4']) {
      assert.equal(parseServerError(text), undefined, text);
    }
  });

  it('is what every reader of an error object sees: the splitter words it for the format expected', () => {
    const start = new TextEncoder().encode('\uFEFF {"status":"429","error":"Too Many Requests","message":"slow down"}');
    for (const [expected, said] of [
      [undefined, 'a JSON array of records'],
      ['csv', 'CSV'],
    ] as const) {
      const error = describeNotArray(start, expected);
      assert.ok(error instanceof BouncerError);
      assert.equal(error.kind, 'invalidBody');
      assert.equal(
        error.message,
        `The server sent an error object where ${said} was expected: 429 Too Many Requests slow down.`,
      );
      assert.equal(error.httpStatus, 429);
      assert.equal(error.serverMessage, 'slow down');
    }
  });
});
