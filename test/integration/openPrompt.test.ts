import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { RunningEmulator } from '../../emulator/server';
import type { BouncerExtensionApi } from '../../src/host/extension';
import type { OpenAnswer, TestSeam } from '../../src/host/prompts';
import { closeAllEditors, connectToEmulator, disconnectFromEmulator, listFiles, testingApi } from './helpers';

// The prompt behind Open Batch Results, answered through the test seam as a person would answer the
// quick input: its step counter, Back, the recent batches it offers, a pasted link, and what it remembers.
describe('Open Batch Results prompt', function () {
  this.timeout(60_000);
  let emulator: RunningEmulator;
  let api: BouncerExtensionApi;
  let seam: TestSeam;

  let cachedBefore: Set<string>;

  before(async () => {
    ({ emulator, api } = await connectToEmulator());
    seam = testingApi(api).seam;
    cachedBefore = new Set(listFiles(api.cacheRoot));
  });

  after(async () => {
    await disconnectFromEmulator(emulator);
    // Suites that follow count the cached copies of a batch: leave none of this suite's behind.
    for (const file of listFiles(api.cacheRoot)) if (!cachedBefore.has(file)) fs.rmSync(file, { force: true });
  });
  afterEach(closeAllEditors);

  /** Runs `command` with no argument, answering its steps; returns the steps it showed. */
  async function answer(command: string, answers: OpenAnswer[]) {
    seam.openSteps.length = 0;
    seam.openAnswers.splice(0, seam.openAnswers.length, ...answers);
    await vscode.commands.executeCommand(command);
    assert.deepEqual(seam.openAnswers, [], 'every answer was used');
    return seam.openSteps.slice();
  }

  /** The status filter of each download of `batchId` the emulator served, in order. */
  function downloads(batchId: string): string[] {
    return emulator.requests
      .filter((r) => r.path.endsWith(`/batch/${batchId}/download`))
      .map((r) => r.query.download ?? '');
  }

  it('counts its steps, goes Back with the answers kept, and opens what was finally chosen', async () => {
    const steps = await answer('bouncer.openResults', [
      { type: 'type', text: 'gen-50' },
      { type: 'pick', label: 'Risky' },
      { type: 'back' },
      { type: 'back' },
      { type: 'type', text: 'demo-small' },
      { type: 'pick', label: 'Deliverable' },
      { type: 'pick', label: 'JSON' },
    ]);
    assert.deepEqual(
      steps.map((s) => `${s.step}/${s.totalSteps} ${s.title}`),
      [
        '1/3 Open Batch Results',
        '2/3 Which results?',
        '3/3 Show results as',
        '2/3 Which results?',
        '1/3 Open Batch Results',
        '2/3 Which results?',
        '3/3 Show results as',
      ],
    );
    assert.equal(steps[3]?.active, 'Risky', 'Back shows the filter picked before');
    assert.equal(steps[4]?.value, 'gen-50', 'and then the ID typed before');
    assert.deepEqual(downloads('gen-50'), [], 'nothing was downloaded for the batch left behind');
    assert.deepEqual(downloads('demo-small'), ['deliverable'], 'the batch and filter chosen last');
    assert.equal(vscode.window.activeTextEditor?.document.languageId, 'json');
  });

  it('has two steps when the command fixes the view, and closes on Back from the first', async () => {
    const steps = await answer('bouncer.showResultsTable', [{ type: 'back' }]);
    assert.deepEqual(
      steps.map((s) => `${s.step}/${s.totalSteps}`),
      ['1/2'],
    );
  });

  it('offers the batches opened before, newest first, and opens one picked from the list', async () => {
    const steps = await answer('bouncer.openResultsAsJson', [
      { type: 'pick', label: 'demo-small' },
      { type: 'pick', label: 'All results' },
    ]);
    assert.equal(steps[0]?.labels[0], 'demo-small', 'the batch opened last comes first');
    assert.deepEqual(downloads('demo-small'), ['deliverable', 'all'], 'the picked batch was downloaded');
  });

  it('takes a link pasted from the web app, and refuses text that holds no batch ID', async () => {
    const steps = await answer('bouncer.openResultsAsCsv', [
      { type: 'type', text: 'https://app.usebouncer.com/dashboard' },
      { type: 'type', text: `https://app.usebouncer.com/batch/gen-50?tab=results` },
      { type: 'pick', label: 'All results' },
    ]);
    assert.match(steps[0]?.errors[0] ?? '', /holds no batch ID/);
    assert.ok(downloads('gen-50').length > 0, 'the batch in the link was downloaded');
  });

  it('remembers the filter and the view picked last, and offers them first', async () => {
    await answer('bouncer.openResults', [
      { type: 'type', text: 'demo-small' },
      { type: 'pick', label: 'Undeliverable' },
      { type: 'pick', label: 'JSON' },
    ]);
    const steps = await answer('bouncer.openResults', [
      { type: 'type', text: 'demo-small' },
      { type: 'pick', label: 'Deliverable' },
      { type: 'cancel' },
    ]);
    assert.deepEqual(
      steps.map((s) => [`${s.step}/${s.totalSteps}`, s.active]),
      [
        ['1/3', undefined],
        ['2/3', 'Undeliverable'],
        ['3/3', '$(json) JSON'],
      ],
    );
  });

  it('answers an unknown batch with a way to enter another one', async () => {
    const shown = seam.shownErrors.length;
    seam.openAnswers.splice(
      0,
      seam.openAnswers.length,
      { type: 'type', text: 'no-such-batch' },
      {
        type: 'pick',
        label: 'All results',
      },
    );
    // The command waits for the person to answer the message, so it is not awaited here.
    const done = vscode.commands.executeCommand('bouncer.openResultsAsJson');
    while (seam.shownErrors.length === shown) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.match(seam.shownErrors[shown]?.text ?? '', /does not exist/);
    assert.deepEqual(seam.shownErrors[shown]?.buttons, ['Open Batch Results…', 'Show Log']);
    await vscode.commands.executeCommand('notifications.clearAll');
    await done;
  });
});
