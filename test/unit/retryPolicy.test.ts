import * as assert from 'node:assert/strict';
import {
  abortableSleep,
  DEFAULT_RETRY_OPTIONS,
  formatWait,
  waitSpan,
  isRetryableStatus,
  parseRetryAfter,
  retryAfterExceedsCap,
  retryDelayMs,
  type RetryOptions,
} from '../../src/core/retryPolicy';

const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);

describe('retryPolicy', () => {
  it('retries 429 and 5xx only', () => {
    for (const status of [429, 500, 502, 503, 504, 599]) assert.equal(isRetryableStatus(status), true, String(status));
    for (const status of [200, 301, 400, 401, 402, 403, 404, 405, 418, 600]) {
      assert.equal(isRetryableStatus(status), false, String(status));
    }
  });

  it('parses Retry-After as delay-seconds', () => {
    assert.equal(parseRetryAfter('1', NOW), 1000);
    assert.equal(parseRetryAfter(' 120 ', NOW), 120_000);
    assert.equal(parseRetryAfter('0', NOW), 0);
  });

  it('parses Retry-After as an HTTP date, relative to now', () => {
    assert.equal(parseRetryAfter(new Date(NOW + 5000).toUTCString(), NOW), 5000);
    assert.equal(parseRetryAfter('Thu, 26 Nov 2026 12:01:00 GMT', NOW), 60_000);
    // A date in the past means "retry now", never a negative wait.
    assert.equal(parseRetryAfter('Thu, 26 Nov 2026 11:00:00 GMT', NOW), 0);
  });

  it('ignores missing or unreadable Retry-After values', () => {
    for (const value of [null, undefined, '', '  ', '-1', '1.5', 'soon', '1e3', 'Thu, 99 Foo 2026']) {
      assert.equal(parseRetryAfter(value, NOW), undefined, String(value));
    }
  });

  it('uses full jitter: a uniform pick below base·2^attempt', () => {
    const at = (random: number): RetryOptions => ({ ...DEFAULT_RETRY_OPTIONS, random: () => random });
    assert.equal(retryDelayMs(0, undefined, at(0)), 0);
    assert.equal(retryDelayMs(0, undefined, at(0.5)), 500);
    assert.equal(retryDelayMs(1, undefined, at(0.5)), 1000);
    assert.equal(retryDelayMs(2, undefined, at(0.5)), 2000);
    assert.equal(retryDelayMs(2, undefined, at(0.999)), 3996);
  });

  it('caps every wait, whether from backoff or from the server', () => {
    const options: RetryOptions = { ...DEFAULT_RETRY_OPTIONS, maxDelayMs: 30_000, random: () => 0.999 };
    assert.equal(retryDelayMs(10, undefined, options), Math.floor(0.999 * 30_000));
    assert.equal(retryDelayMs(0, 3_600_000, options), 30_000);
    assert.equal(retryDelayMs(0, 2000, options), 2000);
  });

  it('refuses to retry when the server asks for longer than the cap, and only then', () => {
    const options: RetryOptions = { ...DEFAULT_RETRY_OPTIONS, maxDelayMs: 30_000 };
    assert.equal(retryAfterExceedsCap(undefined, options), false);
    assert.equal(retryAfterExceedsCap(0, options), false);
    assert.equal(retryAfterExceedsCap(30_000, options), false);
    assert.equal(retryAfterExceedsCap(30_001, options), true);
    assert.equal(retryAfterExceedsCap(parseRetryAfter('Thu, 26 Nov 2026 13:00:00 GMT', NOW), options), true);
  });

  it('words a wait for people, rounded up', () => {
    assert.equal(formatWait(0), '0 s');
    assert.equal(formatWait(1), '1 s');
    assert.equal(formatWait(45_000), '45 s');
    assert.equal(formatWait(89_000), '89 s');
    assert.equal(formatWait(89_001), '2 min');
    assert.equal(formatWait(90_000), '2 min');
    assert.equal(formatWait(3_600_000), '60 min');
    assert.equal(formatWait(5_339_000), '89 min');
    assert.equal(formatWait(5_399_000), '1 h 30 min');
    assert.equal(formatWait(7_200_000), '2 h');
    assert.equal(formatWait(7_500_000), '2 h 5 min');
    assert.equal(formatWait(-5), '0 s');
  });

  it('sleeps until aborted, and rejects at once when already aborted', async () => {
    const controller = new AbortController();
    const sleeping = abortableSleep(60_000, controller.signal);
    controller.abort(new Error('stop'));
    await assert.rejects(sleeping, /stop/);
    await assert.rejects(abortableSleep(1, controller.signal), /stop/);
    await abortableSleep(1, new AbortController().signal);
  });
});

describe('waitSpan', () => {
  it('gives the parts of a wait, rounded up, for the host to word', () => {
    assert.deepEqual(waitSpan(45_000), { seconds: 45 });
    assert.deepEqual(waitSpan(90_000), { minutes: 2 });
    assert.deepEqual(waitSpan(5_399_000), { hours: 1, minutes: 30 });
    assert.deepEqual(waitSpan(7_200_000), { hours: 2, minutes: 0 });
  });
});
