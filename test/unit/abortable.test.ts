import * as assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { untilAborted } from '../../src/core/abortable';

describe('untilAborted', () => {
  it('settles like the step when the signal stays quiet, and leaves no listener on the signal', async () => {
    const controller = new AbortController();
    for (let i = 0; i < 50; i++) {
      assert.equal(await untilAborted(Promise.resolve(i), controller.signal), i);
      await assert.rejects(untilAborted(Promise.reject(new Error(`step ${i}`)), controller.signal), /step/);
    }
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
  });

  it('rejects with the reason as soon as the signal aborts, even when the step never settles', async () => {
    const controller = new AbortController();
    const never = new Promise<never>(() => undefined);
    const waiting = untilAborted(never, controller.signal);
    controller.abort(new Error('stop'));
    await assert.rejects(waiting, /stop/);
    await assert.rejects(untilAborted(Promise.resolve(1), controller.signal), /stop/, 'already aborted');
  });

  it('swallows a step that rejects after the abort won', async () => {
    const controller = new AbortController();
    let fail: (error: Error) => void = () => undefined;
    const late = new Promise<never>((_resolve, reject) => (fail = reject));
    const waiting = untilAborted(late, controller.signal);
    controller.abort(new Error('stop'));
    await assert.rejects(waiting, /stop/);
    // An unhandled rejection here would fail the run.
    fail(new Error('aborted stream'));
    await new Promise((resolve) => setImmediate(resolve));
  });
});
