import * as assert from 'node:assert/strict';
import { formatBytes } from '../../src/core/format';

describe('formatBytes', () => {
  it('uses the largest unit below 1024 with one decimal under 10', () => {
    assert.equal(formatBytes(0), '0 B');
    assert.equal(formatBytes(1023), '1023 B');
    assert.equal(formatBytes(1536), '1.5 KB');
    assert.equal(formatBytes(35 * 1024 * 1024), '35 MB');
    assert.equal(formatBytes(3.5 * 1024 ** 3), '3.5 GB');
  });
});
