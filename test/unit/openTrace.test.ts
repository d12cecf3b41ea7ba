import * as assert from 'node:assert/strict';
import { describeTiming, OpenTrace } from '../../src/core/openTrace';

describe('OpenTrace', () => {
  it('stamps each phase once, relative to the command, and describes them in phase order', () => {
    let now = 1000;
    const trace = new OpenTrace(() => now);
    now = 1250;
    trace.mark('ready');
    now = 1100;
    trace.mark('panelCreated');
    now = 1300;
    trace.mark('ready');
    assert.deepEqual(trace.timing(), { command: 0, ready: 250, panelCreated: 100 });
    assert.equal(trace.describe(), 'command 0 · panelCreated 100 · ready 250');
  });

  it('places a phase reported after the fact at the time it happened, never before the command', () => {
    let now = 0;
    const trace = new OpenTrace(() => now);
    now = 500;
    trace.mark('webviewScriptStarted', 120);
    trace.mark('firstByte', 900);
    assert.equal(trace.timing().webviewScriptStarted, 380);
    assert.equal(trace.timing().firstByte, 0);
    assert.ok(trace.has('firstByte'));
    assert.ok(!trace.has('firstRowsPainted'));
  });

  it('describes a partial timing with whole milliseconds', () => {
    assert.equal(describeTiming({ firstRowsPainted: 812.6, command: 0 }), 'command 0 · firstRowsPainted 813');
  });
});
