import * as assert from 'node:assert/strict';
import { byteSize, formatBytes } from '../../src/core/format';

describe('formatBytes', () => {
  it('uses the largest unit below 1024 with one decimal under 10', () => {
    assert.equal(formatBytes(0), '0 B');
    assert.equal(formatBytes(1023), '1023 B');
    assert.equal(formatBytes(1536), '1.5 KB');
    assert.equal(formatBytes(35 * 1024 * 1024), '35 MB');
    assert.equal(formatBytes(3.5 * 1024 ** 3), '3.5 GB');
  });
});

describe('byteSize', () => {
  it('gives the number and the unit apart, for the host to word the unit', () => {
    assert.deepEqual(byteSize(1023), { value: 1023, unit: 'B', digits: 0 });
    assert.deepEqual(byteSize(1536), { value: 1.5, unit: 'KB', digits: 1 });
    assert.deepEqual(byteSize(1024 * 1024), { value: 1, unit: 'MB', digits: 1 });
    assert.deepEqual(byteSize(35 * 1024 * 1024), { value: 35, unit: 'MB', digits: 0 });
    assert.deepEqual(byteSize(3.5 * 1024 ** 3), { value: 3.5, unit: 'GB', digits: 1 });
  });
});
