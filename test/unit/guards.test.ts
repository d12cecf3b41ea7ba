import * as assert from 'node:assert/strict';
import { isObject, parseJsonObject } from '../../src/core/guards';

describe('isObject', () => {
  it('accepts objects whose fields can be read, and nothing else', () => {
    assert.equal(isObject({}), true);
    assert.equal(isObject({ a: 1 }), true);
    assert.equal(isObject(Object.create(null)), true);
    for (const value of [null, undefined, [], [1], 'x', 1, true, () => undefined]) {
      assert.equal(isObject(value), false, String(value));
    }
  });
});

describe('parseJsonObject', () => {
  it('gives the object a text holds, or undefined for anything else', () => {
    assert.deepEqual(parseJsonObject(' {"a":[1]} '), { a: [1] });
    for (const text of ['', '{', '[]', 'null', '"x"', '1', '<html>']) {
      assert.equal(parseJsonObject(text), undefined, text);
    }
  });
});
